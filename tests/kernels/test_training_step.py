# SPDX-License-Identifier: MIT
"""The MLP training step kernel: on random inputs (hypothesis) the witness satisfies
the circuit and its loss and updated weights equal the integer reference and an
independent plain-Python training step exactly; any lying wire breaks a constraint;
the public signals are the four documented ones, in the documented order, and chain
from one step to the next; Groth16 proves and verifies a small step (4-4-1, batch 2)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zkcx.kernels as K
from tests.kernels.helpers import assert_sound, py_backprop, py_sgd
from zkcx.errors import BoundError, KernelSpecError, ShapeError
from zkcx.field import Fr
from zkcx.groth16 import prove, setup, verify
from zkcx.kernels import grad_ops
from zkcx.params import FR_MODULUS

F = 8
ROOT = pathlib.Path(__file__).resolve().parents[2]


def py_train_step(p: dict, x, t, lr: int, f: int) -> tuple[int, dict]:
    """The step with Python ints and lists only (independent of NumPy's shifts)."""
    loss, grads = py_backprop(p, x, t, f)
    return loss, {name: py_sgd(p[name], grads[name], lr, f) for name in grads}


def random_step(kernel: K.MLPTrain, rng: np.random.Generator, magnitude: int = 1 << 8):
    p = {n: rng.integers(-magnitude, magnitude + 1, size=s) for n, s in kernel.shapes}
    x = rng.integers(-magnitude, magnitude + 1, size=(kernel.batch, kernel.sizes[0]))
    t = rng.integers(-magnitude, magnitude + 1, size=(kernel.batch, kernel.sizes[-1]))
    return p, x, t, {"weights": kernel.pack_weights(p), "data": kernel.pack_data(x, t)}


@settings(max_examples=5, deadline=None)
@given(sizes=st.sampled_from([[2, 1], [3, 2, 1], [2, 3, 2, 2]]), batch=st.integers(1, 3),
       seed=st.integers(0, 2**32 - 1))
def test_a_training_step_equals_the_integer_reference_and_a_plain_python_step(sizes, batch,
                                                                            seed):
    rng = np.random.default_rng(seed)
    k = K.mlp_train(sizes, batch=batch, lr=0.25, frac_bits=F, bound_bits=16)
    p, x, t, ins = random_step(k, rng)
    assert_sound(k, ins, rng, n_perturb=32)
    out = k.reference(**ins)
    loss, new = py_train_step(p, x, t, 64, F)
    assert int(out["loss"]) == loss
    got = k.unpack_weights(out["weights_next"])
    for name, values in new.items():
        np.testing.assert_array_equal(got[name].reshape(-1), values)


def test_the_public_signals_are_the_two_model_commitments_the_batch_and_the_loss():
    rng = np.random.default_rng(3)
    k = K.mlp_train([3, 2, 1], batch=2)
    assert k.public_inputs == ["commit(weights_next)", "loss[]", "commit(weights)",
                               "commit(data)"]
    assert k.model_commitment_positions == (2, 0)
    assert (k.loss_position, k.data_commitment_position) == (1, 3)
    _, _, _, ins = random_step(k, rng)
    w = k.witness(**ins)
    out = k.reference(**ins)
    assert w.public[2] == K.commit(ins["weights"], k.spec, "weights")
    assert w.public[3] == K.commit(ins["data"], k.spec, "data")
    assert w.public[0] == K.commit(out["weights_next"], k.spec, "weights_next")
    assert w.public[1] == int(out["loss"]) % FR_MODULUS
    # the model after one step is the model before the next
    w2 = k.witness(weights=out["weights_next"], data=ins["data"])
    before, after = k.model_commitment_positions
    assert w2.public[before] == w.public[after]


def test_floats_are_quantized_and_packing_round_trips():
    k = K.mlp_train([3, 2, 1], batch=2)
    rng = np.random.default_rng(0)
    p = {n: rng.normal(size=s) * 0.5 for n, s in k.shapes}
    flat = k.pack_weights(p)
    assert flat.shape == (3 * 2 + 2 + 2 + 1,)
    back = k.unpack_weights(flat)
    for n in p:
        np.testing.assert_array_equal(back[n], p[n])
    x, t = rng.normal(size=(2, 3)), rng.normal(size=(2, 1))
    ins = {"weights": flat, "data": k.pack_data(x, t)}
    k.circuit().check(k.witness(**ins))
    q = k.quantize_inputs(ins)
    np.testing.assert_array_equal(q["weights"], np.round(flat * 256).astype(np.int64))


def test_bad_shapes_and_bounds_are_refused():
    k = K.mlp_train([3, 2, 1], batch=2)
    with pytest.raises(ShapeError, match="W2"):
        k.pack_weights({"W1": np.zeros((2, 3)), "b1": np.zeros(2), "W2": np.zeros((2, 1)),
                        "b2": np.zeros(1)})
    with pytest.raises(ShapeError, match="missing"):
        k.pack_weights({"W1": np.zeros((2, 3))})
    with pytest.raises(ShapeError):
        k.pack_data(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(KernelSpecError, match="weights_next"):
        K.mlp_train([3, 2, 1], bounds={"weights_next": 20})
    with pytest.raises(KernelSpecError, match="layer sizes"):
        K.mlp_train([3])
    with pytest.raises(KernelSpecError, match="above the 62-bit limit"):
        K.mlp_train([3, 2, 1], bound_bits=40)


def test_an_intermediate_that_overflows_its_bound_is_refused_before_proving():
    k = K.mlp_train([2, 2, 1], batch=1, frac_bits=0, bound_bits=8, lr=1)
    ins = {"weights": np.array([1, 1, 0, 0, 0, 0, 1, 0, 0]),
           "data": np.array([[100, 100, 0]])}
    with pytest.raises(BoundError, match="layer1 pre-activation"):
        k.witness(**ins)


def float_step(kernel: K.MLPTrain, seed: int, scale: float) -> dict:
    """A step's inputs from seeded normal floats: weights ~ N(0, scale^2), a batch of
    data and targets ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    p = {n: rng.normal(size=s) * scale for n, s in kernel.shapes}
    data = kernel.pack_data(rng.normal(size=(kernel.batch, kernel.sizes[0])),
                            rng.normal(size=(kernel.batch, kernel.sizes[-1])))
    return {"weights": kernel.pack_weights(p), "data": data}


def proved_step(kernel: K.MLPTrain, ins: dict):
    """Set up, prove and verify the step on ``ins``, its public signals those of the
    reference: (proving key, proof, public signals)."""
    r1cs = kernel.circuit()
    pk = setup(r1cs)
    proof, public = prove(pk, kernel.witness(**ins), r1cs)
    assert public == kernel.public_values(**kernel.reference(**ins), **ins)
    assert verify(pk.verifying_key, public, proof)
    return pk, proof, public


def test_a_small_training_step_proves_and_verifies_and_rejects_a_wrong_model():
    k = K.mlp_train([4, 4, 1], batch=2, lr=0.125, frac_bits=8, bound_bits=16)
    pk, proof, public = proved_step(k, float_step(k, 11, 0.5))
    before, after = k.model_commitment_positions
    for index in (before, after, k.loss_position, k.data_commitment_position):
        tampered = list(public)
        tampered[index] = (tampered[index] + 1) % FR_MODULUS
        assert not verify(pk.verifying_key, tampered, proof)


def test_a_lying_relu_mask_breaks_a_constraint(monkeypatch):
    """The backward pass reads the forward pass's sign bits: flipping one (a prover
    claiming a negative pre-activation is positive, or the reverse) breaks a
    constraint."""
    seen = []
    original = grad_ops.relu_mask

    def recording(cs, z, bound_bits):
        mask = original(cs, z, bound_bits)
        seen.append(mask.variables[mask.variables != 0])
        return mask

    monkeypatch.setattr(grad_ops, "relu_mask", recording)
    rng = np.random.default_rng(5)
    k = K.mlp_train([2, 3, 1], batch=2, frac_bits=F)
    _, _, _, ins = random_step(k, rng)
    r1cs = k.circuit()
    w = k.witness(**ins)
    sign_bits = np.concatenate(seen)
    assert sign_bits.size == 2 * 3
    for var in sign_bits:
        wire = int(r1cs.wire_of[var])
        bad = w.values.copy()
        bad[wire] = Fr(1) - bad[wire]  # flip the bit
        assert not r1cs.is_satisfied(bad)


@pytest.mark.slow
def test_the_catalogue_training_step_proves_and_verifies():
    k = K.load(ROOT / "circuits" / "mlp_16_16_1_train.toml")
    assert k.batch == 8 and k.sizes[0] == 16 and k.sizes[-1] == 1
    proved_step(k, float_step(k, 2, 0.25))
