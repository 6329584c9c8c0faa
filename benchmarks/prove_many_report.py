# SPDX-License-Identifier: MIT
"""Many proofs (issue 17): proofs per second of the ``matmul_16x16x16`` kernel
(circuits/matmul_16x16x16.toml, 19,712 constraints) proved one by one with
``groth16.prove`` (native loops on every core, as a caller does today) against
``groth16.prove_many`` on 1 and on 2 threads, for one batch of distinct witnesses, in
this process, interleaved round after round; medians and ranges over the rounds, and the
ratios of the medians to the first way (the target is prove_many on 2 cores >= 3x the
loop). The loop runs twice: on a copy of the key that never gets the H tables (as
before session 12, and as a process proving fewer than TABLES_AFTER times), and on the
key whose tables were built at warm-up (``build_tables``: a long-running prover's steady
state, which prove_many also runs in); the tables' build time is printed. Every proof is
checked: prove checks its own, prove_many batch-verifies its batch,
and one proof of each batch is verified again here.

    python benchmarks/prove_many_report.py [--batch 64] [--rounds 5] [--spec PATH]

The machine may be shared: the load line says how busy it was.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import zkcx  # noqa: E402, I001
from zkcx import _bindings  # noqa: E402
import zkcx.kernels as K  # noqa: E402
from benchmarks.kernels_report import inputs_for  # noqa: E402
from benchmarks.machine import describe  # noqa: E402
from zkcx.groth16 import (  # noqa: E402
    build_tables,
    get_table_memory,
    prove,
    prove_many,
    read_zkey,
    set_table_memory,
    setup,
    verify,
    zkey_bytes,
)

SPEC = ROOT / "circuits" / "matmul_16x16x16.toml"
TARGET_RATIO = 3.0


def workload(batch: int, spec: pathlib.Path = SPEC):
    """(kernel name, constraints, proving key, batch of distinct witnesses)."""
    kernel = K.load(spec)
    r1cs = kernel.circuit()
    pk = setup(r1cs)
    witnesses = [kernel.witness(**inputs_for(kernel, seed)) for seed in range(1, batch + 1)]
    return kernel.spec.name, r1cs.n_constraints, pk, witnesses


def one_by_one(pk, witnesses) -> list:
    return [prove(pk, w) for w in witnesses]


def without_tables(run):
    """``run`` with the table memory at 0: a key without tables does not get them."""
    def call():
        before = get_table_memory()
        set_table_memory(0)
        try:
            return run()
        finally:
            set_table_memory(before)
    return call


def timed(run, threads: int) -> tuple[float, float, list]:
    """(wall seconds, process CPU seconds, results) of ``run()`` with ``threads`` native
    threads."""
    before = zkcx.get_threads()
    zkcx.set_threads(threads)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        results = run()
        return time.perf_counter() - started, time.process_time() - cpu, results
    finally:
        zkcx.set_threads(before)


def measure(pk, witnesses, rounds: int, cores: int) -> tuple[dict[str, list[float]],
                                                             dict[str, list[float]]]:
    """Proofs per second and CPU ms per proof, per round, of each way of proving,
    interleaved."""
    plain = read_zkey(zkey_bytes(pk))  # the same key, no tables
    ways = {
        f"prove one by one ({cores} threads), no tables":
            (without_tables(lambda: one_by_one(plain, witnesses)), cores),
        f"prove one by one ({cores} threads), tables": (lambda: one_by_one(pk, witnesses), cores),
        "prove_many, 1 thread": (lambda: prove_many(pk, witnesses), 1),
        f"prove_many, {cores} threads": (lambda: prove_many(pk, witnesses), cores),
    }
    rates: dict[str, list[float]] = {name: [] for name in ways}
    cpu_ms: dict[str, list[float]] = {name: [] for name in ways}
    prove_many(pk, witnesses[:2])  # warm: matrices, caches
    without_tables(lambda: prove_many(plain, witnesses[:2]))()
    started, cpu = time.perf_counter(), time.process_time()
    assert build_tables(pk)
    print(f"H tables built in {time.perf_counter() - started:.3f} s "
          f"({time.process_time() - cpu:.3f} CPU-s)\n")
    for _ in range(rounds):
        for name, (run, threads) in ways.items():
            seconds, cpu, results = timed(run, threads)
            proof, public = results[-1]
            assert verify(pk.verifying_key, public, proof), name
            rates[name].append(len(witnesses) / seconds)
            cpu_ms[name].append(1e3 * cpu / len(witnesses))
    return rates, cpu_ms


def table(name: str, constraints: int, batch: int, rates: dict[str, list[float]],
          cpu_ms: dict[str, list[float]]) -> str:
    base = statistics.median(next(iter(rates.values())))
    lines = [f"{name} ({constraints:,} constraints), batch of {batch}, "
             f"{len(next(iter(rates.values())))} rounds interleaved",
             "",
             "| way | proofs/s (median) | range | ms/proof | CPU ms/proof | ratio to the loop |",
             "|---|---:|---:|---:|---:|---:|"]
    for way, values in rates.items():
        med = statistics.median(values)
        lines.append(f"| {way} | {med:.1f} | {min(values):.1f} .. {max(values):.1f} | "
                     f"{1e3 / med:.1f} | {statistics.median(cpu_ms[way]):.1f} | "
                     f"{med / base:.2f}x |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64, help="witnesses per batch")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--spec", type=pathlib.Path, default=SPEC, help="kernel spec")
    args = parser.parse_args(argv)
    cores = max(1, _bindings.max_threads())
    name, constraints, pk, witnesses = workload(args.batch, args.spec)
    print(describe())
    print()
    rates, cpu_ms = measure(pk, witnesses, args.rounds, cores)
    print(table(name, constraints, args.batch, rates, cpu_ms))
    print(f"\ntarget: prove_many on {cores} cores >= {TARGET_RATIO:g}x the one-by-one loop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
