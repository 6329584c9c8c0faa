# SPDX-License-Identifier: MIT
"""Write test vectors for the native curve layer (native/tests/test_curve.c).

Reference values come from py_ecc (``py_ecc.optimized_bn128``): point sums, doubles and
scalar products on G1 and G2, reduced pairings of random points, and Fq12 products;
plus G2 subgroup cases, the go-ethereum precompile vectors of
``tests/vectors/evm/*.json`` turned into one line each, and extra failing precompile
inputs (coordinates >= p, points off the curve, G2 points outside the subgroup, bad
lengths).

Usage::

    python native/tests/gen_curve_vectors.py [OUT] [--seed N] [--evm DIR]
    python native/tests/gen_curve_vectors.py --tables     # print the C constant tables

Output format (text, one record per line, tokens separated by spaces, numbers as
lowercase hex without 0x, in canonical (non-Montgomery) form; the identity point is all
zeros; an Fq2 element is c0 c1 (real part first); an Fq12 element is its 12 Fq
coefficients in the zkcx tower order of zkcx.h):

    g1add  Ax Ay  Bx By  Cx Cy           C = A + B
    g1dbl  Ax Ay  Cx Cy
    g1mul  Ax Ay  k  Cx Cy               C = [k]A, k any 256-bit integer
    g2add  A(4)  B(4)  C(4)              point = x.c0 x.c1 y.c0 y.c1
    g2dbl  A(4)  C(4)
    g2mul  A(4)  k  C(4)
    g2sub  A(4)  in_subgroup(0|1)        A on the twist
    fq12mul  a(12) b(12) c(12)           c = a b
    pair   P(2) Q(4) e(12)               e = e(P, Q), textbook reduced pairing
    evm    add|mul|pair  NAME  INPUT_HEX|-  EXPECTED_HEX|fail   (- is empty input)
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random
import sys

from py_ecc import optimized_bn128 as bn

P = bn.field_modulus
R = bn.curve_order
U = 4965661367192848881
XI = (9, 1)
HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_EVM = HERE.parents[1] / "tests" / "vectors" / "evm"


# ---- tower conversion -----------------------------------------------------------------
#
# py_ecc's FQ12 is Fq[W]/(W^12 - 18 W^6 + 82). zkcx's tower is Fq2[v, w] with i^2 = -1,
# v^3 = 9 + i, w^2 = v, so w^6 = 9 + i and W = w: W^12 - 18 W^6 + 82 = (w^6 - 9)^2 + 1 = 0.
# An element sum_k a_k w^k (k = 0..5, a_k = x_k + y_k i) with i = w^6 - 9 is
#   sum_k (x_k - 9 y_k) w^k + y_k w^(k+6)
# so py_ecc coefficient k is x_k - 9 y_k and coefficient k + 6 is y_k.
# zkcx order of the 12 Fq words: c0.c0, c0.c1, c0.c2, c1.c0, c1.c1, c1.c2 (each Fq2 as
# real, imaginary), where cJ.cM holds a_k for k = 2M + J.

TOWER_SLOTS = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]  # (J, M) in memory order


def tower_from_pyecc(coeffs) -> list[int]:
    """py_ecc FQ12 coefficients (12 ints) -> 12 ints in zkcx tower memory order."""
    c = [int(x) % P for x in coeffs]
    out = []
    for j, m in TOWER_SLOTS:
        k = 2 * m + j
        y = c[k + 6]
        x = (c[k] + 9 * y) % P
        out += [x, y]
    return out


def pyecc_from_tower(words) -> list[int]:
    """Inverse of tower_from_pyecc."""
    c = [0] * 12
    for slot, (j, m) in enumerate(TOWER_SLOTS):
        k = 2 * m + j
        x, y = words[2 * slot], words[2 * slot + 1]
        c[k] = (x - 9 * y) % P
        c[k + 6] = y % P
    return c


# ---- small Fq2 helpers (plain integers) -------------------------------------------------

def f2_mul(a, b):
    return ((a[0] * b[0] - a[1] * b[1]) % P, (a[0] * b[1] + a[1] * b[0]) % P)


def f2_add(a, b):
    return ((a[0] + b[0]) % P, (a[1] + b[1]) % P)


def f2_pow(a, e):
    r = (1, 0)
    while e:
        if e & 1:
            r = f2_mul(r, a)
        a = f2_mul(a, a)
        e >>= 1
    return r


def f2_inv(a):
    n = pow(a[0] * a[0] + a[1] * a[1], P - 2, P)
    return (a[0] * n % P, -a[1] * n % P)


def f2_sqrt(a):
    """Square root in Fq2 for p = 3 mod 4 (Adj, Rodriguez-Henriquez 2012, Alg. 9), or None."""
    a1 = f2_pow(a, (P - 3) // 4)
    alpha = f2_mul(f2_mul(a1, a1), a)
    a0 = f2_mul(f2_pow(alpha, P), alpha)
    if a0 == (P - 1, 0):
        return None
    x0 = f2_mul(a1, a)
    if alpha == (P - 1, 0):
        x = f2_mul((0, 1), x0)
    else:
        b = f2_pow(f2_add((1, 0), alpha), (P - 1) // 2)
        x = f2_mul(b, x0)
    return x if f2_mul(x, x) == a else None


B2 = f2_mul((3, 0), f2_inv(XI))


# ---- point helpers ---------------------------------------------------------------------

def g1_aff(pt):
    if bn.is_inf(pt):
        return (0, 0)
    x, y = bn.normalize(pt)
    return (int(x), int(y))


def g2_aff(pt):
    if bn.is_inf(pt):
        return (0, 0, 0, 0)
    x, y = bn.normalize(pt)
    return (int(x.coeffs[0]), int(x.coeffs[1]), int(y.coeffs[0]), int(y.coeffs[1]))


def g2_from_aff(a):
    if a == (0, 0, 0, 0):
        return bn.Z2
    return (bn.FQ2([a[0], a[1]]), bn.FQ2([a[2], a[3]]), bn.FQ2.one())


def random_twist_point(rng):
    """A random point of E'(Fq2), almost surely outside G2."""
    while True:
        x = (rng.randrange(P), rng.randrange(P))
        rhs = f2_add(f2_mul(f2_mul(x, x), x), B2)
        y = f2_sqrt(rhs)
        if y is not None:
            return (x[0], x[1], y[0], y[1])


