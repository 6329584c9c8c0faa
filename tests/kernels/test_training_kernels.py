# SPDX-License-Identifier: MIT
"""The gradient kernels (MSE loss and gradient, dense and ReLU backward, SGD update) on
random inputs (hypothesis): the witness satisfies the circuit, the outputs equal the
NumPy reference and an independent plain-Python reference exactly, a changed output
and any lying hint break a constraint; floors go toward -inf on negative values; a
lying quotient of the constant division is caught; bad parameters are refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zkcx.kernels as K
from tests.kernels.helpers import (
    assert_sound,
    floor_div,
    py_matmul,
    random_inputs,
    sound_random_inputs,
)
from zkcx.errors import BoundError, KernelSpecError, UnsatisfiedConstraintError
from zkcx.field import FrVec
from zkcx.kernels import grad_ops
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem

F = 8
seeds = st.integers(0, 2**32 - 1)
small = st.integers(1, 4)


def _py(values) -> list:
    return np.asarray(values).tolist()


@settings(max_examples=8, deadline=None)
@given(batch=st.integers(1, 5), outputs=st.integers(1, 3), seed=seeds)
def test_mse_loss_is_the_floored_mean_of_the_squared_errors(batch, outputs, seed):
    k = K.mse_loss(batch, outputs, frac_bits=F, bound_bits=16)
    # |Y - T| <= 2^11, so L = floor(sum (Y - T)^2 / (n 2^F)) <= 2^22 / 2^8 = 2^14 fits the
    # 16-bit signed bound of L (inputs up to 2^11 gave errors up to 2^12 and L up to 2^16)
    x = sound_random_inputs(k, seed, 1 << 10)
    y, t = _py(x["Y"]), _py(x["T"])
    total = sum((a - b) ** 2 for ry, rt in zip(y, t) for a, b in zip(ry, rt))
    assert int(k.reference(**x)["L"]) == total // (batch * outputs * (1 << F))


@settings(max_examples=8, deadline=None)
@given(batch=st.integers(1, 5), outputs=st.integers(1, 3), seed=seeds)
def test_mse_grad_floors_twice_the_error_over_n(batch, outputs, seed):
    k = K.mse_grad(batch, outputs, frac_bits=F, bound_bits=16)
    x = sound_random_inputs(k, seed, 1 << 13)
    n = batch * outputs
    expect = [[(2 * (a - b)) // n for a, b in zip(ry, rt)]
              for ry, rt in zip(_py(x["Y"]), _py(x["T"]))]
    np.testing.assert_array_equal(k.reference(**x)["dY"], expect)


@settings(max_examples=6, deadline=None)
@given(batch=small, n_in=small, n_out=small, seed=seeds)
def test_dense_backward_gives_dw_db_dx_each_rescaled_once(batch, n_in, n_out, seed):
    k = K.dense_backward(batch, n_in, n_out, frac_bits=F, bound_bits=16)
    x = sound_random_inputs(k, seed, 1 << 9)
    out = k.reference(**x)
    np.testing.assert_array_equal(out["dW"], py_matmul(x["dY"].T, x["X"], F))
    np.testing.assert_array_equal(out["db"], [sum(col) for col in _py(x["dY"].T)])
    np.testing.assert_array_equal(out["dX"], py_matmul(x["dY"], x["W"], F))


@settings(max_examples=8, deadline=None)
@given(n=st.integers(1, 12), seed=seeds)
def test_relu_backward_passes_the_gradient_where_the_pre_activation_is_non_negative(n, seed):
    rng = np.random.default_rng(seed)
    k = K.relu_backward(n, bound_bits=12)
    x = random_inputs(k, rng, 1 << 11)
    x["Z"][0] = 0  # relu'(0) = 1, as the relu gadget's select bit
    assert_sound(k, x, rng)
    expect = [dh if z >= 0 else 0 for dh, z in zip(_py(x["dH"]), _py(x["Z"]))]
    np.testing.assert_array_equal(k.reference(**x)["dZ"], expect)


@settings(max_examples=8, deadline=None)
@given(rows=small, cols=small, seed=seeds, lr=st.sampled_from([0.0625, 0.1, 1.0, 3]))
def test_sgd_update_rescales_w_minus_eta_dw_once(rows, cols, seed, lr):
    k = K.sgd_update((rows, cols), lr=lr, frac_bits=F, bound_bits=16)
    x = sound_random_inputs(k, seed, 1 << 12)
    eta = lr if isinstance(lr, int) else round(lr * 2**F)
    expect = [[floor_div(w * (1 << F) - eta * g, F) for w, g in zip(rw, rg)]
              for rw, rg in zip(_py(x["W"]), _py(x["dW"]))]
    np.testing.assert_array_equal(k.reference(**x)["W_next"], expect)


def test_negative_gradients_rescale_toward_minus_infinity():
    k = K.dense_backward(1, 2, 1, frac_bits=8, bound_bits=16)
    ins = {"dY": np.array([[-1]]), "X": np.array([[1, 256]]), "W": np.array([[3, -300]])}
    w = k.witness(**ins)
    k.circuit().check(w)
    # -1/256 -> -1 (not 0); -256/256 = -1 exactly; -3/256 -> -1; 300/256 -> 1
    np.testing.assert_array_equal(k.read(w, "dW"), [[-1, -1]])
    np.testing.assert_array_equal(k.read(w, "dX"), [[-1, 1]])
    g = K.mse_grad(3, frac_bits=8)
    out = g.reference(Y=np.array([[0], [0], [5]]), T=np.array([[1], [0], [0]]))["dY"]
    np.testing.assert_array_equal(out, [[-1], [0], [3]])  # floor(-2/3) = -1, floor(10/3) = 3
    s = K.sgd_update(2, lr=1, frac_bits=8)  # η = 2^-8: W' = floor(W - dW/256)
    np.testing.assert_array_equal(s.reference(W=np.array([0, 0]), dW=np.array([1, -1]))
                                  ["W_next"], [-1, 0])


def test_a_truncated_quotient_of_the_constant_division_is_caught():
    """floor(-7 / 3) = -3; the truncating quotient -2 leaves the remainder -1, which no
    boolean decomposition can carry: a prover putting the excess on a bit fails
    booleanity, one keeping honest bits fails the sum."""
    cs = ConstraintSystem("floor-divide")
    z = cs.new_variables(1, "private")
    q_first = cs.n_variables
    q = grad_ops.floor_divide(cs, z, 3, 8, label="kernels/t/divide")
    r1cs = cs.build()
    w = r1cs.solve([(z, FrVec.from_ints([(-7) % FR_MODULUS]))])
    r1cs.check(w)
    assert int(w.values[r1cs.wire_of[q.reshape(-1)]].to_ints()[0]) == (-3) % FR_MODULUS
    # variables: q, 8 bound bits, 2 remainder bits, 2 bits of d - 1 - R
    rem_bits = np.arange(q_first + 9, q_first + 11)
    lie = w.values.copy()
    lie[r1cs.wire_of[q.reshape(-1)]] = FrVec.from_ints([(-2) % FR_MODULUS])
    lie[r1cs.wire_of[np.arange(q_first + 1, q_first + 9)]] = FrVec.from_ints(
        [((-2 + 128) >> i) & 1 for i in range(8)])
    with pytest.raises(UnsatisfiedConstraintError, match="remainder"):
        r1cs.check(lie)
    lie[r1cs.wire_of[rem_bits[:1]]] = FrVec.from_ints([(1 - 3) % FR_MODULUS])  # R = -1
    with pytest.raises(UnsatisfiedConstraintError, match="remainder/boolean"):
        r1cs.check(lie)


def test_a_remainder_of_at_least_the_divisor_is_caught():
    """Q - 1 with R + d: R = 3 fits R's two bits but not d - 1 - R >= 0."""
    cs = ConstraintSystem("floor-divide")
    z = cs.new_variables(1, "private")
    first = cs.n_variables
    q = grad_ops.floor_divide(cs, z, 3, 8, label="kernels/t/divide")
    r1cs = cs.build()
    w = r1cs.solve([(z, FrVec.from_ints([5]))])  # Q = 1, R = 2
    lie = w.values.copy()
    lie[r1cs.wire_of[q.reshape(-1)]] = FrVec.from_ints([0])  # Q = 0, R = 5 - 0 = 5 -> no
    lie[r1cs.wire_of[np.arange(first + 1, first + 9)]] = FrVec.from_ints(
        [(128 >> i) & 1 for i in range(8)])
    with pytest.raises(UnsatisfiedConstraintError):
        r1cs.check(lie)


def test_a_loss_beyond_its_bound_is_refused_before_proving():
    k = K.mse_loss(1, frac_bits=0, bound_bits=8, loss_bits=4)
    k.witness(Y=np.array([[2]]), T=np.array([[0]]))  # 4 < 8
    with pytest.raises(BoundError):
        k.witness(Y=np.array([[3]]), T=np.array([[0]]))  # 9 >= 8


@pytest.mark.parametrize("lr", [0.0, -0.5, 0.001, float("nan"), "fast", True])
def test_a_learning_rate_that_is_not_a_positive_fixed_point_number_is_refused(lr):
    with pytest.raises(KernelSpecError, match="learning rate"):
        K.sgd_update(4, lr=lr, frac_bits=8)


def test_sgd_update_refuses_a_next_bound_unlike_the_weights():
    with pytest.raises(KernelSpecError, match="W_next"):
        K.sgd_update(4, bounds={"W_next": 20})
