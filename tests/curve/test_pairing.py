# SPDX-License-Identifier: MIT
"""The pairing: py_ecc's value, bilinearity, products and the pairing check."""

from __future__ import annotations

import random

import pytest

from zkcx.curve import G1, G2, GT, G2Prepared, multi_pairing, pairing, pairing_check
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


def _prepared_mix(rng, n_plain, n_prep, identities=False):
    pairs = []
    for _ in range(n_plain + n_prep):
        a, b = rng.randrange(1, FR_MODULUS), rng.randrange(1, FR_MODULUS)
        pairs.append((G1.generator() * a, G2.generator() * b, a * b))
    if identities and pairs:
        pairs[0] = (G1.identity(), pairs[0][1], 0)
        pairs[-1] = (pairs[-1][0], G2.identity(), 0)
    prepared = set(rng.sample(range(len(pairs)), n_prep))
    mixed = [(p, G2Prepared(q) if i in prepared else q) for i, (p, q, _) in enumerate(pairs)]
    assert sum(isinstance(q, G2Prepared) for _, q in mixed) == n_prep
    exponent = sum(e for _, _, e in pairs) % FR_MODULUS
    return pairs, mixed, exponent


@pytest.mark.parametrize("n_plain,n_prep", [(0, 1), (1, 2), (0, 3), (3, 3), (9, 4),
                                            (2, 40), (30, 30)])
def test_prepared_g2_gives_the_same_products(n_plain, n_prep):
    """G2Prepared pairs (the lines of a fixed Q computed once) mixed with ordinary ones,
    in one block, over several blocks of 32, and on the threaded path (8 or more
    ordinary pairs): the product equals e(g, h)^(sum a_i b_i)."""
    rng = random.Random(n_plain * 100 + n_prep)
    pairs, mixed, exponent = _prepared_mix(rng, n_plain, n_prep, identities=n_plain > 2)
    base = pairing(G1.generator(), G2.generator())
    assert multi_pairing(mixed) == base ** exponent
    assert multi_pairing(mixed) == multi_pairing([(p, q) for p, q, _ in pairs])


def test_prepared_g2_in_pairing_checks_and_its_object():
    import pickle

    g, h = G1.generator(), G2.generator()
    h3 = G2Prepared(h * 3)
    assert pairing_check([(g * 6, h), (-(g * 2), h3)])
    assert not pairing_check([(g * 6, h), (-(g * 2), G2Prepared(h * 4))])
    assert pairing_check([(g * 5, G2Prepared(G2.identity()))])   # contributes 1
    assert multi_pairing([(G1.identity(), h3)]).is_one()
    again = pickle.loads(pickle.dumps(h3))
    assert again.point == h * 3 and multi_pairing([(g, again)]) == pairing(g, h * 3)
    with pytest.raises(AttributeError):
        h3.point = h
    with pytest.raises(TypeError):
        G2Prepared(g)
    with pytest.raises(TypeError):
        multi_pairing([(h3, g)])