def h(v: int) -> str:
    return format(v, "x")


def hs(values) -> str:
    return " ".join(h(v) for v in values)


# ---- self-checks of the numbers the C code relies on --------------------------------------

def naf(k: int) -> list[int]:
    digits = []
    while k:
        if k & 1:
            d = 2 - (k % 4)
            k -= d
        else:
            d = 0
        digits.append(d)
        k //= 2
    return digits


def check_parameters() -> None:
    """Assert the identities behind pairing.c and g2.c (see their comments)."""
    from math import gcd
    p = 36 * U**4 + 36 * U**3 + 24 * U**2 + 6 * U + 1
    r = 36 * U**4 + 36 * U**3 + 18 * U**2 + 6 * U + 1
    t = 6 * U**2 + 1
    assert p == P and r == R
    # exact hard part of the final exponentiation (Scott et al. 2009)
    lam = (p**4 - p**2 + 1) // r
    assert lam * r == p**4 - p**2 + 1
    l3, l2 = 1, 6 * U**2 + 1
    l1, l0 = -36 * U**3 - 18 * U**2 - 12 * U + 1, -36 * U**3 - 30 * U**2 - 18 * U - 2
    assert l0 + l1 * p + l2 * p**2 + l3 * p**3 == lam
    y0, y1, y2, y3 = p + p**2 + p**3, -1, U**2 * p**2, -U * p
    y4, y5, y6 = -U - U**2 * p, -(U**2), -(U**3) - U**3 * p
    t0 = 2 * y6 + y4 + y5
    t1 = y3 + y5 + t0
    t0 = t0 + y2
    t1 = 2 * (2 * t1 + t0)
    t0, t1 = t1 + y1, t1 + y0
    assert 2 * t0 + t1 == lam
    # G2 subgroup test h(psi) = (u+1) + u psi + u psi^2 - 2u psi^3
    hp = [U + 1, U, U, -2 * U]
    while len(hp) > 2:  # reduce modulo psi^2 - t psi + p
        c = hp.pop()
        d = len(hp) - 1
        hp[d] += c * t
        hp[d - 1] -= c * p
    beta, alpha = hp
    norm = beta * beta + t * alpha * beta + p * alpha * alpha
    assert (alpha * p + beta) % r == 0
    assert gcd(norm, r * (2 * p - r)) == r
    # NAF tables
    assert sum(d << i for i, d in enumerate(naf(6 * U + 2))) == 6 * U + 2
    assert len(naf(6 * U + 2)) == 66 and len(naf(U)) == 63


