# SPDX-License-Identifier: MIT
"""Trusted-setup ceremonies (issue 16): zkcx against snarkjs 0.7.6, whole processes on
the same files, for one powers-of-tau size and one circuit.

Steps, in order (each side reads the same input files; see STEPS):

- setup (not compared): ``powersoftau new`` + one contribution, by snarkjs (or zkcx,
  ``--setup zkcx``): the phase-1 file the other steps start from;
- ``ptau contribute`` and ``ptau verify`` of that file;
- ``ptau prepare`` (snarkjs ``powersoftau prepare phase2``): the Lagrange sections;
- ``zkey new`` (snarkjs ``groth16 setup``) of a multiplication chain filling 2^k rows
  (zkcx/cli/_bench_cases.py; or any circom ``.r1cs``, ``--circuit``) from the prepared file;
- ``zkey contribute`` of that key, and ``zkey verify CIRCUIT PTAU ZKEY`` of a contributed one.

Each step runs ``--repeats`` times per side, interleaved (snarkjs then zkcx, then zkcx then
snarkjs, ...), every run a fresh child process measured by zkcx/cli/_peers.py's launcher:
wall time (start-up included, as a user waits), CPU time (user + system, all threads) and
peak RSS of the child, and the share of the machine the other processes used meanwhile
(/proc/stat, less the child's CPU). Cells give the median and the range. Every zkcx
output is checked by snarkjs in the same run: ``prepare`` and ``zkey new`` must equal
snarkjs's bytes (or pass ``snarkjs powersoftau verify`` / ``zkey verify`` where snarkjs's
own output is absent), contributions must pass snarkjs's verification, and zkcx's
``verify`` must accept snarkjs's files. The ratios snarkjs / zkcx are compared with the
issue's targets (at 2^16: prepare >= 100x, zkey new >= 20x, zkey contribute and verify
>= 10x; prepare at 2^20 under 2 minutes; peak memory <= 2x the files involved).

snarkjs is slow at large sizes (``prepare phase2`` took over 25 minutes at 2^16), so its
side is cached: the files every step starts from and snarkjs's measurements are kept
under ``--cache`` (default .ci-cache/ceremony/snarkjs-VERSION/ptau-2^P/...) and reused
by later runs of the same size (``--fresh`` measures snarkjs again). Each run is killed
after ``--timeout`` seconds (the cell then reads "> T s" and the ratio is a lower bound;
the timeout is cached too); ``--no-snarkjs prepare,...`` leaves snarkjs out of a step
(the next steps then start from zkcx's output, checked by snarkjs).

    python benchmarks/ceremony_report.py --power 10                  # a quick end-to-end run
    python benchmarks/ceremony_report.py --power 16 --steps prepare --snarkjs-repeats 1 \\
        --timeout 7200                                                # snarkjs's slow prepare, once
    python benchmarks/ceremony_report.py --power 16 --json benchmarks/ceremony_2^16.json
    python benchmarks/ceremony_report.py --power 20 --setup zkcx --no-snarkjs prepare \\
        --steps prepare,zkey-new --snarkjs-repeats 1 --check-timeout 3600
    python benchmarks/ceremony_report.py --power 20 --setup zkcx --steps zkey-new \\
        --repeats 3 --snarkjs-repeats 1 --timeout 3600  # the prepared 2^20 file cached
"""


import argparse
import dataclasses
import json
import math
import os
import pathlib
import shutil
import sys
import tempfile
from dataclasses import dataclass

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
for _path in (ROOT, HERE):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from ceremony_steps import (  # noqa: E402
    NAME,
    STEP_NAMES,
    STEPS,
    Cache,
    Comparison,
    Files,
    MissingInput,
    Run,
    Step,
    StepResult,
    entropy_option,
    file_digest,
    measure,
    snarkjs_command,
    zkcx_command,
)
from ceremony_table import markdown  # noqa: E402
from machine import describe  # noqa: E402

from zkcx.cli._bench_cases import Case, chain_circuit  # noqa: E402
from zkcx.cli._peers import PeerError, Snarkjs, find_snarkjs  # noqa: E402
from zkcx.r1cs import read_r1cs, write_r1cs  # noqa: E402

