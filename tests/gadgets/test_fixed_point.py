# SPDX-License-Identifier: MIT
"""rescale: Q = floor(Z / 2^f) toward −∞, equal to the integer reference (negative
products included, values beyond 64 bits included); R outside [0, 2^f), Q off by one and
Q outside its bound are all caught, with the failing constraint named."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gadgets.helpers import circuit, shapes, solve, values_in
from zkcx import gadgets as g
from zkcx.errors import UnsatisfiedConstraintError
from zkcx.gadgets import reference as ref
from zkcx.r1cs import ConstraintSystem

FAST = settings(max_examples=30, deadline=None)


@FAST
@given(st.integers(0, 40), st.integers(1, 60), shapes, st.data())
def test_rescale_matches_floor_division(f, out_bits, shape, data):
    z = data.draw(values_in(f + out_bits, shape))  # every such Z has an in-bound quotient
    cs, (x,) = circuit(shape)
    q = g.rescale(cs, x, f, out_bits)
    assert q.shape == shape
    solved = solve(cs, (x, z))
    solved.check()
    expected = np.array([int(v) // (1 << f) for v in z.reshape(-1)], dtype=object)
    assert list(solved.read(q).reshape(-1)) == list(expected)
    assert np.array_equal(solved.read(q), ref.rescale(z, f, out_bits))


def test_rescale_of_negative_values_rounds_toward_minus_infinity():
    z = [-1, -15, -16, -17, 15, 16, 17, 0, -(1 << 11), (1 << 11) - 1]
    cs, (x,) = circuit((len(z),))
    q = g.rescale(cs, x, 4, 8)
    solved = solve(cs, (x, z))
    solved.check()
    assert list(solved.read(q)) == [-1, -1, -1, -2, 0, 1, 1, 0, -128, 127]


def test_rescale_refuses_a_quotient_outside_its_bound():
    cs, (x,) = circuit((2,))
    g.rescale(cs, x, 4, 8, label="rs")
    for bad in (1 << 11, -(1 << 11) - 1, 1 << 100):
        with pytest.raises(UnsatisfiedConstraintError, match=r"rs/sum\[1\]"):
            solve(cs, (x, [0, bad])).check()
    with pytest.raises(Exception, match="outside the 8-bit bound"):
        ref.rescale(np.array([1 << 11]), 4, 8)


def _rescale_circuit():
    f, b = 4, 8
    cs, (x,) = circuit((3,))
    first_bit = cs.n_variables
    q = g.rescale(cs, x, f, b, label="kernels/matmul/rescale")
    bits = np.arange(first_bit, first_bit + 3 * (f + b)).reshape(3, f + b)
    solved = solve(cs, (x, [-37, 100, 5]))
    solved.check()
    return solved, q, bits, f, b


def test_malicious_quotient_off_by_one_is_caught():
    solved, q, _, _, _ = _rescale_circuit()
    assert list(solved.read(q)) == [-3, 6, 0]
    for wrong in (-2, -4):
        with pytest.raises(UnsatisfiedConstraintError,
                           match=r"kernels/matmul/rescale/quotient\[0\]"):
            solved.tamper(q[0], wrong).check()


def test_malicious_remainder_outside_its_range_fails_booleanity():
    """Q - 1 with R + 2^f (and Q + 1 with R - 2^f) keep Z = Q·2^f + R and Q's own
    constraint; only a non-boolean 'bit' can carry the out-of-range R, and is caught."""
    solved, q, bits, f, b = _rescale_circuit()
    z, q0 = -37, -3
    r0 = z - q0 * (1 << f)
    for dq in (-1, 1):
        lie_q = q0 + dq
        lie_r = r0 - dq * (1 << f)
        assert z == lie_q * (1 << f) + lie_r and not 0 <= lie_r < 1 << f
        low = [(r0 >> i) & 1 for i in range(f)]
        low[0] += lie_r - r0  # the excess rides on bit 0
        high = [((lie_q + (1 << (b - 1))) >> i) & 1 for i in range(b)]
        lie = solved.tamper(bits[0], low + high).tamper(q[0], lie_q)
        with pytest.raises(UnsatisfiedConstraintError,
                           match=r"kernels/matmul/rescale/boolean\[0\]"):
            lie.check()


def test_rescale_of_a_dot_product_given_as_an_affine_vector():
    """Σ_k a_k·b_k + bias·2^f, rescaled once, with 32-bit operands: sums beyond 2^64."""
    rng = np.random.default_rng(5)
    m, k, n, f, bits = 2, 8, 3, 16, 32
    half = 1 << (bits - 1)
    a_val = rng.integers(-half, half, (m, k)).astype(object)
    b_val = rng.integers(-half, half, (k, n)).astype(object)
    bias = rng.integers(-half, half, n).astype(object)
    a_val[0, :] = -half  # the most negative products, summed
    b_val[:, 0] = -half
    acc = ref.add(ref.matmul(a_val, b_val), ref.mul(bias, 1 << f))
    out_bits = 2 * bits + 4 - f
    cs, (a, b, c) = circuit((m, k), (k, n), (n,))
    p = g.mul(cs, a[:, :, None], b[None, :, :])
    z = g.AffineVec.of(p).sum(axis=1) + g.AffineVec.of(c) * (1 << f)
    q = g.rescale(cs, z, f, out_bits)
    assert q.shape == (m, n)
    solved = solve(cs, (a, a_val), (b, b_val), (c, bias))
    solved.check()
    assert max(abs(int(v)) for v in acc.reshape(-1)) > 1 << 64
    assert np.array_equal(solved.read(q), ref.rescale(acc, f, out_bits))


def test_rescale_accepts_a_scalar_variable_and_zero_frac_bits():
    cs = ConstraintSystem()
    x = cs.private_input("x")
    q = g.rescale(cs, x, 0, 8)
    assert q.shape == ()
    solved = solve(cs, (np.array(x.index), [-128]))
    solved.check()
    assert solved.read(q) == -128


def test_rescale_refuses_bad_parameters():
    cs, (x,) = circuit((1,))
    with pytest.raises(ValueError, match="frac_bits"):
        g.rescale(cs, x, -1, 8)
    with pytest.raises(ValueError, match="<= 252"):
        g.rescale(cs, x, 200, 60)
    with pytest.raises(TypeError, match="frac_bits"):
        g.rescale(cs, x, 1.5, 8)
