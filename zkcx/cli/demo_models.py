# SPDX-License-Identifier: MIT
"""The second part of ``zkcx demo``: registered models, a sharded training job and the
models' revenue reaching a second contributor, sealed into the chain as blocks of signed
transactions after the market's six blocks:

- olga registers two models: a classifier (served by the demo's inference kernel
  mlp_64_32_10_infer, its version 0 fixed by the commitment of its first weight matrix)
  and a regressor (an MLP 4 -> 4 -> 1, whose packed weights the training kernels take,
  served by mlp_4_4_1_infer: predictions on the packed weights, whose commitment is the
  one its versions record); she stakes, to take part in governance;
- rita posts an inference task on the classifier (``PostInference``: the execution fee
  plus the model's price escrowed) and a training job of SHARDS shards x STEPS steps on
  the regressor (``PostJob``: every task's fee escrowed at once);
- the nodes the scheduler picks prove the inference task and, step by step, the
  gradient of each shard and the aggregation of the step's gradients (each claim names
  its model and version); the job's aggregations append the regressor's versions
  (contributor: rita, who paid for the training), and its final weights are checked
  against the data-parallel reference (``zkcx.kernels.sharded.data_parallel_sgd``);
- olga proposes that governance accept rita's last version into the regressor's share
  table (``ProposeAction`` model.accept-version, with RITA_SHARE of it) and votes for
  it; the vote is short (the demo chain's voting period is VOTING_PERIOD blocks);
- at its activation ivan calls the accepted version (``PostInference`` on his inputs and
  the version's weights commitment): the proof's public outputs are the predictions of
  those weights on his inputs, and the call's price is split between olga and rita by
  the share table.

Every block is built, signed and sealed by ``Demo.seal``: ``zkcx block verify`` from
genesis covers them all.
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
    AcceptVersion,
    JobStatus,
    PostInference,
    PostJob,
    RegisterModel,
)
from zkcx.rewards import TOKEN, Propose, Stake, Vote
from zkcx.rollup import Claim, claim_binding

if TYPE_CHECKING:
    from zkcx.cli.demo import Demo
    from zkcx.rollup.chain import Chain

#: the models' owner (not a node) and the regressor's caller
OWNER, CALLER = "olga", "ivan"
#: the price per inference call of each model
PRICE = 2 * TOKEN + 1
#: the training job: shards (the aggregation kernel takes 4) x steps
SHARDS, STEPS = 4, 3
#: olga's stake, which makes her a voter (the demo chain's proposal_min_stake)
OWNER_STAKE = 100 * TOKEN
#: rita's share of the regressor's revenue once her version is accepted (of 1,000,000)
RITA_SHARE = 250_000
CLASSIFIER, REGRESSOR = "classifier-64-32-10", "regressor-4-4-1"
INFER, GRAD, AGGREGATE, SERVE = ("mlp_64_32_10_infer", "mlp_4_4_1_grad",
                                 "mlp_4_4_1_aggregate_4", "mlp_4_4_1_infer")


class ModelPhase:
    """The models, the training job and the governance vote on ``demo``'s chain."""

    def __init__(self, demo: Demo, chain: Chain) -> None:
        self.demo = demo
        self.chain = chain
        self.store: dict[int, np.ndarray] = {}  # off-chain tensors by commitment
        self.terms = dict(chain.kernels.terms())
        self.by_id = {dk.kernel_id: dk for dk in demo.kernels.values()}

    # -- the data ---------------------------------------------------------------------
    def classifier_weights(self) -> dict[str, np.ndarray]:
        kernel = self.demo.kernels[INFER].kernel
        return {t.name: self.demo.rng.uniform(-0.5, 0.5, t.shape)
                for t in kernel.spec.inputs if t.name != "X"}

    def query(self) -> np.ndarray:
        """A caller's batch of the regressor's inputs, quantized as its serving kernel
        takes them."""
        serve = self.demo.kernels[SERVE].kernel
        x = self.demo.rng.normal(size=serve.spec["X"].shape)
        weights = np.zeros(serve.spec["weights"].shape)
        return serve.quantize_inputs({"X": x, "weights": weights})["X"]

    def labelled_batch(self) -> np.ndarray:
        """A batch of the regressor's samples with their targets, quantized as the
        kernels take them."""
        grad = self.demo.kernels[GRAD].kernel
        rng = self.demo.rng
        packed = grad.pack_data(rng.normal(size=(grad.batch, 4)), rng.normal(size=(grad.batch, 1)))
        return grad.quantize_inputs({"weights": np.zeros(grad.spec.inputs[0].shape),
                                     "data": packed})["data"]

    def training_data(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """The regressor's version 0 and the shards' data, quantized as the kernels take
        them, stored off chain by commitment."""
        grad = self.demo.kernels[GRAD].kernel
        params = {n: self.demo.rng.normal(size=s) * (0.5 if n.startswith("W") else 0.1)
                  for n, s in grad.shapes}
        w0 = grad.quantize_inputs({"weights": grad.pack_weights(params),
                                   "data": np.zeros(grad.spec.inputs[1].shape)})["weights"]
        data = [self.labelled_batch() for _ in range(SHARDS)]
        self.store[K.commit(w0, grad.spec, "weights")] = w0
        self.store.update({K.commit(d, grad.spec, "data"): d for d in data})
        return w0, data

    # -- proofs -----------------------------------------------------------------------
    def prove(self, task_id: int, tensors: dict[str, Any], model: str,
              version: int) -> Claim:
        """The assignee of task ``task_id`` proves it on ``tensors``, naming ``model`` at
        ``version``; the committed outputs are kept off chain (the claim is signed when
        sealed)."""
        task = self.chain.market.task(task_id)
        dk = self.by_id[task.kernel_id]
        node = task.assignee
        witness = dk.kernel.witness(**tensors, claim_binding=claim_binding(node, str(task_id)))
        with self.demo.out.step(f"{self.demo.name_of[node]} proves task {task_id} "
                                f"({dk.name})") as progress:
            proof, public = groth16.prove(dk.pk, witness, dk.kernel.circuit(),
                                          progress=progress)
        for t in dk.kernel.spec.tensors:
            if t.role == "output" and t.visibility == "committed":
                value = dk.kernel.read(witness, t.name)
                self.store[K.commit(value, dk.kernel.spec, t.name)] = value
        return Claim(node, str(task_id), task.kernel_id, tuple(int(v) for v in public), proof,
                     dk.claim_kind, model, version)

    def deliver(self, task_id: int) -> Claim:
        """The assignee's claim of a job task, its inputs fetched by commitment, naming
        the regressor at its current version."""
        task = self.chain.market.task(task_id)
        names = {pos: n for n, pos in self.terms[task.kernel_id].tensor_positions}
        version = len(self.chain.market.model(REGRESSOR).versions) - 1
        return self.prove(task_id, {names[pos]: self.store[v] for pos, v in task.inputs},
                          REGRESSOR, version)

    def block(self, claims=(), operations=()):
        """Seal the next block of the chain (``Demo.seal``); every transaction must
        stand."""
        built = self.demo.seal(self.chain, list(claims), list(operations))
        block = built.block
        if block.rejected or block.rejected_operations:
            raise InternalError(f"block {block.height} of the models' phase refused "
                                 f"{[r.detail for r in block.rejected]}"
                                 f"{[r.detail for r in block.rejected_operations]}")
        return built.outcome

    def inference_call(self, poster: str, model_id: str, version: int, name: str,
                       inputs: tuple[tuple[int, int], ...], data: bytes) -> PostInference:
        demo, chain = self.demo, self.chain
        kernel_id = demo.kernels[name].kernel_id
        units = self.terms[kernel_id].work_units
        return PostInference(demo.address[poster], model_id, version, kernel_id, units,
                             inputs, hashlib.sha256(data).digest(),
                             f"demo://inputs/{model_id}-query.json", units * demo.fee_per_unit,
                             PRICE, 0, 0, chain.height + 1 + demo.window)

    # -- the run ----------------------------------------------------------------------
    def run(self) -> dict:
        demo, address, chain = self.demo, self.demo.address, self.chain
        infer, serve = demo.kernels[INFER], demo.kernels[SERVE]
        grad, agg = demo.kernels[GRAD], demo.kernels[AGGREGATE]
        weights = self.classifier_weights()
        query = {"X": demo.rng.uniform(-0.5, 0.5, (1, 64))}
        inputs = infer.kernel.task_inputs(**query, **weights)
        w1_position = infer.kernel.public_position("W1")
        w0, data = self.training_data()
        run = data_parallel_sgd(grad.kernel, agg.kernel, w0, data, STEPS)
        owner, rita = address[OWNER], address["rita"]
        first = chain.height + 1
        fees = [self.terms[k.kernel_id].work_units * demo.fee_per_unit for k in (grad, agg)]
        posted = self.block(operations=[
            RegisterModel(owner, CLASSIFIER, PRICE, ((infer.kernel_id, w1_position),),
                          dict(inputs)[w1_position]),
            RegisterModel(owner, REGRESSOR, PRICE,
                          ((serve.kernel_id, serve.kernel.weights_commitment_position),),
                          K.commit(w0, grad.kernel.spec, "weights")),
            Stake(owner, OWNER_STAKE),
            self.inference_call("rita", CLASSIFIER, 0, INFER, inputs,
                                repr(sorted((k, v.tolist()) for k, v in query.items())).encode()),
            PostJob(rita, REGRESSOR, grad.kernel_id, agg.kernel_id,
                    tuple(K.commit(d, grad.kernel.spec, "data") for d in data),
                    hashlib.sha256(b"".join(d.tobytes() for d in data)).digest(),
                    "demo://inputs/shards/", STEPS, fees[0], fees[1], 0, 0, demo.window),
        ])
        (inference_task,) = [t for t in posted.posted
                             if chain.market.task(t).kernel_id == infer.kernel_id]
        (job_id,) = posted.jobs_posted
        claims = [self.prove(inference_task, {**query, **weights}, CLASSIFIER, 0)]
        while chain.market.job(job_id).status is JobStatus.RUNNING:
            if chain.height > first + 4 * STEPS:
                raise InternalError("the training job does not progress")
            market = chain.market
            claims += [self.deliver(t) for t in market.job(job_id).task_ids
                       if market.task(t).status.value == "assigned"]
            self.block(claims)
            claims = []

        # governance accepts rita's last version into the regressor's share table
        final_version = len(chain.market.model(REGRESSOR).versions) - 1
        params = chain.market.params()
        activation = chain.height + 1 + params.voting_period - 1 + params.min_activation_delay
        proposal = len(chain.market.ledger.proposals)
        accept = AcceptVersion(REGRESSOR, final_version, rita, RITA_SHARE)
        self.block(operations=[Propose(owner, accept.action(), activation),
                               Vote(owner, proposal, True)])
        while chain.height + 1 < activation:
            self.block()
        # at its activation ivan calls the accepted version on his inputs: the proof's
        # outputs are its predictions; olga and rita share the price
        final = self.store[chain.market.model(REGRESSOR).versions[-1].commitment]
        x = self.query()
        called = self.block(operations=[self.inference_call(
            CALLER, REGRESSOR, final_version, SERVE,
            serve.kernel.task_inputs(X=x, weights=final), x.tobytes())])
        (regressor_task,) = called.posted
        answer = self.prove(regressor_task, {"X": x, "weights": final}, REGRESSOR,
                            final_version)
        self.block([answer])
        predictions = serve.kernel.public_tensor(answer.public_inputs, "Y")
        expected = serve.kernel.reference(X=x, weights=run.final_weights)["Y"]
        market = chain.market
        model = market.model(REGRESSOR)
        return {
            "first_block": first, "inference_task": inference_task, "job": job_id,
            "shards": SHARDS, "steps": STEPS,
            "job_status": market.job(job_id).status.value,
            "job_tasks": list(market.job(job_id).task_ids),
            "classifier_shares": self.shares(CLASSIFIER),
            "accepted_version": final_version, "proposal": proposal,
            "regressor_task": regressor_task, "regressor_shares": self.shares(REGRESSOR),
            "regressor_inputs": x.tolist(), "regressor_predictions": predictions.tolist(),
            "predictions_equal_reference": bool(np.array_equal(predictions, expected)),
            "versions": [{"version": n, "commitment": str(v.commitment),
                          "contributor": demo.name_of.get(v.contributor, v.contributor),
                          "accepted": v.accepted}
                         for n, v in enumerate(model.versions)],
            "reference_commitments": [str(c) for c in run.weight_commitments],
            "initial_weights": w0.tolist(), "shard_data": [d.tolist() for d in data],
            "final_weights": final.tolist(),
            "reference_weights": np.asarray(run.final_weights).tolist(),
            "final_equals_reference": bool(np.array_equal(final, run.final_weights)),
        }

    def shares(self, model_id: str) -> dict[str, int]:
        """The model's share table by holder name."""
        return {self.demo.name_of.get(h, h): s
                for h, s in self.chain.market.model(model_id).share_table.items()}