# ---- generation --------------------------------------------------------------------------

def gen_group_law(rng, out, name: str, gen, aff, extra_points: int, specials: int) -> list:
    """add, dbl and mul records of one group (name "g1" or "g2", ``aff`` its affine
    coordinates): the generator and ``extra_points`` random points, each added to the
    next, to itself, to its negation and to the identity (both ways), doubled, and
    multiplied by two random scalars and the special ones (all for the generator,
    ``specials`` for the others); then the identity's own records. Returns the points."""
    special_scalars = [0, 1, 2, R - 1, R, R + 1, 2**256 - 1, 2**255, P, 2 * R]
    zero = hs((0,) * len(aff(gen)))
    pts = [gen] + [bn.multiply(gen, rng.randrange(1, R)) for _ in range(extra_points)]
    for i, a in enumerate(pts):
        b = pts[(i + 1) % len(pts)]
        out.append(f"{name}add {hs(aff(a))} {hs(aff(b))} {hs(aff(bn.add(a, b)))}")
        out.append(f"{name}add {hs(aff(a))} {hs(aff(a))} {hs(aff(bn.double(a)))}")
        out.append(f"{name}add {hs(aff(a))} {hs(aff(bn.neg(a)))} {zero}")
        out.append(f"{name}add {hs(aff(a))} {zero} {hs(aff(a))}")
        out.append(f"{name}add {zero} {hs(aff(a))} {hs(aff(a))}")
        out.append(f"{name}dbl {hs(aff(a))} {hs(aff(bn.double(a)))}")
        scalars = [rng.randrange(R), rng.randrange(2**256)]
        for k in scalars + special_scalars[: specials if i else 10]:
            out.append(f"{name}mul {hs(aff(a))} {h(k)} {hs(aff(bn.multiply(a, k)))}")
    out.append(f"{name}add {zero} {zero} {zero}")
    out.append(f"{name}dbl {zero} {zero}")
    out.append(f"{name}mul {zero} {h(12345)} {zero}")
    return pts


def gen_group(rng, out) -> None:
    gen_group_law(rng, out, "g1", bn.G1, g1_aff, 6, 4)
    for a in gen_group_law(rng, out, "g2", bn.G2, g2_aff, 4, 3):
        out.append(f"g2sub {hs(g2_aff(a))} 1")
    out.append(f"g2sub {hs((0, 0, 0, 0))} 1")

    # twist points outside G2: random ones, ones whose order divides the cofactor
    # 2p - r ([r]T), and ones with a G2 part and a cofactor part ([r]T + G2).
    for _ in range(4):
        tp = random_twist_point(rng)
        t = g2_from_aff(tp)
        out.append(f"g2sub {hs(tp)} 0")
        tr = bn.multiply(t, R)
        assert not bn.is_inf(tr)
        out.append(f"g2sub {hs(g2_aff(tr))} 0")
        out.append(f"g2sub {hs(g2_aff(bn.add(tr, bn.G2)))} 0")
        # the group law works on the whole twist, so check it there as well
        out.append(f"g2add {hs(tp)} {hs(g2_aff(bn.G2))} {hs(g2_aff(bn.add(t, bn.G2)))}")
        k = rng.randrange(2**256)
        out.append(f"g2mul {hs(tp)} {h(k)} {hs(g2_aff(bn.multiply(t, k)))}")


