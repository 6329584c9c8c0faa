# SPDX-License-Identifier: MIT
"""Curve-layer figures (issue 3): G1 MSM for 2^10 .. 2^20 distinct random points, G2 MSM
for 2^16, one pairing, a product of four pairings, the G2 subgroup check, and py_ecc on the same
inputs where it finishes in reasonable time. Prints a Markdown table; best of several
runs, both cores unless stated.

    python benchmarks/curve_report.py [--quick] [--max-log 20]
"""

from __future__ import annotations

import argparse
import pathlib
import random
import sys
import time
from collections.abc import Callable

import zkcx
from zkcx.curve import G1, G2, G1Vec, G2Vec, fixed_base_mul, msm, multi_pairing, pairing
from zkcx.field import FrVec
from zkcx.params import FR_MODULUS

#: A fixed uniformly random scalar: r - 3 (used before) is -3 mod r, which the GLV split
#: turns into a 2-bit multiplication.
SCALAR = random.Random(2026).randrange(FR_MODULUS)


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def random_g1(n: int, seed: int) -> G1Vec:
    """n distinct random points [s_i]G (a proving key's points are distinct and random
    looking). Tiling a few points would be cheaper to make but not to sum: repeated
    points make bucket additions hit P + P and P - P, the slow exceptional cases."""
    return fixed_base_mul(G1.generator(), FrVec.random(n, seed=1000 + seed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--max-log", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from machine import describe

    logs = [10, 14, 16] if args.quick else [k for k in (10, 14, 16, 18, 20) if k <= args.max_log]
    rows = []
    threads = zkcx.get_threads()
    for k in logs:
        n = 1 << k
        pts, sc = random_g1(n, k), FrVec.random(n, seed=k)
        repeat = 5 if k <= 16 else 2
        t2 = best(lambda pts=pts, sc=sc: msm(pts, sc), repeat)
        zkcx.set_threads(1)
        t1 = best(lambda pts=pts, sc=sc: msm(pts, sc), max(1, repeat // 2))
        zkcx.set_threads(threads)
        rows.append((f"G1 MSM 2^{k}", t2, t1, None))
    rng = random.Random(1)
    g2 = G2Vec.from_points([G2.generator() * rng.randrange(FR_MODULUS) for _ in range(256)])
    n = 1 << (12 if args.quick else 16)
    g2s = G2Vec.concatenate([g2] * (n // 256))
    sc = FrVec.random(n, seed=99)
    rows.append((f"G2 MSM 2^{n.bit_length() - 1}", best(lambda: msm(g2s, sc), 2), None, None))
    p, q = G1.generator() * 12345, G2.generator() * 67890
    pairs = [(G1.generator() * (i + 2), G2.generator() * (i + 5)) for i in range(4)]
    t_pair = best(lambda: pairing(p, q), 20)
    t_four = best(lambda: multi_pairing(pairs), 10)
    t_sub = best(lambda: G2.from_montgomery_limbs(q.montgomery_limbs()), 20)
    py = _py_ecc_times(p, q)
    rows.append(("pairing", t_pair, None, py.get("pairing")))
    rows.append(("product of 4 pairings", t_four, None, None))
    rows.append(("G2 decode + subgroup check", t_sub, None, None))
    rows.append(("G1 scalar mul (random scalar)", best(lambda: p * SCALAR, 20), None,
                 py.get("g1_mul")))
    print(describe())
    print()
    print("| operation | zkcx, 2 threads | zkcx, 1 thread | py_ecc | py_ecc / zkcx |")
    print("|---|---|---|---|---|")
    for name, a, b, c in rows:
        ratio = f"{c / a:,.0f}x" if c else "—"
        print(f"| {name} | {_fmt(a)} | {_fmt(b)} | {_fmt(c)} | {ratio} |")


def _py_ecc_times(p: G1, q: G2) -> dict[str, float]:
    try:
        from py_ecc import optimized_bn128 as bn
    except ImportError:  # pragma: no cover
        return {}
    P = bn.multiply(bn.G1, 12345)
    Q = bn.multiply(bn.G2, 67890)
    return {"pairing": best(lambda: bn.pairing(Q, P), 2),
            "g1_mul": best(lambda: bn.multiply(P, SCALAR), 3)}


def _fmt(t: float | None) -> str:
    if t is None:
        return "—"
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.1f} ms"
    return f"{t * 1e6:.0f} µs"


if __name__ == "__main__":
    main()
