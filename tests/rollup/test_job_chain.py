# SPDX-License-Identifier: MIT
"""A sharded training job run on a rollup chain: 4 shards x 3 steps of the catalogue pair
mlp_4_4_1_grad / mlp_4_4_1_aggregate_4, registered in the chain's kernel registry with
``register_kernel`` (the gradient kernel: training kind, no model step of its own), every
transaction signed — the nodes' RegisterNode, the owner's RegisterModel, the requester's
PostJob, each claim by the node its task is assigned to — blocks appended to a SQLite
chain; the model's market version chain advances once per step (the gradient claims make
no model step, and a claim naming another model or version than its job's is refused),
its final weights equal to the NumPy data-parallel reference exactly, and
``verify_chain`` re-verifies the chain from genesis."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pytest

import zkcx.kernels as K
from tests.market.job_helpers import SCHEDULE, check, sharded_training
from tests.market.strategies import profile
from tests.rollup.conftest import CHAIN_ID, addr, sign_block
from zkcx.groth16 import prove, setup
from zkcx.market import JobStatus, Market, PostJob, RegisterModel, RegisterNode, TaskStatus
from zkcx.rewards import TOKEN, ClaimKind
from zkcx.rollup import (
    Chain,
    KernelRegistry,
    KernelRegistryError,
    RejectReason,
    SQLiteChainStore,
)
from zkcx.rollup.claim import Claim, claim_binding

SHARDS, STEPS = 4, 3
REQ, OWNER = addr("requester"), addr("owner")
NODES = tuple(addr(f"n{k}") for k in range(1, 6))
DATA_HASH = hashlib.sha256(b"the dataset's shard manifest").digest()


class Prover:
    """The nodes' side: the keys, the off-chain tensors by commitment, proofs by statement."""

    def __init__(self, kernels: dict, keys: dict, store: dict) -> None:
        self.kernels, self.keys, self.store = kernels, keys, store
        self.proofs: dict = {}

    def claim(self, chain: Chain, task, registry: KernelRegistry) -> Claim:
        """The honest, unsigned claim of ``task`` by its assignee (inputs fetched off chain
        by the commitments the task fixes)."""
        kernel = self.kernels[task.kernel_id]
        names = dict((pos, name) for name, pos in registry.get(task.kernel_id).tensor_positions)
        tensors = {names[pos]: self.store[value] for pos, value in task.inputs}
        binding = claim_binding(task.assignee, str(task.task_id))
        key = (task.kernel_id, tuple(sorted((n, int(v)) for n, v in task.inputs)), binding)
        if key not in self.proofs:
            witness = kernel.witness(**tensors, claim_binding=binding)
            proof, public = prove(self.keys[task.kernel_id], witness, kernel.circuit())
            for t in kernel.spec.tensors:
                if t.role == "output" and t.visibility == "committed":
                    value = kernel.read(witness, t.name)
                    self.store[K.commit(value, kernel.spec, t.name)] = value
            self.proofs[key] = (tuple(int(v) for v in public), proof)
        public, proof = self.proofs[key]
        version = len(chain.market.model("m").versions) - 1
        return Claim(task.assignee, str(task.task_id), task.kernel_id, public, proof,
                     ClaimKind.TRAINING, "m", version)