def gen_fq12(rng, out) -> None:
    for _ in range(6):
        a = bn.FQ12([rng.randrange(P) for _ in range(12)])
        b = bn.FQ12([rng.randrange(P) for _ in range(12)])
        c = a * b
        ta, tb, tc = (tower_from_pyecc(x.coeffs) for x in (a, b, c))
        assert pyecc_from_tower(ta) == [int(x) for x in a.coeffs]
        out.append(f"fq12mul {hs(ta)} {hs(tb)} {hs(tc)}")


def gen_pairings(rng, out, count: int) -> None:
    cases = [(1, 1)] + [(rng.randrange(1, R), rng.randrange(1, R)) for _ in range(count - 1)]
    for a, b in cases:
        p1 = bn.multiply(bn.G1, a)
        q2 = bn.multiply(bn.G2, b)
        e = bn.pairing(q2, p1)
        out.append(f"pair {hs(g1_aff(p1))} {hs(g2_aff(q2))} {hs(tower_from_pyecc(e.coeffs))}")
    # identity inputs give 1
    one = tower_from_pyecc(bn.FQ12.one().coeffs)
    out.append(f"pair {hs((0, 0))} {hs(g2_aff(bn.G2))} {hs(one)}")
    out.append(f"pair {hs(g1_aff(bn.G1))} {hs((0, 0, 0, 0))} {hs(one)}")


def be32(v: int) -> str:
    return format(v % (1 << 256), "064x")


def evm_g2(a) -> str:
    """EVM order: x.c1 x.c0 y.c1 y.c0."""
    return be32(a[1]) + be32(a[0]) + be32(a[3]) + be32(a[2])


