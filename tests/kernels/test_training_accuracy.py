# SPDX-License-Identifier: MIT
"""The accuracy of a proved training step: on random data, the fixed-point step's loss,
intermediates and updated weights agree with a float64 NumPy training step within the
error bound derived in ``zkcx.kernels.accuracy`` (not a tuned tolerance), and that
bound is small (tens of quanta where the actual error is a few), so the test is not
vacuous."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import zkcx.kernels as K
from zkcx.kernels.accuracy import (
    FLOAT64_SLACK,
    float_training_step,
    training_step_error_bound,
)

CHECKED = ("loss", "Y", "G1", "dW1", "db1")


def _step(sizes, batch, f, lr, seed, scale=0.5):
    rng = np.random.default_rng(seed)
    # room for values up to ±128 at any f, far above these steps' values
    k = K.mlp_train(sizes, batch=batch, lr=lr, frac_bits=f, bound_bits=f + 8)
    p = {n: rng.normal(size=s) * (scale if n.startswith("W") else 0.1) for n, s in k.shapes}
    x, t = rng.normal(size=(batch, sizes[0])), rng.normal(size=(batch, sizes[-1]))
    fixed = k.trace(k.quantize_inputs({"weights": k.pack_weights(p),
                                       "data": k.pack_data(x, t)}))
    real = float_training_step(p, x, t, lr)
    return k, fixed, real, training_step_error_bound(real, f, lr)


@settings(max_examples=40, deadline=None)
@given(sizes=st.sampled_from([[4, 1], [4, 6, 1], [3, 5, 4, 2], [8, 8, 1]]),
       batch=st.integers(1, 6), f=st.sampled_from([6, 8, 10]),
       lr=st.sampled_from([0.0625, 0.1, 0.3]), seed=st.integers(0, 2**32 - 1))
def test_a_fixed_point_step_agrees_with_float64_within_the_derived_bound(sizes, batch, f, lr,
                                                                          seed):
    k, fixed, real, bound = _step(sizes, batch, f, lr, seed)
    u = 2.0 ** -f
    names = [f"{n}_next" for n, _ in k.shapes] + list(CHECKED)
    for name in names:
        err = np.abs(np.asarray(fixed[name]) * u - real[name])
        assert (err <= bound[name] + FLOAT64_SLACK).all(), (
            f"{name}: error {err.max()} above the derived bound {np.max(bound[name])}")
    # the proved outputs are these: weights_next concatenates the *_next tensors
    np.testing.assert_array_equal(fixed["weights_next"], np.concatenate(
        [np.ravel(fixed[f"{n}_next"]) for n, _ in k.shapes]))


def test_the_derived_bound_is_tens_of_quanta_on_a_typical_step():
    k, fixed, real, bound = _step([16, 16, 1], 8, 8, 0.0625, seed=1)
    u = 2.0 ** -8
    for n, _ in k.shapes:
        assert np.max(bound[f"{n}_next"]) < 32 * u  # a worst case; the error was < 2u
    assert bound["loss"] < 0.25 * max(float(real["loss"]), 1.0)
    err = abs(float(fixed["loss"]) * u - float(real["loss"]))
    assert err <= bound["loss"] + FLOAT64_SLACK


def test_a_flipped_relu_mask_is_covered_by_the_bound():
    """A pre-activation within its error of 0 may take the other side in fixed point;
    the bound then allows the whole gradient there (rule 5) and still holds."""
    rng = np.random.default_rng(4)
    f, lr = 4, 0.25
    k = K.mlp_train([2, 2, 1], batch=1, lr=lr, frac_bits=f, bound_bits=16)
    p = {"W1": np.array([[1.0, 1.0], [0.5, -0.5]]), "b1": np.array([-1.0 + 2 ** -6, 0.0]),
         "W2": np.array([[1.0, -1.0]]), "b2": np.zeros(1)}
    x = np.array([[0.5, 0.5 - 2 ** -6]])  # z1 = 0.5 + 0.484 - 0.984 = tiny
    t = rng.normal(size=(1, 1))
    real = float_training_step(p, x, t, lr)
    fixed = k.trace(k.quantize_inputs({"weights": k.pack_weights(p), "data": k.pack_data(x, t)}))
    bound = training_step_error_bound(real, f, lr)
    assert abs(real["Z1"][0, 0]) <= bound["Z1"][0, 0]  # the ambiguous case is exercised
    u = 2.0 ** -f
    for name in ("W1_next", "b1_next", "W2_next", "b2_next", "loss"):
        assert (np.abs(fixed[name] * u - real[name]) <= bound[name] + FLOAT64_SLACK).all()
