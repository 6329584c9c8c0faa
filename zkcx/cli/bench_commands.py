# SPDX-License-Identifier: MIT
"""``zkcx bench``: the zkcx command against rapidsnark ($RAPIDSNARK), groth16py and snarkjs,
each a whole process proving from the same .zkey (made by ``zkcx setup``) and .wtns: circom
circuits (chains of 2^k rows, a matrix product) and zkcx's own kernels; runs interleaved;
median and range of wall time, CPU time, peak memory and the CPU the rest of the machine
used; every proof verified; zkcx's start-up; a Markdown table and a PNG plot.
``benchmarks/compare.py`` is the same run."""

from __future__ import annotations

import argparse
import functools
import os
import pathlib
import re
import sys

from zkcx.cli import _peers
from zkcx.cli._output import Reporter
from zkcx.cli._startup import work_starts
from zkcx.cli.errors import UsageError

# The measuring modules (numpy, the prover, the kernels) are imported by the functions that
# use them, so that registering the command costs nothing.

DEFAULT_SIZES = (12, 16)
LARGE_SIZE = 18
DEFAULT_MATMUL = (32, 32, 32)
#: The catalogue kernel measured beside the circom circuits (in the catalogue folder).
DEFAULT_KERNEL = "matmul_16x16x16.toml"
DEFAULT_RUNS = 5
#: Runs per prover on chains of at least 2^LARGE_SIZE rows (unless --runs says otherwise).
LARGE_RUNS = 3
QUICK_RUNS = 2


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise UsageError(f"--sizes takes comma-separated powers of two, e.g. 12,16: {text!r}"
                         ) from exc
    bad = [k for k in sizes if not 2 <= k <= 24]
    if bad or not sizes:
        raise UsageError(f"--sizes: each k must be 2..24 (circuits of 2^k rows), got {text!r}")
    return sizes


def _shape(text: str) -> tuple[int, int, int]:
    found = re.fullmatch(r"\s*(\d+)\s*x\s*(\d+)\s*x\s*(\d+)\s*", text)
    shape = tuple(int(v) for v in found.groups()) if found else ()
    if len(shape) != 3 or not all(1 <= v <= 256 for v in shape):
        raise UsageError(f"--matmul takes MxKxN with each side 1..256, e.g. 32x32x32: "
                         f"{text!r}")
    return shape  # type: ignore[return-value]


def add_bench_arguments(p: argparse.ArgumentParser) -> None:
    """The options ``zkcx bench`` and ``benchmarks/compare.py`` share."""
    p.add_argument("--sizes", help="circom chains of 2^k rows, comma-separated k "
                                   f"(default {','.join(map(str, DEFAULT_SIZES))})")
    p.add_argument("--large", action="store_true", help=f"add the chain of 2^{LARGE_SIZE} "
                                                        f"({LARGE_RUNS} runs each)")
    p.add_argument("--matmul", help="circom matrix product MxKxN (default "
                                    f"{'x'.join(map(str, DEFAULT_MATMUL))})")
    p.add_argument("--no-matmul", action="store_true", help="no circom matrix product")
    p.add_argument("--kernel", action="append", default=None,
                   help=f"catalogue kernel spec to measure too (repeatable; default "
                        f"{DEFAULT_KERNEL} when the catalogue is present)")
    p.add_argument("--no-kernel", action="store_true", help="no zkcx kernel")
    p.add_argument("--runs", type=int, help=f"runs per prover and circuit (default "
                                            f"{DEFAULT_RUNS}, {LARGE_RUNS} from 2^{LARGE_SIZE})")
    p.add_argument("--skip", action="append", default=[], choices=_peers.PEERS,
                   help="leave a peer out (repeatable)")
    p.add_argument("--quick", action="store_true",
                   help=f"the chain of 2^{DEFAULT_SIZES[0]} only, {QUICK_RUNS} runs "
                        "(a smoke test)")
    p.add_argument("--timeout", type=float, default=1800.0,
                   help="seconds one run may take (default 1800)")


def _chain_plan(k: int, runs: int, circom: _peers.NodeTools | None, why: str):
    from zkcx.cli import _bench_run

    label = f"chain 2^{k}"
    if circom is not None:
        return _bench_run.Plan(label, functools.partial(_circom_chain, circom, k), runs)
    return _bench_run.Plan(label, functools.partial(_zkcx_chain, k, why), runs)


def _circom_chain(circom: _peers.NodeTools, k: int, folder: pathlib.Path):
    from zkcx.cli import _bench_cases

    return _bench_cases.circom_chain(circom, k, folder)


def _zkcx_chain(k: int, why: str, folder: pathlib.Path):
    from zkcx.cli import _bench_cases

    prepared = _bench_cases.write_case(_bench_cases.chain_case(k), folder)
    prepared.notes.append(f"built by zkcx, not circom (the same constraints): {why}")
    return prepared


def _kernel_plan(spec: str, runs: int):
    from zkcx.cli import _bench_run
    from zkcx.cli.kernel_commands import load_kernel

    kernel = load_kernel(spec)  # a usage error now, not a failure after the circuits
    return _bench_run.Plan(kernel.spec.name, functools.partial(_kernel_case, spec), runs)


