# SPDX-License-Identifier: MIT
"""Booleans, bit decomposition and (signed) range checks: honest witnesses satisfy and
match the integer reference; out-of-range values and malicious hints are caught, with
the failing constraint named."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gadgets.helpers import check_elementwise, circuit, edge_values, shapes, solve, values_in
from zkcx import gadgets as g
from zkcx.errors import UnsatisfiedConstraintError
from zkcx.gadgets import reference as ref
from zkcx.r1cs import ConstraintSystem

FAST = settings(max_examples=25, deadline=None)


def test_assert_boolean_accepts_zero_and_one_and_rejects_two():
    cs, (x,) = circuit((4,))
    g.assert_boolean(cs, x, label="flags")
    solve(cs, (x, [0, 1, 1, 0])).check()
    with pytest.raises(UnsatisfiedConstraintError, match=r"flags/boolean\[2\]"):
        solve(cs, (x, [0, 1, 2, 0])).check()
    with pytest.raises(UnsatisfiedConstraintError, match=r"flags/boolean\[0\]"):
        solve(cs, (x, [-1, 1, 1, 0])).check()


@FAST
@given(st.integers(1, 70), shapes, st.data())
def test_to_bits_matches_the_reference_for_any_shape(n_bits, shape, data):
    values = data.draw(st.lists(st.integers(0, (1 << n_bits) - 1), min_size=int(np.prod(shape)),
                                max_size=int(np.prod(shape))))
    values = np.array(values, dtype=object).reshape(shape)
    cs, (x,) = circuit(shape)
    bits = g.to_bits(cs, x, n_bits)
    assert bits.shape == (*shape, n_bits)
    solved = solve(cs, (x, values))
    solved.check()
    assert np.array_equal(solved.read(bits), ref.to_bits(values, n_bits))


def test_to_bits_of_a_scalar_variable_and_of_the_largest_width():
    cs = ConstraintSystem()
    x = cs.private_input("x")
    bits = g.to_bits(cs, x, 252)
    assert bits.shape == (252,)
    value = (1 << 252) - 1
    solved = solve(cs, (np.array(x.index), [value]))
    solved.check()
    assert list(solved.read(bits)) == [1] * 252
    with pytest.raises(ValueError, match="252"):
        g.to_bits(cs, x, 253)
    with pytest.raises(ValueError, match=r"\[1, 252\]"):
        g.to_bits(cs, x, 0)


@pytest.mark.parametrize("bad", [1 << 8, -1, 1 << 200])
def test_range_check_rejects_values_outside_the_range(bad):
    cs, (x,) = circuit((3,))
    g.range_check(cs, x, 8, label="byte")
    solve(cs, (x, [0, 255, 17])).check()
    with pytest.raises(UnsatisfiedConstraintError, match=r"byte/sum\[1\]"):
        solve(cs, (x, [0, bad, 17])).check()


def test_malicious_bits_that_are_not_boolean_fail_booleanity():
    """A prover proving 256 < 2^8 by 'bits' (0, ..., 0, 2): the sum holds, booleanity not."""
    cs, (x,) = circuit((2,))
    bits = g.to_bits(cs, x, 8, label="byte")
    solved = solve(cs, (x, [3, 5]))
    solved.check()
    lie = solved.tamper(x[1], 256).tamper(bits[1], [0, 0, 0, 0, 0, 0, 0, 2])
    with pytest.raises(UnsatisfiedConstraintError, match=r"byte/boolean\[15\]"):
        lie.check()
    # the same value with b0 = 3, b1 = -1 (keeps the sum of x = 1)
    lie = solved.tamper(bits[0], [3, -1, 0, 0, 0, 0, 0, 0])
    with pytest.raises(UnsatisfiedConstraintError, match=r"byte/boolean\[0\]"):
        lie.check()
    # boolean but wrong bits break the sum
    lie = solved.tamper(bits[0], [0, 1, 0, 0, 0, 0, 0, 0])
    with pytest.raises(UnsatisfiedConstraintError, match=r"byte/sum\[0\]"):
        lie.check()


@FAST
@given(st.integers(1, 64), shapes, st.data())
def test_signed_range_check_accepts_every_in_bound_value(bits, shape, data):
    values = data.draw(values_in(bits, shape))
    cs, (x,) = circuit(shape)
    g.signed_range_check(cs, x, bits)
    solve(cs, (x, values)).check()
    assert ref.in_bound(values, bits).all()


@pytest.mark.parametrize("bits", [1, 2, 8, 32, 63, 64, 100])
def test_signed_range_check_edges_and_just_outside(bits):
    half = 1 << (bits - 1)
    cs, (x,) = circuit((1,))
    g.signed_range_check(cs, x, bits, label="bound")
    for ok in edge_values(bits):
        solve(cs, (x, [ok])).check()
    for bad in (-half - 1, half, 1 << 200, -(1 << 200)):
        with pytest.raises(UnsatisfiedConstraintError, match=r"bound/sum\[0\]"):
            solve(cs, (x, [bad])).check()


@FAST
@given(st.integers(1, 64), shapes, st.data())
def test_sign_bit_matches_the_reference(bits, shape, data):
    check_elementwise(g.sign_bit, ref.sign_bit, bits,
                              data.draw(values_in(bits, shape)))


def test_sign_bit_enforces_the_bound_and_resists_a_flipped_sign():
    cs, (x,) = circuit((3,))
    s = g.sign_bit(cs, x, 8, label="sgn")
    solved = solve(cs, (x, [-128, 127, -1]))
    solved.check()
    assert list(solved.read(s)) == [1, 0, 1]
    with pytest.raises(UnsatisfiedConstraintError, match=r"sgn/sum\[0\]"):
        solve(cs, (x, [-129, 0, 0])).check()
    with pytest.raises(UnsatisfiedConstraintError, match=r"sgn/sum\[2\]"):
        solved.tamper(s[2], 0).check()  # claims -1 is non-negative
    with pytest.raises(UnsatisfiedConstraintError, match=r"sgn/boolean\[23\]"):
        solved.tamper(s[2], 2).check()


def test_bad_bit_counts_are_refused_with_a_message():
    cs, (x,) = circuit((1,))
    with pytest.raises(TypeError, match="int"):
        g.range_check(cs, x, 8.0)
    with pytest.raises(ValueError, match="bound_bits"):
        g.signed_range_check(cs, x, 0)
    with pytest.raises(TypeError, match="index array"):
        g.range_check(cs, np.array([0.5]), 8)
