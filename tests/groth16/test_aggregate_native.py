# SPDX-License-Identifier: MIT
"""The native helpers of aggregation (native/src/aggregate.c) against the library's own
operations: GT multi-exponentiation against GT powers, torus compression round trips,
pairing products of vectors against multi_pairing (identities included), division by
(X - z) against plain integers; and their refusals of bad arguments."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkcx import _bindings as native
from zkcx.curve import G1, G2, GT, G2Vec, fixed_base_mul, multi_pairing, pairing
from zkcx.errors import BufferLayoutError, FieldRangeError, InvalidArgumentError
from zkcx.field import FqVec, FrVec
from zkcx.params import FQ_MODULUS, FR_MODULUS


def _gt_rows(values: list[GT]) -> np.ndarray:
    limbs = [FqVec.from_ints(v.coefficients()).limbs for v in values]
    return np.ascontiguousarray(np.stack(limbs).reshape(len(values), 48))


def _ints(row: np.ndarray) -> list[int]:
    return FqVec.from_montgomery(np.ascontiguousarray(row.reshape(12, 4))).to_ints()


@pytest.fixture(scope="module")
def gts():
    return [pairing(G1.generator() * (3 * i + 2), G2.generator() * (i + 5)) for i in range(20)]


@pytest.mark.parametrize("count", [1, 3, 20])
def test_multi_pow_is_the_product_of_powers(gts, count):
    rng = random.Random(count)
    exps = [rng.randrange(FR_MODULUS) for _ in range(count)]
    exps[0] = 0 if count > 1 else exps[0]
    expected = GT.one()
    for g, e in zip(gts, exps):
        expected = expected * g ** e
    out = native.gt_multi_pow(_gt_rows(gts[:count]),
                              FrVec.from_ints(exps).to_canonical_limbs())
    assert _ints(np.frombuffer(native.words_bytes(out), dtype=np.uint64)) == \
        expected.coefficients()


def test_compression_round_trips_and_one(gts):
    rows = _gt_rows([*gts, GT.one()])
    forms = native.gt_compress(rows)
    assert forms.shape == (21, 24) and not forms[-1].any()
    assert np.array_equal(native.gt_decompress(forms), rows)


def test_decompression_refuses_unreduced_coordinates_and_compression_non_gt():
    forms = np.zeros((1, 24), dtype=np.uint64)
    forms[0, :4] = native.modulus_limbs(FQ_MODULUS)
    with pytest.raises(FieldRangeError):
        native.gt_decompress(forms)
    minus_one = _gt_rows([GT.one()])
    minus_one[0, :4] = FqVec.from_ints([FQ_MODULUS - 1]).limbs[0]
    with pytest.raises(InvalidArgumentError):
        native.gt_compress(minus_one)
    with pytest.raises(BufferLayoutError):
        native.gt_compress(np.zeros((1, 47), dtype=np.uint64))


def test_vector_products_equal_multi_pairings():
    k = 37
    g1 = [fixed_base_mul(G1.generator(), FrVec.random(k, seed=s)) for s in (1, 2)]
    g2 = [fixed_base_mul(G2.generator(), FrVec.random(k, seed=s)) for s in (3, 4, 5)]
    g1[0].limbs[4] = 0          # an identity on each side
    g2[1].limbs[9] = 0
    products = [(0, 0), (1, 0), (0, 1), (1, 2), (1, 1)]
    out = native.pairing_vector_products(np.stack([v.limbs for v in g1]),
                                         np.stack([v.limbs for v in g2]), products)
    for t, (a, b) in enumerate(products):
        q = G2Vec.from_montgomery(g2[b].limbs.copy(), check_subgroup=False)
        assert _ints(out[t]) == multi_pairing(list(zip(g1[a], q))).coefficients()
    with pytest.raises(InvalidArgumentError):
        native.pairing_vector_products(np.stack([v.limbs for v in g1]),
                                       np.stack([v.limbs for v in g2]), [(2, 0)])
    with pytest.raises(BufferLayoutError):
        native.pairing_vector_products(g1[0].limbs, np.stack([v.limbs for v in g2]), [(0, 0)])


@settings(max_examples=30, deadline=None)
@given(coefs=st.lists(st.integers(0, FR_MODULUS - 1), min_size=1, max_size=12),
       z=st.integers(0, FR_MODULUS - 1))
def test_division_by_x_minus_z(coefs, z):
    q, value = native.fr_poly_divide_linear(
        FrVec.from_ints(coefs).limbs,
        native.words_from_bytes(FrVec.from_ints([z]).limbs.tobytes(), 4))
    f_z = sum(c * pow(z, i, FR_MODULUS) for i, c in enumerate(coefs)) % FR_MODULUS
    got_value = FrVec.from_montgomery(
        np.frombuffer(native.words_bytes(value), dtype=np.uint64).reshape(1, 4).copy())
    assert got_value.to_ints() == [f_z]
    quotient = FrVec.from_montgomery(np.ascontiguousarray(q)).to_ints()
    # (X - z) q(X) + f(z) = f(X), coefficient by coefficient
    product = [0] * len(coefs)
    for i, c in enumerate(quotient):
        product[i + 1] += c
        product[i] -= z * c
    product[0] += f_z
    assert [v % FR_MODULUS for v in product] == coefs
