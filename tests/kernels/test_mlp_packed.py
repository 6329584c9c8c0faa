# SPDX-License-Identifier: MIT
"""Inference on packed weights (mlp_infer_packed): its predictions are a plain-Python
MLP's on the weights sliced in the training layout, and the training kernels' forward
pass; its commit(weights) is mlp_grad's for the same weights; it proves and verifies
with Groth16, and refuses other weights, a changed prediction and bad shapes."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zkcx.kernels as K
from tests.kernels.helpers import assert_sound, py_dense
from zkcx.errors import BoundError, KernelInputError, KernelSpecError, ShapeError
from zkcx.groth16 import prove, setup, verify
from zkcx.params import FR_MODULUS

pytest.importorskip("zkcx.gadgets.commitment")

F = 8
CIRCUITS = pathlib.Path(__file__).resolve().parents[2] / "circuits"


def slice_weights(flat, sizes) -> dict:
    """{"W1": .., "b1": ..} cut from the flat vector by hand: W_i (n_i x n_{i-1}) row
    by row, then b_i, layer after layer (the layout the training kernels document)."""
    flat, out, start = list(np.asarray(flat).tolist()), {}, 0
    for i in range(1, len(sizes)):
        rows, cols = sizes[i], sizes[i - 1]
        out[f"W{i}"] = [flat[start + r * cols: start + (r + 1) * cols] for r in range(rows)]
        start += rows * cols
        out[f"b{i}"] = flat[start: start + rows]
        start += rows
    assert start == len(flat)
    return out


def py_predict(flat, x, sizes) -> list[list[int]]:
    """The MLP's predictions with Python ints: dense, ReLU between layers."""
    p, h = slice_weights(flat, sizes), np.asarray(x).tolist()
    for i in range(1, len(sizes)):
        h = py_dense(h, p[f"W{i}"], p[f"b{i}"], F)
        if i < len(sizes) - 1:
            h = [[max(v, 0) for v in row] for row in h]
    return h


def small_inputs(k, rng, magnitude: int = 1 << 8):
    """Integer X and weights in [-magnitude, magnitude)."""
    x = rng.integers(-magnitude, magnitude, size=k.spec["X"].shape, dtype=np.int64)
    w = rng.integers(-magnitude, magnitude, size=k.spec["weights"].shape, dtype=np.int64)
    return x, w


@settings(max_examples=6, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
       batch=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_predictions_are_the_plain_mlp_and_the_training_forward_pass(sizes, batch, seed):
    rng = np.random.default_rng(seed)
    k = K.mlp_infer_packed(sizes, batch=batch, frac_bits=F, bound_bits=16)
    x, w = small_inputs(k, rng)
    assert_sound(k, {"X": x, "weights": w}, rng, n_perturb=16)
    y = k.reference(X=x, weights=w)["Y"]
    np.testing.assert_array_equal(y, py_predict(w, x, sizes))
    # the gradient kernel's forward pass on the same weights predicts the same
    grad = K.mlp_grad(sizes, batch=batch, frac_bits=F, bound_bits=16)
    data = grad.pack_data(x, np.zeros((batch, sizes[-1]), dtype=np.int64))
    np.testing.assert_array_equal(grad.trace({"weights": w, "data": data})["Y"], y)
    # and so does the inference kernel over separate tensors
    separate = K.mlp_infer(sizes, batch=batch, frac_bits=F, bound_bits=16)
    np.testing.assert_array_equal(
        separate.reference(X=x, **{n: np.asarray(v) for n, v in
                                   slice_weights(w, sizes).items()})["Y"], y)


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), floats=st.booleans())
def test_the_weights_commitment_is_the_gradient_kernels(seed, floats):
    rng = np.random.default_rng(seed)
    infer = K.load(CIRCUITS / "mlp_4_4_1_infer.toml")
    grad = K.load(CIRCUITS / "mlp_4_4_1_grad.toml")
    x, w = small_inputs(infer, rng, 1 << 5)  # small: the gradient stays in its bound
    if floats:  # both kernels quantize the same way
        w = rng.uniform(-0.125, 0.125, w.shape)
        x = rng.uniform(-0.125, 0.125, x.shape)
    data = grad.pack_data(x, rng.uniform(-0.125, 0.125, (4, 1)))
    in_grad = grad.witness(weights=w, data=data).public[grad.weights_commitment_position]
    public = infer.witness(X=x, weights=w).public
    assert public[infer.weights_commitment_position] == in_grad
    assert in_grad == K.commit(w, grad.spec, "weights")
    other = np.array(w, copy=True)
    other[0] += 1
    assert infer.witness(X=x, weights=other).public[infer.weights_commitment_position] != \
        in_grad


def test_it_proves_and_verifies_with_groth16_and_rejects_a_changed_prediction():
    sizes = [2, 2, 1]
    k = K.mlp_infer_packed(sizes, batch=2, frac_bits=F, bound_bits=16)
    rng = np.random.default_rng(11)
    x, w = small_inputs(k, rng)
    r1cs = k.circuit()
    pk = setup(r1cs)
    proof, public = prove(pk, k.witness(X=x, weights=w), r1cs)
    expected = k.public_values(Y=py_predict(w, x, sizes), weights=w)
    assert public == expected and verify(pk.verifying_key, expected, proof)
    # the predictions read back from the proof's public signals
    np.testing.assert_array_equal(k.public_tensor(public, "Y"), py_predict(w, x, sizes))
    with pytest.raises(KernelSpecError, match="weights"):
        k.public_tensor(public, "weights")  # a commitment, not values
    with pytest.raises(KernelInputError, match="public signals"):
        k.public_tensor(public[:-1], "Y")
    for position in range(len(expected)):  # a changed prediction or other weights
        tampered = list(expected)
        tampered[position] = (tampered[position] + 1) % FR_MODULUS
        assert not verify(pk.verifying_key, tampered, proof)


def test_bad_weights_and_overflowing_activations_are_refused():
    k = K.mlp_infer_packed([2, 3, 1], batch=1, frac_bits=F, bound_bits=16)
    x = np.zeros((1, 2), dtype=np.int64)
    with pytest.raises(ShapeError, match="weights"):
        k.witness(X=x, weights=np.zeros(k.spec["weights"].shape[0] - 1, dtype=np.int64))
    big = np.full(k.spec["weights"].shape, (1 << 15) - 1, dtype=np.int64)
    with pytest.raises(BoundError):
        k.witness(X=np.full((1, 2), (1 << 15) - 1, dtype=np.int64), weights=big)
