# SPDX-License-Identifier: MIT
"""Write small MSM and fixed-base test vectors for native/tests/test_msm.c, from py_ecc.

py_ecc is slow (a G2 scalar multiplication takes tens of milliseconds), so these are a
few small cases that pin the native results to an independent implementation; the large
cases of test_msm.c are checked in C against naive sums and known discrete logarithms.

Usage::

    python native/tests/gen_msm_vectors.py [OUT] [--seed N]

Output format (text, one record per line, tokens separated by spaces, numbers as
lowercase hex without 0x, canonical (non-Montgomery) form; the identity is all zeros;
a G2 point is x.c0 x.c1 y.c0 y.c1; scalars are integers < r):

    g1msm n  P_1(2) .. P_n(2)  s_1 .. s_n  R(2)        R = sum [s_i] P_i
    g2msm n  P_1(4) .. P_n(4)  s_1 .. s_n  R(4)
    g1fb  n  B(2)  s_1 .. s_n  R_1(2) .. R_n(2)         R_i = [s_i] B
    g2fb  n  B(4)  s_1 .. s_n  R_1(4) .. R_n(4)
"""

from __future__ import annotations

import argparse
import random
import sys

from py_ecc import optimized_bn128 as bn

R = bn.curve_order


def hx(v: int) -> str:
    return format(v, "x")


def g1_tokens(pt) -> list[str]:
    if bn.is_inf(pt):
        return ["0", "0"]
    x, y = bn.normalize(pt)
    return [hx(x.n), hx(y.n)]


def g2_tokens(pt) -> list[str]:
    if bn.is_inf(pt):
        return ["0"] * 4
    x, y = bn.normalize(pt)
    return [hx(x.coeffs[0]), hx(x.coeffs[1]), hx(y.coeffs[0]), hx(y.coeffs[1])]


def msm(points, scalars, zero):
    acc = zero
    for p, s in zip(points, scalars):
        acc = bn.add(acc, bn.multiply(p, s))
    return acc


def special_scalar(rng: random.Random) -> int:
    return rng.choice([0, 1, 2, R - 1, R - 2, (R - 1) // 2, rng.randrange(R), rng.randrange(R)])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="/tmp/zkcx_msm_vectors.txt")
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    lines: list[str] = []

    # (name, generator, identity, tokens, MSM sizes, fixed-base sizes) of each group
    groups = [("g1", bn.G1, bn.Z1, g1_tokens, (1, 2, 3, 5, 8), (1, 4, 12)),
              ("g2", bn.G2, bn.Z2, g2_tokens, (1, 2, 3, 4), (1, 3, 10))]

    # MSM: random, special scalars, identity points, P and -P, repeats
    for name, gen, zero, tokens, sizes, _ in groups:
        for n in sizes:
            pts = [zero if rng.random() < 0.15 else bn.multiply(gen, rng.randrange(1, R))
                   for _ in range(n)]
            if n >= 3:
                pts[1] = bn.neg(pts[0])          # P and -P
                pts[2] = pts[0]                  # a repeat
            sc = [special_scalar(rng) for _ in range(n)]
            toks = [f"{name}msm", str(n)] + [t for p in pts for t in tokens(p)]
            lines.append(" ".join(toks + [hx(s) for s in sc] + tokens(msm(pts, sc, zero))))
        # cancellation to the identity: [s] P + [s] (-P)
        p0 = bn.multiply(gen, rng.randrange(1, R))
        s0 = rng.randrange(R)
        toks = [f"{name}msm", "2"] + tokens(p0) + tokens(bn.neg(p0)) + [hx(s0), hx(s0)]
        lines.append(" ".join(toks + tokens(zero)))

    # fixed base
    for name, gen, _, tokens, _, sizes in groups:
        for n in sizes:
            b = bn.multiply(gen, rng.randrange(1, R))
            sc = [special_scalar(rng) for _ in range(n)]
            toks = [f"{name}fb", str(n)] + tokens(b) + [hx(s) for s in sc]
            for s in sc:
                toks += tokens(bn.multiply(b, s))
            lines.append(" ".join(toks))

    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} records to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
