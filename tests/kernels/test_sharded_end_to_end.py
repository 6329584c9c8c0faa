# SPDX-License-Identifier: MIT
"""A sharded training job end to end at the kernel level: 4 shards x 3 steps of a
4-4-1 MLP (the catalogue pair mlp_4_4_1_grad / mlp_4_4_1_aggregate_4), split into
tasks by zkcx.kernels.job_split; every shard gradient and every aggregation is proved
and verified with Groth16, each proof's input commitments are the ones its task
requires (the outputs of the proofs before it), and the final weights equal the exact
data-parallel reference and lie within the float64 error bound.

The provers hold the tensors off chain in a store keyed by commitment, the way a
market's nodes would fetch them: a task names commitments only."""

from __future__ import annotations

import pathlib

import numpy as np

import zkcx.kernels as K
from zkcx.groth16 import prove, setup, verify
from zkcx.kernels.accuracy import (
    FLOAT64_SLACK,
    data_parallel_error_bound,
    float_data_parallel_sgd,
)
from zkcx.kernels.grad_aggregate import gradient_names
from zkcx.kernels.job_split import GRADIENT, Produced, split_training_job
from zkcx.kernels.sharded import check_compatible, data_parallel_sgd

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARDS, STEPS = 4, 3


def test_four_shards_by_three_steps_proved_and_verified_equal_the_reference():
    grad = K.load(ROOT / "circuits" / "mlp_4_4_1_grad.toml")
    agg = K.load(ROOT / "circuits" / "mlp_4_4_1_aggregate_4.toml")
    check_compatible(grad, agg)
    assert agg.shards == SHARDS
    rng = np.random.default_rng(2026)
    p = {n: rng.normal(size=s) * (0.5 if n.startswith("W") else 0.1) for n, s in grad.shapes}
    real_shards = [(rng.normal(size=(grad.batch, 4)), rng.normal(size=(grad.batch, 1)))
                   for _ in range(SHARDS)]
    q = [grad.quantize_inputs({"weights": grad.pack_weights(p), "data": grad.pack_data(x, t)})
         for x, t in real_shards]
    w0, data = q[0]["weights"], [s["data"] for s in q]

    # the off-chain store and the job's plan: commitments only
    store = {K.commit(w0, grad.spec, "weights"): w0}
    store.update({K.commit(d, grad.spec, "data"): d for d in data})
    plan = split_training_job(K.commit(w0, grad.spec, "weights"),
                              [K.commit(d, grad.spec, "data") for d in data], STEPS)
    keys = {GRADIENT: setup(grad.circuit())}
    keys["aggregate"] = setup(agg.circuit())
    kernels = {GRADIENT: grad, "aggregate": agg}

    produced: dict[Produced, int] = {}
    done = []
    while ready := plan.ready(produced):
        for task in ready:
            kernel, pk = kernels[task.role], keys[task.role]
            need = plan.required(task, produced)
            witness = kernel.witness(**{name: store[c] for name, c in need.items()})
            proof, public = prove(pk, witness, kernel.circuit())
            assert verify(pk.verifying_key, public, proof, bounds=kernel.public_bounds())
            new = plan.accept(task, kernel, public, produced)
            for out, c in new.items():
                store[c] = kernel.read(witness, out.tensor)
            produced.update(new)
            done.append(task.task_id)
    assert done == [t.task_id for t in plan.tasks]  # 4 shards then the aggregation, x3
    assert len(done) == SHARDS * STEPS + STEPS

    # exactly the data-parallel reference, commitment by commitment
    run = data_parallel_sgd(grad, agg, w0, data, STEPS)
    for s, step in enumerate(run.steps):
        assert [produced[Produced(f"step{s}/shard{k}", "gradient")]
                for k in range(SHARDS)] == list(step.gradient_commitments)
        assert produced[Produced(f"step{s}/aggregate", "weights_next")] == \
            step.weights_next_commitment
        assert plan.required(plan.aggregation(s), produced) == {
            "weights": step.weights_commitment,
            **dict(zip(gradient_names(SHARDS), step.gradient_commitments))}
    final = store[produced[plan.final_weights]]
    np.testing.assert_array_equal(final, run.final_weights)

    # and within the derived bound of float64 data-parallel SGD
    real = float_data_parallel_sgd(p, real_shards, STEPS, float(agg.spec.params["lr"]))
    bound = data_parallel_error_bound(real, agg.spec.frac_bits, float(agg.spec.params["lr"]))
    u = 2.0 ** -agg.spec.frac_bits
    for n, values in grad.unpack_weights(final).items():
        err = np.abs(values * u - real[-1]["next"][n])
        assert (err <= bound[-1][n] + FLOAT64_SLACK).all(), n
