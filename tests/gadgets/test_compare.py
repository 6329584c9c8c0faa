# SPDX-License-Identifier: MIT
"""less_than, relu and clamp: outputs equal the integer reference exactly, bounds are
enforced, and malicious hints (a relu passing a negative through, a flipped comparison,
a clamp that does not clamp) are caught with the failing constraint named."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gadgets.helpers import check_elementwise, circuit, edge_values, shapes, solve, values_in
from zkcx import gadgets as g
from zkcx.errors import UnsatisfiedConstraintError
from zkcx.gadgets import reference as ref

FAST = settings(max_examples=30, deadline=None)


@FAST
@given(st.integers(1, 64), shapes, st.data())
def test_relu_matches_the_reference(bits, shape, data):
    check_elementwise(g.relu, ref.relu, bits, data.draw(values_in(bits, shape)))


def test_relu_of_a_negative_returning_the_input_is_caught():
    cs, (x,) = circuit((4,))
    out = g.relu(cs, x, 16, label="act")
    solved = solve(cs, (x, [-5, 7, -32768, 0]))
    solved.check()
    assert list(solved.read(out)) == [0, 7, 0, 0]
    with pytest.raises(UnsatisfiedConstraintError, match=r"act/select/product\[0\]"):
        solved.tamper(out[0], -5).check()
    with pytest.raises(UnsatisfiedConstraintError, match=r"act/select/product\[1\]"):
        solved.tamper(out[1], 0).check()


def test_relu_lying_about_the_sign_fails_the_decomposition():
    cs, (x,) = circuit((1,))
    bits_before = cs.n_variables
    out = g.relu(cs, x, 8, label="act")
    top_bit = np.array([bits_before + 7])  # the decomposition's bits come first, LSB first
    solved = solve(cs, (x, [-5]))
    solved.check()
    assert solved.read(top_bit)[0] == 0
    lie = solved.tamper(top_bit, 1).tamper(out, -5)
    with pytest.raises(UnsatisfiedConstraintError, match=r"act/sum\[0\]"):
        lie.check()


@pytest.mark.parametrize("bits", [1, 8, 31, 64])
def test_relu_enforces_the_bound(bits):
    half = 1 << (bits - 1)
    cs, (x,) = circuit((2,))
    g.relu(cs, x, bits, label="act")
    solve(cs, (x, [-half, half - 1])).check()
    for bad in (-half - 1, half):
        with pytest.raises(UnsatisfiedConstraintError, match=r"act/sum\[1\]"):
            solve(cs, (x, [0, bad])).check()


@FAST
@given(st.integers(1, 62), shapes, st.data())
def test_less_than_matches_the_reference(bits, shape, data):
    a = data.draw(values_in(bits, shape))
    b = data.draw(values_in(bits, shape))
    cs, (x, y) = circuit(shape, shape)
    lt = g.less_than(cs, x, y, bits)
    solved = solve(cs, (x, a), (y, b))
    solved.check()
    assert np.array_equal(solved.read(lt), ref.less_than(a, b))


def test_less_than_edges_inputs_checked_and_a_flipped_answer_caught():
    half = 1 << 7
    cs, (x, y) = circuit((4,), (4,))
    lt = g.less_than(cs, x, y, 8, label="cmp")
    a, b = [-half, half - 1, 5, -1], [half - 1, -half, 5, 0]
    solved = solve(cs, (x, a), (y, b))
    solved.check()
    assert list(solved.read(lt)) == [1, 0, 0, 1]
    with pytest.raises(UnsatisfiedConstraintError, match=r"cmp/sign/sum\[2\]"):
        solved.tamper(lt[2], 1).check()
    with pytest.raises(UnsatisfiedConstraintError, match=r"cmp/a/sum\[0\]"):
        solve(cs, (x, [-half - 1, 0, 0, 0]), (y, [0] * 4)).check()
    with pytest.raises(UnsatisfiedConstraintError, match=r"cmp/b/sum\[3\]"):
        solve(cs, (x, [0] * 4), (y, [0, 0, 0, half])).check()


def test_less_than_without_input_checks_is_cheaper_and_still_correct():
    cs, (x, y) = circuit((3,), (3,))
    lt = g.less_than(cs, x, y, 8, check_inputs=False)
    assert cs.n_constraints == 3 * (9 + 1)
    solved = solve(cs, (x, [-128, 127, 0]), (y, [127, -128, 0]))
    solved.check()
    assert list(solved.read(lt)) == [1, 0, 0]


@FAST
@given(st.integers(2, 40), shapes, st.data())
def test_clamp_matches_the_reference(bits, shape, data):
    half = 1 << (bits - 1)
    lo = data.draw(st.integers(-2 * half, 2 * half))
    hi = data.draw(st.integers(lo, 2 * half + 1))
    values = data.draw(values_in(bits, shape))
    cs, (x,) = circuit(shape)
    out = g.clamp(cs, x, lo, hi, bits)
    solved = solve(cs, (x, values))
    solved.check()
    assert np.array_equal(solved.read(out), ref.clamp(values, lo, hi))


@pytest.mark.parametrize(("lo", "hi"), [(-5, 7), (0, 6 << 4), (-128, 127), (3, 3), (-200, 200),
                                        (-128, 0), (0, 300)])
def test_clamp_edge_values(lo, hi):
    values = edge_values(8) + [lo, hi] if lo >= -128 and hi < 128 else edge_values(8)
    cs, (x,) = circuit((len(values),))
    out = g.clamp(cs, x, lo, hi, 8)
    solved = solve(cs, (x, values))
    solved.check()
    assert list(solved.read(out)) == list(ref.clamp(np.array(values), lo, hi))


def test_clamp_that_does_not_clamp_is_caught_and_bounds_are_enforced():
    cs, (x,) = circuit((2,))
    out = g.clamp(cs, x, -5, 7, 8, label="clip")
    solved = solve(cs, (x, [100, -100]))
    solved.check()
    with pytest.raises(UnsatisfiedConstraintError, match=r"clip/upper\[0\]"):
        solved.tamper(out[0], 100).check()
    with pytest.raises(UnsatisfiedConstraintError, match=r"clip/upper\[1\]"):
        solved.tamper(out[1], -100).check()
    with pytest.raises(UnsatisfiedConstraintError, match=r"clip/input/sum\[0\]"):
        solve(cs, (x, [128, 0])).check()


def test_clamp_refuses_bad_bounds():
    cs, (x,) = circuit((1,))
    with pytest.raises(ValueError, match="lo <= hi"):
        g.clamp(cs, x, 3, 2, 8)
    with pytest.raises(TypeError, match="integer"):
        g.clamp(cs, x, 0.5, 2, 8)
    with pytest.raises(ValueError, match="lo <= hi"):
        ref.clamp(np.array([1]), 3, 2)
