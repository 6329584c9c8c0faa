# SPDX-License-Identifier: MIT
"""Proving on a busy machine (issue 12, section 5): a node's prover shares its cores with
other work, and two threads must never be slower than one when a core is contended.

Proves ``matmul_16x16x16`` (key loaded, in process) with 1 thread and with 2 threads
under three OpenMP wait policies — zkcx's default (passive: idle workers sleep),
libgomp's own default (``GOMP_SPINCOUNT=300000``: spin ~300k iterations before sleeping)
and ``OMP_WAIT_POLICY=active`` (spin forever) — on an idle machine and beside 1 and 2
CPU-bound competing processes. Each configuration runs in its own interpreter (libgomp
reads its environment once, when loaded); the configurations are interleaved, round after
round, and each cell is the median of the rounds' medians.

    python benchmarks/busy_report.py                 # prints the RESULTS.md section
    python benchmarks/busy_report.py --rounds 3 --proofs 5
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
for _path in (ROOT, _HERE):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from machine import describe  # noqa: E402

#: (label, environment) of each prover configuration.
CONFIGS = [
    ("1 thread", {"ZKCX_THREADS": "1"}),
    ("2 threads, passive (zkcx default)", {"ZKCX_THREADS": "2"}),
    ("2 threads, libgomp default spin", {"ZKCX_THREADS": "2", "GOMP_SPINCOUNT": "300000"}),
    ("2 threads, active", {"ZKCX_THREADS": "2", "OMP_WAIT_POLICY": "active"}),
]

_CHILD = r"""
import json, sys, time
import numpy as np
import zkcx
from zkcx import groth16, kernels
kernel = kernels.load(sys.argv[1])
circuit = kernel.circuit()
pk = groth16.setup(circuit)
rng = np.random.default_rng(1)
witness = kernel.witness(X=rng.uniform(-1, 1, (16, 16)), W=rng.uniform(-1, 1, (16, 16)))
proof, public = groth16.prove(pk, witness, circuit)
assert groth16.verify(pk.verifying_key, public, proof)
times = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    groth16.prove(pk, witness, circuit)
    times.append(time.perf_counter() - t0)
print(json.dumps({"times": times, "policy": zkcx.build_info()["wait_policy"]}))
"""


def _spin(stop_at: float) -> None:
    x = 0
    while time.monotonic() < stop_at:
        x += 1


def _run(env: dict[str, str], proofs: int) -> tuple[float, str]:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "ZKCX_THREADS")}
    environment.update(env)
    spec = str(ROOT / "circuits" / "matmul_16x16x16.toml")
    out = subprocess.run([sys.executable, "-c", _CHILD, spec, str(proofs)],
                         capture_output=True, text=True, env=environment, check=True,
                         timeout=600)
    result = json.loads(out.stdout)
    return statistics.median(result["times"]), result["policy"]


def measure(competitors: int, rounds: int, proofs: int) -> dict[str, list[float]]:
    """Per configuration, the median proof time of each round, beside ``competitors``
    CPU-bound processes (bounded in time: they stop by themselves)."""
    results: dict[str, list[float]] = {label: [] for label, _ in CONFIGS}
    ctx = multiprocessing.get_context("spawn")
    hogs = [ctx.Process(target=_spin, args=(time.monotonic() + 3600,), daemon=True)
            for _ in range(competitors)]
    for hog in hogs:
        hog.start()
    try:
        time.sleep(0.2 if hogs else 0)
        for _ in range(rounds):
            for label, env in CONFIGS:
                median, policy = _run(env, proofs)
                results[label].append(median)
    finally:
        for hog in hogs:
            hog.terminate()
            hog.join()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--proofs", type=int, default=9, help="proofs per run (median)")
    args = parser.parse_args()
    print(describe())
    print()
    table = {c: measure(c, args.rounds, args.proofs) for c in (0, 1, 2)}
    print("| prover | idle | 1 busy process | 2 busy processes |")
    print("|---|---:|---:|---:|")
    for label, _ in CONFIGS:
        cells = []
        for c in (0, 1, 2):
            runs = table[c][label]
            base = statistics.median(table[c]["1 thread"])
            med = statistics.median(runs)
            cells.append(f"{med * 1e3:.1f} ms ({med / base:.2f}x, {min(runs) * 1e3:.0f}-"
                         f"{max(runs) * 1e3:.0f})")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()
    print(f"Median of {args.rounds} rounds (each the median of {args.proofs} proofs of "
          "matmul_16x16x16, key loaded); (x) = against 1 thread in the same column; "
          "range = the rounds' medians.")
    print("Load average after the run: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
