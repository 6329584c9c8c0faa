# SPDX-License-Identifier: MIT
"""A/B timing of the native core of two checkouts in one run, for changes to the C code
that must not cost speed (issue 15: the curve and AVX-512 code written once).

Each checkout must have its native library built (``python3 setup.py build_ext
--inplace`` there). Rounds alternate the two (A B, then B A, ...), each side in a fresh
process that imports that checkout's ``zkcx``; a case's figure in a round is the best of
a few repeats, and the table gives the median over the rounds and the ratio B / A (below
1: B is faster). Alternating matters on a shared machine: other work comes and goes, and
both sides see it alike. Every case calls the C library directly on one thread, so the
figures do not depend on the Python layers of either checkout.

    python benchmarks/native_ab.py --a /tmp/native-before --b . [--rounds 5] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
from collections.abc import Callable

# (name, unit): the unit is what one timed call covers, for the per-item figure.
CASES: list[tuple[str, str]] = [
    ("G1 add (affine in and out, one call)", "call"),
    ("G1 double (affine in and out, one call)", "call"),
    ("G2 add (affine in and out, one call)", "call"),
    ("G2 double (affine in and out, one call)", "call"),
    ("G1 scalar mul (GLV), 256 points", "point"),
    ("G2 scalar mul (wNAF), 64 points", "point"),
    ("G2 subgroup check, 256 points", "point"),
    ("G1 batch normalize, 2^12 points", "point"),
    ("G1 MSM 2^16", "msm"),
    ("G2 MSM 2^12", "msm"),
    ("pairing", "call"),
    ("Fr vector mul (IFMA), 2^16", "element"),
    ("Fq vector mul (IFMA), 2^16", "element"),
    ("NTT forward 2^16", "element"),
    ("NTT forward 2^20", "element"),
    ("NTT coset inverse 2^16", "element"),
    ("Groth16 quotient 2^16", "element"),
    ("NTT forward 2^16, SIMD off", "element"),
]


def worker(quick: bool) -> dict[str, float]:
    """Time every case in this process (this checkout's zkcx); seconds per unit."""
    import numpy as np
    from curve_report import best  # this script's folder is on sys.path
    from zkcx._native import ffi, lib

    import zkcx
    from zkcx.curve import G1, G2, fixed_base_mul
    from zkcx.field import FrVec

    zkcx.set_threads(1)
    repeat = 3 if quick else 5

    def ptr(arr: np.ndarray):
        return ffi.cast("uint64_t *", ffi.from_buffer(arr))

    def scalars(n: int, seed: int) -> np.ndarray:
        return np.ascontiguousarray(FrVec.random(n, seed=seed).to_canonical_limbs())

    def points(group, n: int, seed: int) -> np.ndarray:
        return np.ascontiguousarray(fixed_base_mul(group.generator(), FrVec.random(n, seed)).limbs)

    g1 = points(G1, 1 << 16, 1)
    g2 = points(G2, 1 << 12, 2)
    out = np.zeros(64, dtype=np.uint64)
    res: dict[str, float] = {}

    def per_call(name: str, fn: Callable[[int], object], calls: int) -> None:
        res[name] = best(lambda: [fn(i) for i in range(calls)], repeat) / calls

    calls = 300 if quick else 1000
    o = ptr(out)
    p1 = [ptr(g1[i]) for i in range(2 * calls)]
    p2 = [ptr(g2[i]) for i in range(2 * calls)]
    per_call(CASES[0][0], lambda i: lib.zkcx_g1_add(o, p1[2 * i], p1[2 * i + 1]), calls)
    per_call(CASES[1][0], lambda i: lib.zkcx_g1_dbl(o, p1[i]), calls)
    per_call(CASES[2][0], lambda i: lib.zkcx_g2_add(o, p2[2 * i], p2[2 * i + 1]), calls)
    per_call(CASES[3][0], lambda i: lib.zkcx_g2_dbl(o, p2[i]), calls)

    k = scalars(256, 3)
    buf = np.zeros(256 * 16, dtype=np.uint64)
    res[CASES[4][0]] = best(lambda: lib.zkcx_g1_mul_each(ptr(buf), ptr(g1[:256]), ptr(k), 256),
                             repeat) / 256
    res[CASES[5][0]] = best(lambda: lib.zkcx_g2_mul_each(ptr(buf), ptr(g2[:64]), ptr(k), 64),
                             repeat) / 64
    res[CASES[6][0]] = best(lambda: lib.zkcx_g2_vec_first_invalid(ptr(g2[:256]), 256, 1),
                             repeat) / 256
    # Jacobian points (X, Y, Z) with Z = the Montgomery form of a small integer: any
    # coordinates below p serve for timing, and these stay well below it.
    n = 1 << 12
    jac = np.zeros((n, 12), dtype=np.uint64)
    jac[:, :8] = g1[:n]
    jac[:, 8:] = scalars(n, 4)
    jac[:, 11] &= (1 << 60) - 1
    aff = np.zeros((n, 8), dtype=np.uint64)
    res[CASES[7][0]] = best(lambda: lib.zkcx_g1_batch_normalize(ptr(aff), ptr(jac), n),
                             repeat) / n
    k16 = scalars(1 << 16, 5)
    res[CASES[8][0]] = best(lambda: lib.zkcx_g1_msm(o, ptr(g1), ptr(k16), 1 << 16), repeat)
    res[CASES[9][0]] = best(lambda: lib.zkcx_g2_msm(o, ptr(g2), ptr(k16), 1 << 12), repeat)
    gt = np.zeros(48, dtype=np.uint64)
    res[CASES[10][0]] = best(lambda: [lib.zkcx_pairing(ptr(gt), p1[i], p2[i]) for i in range(5)],
                              repeat) / 5

    n = 1 << 16
    a, b = FrVec.random(n, seed=6).limbs.copy(), FrVec.random(n, seed=7).limbs.copy()
    c = np.zeros_like(a)
    res[CASES[11][0]] = best(lambda: lib.zkcx_fr_vec_mul(ptr(c), ptr(a), ptr(b), n), repeat) / n
    # Fq elements: points' x coordinates are fully reduced Montgomery Fq elements.
    fa = np.ascontiguousarray(g1[:, :4])
    fb = np.ascontiguousarray(g1[:, 4:])
    res[CASES[12][0]] = best(lambda: lib.zkcx_fq_vec_mul(ptr(c), ptr(fa), ptr(fb), n),
                              repeat) / n
    big = FrVec.random(1 << 20, seed=8).limbs.copy()
    shift = FrVec.random(1, seed=9).limbs.copy()
    res[CASES[13][0]] = best(lambda: lib.zkcx_fr_ntt(ptr(a), n, ffi.NULL, 0), repeat) / n
    res[CASES[14][0]] = best(lambda: lib.zkcx_fr_ntt(ptr(big), 1 << 20, ffi.NULL, 0),
                              repeat) / (1 << 20)
    res[CASES[15][0]] = best(
        lambda: lib.zkcx_fr_coset_ntt(ptr(a), n, ffi.NULL, ptr(shift), 1), repeat) / n
    qa, qb, qc = a.copy(), b.copy(), c.copy()
    res[CASES[16][0]] = best(
        lambda: lib.zkcx_fr_qap_quotient(ptr(qa), ptr(qb), ptr(qc), n, ffi.NULL), repeat) / n
    simd = zkcx.simd_in_use()
    zkcx.set_simd(False)
    try:
        res[CASES[17][0]] = best(lambda: lib.zkcx_fr_ntt(ptr(a), n, ffi.NULL, 0), repeat) / n
    finally:
        zkcx.set_simd(simd)
    return res


def _run_side(root: pathlib.Path, quick: bool) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("ZKCX_NO_SIMD", None)
    cmd = [sys.executable, str(pathlib.Path(__file__).resolve()), "--worker"]
    if quick:
        cmd.append("--quick")
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the worker in {root} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e9:.1f} ns"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", type=pathlib.Path, help="checkout A (before)")
    parser.add_argument("--b", type=pathlib.Path, help="checkout B (after)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="fewer repeats per case")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.quick)))
        return
    if args.a is None or args.b is None:
        parser.error("--a and --b name the two checkouts")
    sides = {"A": args.a.resolve(), "B": args.b.resolve()}
    runs: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    for r in range(args.rounds):
        for side in ("A", "B") if r % 2 == 0 else ("B", "A"):
            runs[side].append(_run_side(sides[side], args.quick))
            print(f"round {r + 1}/{args.rounds}: {side} done", file=sys.stderr)

    here = pathlib.Path(__file__).resolve().parent
    sys.path[:0] = [str(here), str(here.parent)]  # machine.py, and the zkcx it imports
    from machine import cpu_model

    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"Machine: {cpu_model()}, {os.cpu_count()} cores, load average after the run "
          f"{load}; one native thread; {args.rounds} rounds, alternating A and B")
    print(f"A = {sides['A']}, B = {sides['B']}")
    print()
    print("| case | per | A (median) | B (median) | B / A | B / A per round |")
    print("|---|---|---|---|---|---|")
    for name, unit in CASES:
        a = statistics.median(run[name] for run in runs["A"])
        b = statistics.median(run[name] for run in runs["B"])
        rounds = " ".join(f"{rb[name] / ra[name]:.2f}" for ra, rb in zip(runs["A"], runs["B"]))
        print(f"| {name} | {unit} | {_fmt(a)} | {_fmt(b)} | {b / a:.3f} | {rounds} |")


if __name__ == "__main__":
    main()
