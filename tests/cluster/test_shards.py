# SPDX-License-Identifier: MIT
"""A sharded training job proved on the cluster (``Cluster.map_shards``): 4 shards x 2
steps of the catalogue's mlp_4_4_1 pair, with claim bindings; every proof verifies,
carries the public signals of the in-process witness of the same task on the exact
data-parallel reference, the commitments chain as the reference's, and the final weights
are the reference's. A task that cannot be proved stops the job naming it."""

from __future__ import annotations

import io
import pathlib

import numpy as np
import pytest

from tests.market.job_helpers import sharded_training
from zkcx import groth16
from zkcx import kernels as K
from zkcx.cluster import ClusterError, ShardKernel
from zkcx.errors import TrainingPlanError
from zkcx.kernels.grad_aggregate import gradient_names
from zkcx.kernels.job_split import Produced, split_training_job

CIRCUITS = pathlib.Path(__file__).resolve().parents[2] / "circuits"
SHARDS, STEPS = 4, 2


def _bound(name: str) -> str:
    """The catalogue text of ``name`` with the claim binding."""
    return (CIRCUITS / f"{name}.toml").read_text() + "binding = true\n"


def _binding(task) -> int:
    return 1000 + sum(map(ord, task.task_id))


@pytest.fixture(scope="module")
def job():
    grad, agg, w0, data, run = sharded_training(SHARDS, STEPS)
    specs = {"gradient": _bound("mlp_4_4_1_grad"), "aggregate": _bound("mlp_4_4_1_aggregate_4")}
    kernels = {role: K.load(io.BytesIO(text.encode())) for role, text in specs.items()}
    keys = {role: groth16.setup(k.circuit()) for role, k in kernels.items()}
    shard_kernels = {role: ShardKernel(specs[role], groth16.zkey_bytes(keys[role]))
                     for role in specs}
    plan = split_training_job(K.commit(w0, grad.spec, "weights"),
                              [K.commit(d, grad.spec, "data") for d in data], STEPS)
    tensors = {K.commit(w0, grad.spec, "weights"): w0}
    tensors.update({K.commit(d, grad.spec, "data"): d for d in data})
    return kernels, keys, shard_kernels, plan, tensors, w0, data, run


def test_a_sharded_job_on_the_cluster_equals_the_in_process_run(cluster, job):
    kernels, keys, shard_kernels, plan, tensors, _w0, data, run = job
    proofs = cluster.map_shards(plan, shard_kernels["gradient"], shard_kernels["aggregate"],
                                tensors, binding=_binding)
    assert list(proofs.results) == [t.task_id for t in plan.tasks]
    for task in plan.tasks:
        r = proofs.results[task.task_id]
        kernel, vk = kernels[task.role], keys[task.role].verifying_key
        assert groth16.verify(vk, r.public, r.proof, bounds=kernel.public_bounds())
        step = run.steps[task.step]
        if task.role == "gradient":
            inputs = {"weights": step.weights, "data": data[task.shard]}
        else:
            inputs = {"weights": step.weights,
                      **dict(zip(gradient_names(SHARDS), step.gradients))}
        in_process = kernel.witness(**inputs, claim_binding=_binding(task))
        assert list(r.public) == in_process.public
    for s, step in enumerate(run.steps):
        assert [proofs.produced[Produced(f"step{s}/shard{k}", "gradient")]
                for k in range(SHARDS)] == list(step.gradient_commitments)
        assert proofs.produced[Produced(f"step{s}/aggregate", "weights_next")] == \
            step.weights_next_commitment
    np.testing.assert_array_equal(proofs.final_weights, run.final_weights)


def test_a_missing_tensor_or_an_unprovable_task_stops_the_job(cluster, job):
    _kernels, _keys, shard_kernels, plan, tensors, _w0, data, _run = job
    grad_spec = shard_kernels["gradient"]
    without = {c: t for c, t in tensors.items() if t is not data[2]}
    with pytest.raises(TrainingPlanError, match="step0/shard2: no tensor for its data"):
        cluster.map_shards(plan, grad_spec, shard_kernels["aggregate"], without, _binding)
    wrong = ShardKernel(shard_kernels["aggregate"].spec, grad_spec.zkey)  # not its key
    with pytest.raises(ClusterError, match="training task step0/aggregate was not proved"):
        cluster.map_shards(plan, grad_spec, wrong, tensors, _binding)