def test_a_sharded_job_runs_on_a_chain_equal_to_the_reference(tmp_path, kernels_kit):
    grad, agg, w0, data, run = sharded_training(SHARDS, STEPS)

    registry = KernelRegistry()
    kernels, keys = {}, {}
    for kernel in (grad.with_binding(), agg.with_binding()):
        pk = setup(kernel.circuit())
        kid = registry.register_kernel(kernel, pk.verifying_key, ClaimKind.TRAINING,
                                       unsafe_local_setup=True)
        kernels[kid], keys[kid] = kernel, pk
    grad_id, agg_id = list(kernels)
    assert registry.get(grad_id).model_positions is None  # a gradient makes no model step
    assert registry.get(agg_id).model_positions is not None
    infer = kernels_kit.kernels.get(kernels_kit.ids["infer"])  # the model's serving kernel
    infer_id = registry.register(infer.vk, infer.work_units, infer.kind, None,
                                 infer.binding_position, public_bounds=infer.public_bounds,
                                 input_positions=infer.input_positions,
                                 unsafe_local_setup=True)
    w0_commit = K.commit(w0, grad.spec, "weights")
    data_commits = tuple(K.commit(d, grad.spec, "data") for d in data)
    store = {w0_commit: w0, **dict(zip(data_commits, data))}
    prover = Prover(kernels, keys, store)

    grants = {REQ: 1_000 * TOKEN, OWNER: 10 * TOKEN, **dict.fromkeys(NODES, 10 * TOKEN)}
    genesis = Market.genesis(grants, SCHEDULE)
    chain = Chain(SQLiteChainStore.create(tmp_path / "chain.db", genesis, chain_id=CHAIN_ID),
                  registry)

    def produce(claims=(), ops=()):
        signed_claims, signed_ops = sign_block(chain.market, claims, ops)
        block = chain.produce(signed_claims, signed_ops, timestamp=chain.height + 1)
        assert block.rejected == () and block.rejected_operations == ()
        check(chain.market)
        return block

    min_fee = {k: registry.get(k).work_units * SCHEDULE.at(0).min_fee_per_unit
               for k in (grad_id, agg_id)}
    produce(ops=[*(RegisterNode(n, profile(10**6)) for n in NODES),
                 RegisterModel(OWNER, "m", TOKEN, ((infer_id, infer.input_positions[0]),),
                               w0_commit)])
    produce(ops=[PostJob(REQ, "m", grad_id, agg_id, data_commits, DATA_HASH, "ipfs://shards",
                         STEPS, min_fee[grad_id] + 3, min_fee[agg_id] + 5, TOKEN // 10, 0,
                         2)])
    market = chain.market
    assert market.job(0).status is JobStatus.RUNNING
    # a job task's claim names the job's model at its current version: another model id
    # (registered or not) or another version is model-mismatch, and pays nothing
    first, second, third = (market.task(t) for t in market.job(0).task_ids[:3])
    honest = [prover.claim(chain, t, registry) for t in (first, second, third)]
    wrong = [replace(honest[0], model_id="other"), replace(honest[1], model_version=1),
             replace(honest[2], model_id="m ")]
    signed_claims, _ = sign_block(chain.market, wrong)
    block = chain.produce(signed_claims, timestamp=chain.height + 1)
    assert [(r.index, r.reason) for r in block.rejected] == [
        (k, RejectReason.MODEL_MISMATCH) for k in range(3)]
    assert "training job 0's, on model 'm' at version 0" in block.rejected[0].detail
    assert chain.market.account(first.assignee).balance \
        == market.account(first.assignee).balance
    check(chain.market)
    blocks = 0
    while chain.market.job(0).status is JobStatus.RUNNING:
        assert blocks < 2 * STEPS, "the job does not progress"
        market = chain.market
        tasks = [market.task(t) for t in market.job(0).task_ids
                 if market.task(t).status is TaskStatus.ASSIGNED]
        produce([prover.claim(chain, t, registry) for t in tasks])
        blocks += 1

    market = chain.market
    job = market.job(0)
    assert job.status is JobStatus.DONE and blocks == 2 * STEPS
    assert len(job.task_ids) == STEPS * (SHARDS + 1)
    versions = market.model("m").versions
    assert [v.commitment for v in versions] == run.weight_commitments
    np.testing.assert_array_equal(store[versions[-1].commitment], run.final_weights)
    report = chain.verify()
    assert report.blocks == 3 + 2 * STEPS


def test_a_training_kernel_without_model_step_needs_its_tensor_positions(kernels_kit):
    cube = kernels_kit.kernels.get(kernels_kit.ids["cube"])

    def register(**extra):
        return KernelRegistry().register(cube.vk, cube.work_units, ClaimKind.TRAINING, None,
                                         cube.binding_position,
                                         public_bounds=cube.public_bounds,
                                         input_positions=cube.input_positions,
                                         unsafe_local_setup=True, **extra)

    with pytest.raises(KernelRegistryError, match="model_positions=.*tensor_positions"):
        register()
    kid = register(tensor_positions={"x": 1, "a": 2})
    assert kid == cube.kernel_id