def _kernel_case(spec: str, folder: pathlib.Path):
    from zkcx.cli import _bench_cases

    return _bench_cases.write_case(_bench_cases.kernel_case(spec), folder)


def options_from(args: argparse.Namespace, progress):
    """The comparison's ``_bench_run.Options`` from the parsed shared arguments (UsageError
    on a bad one)."""
    from zkcx.cli import _bench_cases, _bench_run

    if args.runs is not None and not 1 <= args.runs <= 1000:
        raise UsageError(f"--runs must be 1..1000, got {args.runs}")
    if not args.timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds, got {args.timeout}")
    path = os.environ.get("RAPIDSNARK")
    if path and _peers.rapidsnark_prover()[0] is None:
        raise UsageError(f"RAPIDSNARK={path} is not an executable file: point it to "
                         "rapidsnark's prover binary, or unset it")
    sizes = _sizes(args.sizes) if args.sizes else [DEFAULT_SIZES[0]] if args.quick else list(
        DEFAULT_SIZES)
    if args.large and LARGE_SIZE not in sizes:
        sizes.append(LARGE_SIZE)
    shape = _shape(args.matmul) if args.matmul else DEFAULT_MATMUL

    def runs(k: int = 0) -> int:
        if args.runs is not None:
            return args.runs
        if args.quick:
            return QUICK_RUNS
        return LARGE_RUNS if k >= LARGE_SIZE else DEFAULT_RUNS

    circom, why = _peers.find_circom()
    plans = [_chain_plan(k, runs(k), circom, why) for k in sizes]
    if not (args.no_matmul or (args.quick and not args.matmul)):
        label = f"matmul {'x'.join(map(str, shape))}"
        plans.append(_bench_run.Plan(
            label, functools.partial(_bench_cases.circom_matprod, circom, shape), runs(),
        ) if circom else _bench_run.Plan(label, None, 0, skipped=why))
    specs = [] if args.no_kernel or (args.quick and not args.kernel) else (
        args.kernel or [str(path) for path in [_bench_cases.CATALOGUE / DEFAULT_KERNEL]
                        if path.is_file()])
    plans += [_kernel_plan(spec, runs()) for spec in specs]
    return _bench_run.Options(plans=plans, skip=frozenset(args.skip), timeout=args.timeout,
                              progress=progress)


def write_outputs(record: dict, table_path: pathlib.Path) -> dict:
    """Write the Markdown table to ``table_path`` and the plot beside it (same name,
    ``.png``); returns the paths written, or why the plot was not."""
    from zkcx.cli import _bench_report

    table_path.parent.mkdir(parents=True, exist_ok=True)
    table_path.write_text(_bench_report.markdown(record))
    png = table_path.with_suffix(".png")
    why = _bench_report.plot(record, png)
    return {"table": str(table_path), **({"plot_skipped": why} if why else {"plot": str(png)})}


def _stderr_progress(quiet: bool):
    def say(text: str) -> None:
        if not quiet:
            print(text, file=sys.stderr, flush=True)
    return say


def problems(record: dict) -> list[str]:
    """What makes the run a failure: a proof the zkcx verifier refused, or zkcx failing
    (its setup or its proving)."""
    found = [f"{case['name']}: {case['skipped']}" for case in record["cases"]
             if case.get("failed")]
    for case in record["cases"]:
        for prover, res in case.get("results", {}).items():
            if res["verified"] is False:
                found.append(f"{case['name']}: a {prover} proof was not accepted by the "
                             "zkcx verifier")
        zkcx_result = case.get("results", {}).get("zkcx")
        if zkcx_result and any(n.startswith("failed") for n in zkcx_result["notes"]):
            found.append(f"{case['name']}: zkcx {zkcx_result['notes'][0]}")
    return found


def cmd_bench(args: argparse.Namespace, out: Reporter) -> int:
    """Measure zkcx and its peers; print the table (or the JSON record) and write the table
    and plot under --out."""
    from zkcx.cli import _bench_report, _bench_run

    work_starts()
    options = options_from(args, _stderr_progress(out.quiet))
    record = _bench_run.run_comparison(options)
    files = write_outputs(record, args.out / "compare.md") if args.out else {}
    failed = problems(record)
    if out.as_json:
        out.set(**record, files=files, problems=failed)
    else:
        out.line(_bench_report.markdown(record))
        for what, path in files.items():
            out.line(f"{what:<12} {path}")
        for problem in failed:
            out.line(problem)
    return 1 if failed else 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register bench."""
    p = sub.add_parser("bench", help="compare the zkcx prover with rapidsnark ($RAPIDSNARK), "
                                     "groth16py and snarkjs on the same circuits",
                       description=__doc__)
    add_bench_arguments(p)
    p.add_argument("--out", type=pathlib.Path,
                   help="folder to write compare.md and compare.png into")
    p.set_defaults(run=cmd_bench)
