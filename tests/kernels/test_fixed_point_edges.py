# SPDX-License-Identifier: MIT
"""Fixed-point edge cases: negative values, values at the bound, negative products
rescaled toward -inf (not toward zero), outputs at the edge of their bound."""

from __future__ import annotations

import numpy as np
import pytest

import zkcx.kernels as K
from tests.kernels.helpers import assert_sound
from zkcx.errors import BoundError
from zkcx.field import Fr


def test_negative_products_round_toward_minus_infinity():
    k = K.elementwise_mul(4, frac_bits=8, bound_bits=16)
    x = np.array([-1, 1, -3, -256])
    y = np.array([1, -1, 1, -1])
    w = k.witness(X=x, Y=y)
    k.circuit().check(w)
    # -1/256 -> -1 (floor), never 0 (truncation); -256·-1 / 256 = 1 exactly
    np.testing.assert_array_equal(k.read(w, "Z"), [-1, -1, -1, 1])


def test_a_truncated_quotient_does_not_satisfy_the_circuit():
    k = K.dot(2, frac_bits=8, bound_bits=16)
    w = k.witness(x=np.array([-3, 0]), y=np.array([5, 0]))
    r1cs = k.circuit()
    assert k.read(w, "z") == -1
    lying = w.values.copy()
    lying[1] = Fr(0)  # the public output set to trunc(-15/256) = 0
    assert not r1cs.is_satisfied(lying)


def test_inputs_at_both_ends_of_the_bound():
    rng = np.random.default_rng(0)
    lo, hi = -(1 << 15), (1 << 15) - 1
    assert_sound(K.vector_add(4), {"X": np.array([lo, hi, lo, hi]),
                                   "Y": np.array([lo, hi, hi, lo])}, rng)
    assert_sound(K.relu(4), {"X": np.array([lo, hi, -1, 0])}, rng)
    # products of extreme values land exactly on the output bound
    k = K.elementwise_mul(2, frac_bits=15, bound_bits=16)
    assert_sound(k, {"X": np.array([lo, hi]), "Y": np.array([hi, hi])}, rng)
    np.testing.assert_array_equal(k.reference(X=np.array([lo, hi]), Y=np.array([hi, hi]))["Z"],
                                  [(lo * hi) >> 15, (hi * hi) >> 15])


def test_an_output_one_past_its_bound_is_refused():
    k = K.elementwise_mul(1, frac_bits=0, bound_bits=8)
    k.witness(X=np.array([127]), Y=np.array([1]))
    with pytest.raises(BoundError):
        k.witness(X=np.array([64]), Y=np.array([2]))
    with pytest.raises(BoundError):
        k.witness(X=np.array([-129 // 1 + 1]), Y=np.array([-1]))  # 128


def test_a_hidden_activation_overflow_is_refused():
    k = K.mlp_infer([2, 2, 1], frac_bits=0, bound_bits=8,
                    visibility={n: "private" for n in ("W1", "b1", "W2", "b2")})
    ins = {"X": np.array([[100, 100]]), "W1": np.array([[1, 1], [0, 0]]),
           "b1": np.zeros(2, np.int64), "W2": np.zeros((1, 2), np.int64),
           "b2": np.zeros(1, np.int64)}
    with pytest.raises(BoundError, match="layer1"):
        k.witness(**ins)


def test_normalize_with_negative_scale_and_centre():
    rng = np.random.default_rng(1)
    k = K.normalize(2, 2, frac_bits=4, bound_bits=12)
    ins = {"X": np.array([[-5, 7], [0, -2048]]), "mu": np.array([3, -1]),
           "s": np.array([-16, 1])}
    assert_sound(k, ins, rng)
    np.testing.assert_array_equal(k.reference(**ins)["Y"],
                                  [[-8 * -16 // 16, 8 // 16], [-3 * -16 // 16, -2047 // 16]])
