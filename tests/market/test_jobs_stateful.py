# SPDX-License-Identifier: MIT
"""Random lives of training jobs (no proofs: claims carry made-up output commitments on the
tasks' inputs, as a verified proof would): posts (valid or refused), cancels (the
poster's or another's), deliveries by the assignee, forged deliveries (another shard's
data, stale weights, another node) that must be refused, blocks where nodes miss their
deadlines. After every block: exact conservation and every account's held tokens as
recounted from the tasks and the jobs' terms; each job's tasks in plan order with the
inputs the plan requires given the accepted outputs; each version a job made is its
step's accepted aggregation output; the state round-trips with the same root."""

from __future__ import annotations

import hashlib
import itertools

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.market.job_helpers import PARAMS, SCHEDULE, check
from tests.market.strategies import kernel_id, profile
from zkcx.kernels.job_split import Produced, split_training_job
from zkcx.market import (
    CancelJob,
    JobStatus,
    KernelTerms,
    Market,
    PostJob,
    RegisterModel,
    RegisterNode,
    TaskClaim,
    TaskStatus,
)
from zkcx.rewards import TOKEN, ClaimKind

GRAD, AGG, INFER = kernel_id("fake-grad"), kernel_id("fake-agg-2"), kernel_id("fake-infer")
KERNELS = {
    GRAD: KernelTerms(ClaimKind.TRAINING, 100, (2, 3), True,
                      (("gradient", 0), ("loss", 1), ("weights", 2), ("data", 3))),
    AGG: KernelTerms(ClaimKind.TRAINING, 50, (1, 2, 3), True,
                     (("weights_next", 0), ("weights", 1), ("gradient_0", 2),
                      ("gradient_1", 3))),
    INFER: KernelTerms(ClaimKind.INFERENCE, 40, (1, 2), True),
}
POSITIONS = {k: dict(t.tensor_positions) for k, t in KERNELS.items()}
FEE = {GRAD: 100 * PARAMS.min_fee_per_unit, AGG: 50 * PARAMS.min_fee_per_unit}
NODES = ["a", "b", "c"]
POSTERS = ["req", "req2", "a"]
GRANTS = {"req": 100 * TOKEN, "req2": 2 * FEE[GRAD], "own": TOKEN,
          **{n: TOKEN for n in NODES}}
MODELS = ["m1", "m2"]
_hashes = itertools.count()


def _digest() -> bytes:
    return hashlib.sha256(next(_hashes).to_bytes(8, "big")).digest()


class JobMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.m = Market.genesis(GRANTS, SCHEDULE)
        self.ops: list = [RegisterNode(n, profile(10**6)) for n in NODES]
        self.ops += [RegisterModel("own", m, 0, ((INFER, 2),), 1000 + i)
                     for i, m in enumerate(MODELS)]
        self.claims: list[TaskClaim] = []
        self.block()

    @rule(poster=st.sampled_from(["req"] * 4 + POSTERS),
          model=st.sampled_from(MODELS * 2 + ["nope"]), steps=st.integers(1, 3),
          shards=st.lists(st.integers(0, 5), min_size=2, max_size=2, unique=True),
          extra=st.sampled_from([0, 0, 0, 1, -1]), window=st.integers(1, 4),
          tier=st.sampled_from([0] * 5 + [1]), bond=st.sampled_from([0, TOKEN // 10]),
          then_block=st.booleans())
    def post(self, poster, model, steps, shards, extra, window, tier, bond,
             then_block) -> None:
        """Queue a post (valid or refused: model, fee, balance, a running job), applied in
        the next block (at once if ``then_block``)."""
        self.ops.append(PostJob(poster, model, GRAD, AGG, tuple(shards), bytes(32), "",
                                steps, FEE[GRAD] + extra, FEE[AGG], bond, tier, window))
        if then_block:
            self.block()

    @rule(poster=st.sampled_from(POSTERS), job=st.integers(0, 4))
    def cancel(self, poster, job) -> None:
        self.ops.append(CancelJob(poster, job))

    @rule(pick=st.one_of(st.none(), st.sets(st.integers(0, 20))), forge=st.sampled_from(
        [None, None, "data", "weights", "node"]), outputs=st.integers(0, 3),
          then_block=st.sampled_from([True, True, False]))
    def deliver(self, pick, forge, outputs, then_block) -> None:
        """The assignees of the picked assigned tasks (None: all) deliver (made-up
        outputs), in the next block if ``then_block``; a forged delivery of the first is
        tried too and must be refused."""
        assigned = [t for t in self.m.tasks if t.status is TaskStatus.ASSIGNED]
        for i, task in enumerate(assigned):
            if pick is not None and i not in pick:
                continue
            pos = POSITIONS[task.kernel_id]
            public = [0] * len(pos)
            for p, value in task.inputs:
                public[p] = value
            public[0] = 7_000 + 10 * task.task_id + outputs
            self.claims.append(TaskClaim(task.assignee, task.task_id, task.kernel_id,
                                         tuple(public), _digest()))
            if forge is None:
                continue
            bad = list(public)
            node = task.assignee
            if forge == "node":
                node = next(n for n in NODES if n != task.assignee)
            else:
                where = pos.get(forge, pos["weights"])
                bad[where] += 1
            draft = self.m.preview(self.m.height + 1, kernels=KERNELS)
            if draft.check_claim(task.assignee, task.task_id, task.kernel_id, public):
                continue  # late: the honest claim is refused as well
            problem = draft.check_claim(node, task.task_id, task.kernel_id, bad)
            assert problem is not None
            assert problem.code == ("not-assignee" if forge == "node"
                                    else "task-input-mismatch")
            forge = None
        if then_block:
            self.block()

    @rule(blocks=st.integers(1, 8), forge=st.sampled_from([None, "data", "weights"]))
    def work(self, blocks, forge) -> None:
        """Every assignee delivers on time, ``blocks`` blocks in a row."""
        for _ in range(blocks):
            self.deliver(None, forge, 0, True)

    @rule()
    def block(self) -> None:
        height = self.m.height + 1
        verdicts = self.m.screen_operations(height, self.ops, KERNELS)
        ops = [op for op, v in zip(self.ops, verdicts) if v is None]
        draft = self.m.preview(height, ops, KERNELS)
        claims, seen = [], set()
        for c in self.claims:
            if c.task_id not in seen and draft.check_claim(
                    c.node_id, c.task_id, c.kernel_id, c.public_inputs) is None:
                claims.append(c)
                seen.add(c.task_id)
        out = self.m.apply_block(height, claims, (), ops, {}, KERNELS)
        for _, status in out.jobs_closed:
            event(f"a job closed {status}")
        if out.job_versions:
            event("a job made a version")
        if any(d.expired for d in out.late):
            event("a task expired")
        self.ops, self.claims = [], []
        check(self.m)

    @invariant()
    def jobs_follow_their_plans(self) -> None:
        if not hasattr(self, "m"):
            return
        running = set()
        for job in self.m.jobs:
            if job.status is JobStatus.RUNNING:
                assert job.model_id not in running
                running.add(job.model_id)
            plan = split_training_job(job.weights_commitment, job.data_commitments,
                                      job.steps)
            produced = {}
            for index, (task_id, output) in enumerate(zip(job.task_ids, job.outputs)):
                ptask = plan.tasks[index]
                task = self.m.task(task_id)
                want = plan.required(ptask, produced)
                pos = POSITIONS[task.kernel_id]
                assert dict(task.inputs) == {pos[n]: v for n, v in want.items()}
                assert (output is not None) == (task.status is TaskStatus.DONE)
                if output is not None:
                    produced[Produced(ptask.task_id, ptask.outputs[0])] = output
            model = self.m.model(job.model_id)
            for n, version in enumerate(job.versions):
                agg_index = n * (job.shards + 1) + job.shards
                assert model.versions[version].commitment == job.outputs[agg_index]
                assert model.versions[version].contributor == job.poster
            if job.status is JobStatus.DONE:
                assert len(job.versions) == job.steps

    @invariant()
    def round_trip(self) -> None:
        if hasattr(self, "m"):
            twin = Market.from_bytes(self.m.to_bytes())
            assert twin == self.m and twin.state_root() == self.m.state_root()


JobMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30,
                                        deadline=None)
test_random_job_lives = JobMachine.TestCase