#: Where the snarkjs side is kept between runs (see the module docstring).
DEFAULT_CACHE = ROOT / ".ci-cache" / "ceremony"


@dataclass
class Options:
    """The command line's choices (see options_from)."""

    power: int
    circuit_log: int | None
    circuit_file: pathlib.Path | None
    steps: list[str]
    repeats: int
    snarkjs_repeats: int
    timeout: float
    check_timeout: float
    no_snarkjs: set[str]
    fresh: bool
    setup_by: str
    cache: pathlib.Path


def _going(runs: list[Run], error: str | None) -> bool:
    """Whether a side runs again: it has not failed and its last run did not time out."""
    return error is None and not (runs and runs[-1].timed_out)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Runner:
    """Runs the steps in order against the cache and a scratch folder."""

    def __init__(self, options: Options, snarkjs: Snarkjs, work: pathlib.Path) -> None:
        self.options = options
        self.snarkjs = snarkjs
        self.work = work
        base = options.cache / f"snarkjs-{snarkjs.version}"
        self.ptau_cache = Cache(base / f"ptau-2^{options.power}")
        self.zkey_cache: Cache | None = None
        self.circuit_label = (options.circuit_file.name if options.circuit_file else
                              f"chain 2^{options.circuit_log}")
        self.constraints = 0  # known once a zkey step reads the circuit

    # caches and files

    def cache_for(self, step: Step) -> Cache:
        if step.scope == "ptau":
            return self.ptau_cache
        if self.zkey_cache is None:
            self.zkey_cache = self._open_zkey_cache()
        return self.zkey_cache

    def _open_zkey_cache(self) -> Cache:
        """The zkey steps' cache: one per circuit and prepared ptau (by content), so a
        key is never verified against a ptau it was not made from."""
        if not self.ptau_cache.has("prepared.ptau"):
            raise MissingInput("the zkey steps need prepared.ptau, which prepare did not make")
        prepared = self.ptau_cache.record["files"]["prepared.ptau"]["sha256"]
        circuit = self._circuit_file()
        r1cs = read_r1cs(circuit)
        self.constraints = r1cs.n_constraints
        needed = Case(self.circuit_label, r1cs, None).power
        if needed > self.options.power:
            raise SystemExit(f"the circuit needs a ptau of power {needed} (2^{needed} >= "
                             f"{r1cs.n_constraints:,} constraints + publics + 1): give "
                             f"--power {needed} or a smaller circuit")
        tag = file_digest(circuit)[:12]
        cache = Cache(self.ptau_cache.folder / f"circuit-{tag}-ptau-{prepared[:12]}")
        if not cache.has("circuit.r1cs"):
            copy = self.work / "circuit.r1cs"
            shutil.copyfile(circuit, copy)
            cache.store("circuit.r1cs", copy, "zkcx" if self.options.circuit_file is None
                        else str(self.options.circuit_file))
        return cache

    def _circuit_file(self) -> pathlib.Path:
        """The circuit as a .r1cs file: ``--circuit``, else the chain written once."""
        if self.options.circuit_file is not None:
            return self.options.circuit_file
        k = self.options.circuit_log
        path = self.options.cache / "circuits" / f"chain-2^{k}.r1cs"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            log(f"writing the chain circuit 2^{k}")
            r1cs, _, _ = chain_circuit(k)
            tmp = path.with_suffix(".part")
            write_r1cs(r1cs, tmp)
            os.replace(tmp, path)
        return path

    def files(self, step: Step) -> Files:
        caches = [self.ptau_cache] + ([self.cache_for(step)] if step.scope == "zkey" else [])
        found: Files = {}
        for name in step.inputs:
            for cache in caches:
                if cache.has(name):
                    found[name] = cache.path(name)
        missing = [name for name in step.inputs if name not in found]
        if missing:
            raise MissingInput(f"{step.name} needs {', '.join(missing)}, which an earlier "
                               "step did not make")
        return found

    # the setup

    def ensure_setup(self) -> dict:
        """The phase-1 file every step starts from (made once per power and cached)."""
        cache = self.ptau_cache
        if cache.has("setup.ptau"):
            return {"by": cache.made_by("setup.ptau"), "cached": True}
        power, timeout = self.options.power, self.options.timeout
        fresh, contributed = self.work / "setup0.ptau", self.work / "setup1.ptau"
        log(f"setup: ptau new + contribute at 2^{power} by {self.options.setup_by}")
        if self.options.setup_by == "snarkjs":
            runs = [measure(snarkjs_command(self.snarkjs, "powersoftau", "new", "bn128",
                                            str(power), fresh), timeout),
                    measure(snarkjs_command(self.snarkjs, "powersoftau", "contribute", fresh,
                                            contributed, f"--name={NAME}", entropy_option()),
                            timeout)]
        else:
            runs = [measure(zkcx_command("ptau", "new", str(power), fresh), timeout),
                    measure(zkcx_command("ptau", "contribute", fresh, contributed,
                                         "--name", NAME), timeout)]
        if any(run.timed_out for run in runs):
            raise SystemExit(f"the setup took more than --timeout {timeout:g} s")
        cache.store("setup.ptau", contributed, self.options.setup_by)
        return {"by": self.options.setup_by, "cached": False,
                "new": dataclasses.asdict(runs[0]), "contribute": dataclasses.asdict(runs[1])}

    # one step

    def run_step(self, step: Step, measured: bool) -> StepResult:
        """Measure ``step`` on both sides (``measured``), or only make its output for the
        next steps when it is not selected and its output is not cached yet."""
        cache = self.cache_for(step)
        result = StepResult(step.name)
        inputs = self.files(step)
        if not measured:
            if not step.keep or cache.has(step.output):
                return result
            log(f"{step.name}: making {step.output} for the next steps (not measured)")
        snarkjs_out = self.work / f"snarkjs-{step.output or 'none'}"
        zkcx_out = self.work / f"zkcx-{step.output or 'none'}"
        cached_runs = [] if self.options.fresh else cache.runs(step.name)
        skip_snarkjs = step.name in self.options.no_snarkjs
        result.snarkjs_skipped = skip_snarkjs
        if cached_runs and not skip_snarkjs:
            result.snarkjs = cached_runs
            result.snarkjs_cached = cache.record["steps"][step.name]["date"]
            result.snarkjs_machine = cache.record["steps"][step.name]["machine"]
        snarkjs_todo = 0 if (cached_runs or skip_snarkjs) else self.options.snarkjs_repeats
        zkcx_todo = self.options.repeats if measured else 0
        if not measured:
            snarkjs_todo = 0 if skip_snarkjs else 1
            zkcx_todo = 1 if skip_snarkjs else 0
        fresh_snarkjs: list[Run] = []
        for round_ in range(max(snarkjs_todo, zkcx_todo)):
            sides = ["snarkjs", "zkcx"] if round_ % 2 == 0 else ["zkcx", "snarkjs"]
            for side in sides:
                if side == "snarkjs" and round_ < snarkjs_todo and _going(
                        fresh_snarkjs, result.snarkjs_error):
                    run, result.snarkjs_error = self._attempt(step, side, snarkjs_command(
                        self.snarkjs, *step.snarkjs(inputs, snarkjs_out)), snarkjs_out)
                    fresh_snarkjs += [run] if run else []
                elif side == "zkcx" and round_ < zkcx_todo and _going(result.zkcx,
                                                                       result.error):
                    run, result.error = self._attempt(step, side, zkcx_command(
                        *step.zkcx(inputs, zkcx_out)), zkcx_out)
                    result.zkcx += [run] if run else []
        if fresh_snarkjs:
            result.snarkjs = fresh_snarkjs
            if measured and result.snarkjs_error is None:
                cache.store_runs(step.name, fresh_snarkjs)
        result.files_mb = sum(path.stat().st_size for path in inputs.values()) / 2**20
        if step.output and zkcx_out.is_file():
            result.files_mb += zkcx_out.stat().st_size / 2**20
        self._keep_output(step, cache, snarkjs_out, zkcx_out, result)
        return result

    def _attempt(self, step: Step, side: str, cmd: list[str],
                 out: pathlib.Path) -> tuple[Run | None, str | None]:
        """One measured run of one side: (the run, None), or (None, the error) if the
        command failed. Its output file is removed first, and again unless the run
        finished (a killed snarkjs leaves a partial file)."""
        out.unlink(missing_ok=True)
        try:
            run = measure(cmd, self.options.timeout)
        except PeerError as exc:
            out.unlink(missing_ok=True)
            log(f"{step.name}: {side} failed: {exc}")
            return None, str(exc)
        if run.timed_out:
            out.unlink(missing_ok=True)
            log(f"{step.name}: {side} > {run.wall:.0f} s (timed out)")
        else:
            log(f"{step.name}: {side} {run.wall:.2f} s, CPU {run.cpu:.2f} s, "
                f"peak {run.peak_mb:.0f} MB")
        return run, None

    def _keep_output(self, step: Step, cache: Cache, snarkjs_out: pathlib.Path,
                     zkcx_out: pathlib.Path, result: StepResult) -> None:
        """Check zkcx's output, then keep the output the next steps start from:
        snarkjs's if it made one (cached outputs stay), else zkcx's."""
        theirs = snarkjs_out if snarkjs_out.is_file() else None
        if step.keep and cache.made_by(step.output) == "snarkjs" and theirs is None:
            theirs = cache.path(step.output)
        if result.zkcx and result.error is None:
            result.check, result.check_ok = self._check(step, theirs, zkcx_out)
            log(f"{step.name}: check: {result.check}")
        if step.keep and snarkjs_out.is_file():
            if cache.has(step.output) and cache.made_by(step.output) == "snarkjs" and (
                    file_digest(snarkjs_out) == cache.record["files"][step.output]["sha256"]):
                pass  # the same bytes (a deterministic step): nothing to replace
            else:
                cache.store(step.output, snarkjs_out, "snarkjs")
        elif step.keep and not cache.has(step.output) and zkcx_out.is_file() and (
                result.check_ok is not False):
            log(f"{step.name}: no output from snarkjs; the next steps start from zkcx's")
            cache.store(step.output, zkcx_out, "zkcx")

    def _check(self, step: Step, theirs: pathlib.Path | None,
               ours: pathlib.Path) -> tuple[str, bool | None]:
        """How zkcx's output of ``step`` fares against snarkjs: (phrase, ok or None when
        the check could not finish)."""
        if step.check == "accepted":
            return "accepts snarkjs's file", True
        if step.check == "same" and theirs is not None:
            same = file_digest(theirs) == file_digest(ours)
            return ("byte-identical to snarkjs's" if same else "DIFFERS from snarkjs's"), same
        if ours.suffix == ".ptau":
            cmd = ["powersoftau", "verify", ours]
        else:
            ptau = self.ptau_cache.path("prepared.ptau")
            cmd = ["zkey", "verify", self.cache_for(step).path("circuit.r1cs"), ptau, ours]
        try:
            run = measure(snarkjs_command(self.snarkjs, *cmd), self.options.check_timeout)
        except PeerError as exc:
            return f"REJECTED by snarkjs {cmd[0]} verify: {str(exc)[-300:]}", False
        if run.timed_out:
            return f"snarkjs {cmd[0]} verify timed out", None
        return f"verified by snarkjs {cmd[0]} verify", True

    def run(self) -> Comparison:
        setup = self.ensure_setup()
        last = max(STEP_NAMES.index(name) for name in self.options.steps)
        results = []
        for step in STEPS[:last + 1]:
            measured = step.name in self.options.steps
            try:
                result = self.run_step(step, measured)
            except MissingInput as exc:
                log(str(exc))
                result = StepResult(step.name, error=str(exc))
            if measured:
                results.append(result)
        return Comparison(self.options.power, self.circuit_label, self.constraints,
                          self.snarkjs.version, describe(), self.options.repeats,
                          self.options.timeout, setup, results)


