# SPDX-License-Identifier: MIT
"""Data-parallel training kernels: a shard's gradient (mlp_grad) and the aggregation
(grad_aggregate). On random inputs (hypothesis) the witness satisfies the circuit, any
lying wire breaks a constraint, and the outputs equal the integer reference and an
independent plain-Python computation; the public signals are the documented ones; the
data-parallel reference (zkcx.kernels.sharded) equals plain Python step by step and,
with one shard, the single training step; kernels that would not chain are refused;
Groth16 proves and verifies the small catalogue pair."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zkcx.kernels as K
from tests.kernels.helpers import assert_sound, py_backprop, py_sgd
from zkcx.errors import BoundError, KernelInputError, KernelSpecError, ShapeError
from zkcx.groth16 import prove, setup, verify
from zkcx.kernels.grad_aggregate import MAX_SHARDS, gradient_names
from zkcx.kernels.sharded import check_compatible, data_parallel_kernels, data_parallel_sgd
from zkcx.params import FR_MODULUS

F = 8
ROOT = pathlib.Path(__file__).resolve().parents[2]
SIZES = st.sampled_from([[2, 1], [3, 2, 1], [2, 3, 2, 2]])


def random_model(kernel, rng, magnitude: int = 1 << 8) -> tuple[dict, np.ndarray]:
    p = {n: rng.integers(-magnitude, magnitude + 1, size=s) for n, s in kernel.shapes}
    return p, kernel.pack_weights(p)


def random_shard(kernel, rng, magnitude: int = 1 << 8):
    x = rng.integers(-magnitude, magnitude + 1, size=(kernel.batch, kernel.sizes[0]))
    t = rng.integers(-magnitude, magnitude + 1, size=(kernel.batch, kernel.sizes[-1]))
    return x, t, kernel.pack_data(x, t)


def flat(grads: dict, kernel) -> list[int]:
    return [v for n, _ in kernel.shapes for v in grads[n]]


# -- the shard gradient ---------------------------------------------------------------------
@settings(max_examples=6, deadline=None)
@given(sizes=SIZES, batch=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_a_shard_gradient_equals_the_reference_and_a_plain_python_pass(sizes, batch, seed):
    rng = np.random.default_rng(seed)
    k = K.mlp_grad(sizes, batch=batch, frac_bits=F, bound_bits=16)
    p, w = random_model(k, rng)
    x, t, data = random_shard(k, rng)
    ins = {"weights": w, "data": data}
    assert_sound(k, ins, rng, n_perturb=32)
    out = k.reference(**ins)
    loss, grads = py_backprop(p, x, t, F)
    assert int(out["loss"]) == loss
    assert out["gradient"].tolist() == flat(grads, k)


def test_the_gradient_is_the_training_steps_and_its_public_signals_are_documented():
    """mlp_train's step is W' = sgd(W, gradient) with mlp_grad's gradient: one pass."""
    rng = np.random.default_rng(3)
    g = K.mlp_grad([3, 2, 1], batch=2)
    train = K.mlp_train([3, 2, 1], batch=2, lr=0.25)
    _, w = random_model(g, rng)
    _, _, data = random_shard(g, rng)
    out = g.reference(weights=w, data=data)
    step = train.reference(weights=w, data=data)
    assert step["weights_next"].tolist() == py_sgd(w, out["gradient"], train.lr, F)
    assert step["loss"] == out["loss"]
    assert g.public_inputs == ["commit(gradient)", "loss[]", "commit(weights)", "commit(data)"]
    assert (g.gradient_commitment_position, g.loss_position, g.weights_commitment_position,
            g.data_commitment_position) == (0, 1, 2, 3)
    # a gradient proof does not advance a model: the rollup reads this attribute
    assert not hasattr(g, "model_commitment_positions")
    wit = g.witness(weights=w, data=data)
    assert wit.public == [K.commit(out["gradient"], g.spec, "gradient"),
                          int(out["loss"]) % FR_MODULUS, K.commit(w, g.spec, "weights"),
                          K.commit(data, g.spec, "data")]
    # the same weights commit alike in mlp_train, mlp_grad and grad_aggregate
    a = K.grad_aggregate([3, 2, 1], shards=2)
    assert (K.commit(w, g.spec, "weights") == K.commit(w, train.spec, "weights")
            == K.commit(w, a.spec, "weights"))


