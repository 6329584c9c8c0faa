# SPDX-License-Identifier: MIT
"""The pairing: py_ecc's value, bilinearity, products and the pairing check."""

from __future__ import annotations

import random

import pytest

from zkcx.curve import G1, G2, GT, multi_pairing, pairing, pairing_check
from zkcx.params import FR_MODULUS


def test_pairing_equals_py_ecc(bn, curve_ref):
    rng = random.Random(11)
    a, b = rng.randrange(1, FR_MODULUS), rng.randrange(1, FR_MODULUS)
    expected = bn.pairing(bn.multiply(bn.G2, b), bn.multiply(bn.G1, a))
    got = pairing(G1.generator() * a, G2.generator() * b)
    assert got.coefficients() == curve_ref.tower_from_pyecc(expected.coeffs)


def test_bilinearity():
    rng = random.Random(12)
    P, Q = G1.generator() * rng.randrange(FR_MODULUS), G2.generator() * rng.randrange(FR_MODULUS)
    a, b = rng.randrange(1, FR_MODULUS), rng.randrange(1, FR_MODULUS)
    e = pairing(P, Q)
    assert pairing(P * a, Q * b) == e ** (a * b)
    assert pairing(P * a, Q) == pairing(P, Q * a)
    Q2 = G2.generator() * 77
    assert pairing(P, Q + Q2) == e * pairing(P, Q2)
    assert (e ** FR_MODULUS).is_one() and not e.is_one()
    assert e * e.inverse() == GT.one()


def test_degenerate_inputs():
    assert pairing(G1.identity(), G2.generator()).is_one()
    assert pairing(G1.generator(), G2.identity()).is_one()
    assert multi_pairing([]) == GT.one()
    assert pairing_check([])


@pytest.mark.parametrize("k", [1, 2, 4])
def test_multi_pairing_is_the_product(k):
    rng = random.Random(k)
    pairs = [
        (G1.generator() * rng.randrange(FR_MODULUS), G2.generator() * rng.randrange(FR_MODULUS))
        for _ in range(k)
    ]
    product = GT.one()
    for p, q in pairs:
        product = product * pairing(p, q)
    assert multi_pairing(pairs) == product


def test_pairing_check_is_the_groth16_shape():
    g, h = G1.generator(), G2.generator()
    a, b, c = 12345, 678, 91011
    # e(a g, b h) * e(-(ab/c) g, c h) = 1
    k = a * b * pow(c, -1, FR_MODULUS) % FR_MODULUS
    assert pairing_check([(g * a, h * b), (-(g * k), h * c)])
    assert not pairing_check([(g * a, h * b), (-(g * (k + 1)), h * c)])
    with pytest.raises(TypeError):
        pairing_check([(h, g)])  # type: ignore[list-item]
