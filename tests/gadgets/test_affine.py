# SPDX-License-Identifier: MIT
"""AffineVec (free linear algebra on variables), mul, materialize and constrain: values
equal NumPy on the same integers, costs are as documented, and tampered products or
materialised values are caught."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gadgets.helpers import circuit, shapes, solve, values_in
from zkcx import gadgets as g
from zkcx.errors import (
    ArgumentTypeError,
    CircuitError,
    CoefficientOverflowError,
    UnsatisfiedConstraintError,
)
from zkcx.gadgets import AffineVec
from zkcx.r1cs import ConstraintSystem
from zkcx.testing import check_circuit

FAST = settings(max_examples=30, deadline=None)


def _values_of(cs, affine, *pairs):
    out = g.materialize(cs, affine)
    solved = solve(cs, *pairs)
    solved.check()
    return solved.read(out)


@FAST
@given(shapes, st.data())
def test_affine_arithmetic_matches_numpy(shape, data):
    xs = data.draw(values_in(20, shape))
    ys = data.draw(values_in(20, shape))
    c = data.draw(st.integers(-1000, 1000))
    scale = np.array(data.draw(st.lists(st.integers(-9, 9), min_size=shape[-1],
                                        max_size=shape[-1])))
    cs, (x, y) = circuit(shape, shape)
    a, b = AffineVec.of(x), AffineVec.of(y)
    expr = (a * 3 - b + c) * scale - (2 * a) + a - a
    got = _values_of(cs, expr, (x, xs), (y, ys))
    assert np.array_equal(got, (xs * 3 - ys + c) * scale - 2 * xs)
    assert cs.n_constraints == int(np.prod(shape))  # only materialize's


@FAST
@given(shapes, st.data())
def test_sums_reshapes_transposes_and_indexing_match_numpy(shape, data):
    xs = data.draw(values_in(16, shape))
    axis = data.draw(st.integers(0, len(shape) - 1))
    cases = [
        (lambda a: a.sum(axis=axis), xs.sum(axis=axis)),
        (lambda a: a.sum(), xs.sum()),
        (lambda a: a.reshape(-1)[::-1], xs.reshape(-1)[::-1]),
        (lambda a: a.T, xs.T),
        (lambda a: a[..., :1] + a, xs[..., :1] + xs),
        (lambda a: a.broadcast_to((2, *shape)), np.broadcast_to(xs, (2, *shape))),
    ]
    for build, expected in cases:
        expected = np.asarray(expected, dtype=object)
        cs, (x,) = circuit(shape)
        expr = build(AffineVec.of(x))
        assert expr.shape == expected.shape
        assert np.array_equal(_values_of(cs, expr, (x, xs)), expected)


@FAST
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3), st.data())
def test_mul_broadcasts_into_a_matrix_product(m, k, n, data):
    a_val = data.draw(values_in(24, (m, k)))
    b_val = data.draw(values_in(24, (k, n)))
    cs, (a, b) = circuit((m, k), (k, n))
    p = g.mul(cs, a[:, :, None], b[None, :, :])
    assert p.shape == (m, k, n) and cs.n_constraints == m * k * n
    got = _values_of(cs, AffineVec.of(p).sum(axis=1), (a, a_val), (b, b_val))
    assert np.array_equal(got, a_val.dot(b_val))


def test_mul_of_affine_vectors_and_a_tampered_product():
    cs, (x, s) = circuit((3,), (3,))
    out = g.mul(cs, AffineVec.of(x) - 10, s, label="norm")
    solved = solve(cs, (x, [12, 7, -3]), (s, [2, -4, 5]))
    solved.check()
    assert list(solved.read(out)) == [4, 12, -65]
    with pytest.raises(UnsatisfiedConstraintError, match=r"norm/product\[1\]"):
        solved.tamper(out[1], 13).check()


def test_materialize_of_a_weight_update_and_a_tampered_value():
    cs, (w, dw) = circuit((2, 2), (2, 2))
    eta = 3
    new_w = g.materialize(cs, AffineVec.of(w) - AffineVec.of(dw) * eta, label="sgd")
    solved = solve(cs, (w, [[100, -100], [0, 5]]), (dw, [[1, -2], [3, 0]]))
    solved.check()
    assert solved.read(new_w).tolist() == [[97, -94], [-9, 5]]
    with pytest.raises(UnsatisfiedConstraintError, match=r"sgd/equal\[3\]"):
        solved.tamper(new_w[1, 1], 6).check()


def test_constrain_adds_bulk_constraints_with_labels():
    cs, (x, y, z) = circuit((4,), (4,), (4,))
    g.constrain(cs, AffineVec.of(x) + 1, y, z, label="kernels/custom")
    check_circuit(cs, [(x, [1, 2, 3, 4]), (y, [5, 6, 7, 8]), (z, [10, 18, 28, 40])])
    with pytest.raises(UnsatisfiedConstraintError, match=r"kernels/custom\[2\]"):
        check_circuit(cs, [(x, [1, 2, 3, 4]), (y, [5, 6, 7, 8]), (z, [10, 18, 29, 40])])
    with pytest.raises(CircuitError, match="count"):
        g.constrain(cs, None, None, None)


def test_coefficients_that_would_overflow_are_refused():
    cs, (x,) = circuit((2,))
    a = AffineVec.of(x)
    with pytest.raises(CoefficientOverflowError, match="2\\^62"):
        _ = a * (1 << 62)
    with pytest.raises(CoefficientOverflowError, match="2\\^62"):
        _ = (a * (1 << 40)) * (1 << 30)
    with pytest.raises(CoefficientOverflowError, match="2\\^62"):
        AffineVec.constant(1 << 62, (2,))
    with pytest.raises(ArgumentTypeError, match="integer"):
        _ = a * 0.5
    with pytest.raises(ArgumentTypeError):
        AffineVec.of(np.array([1.0]))


def test_assert_boolean_and_mul_accept_scalar_variables():
    cs = ConstraintSystem()
    x, y = cs.private_input("x"), cs.private_input("y")
    g.assert_boolean(cs, x)
    p = g.mul(cs, x, y)
    assert p.shape == ()
    w = check_circuit(cs, {x: 1, y: 9})
    r1cs = cs.build()
    assert int(w.values[r1cs.wire_of[int(p)]]) == 9


def test_gadgets_on_an_empty_array_emit_nothing():
    cs, (x,) = circuit((0,))
    assert g.rescale(cs, x, 4, 8).shape == (0,)
    assert g.relu(cs, x, 8).shape == (0,)
    assert g.to_bits(cs, x, 3).shape == (0, 3)
    assert cs.n_constraints == 0
    check_circuit(cs, [])


def test_check_circuit_refuses_what_is_not_a_circuit():
    with pytest.raises(ArgumentTypeError, match="ConstraintSystem or an R1CS"):
        check_circuit(object(), {})


def test_constraints_hold_one_term_per_wire_even_with_constants_and_offsets():
    """y + offset with y's own constant: the .r1cs format wants each wire once per row."""
    cs, (x,) = circuit((3,))
    g.relu(cs, AffineVec.of(x) + 5 - AffineVec.of(x[::-1]) + AffineVec.of(x[::-1]), 16)
    g.rescale(cs, AffineVec.of(x) * 2 - 7, 2, 16)
    r1cs = cs.build()
    for matrix in (r1cs.a, r1cs.b, r1cs.c):
        rows = matrix.rows_of_terms()
        pairs = rows * r1cs.n_wires + matrix.col
        assert np.unique(pairs).size == pairs.size
        assert all(v != 0 for v in matrix.coef.to_ints())
    solved = solve(cs, (x, [-9, 0, 4]))
    solved.check()