def test_a_bias_gradient_beyond_grad_bits_is_refused_before_proving():
    """db sums G over the batch; dW and G are range-checked to grad_bits in the pass,
    db only through the gradient's bound, which the reference checks first."""
    k = K.mlp_grad([1, 1], batch=4, frac_bits=0, bound_bits=8, grad_bits=8, loss_bits=16)
    # x = 0, y = 0, t = -32 for every sample: G = floor(2·32 / 4) = 16 each, dW = 0,
    # db = 64
    ok = {"weights": np.array([0, 0]), "data": np.array([[0, -32]] * 4)}
    assert k.reference(**ok)["gradient"].tolist() == [0, 64]
    bad = {"weights": np.array([0, 0]), "data": np.array([[0, -64]] * 4)}  # db = 128
    with pytest.raises(BoundError, match="output overflow"):
        k.witness(**bad)


# -- the aggregation ------------------------------------------------------------------------
@settings(max_examples=8, deadline=None)
@given(sizes=SIZES, shards=st.integers(1, 5), lr=st.sampled_from([0.0625, 0.1, 0.25]),
       seed=st.integers(0, 2**32 - 1))
def test_an_aggregation_equals_the_reference_and_plain_python(sizes, shards, lr, seed):
    rng = np.random.default_rng(seed)
    a = K.grad_aggregate(sizes, shards=shards, lr=lr, frac_bits=F, bound_bits=16)
    n = a.spec["weights"].size
    # any gradient within its bound; weights with room for a step of at most 2^15·η
    gradients = [rng.integers(-(1 << 15), 1 << 15, size=n) for _ in range(shards)]
    w = rng.integers(-(1 << 13), 1 << 13, size=n)
    ins = {"weights": w, **dict(zip(gradient_names(shards), gradients))}
    assert_sound(a, ins, rng, n_perturb=32)
    mean = [sum(int(g[i]) for g in gradients) // shards for i in range(n)]  # Python floors
    assert a.reference(**ins)["weights_next"].tolist() == py_sgd(w, mean, a.lr, F)


def test_the_mean_floors_toward_minus_infinity():
    a = K.grad_aggregate([1, 1], shards=3, lr=1, frac_bits=0, bound_bits=8)
    # sums -1 and 1 over 3 shards: means floor(-1/3) = -1 and floor(1/3) = 0
    out = a.reference(weights=np.array([0, 0]), gradient_0=np.array([-1, 1]),
                      gradient_1=np.array([0, 0]), gradient_2=np.array([0, 0]))
    assert out["weights_next"].tolist() == [1, 0]


@pytest.mark.parametrize("lie", [1, -1])
def test_a_mean_off_by_one_has_no_satisfying_witness(monkeypatch, lie):
    """A prover whose division hint answers floor(Σ/K) ± 1 (every later wire derived
    from it consistently) cannot satisfy the circuit: the remainder leaves [0, K)."""
    from zkcx.kernels import grad_ops

    a = K.grad_aggregate([2, 1], shards=3, lr=0.25)
    rng = np.random.default_rng(1)
    ins = {"weights": rng.integers(-99, 100, 3),
           **{g: rng.integers(-99, 100, 3) for g in gradient_names(3)}}
    r1cs = a.circuit()
    assert r1cs.is_satisfied(a.witness(**ins).values)
    honest = grad_ops.from_signed
    monkeypatch.setattr(grad_ops, "from_signed", lambda v: honest(np.asarray(v) + lie))
    assert not r1cs.is_satisfied(a.witness(**ins).values)


def test_the_aggregations_public_signals_and_model_positions():
    a = K.grad_aggregate([3, 2, 1], shards=3)
    assert a.public_inputs == ["commit(weights_next)", "commit(weights)", "commit(gradient_0)",
                               "commit(gradient_1)", "commit(gradient_2)"]
    assert a.model_commitment_positions == (1, 0)
    assert a.gradient_commitment_positions == [2, 3, 4]
    assert a.with_binding().public_inputs[-1] == "claim_binding"


def test_bad_aggregation_parameters_are_refused():
    for shards in (0, -1, 1.5, True, "4", MAX_SHARDS + 1, 1 << 24):
        with pytest.raises(KernelSpecError, match="shards"):
            K.grad_aggregate([3, 1], shards=shards)
    with pytest.raises(KernelSpecError, match="MAX_TENSOR_ELEMENTS"):
        K.grad_aggregate([4096, 4096], shards=2)  # a catalogue file could ask for this
    with pytest.raises(KernelSpecError, match="weights_next"):
        K.grad_aggregate([3, 1], bounds={"weights_next": 20})
    with pytest.raises(KernelSpecError, match="layer sizes"):
        K.grad_aggregate([3])
    with pytest.raises(KernelSpecError, match="learning rate"):
        K.grad_aggregate([3, 1], lr=0.0)
    with pytest.raises(KernelSpecError, match="62-bit limit"):
        K.grad_aggregate([3, 1], bound_bits=56)


# -- the pair and the data-parallel reference -----------------------------------------------
def test_only_kernels_whose_commitments_chain_are_paired():
    g, a = data_parallel_kernels([3, 2, 1], shard_batch=2, shards=4)
    check_compatible(g, a)
    for other in (K.grad_aggregate([3, 3, 1], shards=4),
                  K.grad_aggregate([3, 2, 1], shards=4, grad_bits=20),
                  K.grad_aggregate([3, 2, 1], shards=4, bound_bits=18),
                  K.grad_aggregate([3, 2, 1], shards=4, frac_bits=6)):
        with pytest.raises(KernelSpecError, match="do not chain"):
            check_compatible(g, other)


def py_data_parallel(w, shards, steps, lr, kernel):
    """Data-parallel SGD in plain Python from the plain-Python pass."""
    w = [int(v) for v in w]
    for _ in range(steps):
        p = kernel.unpack_weights(np.array(w))
        grads = [flat(py_backprop(p, x, t, F)[1], kernel) for x, t in shards]
        mean = [sum(col) // len(grads) for col in zip(*grads)]
        w = py_sgd(w, mean, lr, F)
    return w


@settings(max_examples=5, deadline=None)
@given(sizes=SIZES, batch=st.integers(1, 3), shards=st.integers(1, 4),
       steps=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_the_data_parallel_reference_equals_plain_python_and_chains(sizes, batch, shards, steps,
                                                                   seed):
    rng = np.random.default_rng(seed)
    g, a = data_parallel_kernels(sizes, batch, shards, lr=0.25)
    _, w = random_model(g, rng)
    parts = [random_shard(g, rng) for _ in range(shards)]
    run = data_parallel_sgd(g, a, w, [d for _, _, d in parts], steps)
    assert run.final_weights.tolist() == py_data_parallel(
        w, [(x, t) for x, t, _ in parts], steps, a.lr, g)
    assert len(run.steps) == steps and len(run.weight_commitments) == steps + 1
    assert run.data_commitments == tuple(K.commit(d, g.spec, "data") for _, _, d in parts)
    for s, step in enumerate(run.steps):
        assert step.step == s
        assert step.weights_commitment == K.commit(step.weights, g.spec, "weights")
        assert step.weights_next_commitment == K.commit(step.weights_next, a.spec,
                                                        "weights_next")
        for (_, _, d), grad, c, loss in zip(parts, step.gradients, step.gradient_commitments,
                                            step.losses):
            out = g.reference(weights=step.weights, data=d)
            assert out["gradient"].tolist() == grad.tolist() and int(out["loss"]) == loss
            assert c == K.commit(grad, a.spec, "gradient_0")
        if s:
            assert step.weights_commitment == run.steps[s - 1].weights_next_commitment


def test_one_shard_of_data_parallel_sgd_is_the_training_step():
    rng = np.random.default_rng(8)
    g, a = data_parallel_kernels([4, 3, 1], shard_batch=3, shards=1, lr=0.125)
    train = K.mlp_train([4, 3, 1], batch=3, lr=0.125)
    _, w = random_model(g, rng)
    _, _, data = random_shard(g, rng)
    run = data_parallel_sgd(g, a, w, [data], steps=2)
    once = train.reference(weights=w, data=data)["weights_next"]
    twice = train.reference(weights=once, data=data)["weights_next"]
    assert run.steps[0].weights_next.tolist() == once.tolist()
    assert run.final_weights.tolist() == twice.tolist()


def test_bad_runs_are_refused():
    g, a = data_parallel_kernels([3, 1], shard_batch=2, shards=2)
    w, d = np.zeros(4), np.zeros((2, 4))
    with pytest.raises(KernelInputError, match="aggregates 2 shards"):
        data_parallel_sgd(g, a, w, [d], 1)
    for steps in (0, -2, 1.0, True):
        with pytest.raises(KernelInputError, match="steps"):
            data_parallel_sgd(g, a, w, [d, d], steps)
    with pytest.raises(ShapeError):
        data_parallel_sgd(g, a, w, [d, np.zeros((3, 4))], 1)
    with pytest.raises(KernelSpecError, match="do not chain"):
        data_parallel_sgd(g, K.grad_aggregate([3, 2], shards=2), w, [d, d], 1)


# -- Groth16 --------------------------------------------------------------------------------
def _prove_and_verify(kernel, ins):
    r1cs = kernel.circuit()
    pk = setup(r1cs)
    proof, public = prove(pk, kernel.witness(**ins), r1cs)
    assert public == kernel.public_values(**kernel.reference(**ins), **ins)
    assert verify(pk.verifying_key, public, proof)
    for index in range(len(public)):
        tampered = list(public)
        tampered[index] = (tampered[index] + 1) % FR_MODULUS
        assert not verify(pk.verifying_key, tampered, proof)
    return public


def _catalogue_pair_proves(prefix: str, scale: float) -> None:
    g = K.load(ROOT / "circuits" / f"{prefix}_grad.toml")
    a = K.load(ROOT / "circuits" / f"{prefix}_aggregate_4.toml")
    check_compatible(g, a)
    rng = np.random.default_rng(2)
    p = {n: rng.normal(size=s) * scale for n, s in g.shapes}
    w = g.quantize_inputs({"weights": g.pack_weights(p), "data": np.zeros(g.spec["data"].shape)})
    w = w["weights"]
    shards = [g.pack_data(rng.normal(size=(g.batch, g.sizes[0])),
                          rng.normal(size=(g.batch, g.sizes[-1]))) for _ in range(4)]
    gradient_publics = [_prove_and_verify(g, {"weights": w, "data": d}) for d in shards]
    grads = {n: g.reference(weights=w, data=d)["gradient"]
             for n, d in zip(gradient_names(4), shards)}
    public = _prove_and_verify(a, {"weights": w, **grads})
    assert [public[i] for i in a.gradient_commitment_positions] == [
        p[g.gradient_commitment_position] for p in gradient_publics]


def test_the_small_catalogue_pair_proves_and_verifies():
    _catalogue_pair_proves("mlp_4_4_1", 0.5)


@pytest.mark.slow
def test_the_16_16_1_catalogue_pair_proves_and_verifies():
    _catalogue_pair_proves("mlp_16_16_1", 0.25)
