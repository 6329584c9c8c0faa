# SPDX-License-Identifier: MIT
"""The integer reference (``zkcx.gadgets.reference``) against plain Python ints, and the
signed Fr conversions the hints use, at the int64 boundary and beyond."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gadgets.helpers import embed, signed
from zkcx.gadgets import BoundError
from zkcx.gadgets import reference as ref
from zkcx.gadgets._values import from_signed, low_bits, to_signed

FAST = settings(max_examples=40, deadline=None)
big = st.integers(-(1 << 100), 1 << 100)
int64ish = st.sampled_from([0, -1, 1, (1 << 62) - 1, -(1 << 62), (1 << 63) - 1, -(1 << 63)])


@FAST
@given(st.lists(st.one_of(big, int64ish), min_size=1, max_size=8), st.integers(0, 70))
def test_rescale_and_remainder_are_floor_division(zs, f):
    arr = np.array(zs, dtype=object)
    assert list(ref.rescale(arr, f)) == [z // (1 << f) for z in zs]
    assert list(ref.remainder(arr, f)) == [z % (1 << f) for z in zs]


@FAST
@given(st.lists(st.integers(-(1 << 40), 1 << 40), min_size=1, max_size=8), st.integers(0, 30))
def test_rescale_of_int64_uses_an_arithmetic_shift(zs, f):
    arr = np.array(zs, dtype=np.int64)
    out = ref.rescale(arr, f)
    assert out.dtype == np.int64 and list(out) == [z // (1 << f) for z in zs]
    assert list(ref.remainder(arr, f)) == [z % (1 << f) for z in zs]


@FAST
@given(st.lists(st.tuples(st.one_of(big, int64ish), st.one_of(big, int64ish)), min_size=1,
                max_size=6))
def test_products_and_sums_never_wrap(pairs):
    a = np.array([p[0] for p in pairs], dtype=object)
    b = np.array([p[1] for p in pairs], dtype=object)
    assert list(ref.mul(a, b)) == [x * y for x, y in pairs]
    assert list(ref.add(a, b)) == [x + y for x, y in pairs]
    a64 = np.array([max(min(p[0], (1 << 63) - 1), -(1 << 63)) for p in pairs], dtype=np.int64)
    assert list(ref.mul(a64, a64)) == [int(x) * int(x) for x in a64]


def test_matmul_of_32_bit_values_is_exact_beyond_int64():
    half = 1 << 31
    a = np.full((2, 9), -half, dtype=np.int64)
    b = np.full((9, 3), -half, dtype=np.int64)
    out = ref.matmul(a, b)
    assert out[0, 0] == 9 * half * half and out.dtype == object
    small = ref.matmul(np.ones((2, 3), dtype=np.int64), np.ones((3, 2), dtype=np.int64))
    assert small.dtype == np.int64 and (small == 3).all()


def test_relu_clamp_sign_and_comparison():
    x = np.array([-3, 0, 5, -(1 << 70)], dtype=object)
    assert list(ref.relu(x)) == [0, 0, 5, 0]
    assert list(ref.clamp(x, -2, 4)) == [-2, 0, 4, -2]
    assert list(ref.sign_bit(x)) == [1, 0, 0, 1]
    assert list(ref.less_than(x, np.zeros(4, dtype=np.int64))) == [1, 0, 0, 1]


def test_bounds_quantize_and_bits():
    assert list(ref.in_bound(np.array([-128, 127, 128, -129]), 8)) == [True, True, False, False]
    with pytest.raises(BoundError, match=r"x\[1\] = 128 is outside the 8-bit bound"):
        ref.check_bound(np.array([0, 128]), 8, "x")
    assert list(ref.quantize([0.5, 1.5, -0.5, 0.1], 0)) == [0, 2, 0, 0]  # half to even
    assert list(ref.quantize([0.25, -1.0], 4)) == [4, -16]
    assert ref.to_bits(np.array([6]), 4).tolist() == [[0, 1, 1, 0]]
    assert ref.to_bits(np.array([(1 << 100) + 1], dtype=object), 101)[0, [0, 1, 100]].tolist() \
        == [1, 0, 1]
    with pytest.raises(BoundError):
        ref.to_bits(np.array([-1]), 4)
    with pytest.raises(TypeError, match="integers"):
        ref.relu(np.array([0.5]))


@FAST
@given(st.lists(st.one_of(big, int64ish), min_size=1, max_size=8))
def test_signed_conversions_round_trip(values):
    vec = embed(values)
    got = to_signed(vec)
    assert list(got) == values
    if all(-(1 << 63) <= v < 1 << 63 for v in values):
        assert got.dtype == np.int64
    assert [signed(v) for v in from_signed(np.array(values, dtype=object)).to_ints()] == values


@FAST
@given(st.lists(st.integers(0, (1 << 250)), min_size=1, max_size=8), st.integers(0, 256))
def test_low_bits_are_the_value_mod_a_power_of_two(values, n_bits):
    assert low_bits(embed(values), n_bits).to_ints() == [v % (1 << n_bits) for v in values]
