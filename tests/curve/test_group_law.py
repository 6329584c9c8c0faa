# SPDX-License-Identifier: MIT
"""G1 and G2 against py_ecc.optimized_bn128, and the group laws on random points."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkcx.curve import G1, G2
from zkcx.errors import PointError, SubgroupError
from zkcx.field import Fr
from zkcx.params import FQ_MODULUS, FR_MODULUS

scalars = st.one_of(
    st.integers(0, FR_MODULUS - 1),
    st.sampled_from([0, 1, 2, FR_MODULUS - 1, FR_MODULUS - 2, 2**128, 2**253]),
)


def to_pyecc_g1(bn, p: G1):
    affine = p.to_affine()
    if affine is None:
        return bn.Z1
    return (bn.FQ(affine[0]), bn.FQ(affine[1]), bn.FQ.one())


def from_pyecc_g1(bn, pt) -> G1:
    if bn.is_inf(pt):
        return G1.identity()
    x, y = bn.normalize(pt)
    return G1(int(x), int(y))


def from_pyecc_g2(bn, pt) -> G2:
    if bn.is_inf(pt):
        return G2.identity()
    x, y = bn.normalize(pt)
    return G2((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))


@settings(max_examples=15)
@given(a=scalars, b=scalars)
def test_g1_agrees_with_py_ecc(bn, a, b):
    P, Q = bn.multiply(bn.G1, a), bn.multiply(bn.G1, b)
    p, q = G1.generator() * a, G1.generator() * Fr(b)
    assert p == from_pyecc_g1(bn, P) and q == from_pyecc_g1(bn, Q)
    assert p + q == from_pyecc_g1(bn, bn.add(P, Q))
    assert p.double() == from_pyecc_g1(bn, bn.double(P))
    assert -p == from_pyecc_g1(bn, bn.neg(P))
    assert p - q == from_pyecc_g1(bn, bn.add(P, bn.neg(Q)))


@settings(max_examples=6)
@given(a=scalars, b=scalars)
def test_g2_agrees_with_py_ecc(bn, a, b):
    P, Q = bn.multiply(bn.G2, a), bn.multiply(bn.G2, b)
    p, q = G2.generator() * a, G2.generator() * b
    assert p == from_pyecc_g2(bn, P) and q == from_pyecc_g2(bn, Q)
    assert p + q == from_pyecc_g2(bn, bn.add(P, Q))
    assert p.double() == from_pyecc_g2(bn, bn.double(P))
    assert -p == from_pyecc_g2(bn, bn.neg(P))


@pytest.mark.parametrize("G", [G1, G2])
def test_group_laws_and_identity(G):
    g, o = G.generator(), G.identity()
    assert o.is_identity() and not g.is_identity()
    assert g + o == g and o + g == g and o + o == o
    assert g - g == o and g + (-g) == o
    assert g * 0 == o and g * 1 == g and g * FR_MODULUS == o
    assert g * (FR_MODULUS - 1) == -g and g * -1 == -g
    assert g * 5 + g * 7 == g * 12 == (g * 3) * 4
    assert g + g == g.double() == 2 * g
    assert (g + g * 2) + g * 3 == g + (g * 2 + g * 3)
    assert len({g, g * 1, o, G.identity()}) == 2
    assert G.from_montgomery_limbs((g * 9).montgomery_limbs()) == g * 9


def test_g1_rejects_bad_points():
    with pytest.raises(PointError, match="not on the curve"):
        G1(1, 3)
    with pytest.raises(PointError, match="below the base field"):
        G1(1, 2 + FQ_MODULUS)
    with pytest.raises(PointError, match="identity"):
        G1(0, 0)
    with pytest.raises(TypeError):
        G1(1.0, 2)  # type: ignore[arg-type]
    with pytest.raises(PointError):
        G1.from_montgomery_limbs(b"\xff" * 64)
    with pytest.raises(PointError, match="64 bytes"):
        G1.from_montgomery_limbs(b"\x00" * 63)


def test_g2_rejects_points_outside_the_subgroup(curve_ref):
    import random

    rng = random.Random(5)
    for _ in range(4):
        x0, x1, y0, y1 = curve_ref.random_twist_point(rng)
        with pytest.raises(SubgroupError):
            G2((x0, x1), (y0, y1))
    x, y = G2.generator().to_affine()
    with pytest.raises(PointError, match="not on the curve"):
        G2(x, (y[0], y[1] + 1))
    with pytest.raises(PointError):
        G2((x[1], x[0]), (y[1], y[0]))  # EVM order given as JSON order: off the curve


def test_mixing_groups_is_an_error():
    with pytest.raises(TypeError):
        G1.generator() + G2.generator()
    with pytest.raises(TypeError):
        G1.generator() * G1.generator()


def test_glv_beta_goes_with_lambda():
    """phi(x, y) = (beta x, y) is [lambda] on G1 for the beta and lambda of params (the
    other cube roots pair the other way round)."""
    from zkcx.params import G1_GLV_BETA, G1_GLV_LAMBDA

    for k in (1, 2, 987654321, FR_MODULUS - 5):
        p = G1.generator() * k
        x, y = p.to_affine()
        assert (p * G1_GLV_LAMBDA).to_affine() == (G1_GLV_BETA * x % FQ_MODULUS, y)


def _glv_edge_scalars() -> list[int]:
    """Scalars whose GLV halves k = k1 + k2 lambda are zero, one, negative, or at the
    rounding boundaries of the split: multiples and sums of the basis vectors."""
    from zkcx.params import G1_GLV_BASIS, G1_GLV_LAMBDA

    r, lam = FR_MODULUS, G1_GLV_LAMBDA
    (a1, b1), (a2, b2) = G1_GLV_BASIS
    out = {0, 1, 2, 3, r - 1, r - 2, lam, r - lam, lam + 1, 2 * lam % r, (r - 1) // 2,
           (r + 1) // 2, 2**64, 2**127, 2**128 - 1, 2**128, 2**129 + 1, 2**253, r - 2**128}
    for c1 in (-2, -1, 0, 1, 2):
        for c2 in (-2, -1, 0, 1, 2):
            for e1, e2 in ((0, 0), (1, 0), (0, 1), (-1, 1), (a1 // 2, b2 // 2)):
                k1, k2 = c1 * a1 + c2 * a2 + e1, c1 * b1 + c2 * b2 + e2
                out.add((k1 + k2 * lam) % r)
    return sorted(out)


def test_g1_scalar_multiplication_at_glv_edges_agrees_with_py_ecc(bn):
    P = bn.multiply(bn.G1, 424242)
    p = from_pyecc_g1(bn, P)
    for k in _glv_edge_scalars():
        assert p * k == from_pyecc_g1(bn, bn.multiply(P, k)), hex(k)
        assert p * (k + FR_MODULUS) == p * k   # ints act mod r (the C harness feeds C 256-bit k)