def gen_evm(rng, out, evm_dir: pathlib.Path) -> None:
    for fname, kind in (("bn256Add.json", "add"), ("bn256ScalarMul.json", "mul"),
                        ("bn256Pairing.json", "pair")):
        for entry in json.loads((evm_dir / fname).read_text()):
            inp = entry["Input"] or "-"
            out.append(f"evm {kind} {entry['Name']} {inp} {entry['Expected']}")

    g1 = g1_aff(bn.G1)
    g2 = g2_aff(bn.G2)
    off_g1 = (1, 3)
    # failing inputs, as the precompiles reject them
    out.append(f"evm add x_ge_p {be32(P)}{be32(2)}{be32(1)}{be32(2)} fail")
    out.append(f"evm add y_ge_p {be32(1)}{be32(2 + P)}{be32(1)}{be32(2)} fail")
    out.append(f"evm add off_curve {be32(off_g1[0])}{be32(off_g1[1])}{be32(1)}{be32(2)} fail")
    out.append(f"evm add zero_x_nonzero_y {be32(0)}{be32(2)}{be32(0)}{be32(0)} fail")
    out.append(f"evm mul off_curve {be32(off_g1[0])}{be32(off_g1[1])}{be32(7)} fail")
    out.append(f"evm mul y_ge_p {be32(1)}{be32(P + 2)}{be32(7)} fail")
    k = 2**256 - 1
    out.append(f"evm mul max_scalar {be32(1)}{be32(2)}{be32(k)} "
               f"{''.join(be32(v) for v in g1_aff(bn.multiply(bn.G1, k)))}")
    out.append(f"evm mul scalar_r {be32(1)}{be32(2)}{be32(R)} {be32(0)}{be32(0)}")
    tp = random_twist_point(rng)
    valid_pair = be32(g1[0]) + be32(g1[1]) + evm_g2(g2)
    neg_pair = be32(g1[0]) + be32(P - g1[1]) + evm_g2(g2)
    out.append(f"evm pair g2_not_in_subgroup {be32(g1[0])}{be32(g1[1])}{evm_g2(tp)} fail")
    out.append(f"evm pair g2_not_in_subgroup_zero_g1 {be32(0)}{be32(0)}{evm_g2(tp)} fail")
    bad = list(g2)
    bad[3] = (bad[3] + 1) % P
    out.append(f"evm pair g2_off_curve {be32(g1[0])}{be32(g1[1])}{evm_g2(bad)} fail")
    big = list(g2)
    big[0] += P
    out.append(f"evm pair g2_coord_ge_p {be32(g1[0])}{be32(g1[1])}{evm_g2(big)} fail")
    out.append(f"evm pair g1_off_curve {be32(1)}{be32(3)}{evm_g2(g2)} fail")
    out.append(f"evm pair g1_coord_ge_p {be32(1 + P)}{be32(2)}{evm_g2(g2)} fail")
    out.append(f"evm pair bad_length {valid_pair}00 fail")
    out.append(f"evm pair short_length {valid_pair[:-2]} fail")
    out.append(f"evm pair gen_only {valid_pair} {be32(0)}")
    out.append(f"evm pair gen_and_neg {valid_pair}{neg_pair} {be32(1)}")
    out.append(f"evm pair identity_g2 {be32(g1[0])}{be32(g1[1])}{evm_g2((0, 0, 0, 0))} {be32(1)}")
    a = rng.randrange(1, R)
    pa = g1_aff(bn.multiply(bn.G1, a))
    qa = g2_aff(bn.multiply(bn.G2, a))
    # e(aP, Q) e(-P, aQ) = 1 with the pairs in both orders
    out.append(f"evm pair bilinear {be32(pa[0])}{be32(pa[1])}{evm_g2(g2)}"
               f"{be32(g1[0])}{be32(P - g1[1])}{evm_g2(qa)} {be32(1)}")
    out.append(f"evm pair bilinear_wrong {be32(pa[0])}{be32(pa[1])}{evm_g2(g2)}"
               f"{be32(g1[0])}{be32(g1[1])}{evm_g2(qa)} {be32(0)}")


def print_tables() -> None:
    Rm = 1 << 256

    def limbs(v):
        v = v * Rm % P
        words = (f"0x{(v >> (64 * k)) & (2**64 - 1):016x}ULL" for k in range(4))
        return "{{" + ", ".join(words) + "}}"

    for n in (1, 2, 3):
        print(f"/* gamma{n}[k] = xi^(k (p^{n} - 1) / 6) */")
        for k in range(6):
            g = f2_pow(XI, k * (P**n - 1) // 6)
            print(f"    {{{limbs(g[0])}, {limbs(g[1])}}},")
    print("/* b' */", limbs(B2[0]), limbs(B2[1]))
    b3 = f2_mul((3, 0), B2)
    print("/* 3b' */", limbs(b3[0]), limbs(b3[1]))
    print("/* 3 */", limbs(3))
    print("/* naf(6u+2) */", naf(6 * U + 2))
    print("/* naf(u) */", naf(U))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", default="/tmp/zkcx_curve_vectors.txt")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--pairings", type=int, default=8)
    ap.add_argument("--evm", default=str(DEFAULT_EVM))
    ap.add_argument("--tables", action="store_true", help="print the C constant tables")
    args = ap.parse_args(argv)
    check_parameters()
    if args.tables:
        print_tables()
        return 0
    rng = random.Random(args.seed)
    out = [f"# generated by gen_curve_vectors.py --seed {args.seed}"]
    gen_group(rng, out)
    gen_fq12(rng, out)
    gen_pairings(rng, out, args.pairings)
    gen_evm(rng, out, pathlib.Path(args.evm))
    pathlib.Path(args.out).write_text("\n".join(out) + "\n")
    print(f"wrote {len(out) - 1} records to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
