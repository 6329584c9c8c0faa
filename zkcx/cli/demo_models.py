# SPDX-License-Identifier: MIT
"""The second part of ``zkcx demo``: registered models and a sharded training job.

After the chain's six blocks, the demo goes on with the market state the chain reached:

- olga registers two models: a classifier (served by the demo's inference kernel
  mlp_64_32_10_infer, its version 0 fixed by the commitment of its first weight matrix)
  and a regressor (an MLP 4 -> 4 -> 1, whose packed weights the training kernels take);
- rita posts an inference task on the classifier (``PostInference``: the execution fee
  plus the model's price escrowed) and a training job of SHARDS shards x STEPS steps on
  the regressor (``PostJob``: every task's fee escrowed at once);
- the nodes the scheduler picks prove the inference task and, step by step, the
  gradient of each shard and the aggregation of the step's gradients; the inference
  task's price goes to the model's share holders (its contributors), the job's
  aggregations append the regressor's versions (contributor: rita), and its final
  weights are checked against the data-parallel reference
  (``zkcx.kernels.sharded.data_parallel_sgd``).

These blocks are applied to the market state (``Market.apply_block``), every proof
verified with Groth16 first: the rollup does not carry the model and job transactions
yet, so they are not sealed into the chain file.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import numpy as np

from zkcx import groth16
from zkcx import kernels as K
from zkcx.errors import InternalError
from zkcx.kernels.sharded import data_parallel_sgd
from zkcx.market import (
    JobStatus,
    KernelTerms,
    Market,
    MarketOutcome,
    PostInference,
    PostJob,
    RegisterModel,
    TaskClaim,
)
from zkcx.rewards import TOKEN, ClaimKind
from zkcx.rollup import claim_binding

if TYPE_CHECKING:
    from zkcx.cli.demo import Demo

#: the models' owner (not a node)
OWNER = "olga"
#: the price per inference call of the classifier
PRICE = 2 * TOKEN + 1
#: the training job: shards (the aggregation kernel takes 4) x steps
SHARDS, STEPS = 4, 3
CLASSIFIER, REGRESSOR = "classifier-64-32-10", "regressor-4-4-1"
INFER, GRAD, AGGREGATE = "mlp_64_32_10_infer", "mlp_4_4_1_grad", "mlp_4_4_1_aggregate_4"


def job_terms(kernel: K.Kernel) -> KernelTerms:
    """What the market needs of a training job's kernel, derived from the kernel: its
    input positions, binding and the positions of its named tensors (a job finds its
    weights, data and gradient commitments by name)."""
    named = sorted((t.name, kernel.public_position(t.name)) for t in kernel.spec.tensors
                   if t.visibility != "private")
    return KernelTerms(ClaimKind.TRAINING, kernel.n_constraints, kernel.input_positions(),
                       kernel.binding_position is not None, tuple(named))


class ModelPhase:
    """The models and the training job on ``demo``'s market after its chain."""

    def __init__(self, demo: Demo, market: Market) -> None:
        self.demo = demo
        self.market = market
        self.store: dict[int, np.ndarray] = {}  # off-chain tensors by commitment
        self.terms = dict(demo.registry.terms())
        self.by_id = {dk.kernel_id: dk for dk in demo.kernels.values()}
        for name in (GRAD, AGGREGATE):
            dk = demo.kernels[name]
            self.terms[dk.kernel_id] = job_terms(dk.kernel)

    # -- the data ---------------------------------------------------------------------
    def classifier_weights(self) -> dict[str, np.ndarray]:
        kernel = self.demo.kernels[INFER].kernel
        return {t.name: self.demo.rng.uniform(-0.5, 0.5, t.shape)
                for t in kernel.spec.inputs if t.name != "X"}

    def training_data(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """The regressor's version 0 and the shards' data, quantized as the kernels take
        them, stored off chain by commitment."""
        grad = self.demo.kernels[GRAD].kernel
        rng = self.demo.rng
        params = {n: rng.normal(size=s) * (0.5 if n.startswith("W") else 0.1)
                  for n, s in grad.shapes}
        shards = [grad.quantize_inputs({"weights": grad.pack_weights(params),
                                        "data": grad.pack_data(rng.normal(size=(grad.batch, 4)),
                                                               rng.normal(size=(grad.batch, 1)))})
                  for _ in range(SHARDS)]
        w0, data = shards[0]["weights"], [s["data"] for s in shards]
        self.store[K.commit(w0, grad.spec, "weights")] = w0
        self.store.update({K.commit(d, grad.spec, "data"): d for d in data})
        return w0, data

    # -- proofs -----------------------------------------------------------------------
    def prove(self, node: str, task_id: int, tensors: dict[str, Any]) -> TaskClaim:
        """``node`` (an address) proves its task on ``tensors``; the proof is verified
        and the committed outputs kept off chain."""
        task = self.market.task(task_id)
        dk = self.by_id[task.kernel_id]
        name = self.demo.name_of[node]
        witness = dk.kernel.witness(**tensors, claim_binding=claim_binding(node, str(task_id)))
        with self.demo.out.step(f"{name} proves task {task_id} ({dk.name})") as progress:
            proof, public = groth16.prove(dk.pk, witness, dk.kernel.circuit(),
                                          progress=progress)
        if not groth16.verify(dk.pk.verifying_key, public, proof,
                              bounds=dk.kernel.public_bounds()):
            raise InternalError(f"the proof of task {task_id} does not verify")
        for t in dk.kernel.spec.tensors:
            if t.role == "output" and t.visibility == "committed":
                value = dk.kernel.read(witness, t.name)
                self.store[K.commit(value, dk.kernel.spec, t.name)] = value
        public = tuple(int(v) for v in public)
        digest = hashlib.sha256(repr((node, task_id, public)).encode()).digest()
        return TaskClaim(node, task_id, task.kernel_id, public, digest)

    def deliver(self, task_id: int) -> TaskClaim:
        """The assignee's claim of a job task, its inputs fetched by commitment."""
        task = self.market.task(task_id)
        names = {pos: n for n, pos in self.terms[task.kernel_id].tensor_positions}
        return self.prove(task.assignee, task_id,
                          {names[pos]: self.store[v] for pos, v in task.inputs})

    def block(self, claims=(), operations=()) -> MarketOutcome:
        market = self.market
        outcome = market.apply_block(market.height + 1, list(claims), (), list(operations),
                                     {}, self.terms)
        self.demo.record(outcome, claims, operations, on_chain=False)
        return outcome

    # -- the run ----------------------------------------------------------------------
    def run(self) -> dict:
        demo, address = self.demo, self.demo.address
        infer = demo.kernels[INFER]
        grad, agg = demo.kernels[GRAD], demo.kernels[AGGREGATE]
        weights = self.classifier_weights()
        query = {"X": demo.rng.uniform(-0.5, 0.5, (1, 64))}
        inputs = infer.kernel.task_inputs(**query, **weights)
        w1_position = infer.kernel.public_position("W1")
        version0 = dict(inputs)[w1_position]
        w0, data = self.training_data()
        run = data_parallel_sgd(grad.kernel, agg.kernel, w0, data, STEPS)
        w0_commitment = K.commit(w0, grad.kernel.spec, "weights")
        owner, rita = address[OWNER], address["rita"]
        units = self.terms[infer.kernel_id].work_units
        fee = units * demo.fee_per_unit
        start = self.market.height + 1
        data_bytes = repr(sorted((k, v.tolist()) for k, v in query.items())).encode()
        fees = [self.terms[k.kernel_id].work_units * demo.fee_per_unit for k in (grad, agg)]
        posted = self.block(operations=[
            RegisterModel(owner, CLASSIFIER, PRICE, ((infer.kernel_id, w1_position),),
                          version0),
            RegisterModel(owner, REGRESSOR, PRICE, ((infer.kernel_id, w1_position),),
                          w0_commitment),
            PostInference(rita, CLASSIFIER, 0, infer.kernel_id, units, inputs,
                          hashlib.sha256(data_bytes).digest(), "demo://inputs/query.json",
                          fee, PRICE, 0, 0, start + demo.window),
            PostJob(rita, REGRESSOR, grad.kernel_id, agg.kernel_id,
                    tuple(K.commit(d, grad.kernel.spec, "data") for d in data),
                    hashlib.sha256(b"".join(d.tobytes() for d in data)).digest(),
                    "demo://inputs/shards/", STEPS, fees[0], fees[1], 0, 0, demo.window),
        ])
        (inference_task,) = [t for t in posted.posted
                             if self.market.task(t).kernel_id == infer.kernel_id]
        (job_id,) = posted.jobs_posted
        claims = [self.prove(self.market.task(inference_task).assignee, inference_task,
                             {**query, **weights})]
        while self.market.job(job_id).status is JobStatus.RUNNING:
            if self.market.height > start + 4 * STEPS:
                raise InternalError("the training job does not progress")
            job = self.market.job(job_id)
            claims += [self.deliver(t) for t in job.task_ids
                       if self.market.task(t).status.value == "assigned"]
            self.block(claims)
            claims = []
        model = self.market.model(REGRESSOR)
        final = self.store[model.versions[-1].commitment]
        return {
            "inference_task": inference_task, "job": job_id, "shards": SHARDS, "steps": STEPS,
            "job_status": self.market.job(job_id).status.value,
            "job_tasks": list(self.market.job(job_id).task_ids),
            "classifier_shares": {demo.name_of.get(h, h): s for h, s in
                                  self.market.model(CLASSIFIER).share_table.items()},
            "versions": [{"version": n, "commitment": str(v.commitment),
                          "contributor": demo.name_of.get(v.contributor, v.contributor)}
                         for n, v in enumerate(model.versions)],
            "reference_commitments": [str(c) for c in run.weight_commitments],
            "initial_weights": w0.tolist(), "shard_data": [d.tolist() for d in data],
            "final_weights": final.tolist(),
            "reference_weights": np.asarray(run.final_weights).tolist(),
            "final_equals_reference": bool(np.array_equal(final, run.final_weights)),
        }