# -- command line ----------------------------------------------------------------------------------

def parse_size(text: str) -> int:
    """'2^12' or '4096' -> the log2 of the smallest power of two >= the number."""
    text = text.strip()
    try:
        value = 1 << int(text[2:]) if text.startswith("2^") else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size: give 2^K or a number") from None
    if value < 4:
        raise argparse.ArgumentTypeError(f"{text!r} is too small: give at least 2^2")
    return max(2, math.ceil(math.log2(value)))


def parse_steps(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in STEP_NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown step {', '.join(unknown) or '(none)'}: "
                                         f"choose from {', '.join(STEP_NAMES)}")
    return names


def options_from(argv: list[str] | None) -> tuple[Options, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--power", type=int, required=True,
                        help="powers of tau size 2^P (2..28)")
    parser.add_argument("--constraints", type=parse_size, default=None,
                        help="size of the chain circuit, 2^K or a number (default 2^P)")
    parser.add_argument("--circuit", type=pathlib.Path, default=None,
                        help="a circom .r1cs to use instead of the chain")
    parser.add_argument("--steps", type=parse_steps, default=STEP_NAMES,
                        help=f"comma-separated steps to measure (default all: "
                             f"{','.join(STEP_NAMES)})")
    parser.add_argument("--repeats", type=int, default=3, help="runs per side and step")
    parser.add_argument("--snarkjs-repeats", type=int, default=None,
                        help="runs of snarkjs per step when not cached (default --repeats)")
    parser.add_argument("--timeout", type=float, default=3600.0,
                        help="seconds after which one run is killed (default 3600)")
    parser.add_argument("--check-timeout", type=float, default=None,
                        help="seconds allowed to snarkjs's check of one zkcx output "
                             "(default --timeout; its verify of a prepared ptau takes "
                             "about 20x its verify of the unprepared one)")
    parser.add_argument("--no-snarkjs", type=parse_steps, default=[],
                        help="steps measured on zkcx only (e.g. prepare at 2^20)")
    parser.add_argument("--fresh", action="store_true",
                        help="measure snarkjs again instead of using cached runs")
    parser.add_argument("--setup", choices=("snarkjs", "zkcx"), default="snarkjs",
                        help="who makes the phase-1 file when it is not cached")
    parser.add_argument("--cache", type=pathlib.Path, default=DEFAULT_CACHE,
                        help=f"where snarkjs's side is kept (default {DEFAULT_CACHE})")
    parser.add_argument("--out", type=pathlib.Path, default=None, help="write the Markdown")
    parser.add_argument("--json", type=pathlib.Path, default=None, help="write every run")
    args = parser.parse_args(argv)
    if not 2 <= args.power <= 28:
        parser.error(f"--power {args.power} is out of range: give 2 <= P <= 28")
    if args.circuit is not None and args.constraints is not None:
        parser.error("give --constraints or --circuit, not both")
    if args.circuit is not None and not args.circuit.is_file():
        parser.error(f"--circuit {args.circuit}: no such file")
    k = args.constraints if args.constraints is not None else args.power
    if args.circuit is None and not 2 <= k <= min(args.power, 24):
        parser.error(f"--constraints 2^{k} does not fit: the chain fills 2^K rows, "
                     f"2 <= K <= min(--power, 24)")
    if args.repeats < 1 or (args.snarkjs_repeats is not None and args.snarkjs_repeats < 1):
        parser.error("--repeats and --snarkjs-repeats must be at least 1")
    options = Options(args.power, None if args.circuit else k,
                      args.circuit.resolve() if args.circuit else None,
                      [n for n in STEP_NAMES if n in args.steps], args.repeats,
                      args.snarkjs_repeats or args.repeats, args.timeout,
                      args.check_timeout or args.timeout,
                      set(args.no_snarkjs), args.fresh, args.setup, args.cache.resolve())
    return options, args


def main(argv: list[str] | None = None) -> int:
    options, args = options_from(argv)
    with tempfile.TemporaryDirectory(prefix="zkcx-ceremony-") as tmp:
        work = pathlib.Path(tmp)
        snarkjs, why = find_snarkjs(work)
        if snarkjs is None:
            log(f"cannot compare: {why}")
            return 2
        comparison = Runner(options, snarkjs, work).run()
    text = markdown(comparison)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    if args.json:
        args.json.write_text(json.dumps(dataclasses.asdict(comparison), indent=1) + "\n")
    failed = [r.step for r in comparison.steps if r.error or r.check_ok is False]
    if failed:
        log(f"zkcx failed or was rejected in: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
