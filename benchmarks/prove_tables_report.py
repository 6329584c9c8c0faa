# SPDX-License-Identifier: MIT
"""In-process proving with and without a key's H tables (issue 17's in-process targets:
matmul 32^3 in at most 50 ms, chain 2^16 in at most 250 ms, 2 threads).

Each measurement is a fresh child process of this interpreter holding one key
(benchmarks/test_bench_prove.py's cases): two warm-up proofs, then ``--proofs`` timed
``prove(pk, w)`` calls, reported as median, minimum and median CPU time. ``plain`` turns
the tables off (``set_table_memory(0)``); ``tables`` builds them first
(``build_tables``: a long-running prover's steady state). The two modes alternate,
process after process, for ``--rounds`` rounds, so that they see the same machine;
one key a process, because two keys proved alternately in one process evict each
other's points from the caches.

    python benchmarks/prove_tables_report.py [--case matmul] [--rounds 4] [--proofs 15]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402

TARGETS_MS = {"matmul": 50.0, "chain": 250.0}
MODES = ("plain", "tables")


def child(case: str, mode: str, proofs: int) -> dict[str, float]:
    """One child's run (this file with --child): its medians and minimum, in ms."""
    sys.path.insert(0, str(HERE))
    import test_bench_prove as cases

    import zkcx
    from zkcx.groth16 import build_tables, prove, set_table_memory, verify

    zkcx.set_threads(2)
    pk, witness = cases._case(case)
    if mode == "tables":
        assert build_tables(pk)
    else:
        set_table_memory(0)
    for _ in range(2):
        proof, public = prove(pk, witness)
    assert verify(pk.verifying_key, public, proof)
    walls, cpus = [], []
    for _ in range(proofs):
        started, cpu = time.perf_counter(), time.process_time()
        prove(pk, witness)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return {"median": 1e3 * statistics.median(walls), "min": 1e3 * min(walls),
            "cpu": 1e3 * statistics.median(cpus)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(TARGETS_MS), default="matmul")
    parser.add_argument("--rounds", type=int, default=4, help="alternated rounds")
    parser.add_argument("--proofs", type=int, default=15, help="timed proofs a process")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.case, args.child, args.proofs)))
        return 0
    print(describe())
    print()
    rows = {mode: [] for mode in MODES}
    for _ in range(args.rounds):
        for mode in MODES:
            out = subprocess.run([sys.executable, __file__, "--case", args.case, "--child",
                                  mode, "--proofs", str(args.proofs)], check=True,
                                 capture_output=True, text=True, cwd=ROOT).stdout
            rows[mode].append(json.loads(out.strip().splitlines()[-1]))
    print(f"{args.case}: prove(pk, w) in process, 2 threads, {args.proofs} proofs a "
          f"process, {args.rounds} rounds alternated")
    print()
    print("| round | " + " | ".join(f"{m}: median (min), CPU" for m in MODES) + " |")
    print("|---|" + "---:|" * len(MODES))
    for k in range(args.rounds):
        cells = [f"{rows[m][k]['median']:.1f} ms ({rows[m][k]['min']:.1f}), "
                 f"{rows[m][k]['cpu']:.1f} ms" for m in MODES]
        print(f"| {k + 1} | " + " | ".join(cells) + " |")
    target = TARGETS_MS[args.case]
    for mode in MODES:
        mid = statistics.median(r["median"] for r in rows[mode])
        print(f"\n{mode}: median of the medians {mid:.1f} ms; target {target:g} ms "
              f"{'met' if mid <= target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
