# SPDX-License-Identifier: MIT
"""Sharded training jobs through the market (``zkcx.market.jobs``): a job of 4 shards x 3
steps of the catalogue pair mlp_4_4_1_grad / mlp_4_4_1_aggregate_4, every task proved
with Groth16 by the node the scheduler assigned it to, from tensors the node fetches off
chain by commitment; claims paid by the market's claim checks; the model's version chain
advanced once per step to the data-parallel reference's commitments, the final weights
equal to the reference exactly; a late shard reassigned; the attacks (another shard's
data, a gradient that was not the accepted one, stale weights, another node's task)
refused; cancel refunds; exact conservation of the supply after every block.

Each distinct statement is proved once (keys set up once per module, proofs cached by
kernel, input commitments and claim binding)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import zkcx.kernels as K
from tests.market.job_helpers import PARAMS, SCHEDULE, check, sharded_training
from tests.market.strategies import kernel_id, profile
from zkcx.errors import InvalidOperationError
from zkcx.groth16 import prove, setup, verify
from zkcx.market import (
    CancelJob,
    CancelTask,
    FreezeModel,
    Job,
    JobStatus,
    KernelTerms,
    Market,
    MarketOperationError,
    MarketStateError,
    ModelError,
    PostJob,
    RegisterModel,
    RegisterNode,
    TaskClaim,
    TaskClaimError,
    TaskStatus,
)
from zkcx.rewards import PPB, TOKEN, ClaimKind
from zkcx.rollup.claim import claim_binding

SHARDS, STEPS = 4, 3
REQ, OWNER = "req", "own"
NODES = ("n1", "n2", "n3", "n4", "n5")
GRANTS = {REQ: 1_000 * TOKEN, OWNER: 10 * TOKEN, **{n: 10 * TOKEN for n in NODES}}
WINDOW = 2
INFER = kernel_id("mlp-inference")  # the model's serving kernel (weights at input 2)
DATA_HASH = hashlib.sha256(b"the dataset's shard manifest").digest()


@dataclass
class Pair:
    """The kernel pair with binding, keys, ids, terms, the job's data and the reference."""

    grad: K.Kernel
    agg: K.Kernel
    keys: dict
    ids: dict
    kernels: dict
    w0: np.ndarray
    data: list
    run: object
    store: dict = field(default_factory=dict)  # the off-chain tensors by commitment
    proofs: dict = field(default_factory=dict)  # (kernel id, inputs, binding) -> public
    proved: list = field(default_factory=list)  # statements proved, in order

    def terms(self, kernel: K.Kernel) -> KernelTerms:
        """What a chain registry says of ``kernel``: derived from its spec here."""
        named = {t.name: kernel.public_position(t.name) for t in kernel.spec.tensors
                 if t.visibility != "private"}
        inputs = [named[t.name] for t in kernel.spec.tensors
                  if t.role == "input" and t.name in named]
        return KernelTerms(ClaimKind.TRAINING, kernel.circuit().n_constraints, inputs, True,
                           tuple(named.items()))

    def kernel(self, kernel_id: str) -> K.Kernel:
        return self.grad if kernel_id == self.ids["grad"] else self.agg

    def prove(self, node: str, task_id: int, kernel_id: str, tensors: dict) -> TaskClaim:
        """``node`` proves ``kernel_id`` on ``tensors`` for task ``task_id`` (Groth16,
        verified), stores the outputs off chain, and returns its claim."""
        kernel = self.kernel(kernel_id)
        commits = tuple(sorted((n, K.commit(v, kernel.spec, n)) for n, v in tensors.items()))
        binding = claim_binding(node, str(task_id))
        key = (kernel_id, commits, binding)
        if key not in self.proofs:
            pk = self.keys[kernel_id]
            witness = kernel.witness(**tensors, claim_binding=binding)
            proof, public = prove(pk, witness, kernel.circuit())
            assert verify(pk.verifying_key, public, proof, bounds=kernel.public_bounds())
            for t in kernel.spec.tensors:
                if t.role == "output" and t.visibility == "committed":
                    value = kernel.read(witness, t.name)
                    self.store[K.commit(value, kernel.spec, t.name)] = value
            self.proofs[key] = tuple(int(v) for v in public)
            self.proved.append(key)
        public = self.proofs[key]
        digest = hashlib.sha256(repr((node, task_id, public)).encode()).digest()
        return TaskClaim(node, task_id, kernel_id, public, digest)

    def deliver(self, market: Market, task_id: int, node: str | None = None) -> TaskClaim:
        """The honest claim of ``task_id`` by ``node`` (default its assignee): the inputs
        fetched off chain by the commitments the task fixes."""
        task = market.task(task_id)
        names = {pos: name for name, pos in self.kernels[task.kernel_id].tensor_positions}
        tensors = {names[pos]: self.store[value] for pos, value in task.inputs}
        return self.prove(node or task.assignee, task_id, task.kernel_id, tensors)


@pytest.fixture(scope="module")
def pair() -> Pair:
    grad, agg, w0, data, run = sharded_training(SHARDS, STEPS)
    grad_b, agg_b = grad.with_binding(), agg.with_binding()
    keys, ids = {}, {}
    for role, kernel in (("grad", grad_b), ("agg", agg_b)):
        pk = setup(kernel.circuit())
        ids[role] = pk.verifying_key.digest()
        keys[ids[role]] = pk
    out = Pair(grad_b, agg_b, keys, ids, {}, w0, data, run)
    out.kernels = {ids["grad"]: out.terms(grad_b), ids["agg"]: out.terms(agg_b),
                   INFER: KernelTerms(ClaimKind.INFERENCE, 400, (1, 2), True)}
    out.store[K.commit(w0, grad.spec, "weights")] = w0
    out.store.update({K.commit(d, grad.spec, "data"): d for d in data})
    return out


# -- the chain ---------------------------------------------------------------------------------

def w0_commitment(pair: Pair) -> int:
    return K.commit(pair.w0, pair.grad.spec, "weights")


def data_commitments(pair: Pair) -> list[int]:
    return [K.commit(d, pair.grad.spec, "data") for d in pair.data]


def min_fee(pair: Pair, role: str) -> int:
    return pair.kernels[pair.ids[role]].work_units * PARAMS.min_fee_per_unit


def post_job(pair: Pair, poster=REQ, model="m", steps=STEPS, data=None, grad_fee=None,
             agg_fee=None, bond=TOKEN // 10, tier=0, window=WINDOW, grad=None, agg=None):
    return PostJob(poster, model, grad or pair.ids["grad"], agg or pair.ids["agg"],
                   tuple(data_commitments(pair) if data is None else data), DATA_HASH,
                   "ipfs://shards", steps,
                   min_fee(pair, "grad") + 3 if grad_fee is None else grad_fee,
                   min_fee(pair, "agg") + 5 if agg_fee is None else agg_fee, bond, tier,
                   window)


def block(market: Market, pair: Pair, claims=(), ops=()):
    out = market.apply_block(market.height + 1, list(claims), (), list(ops), {}, pair.kernels)
    check(market)
    return out


def staked_market(pair: Pair) -> Market:
    """Block 0: nodes registered, model "m" registered at w0 by its owner."""
    m = Market.genesis(GRANTS, SCHEDULE)
    block(m, pair, ops=[*(RegisterNode(n, profile(10**6)) for n in NODES),
                        RegisterModel(OWNER, "m", TOKEN, ((INFER, 2),), w0_commitment(pair))])
    return m


def job_tasks(market: Market, job_id: int = 0, status=TaskStatus.ASSIGNED):
    return [market.task(t) for t in market.job(job_id).task_ids
            if market.task(t).status is status]


def run_job(market: Market, pair: Pair, skip=lambda task: False, limit=40):
    """Deliver every assigned task of job 0 (but those ``skip`` picks) block by block
    until the job closes; the outcomes."""
    outcomes = []
    while market.job(0).status is JobStatus.RUNNING:
        assert len(outcomes) < limit, "the job does not progress"
        claims = [pair.deliver(market, t.task_id) for t in job_tasks(market) if not skip(t)]
        outcomes.append(block(market, pair, claims))
    return outcomes


@pytest.fixture(scope="module")
def posted(pair: Pair) -> Market:
    """The market after the block that posted the job (step 0's tasks assigned)."""
    m = staked_market(pair)
    out = block(m, pair, ops=[post_job(pair)])
    assert out.jobs_posted == (0,)
    return m


@pytest.fixture(scope="module")
def finished(pair: Pair, posted: Market):
    """The job run to its end by honest nodes: (market, outcomes, market per block)."""
    m = posted.copy()
    states = [m.copy()]
    outcomes = []
    while m.job(0).status is JobStatus.RUNNING:
        assert len(outcomes) < 10
        claims = [pair.deliver(m, t.task_id) for t in job_tasks(m)]
        outcomes.append(block(m, pair, claims))
        states.append(m.copy())
    return m, outcomes, states


# -- end to end -------------------------------------------------------------------------------

def test_a_job_of_4_shards_by_3_steps_runs_end_to_end_equal_to_the_reference(pair, posted,
                                                                            finished):
    m, outcomes, _ = finished
    job = m.job(0)
    run = pair.run
    assert job.status is JobStatus.DONE and job.reserve == 0
    # 3 steps of (4 gradients, then the aggregation): one stage per block
    assert len(outcomes) == 2 * STEPS
    assert len(job.task_ids) == STEPS * (SHARDS + 1)
    assert all(m.task(t).status is TaskStatus.DONE for t in job.task_ids)
    # the version chain advanced 3 times, to the reference's commitments, by the poster
    model = m.model("m")
    assert [v.commitment for v in model.versions] == run.weight_commitments
    assert [v.contributor for v in model.versions[1:]] == [REQ] * STEPS
    assert not any(v.accepted for v in model.versions[1:])  # pending governance
    assert [v.version for o in outcomes for v in o.job_versions] == [1, 2, 3]
    # every gradient commitment is the reference's, shard by shard
    plan_outputs = [job.outputs[s * (SHARDS + 1):(s + 1) * (SHARDS + 1)] for s in range(STEPS)]
    for step, outs in zip(run.steps, plan_outputs):
        assert list(outs[:SHARDS]) == list(step.gradient_commitments)
        assert outs[SHARDS] == step.weights_next_commitment
    # the final weights, fetched by their commitment, are the reference's exactly
    final = pair.store[model.versions[-1].commitment]
    np.testing.assert_array_equal(final, run.final_weights)
    assert outcomes[-1].jobs_closed == ((0, "done"),)


def test_the_job_pays_each_task_once_from_the_escrow_and_nodes_get_fee_less_pool_fee(
        pair, posted, finished):
    m, outcomes, _ = finished
    job = m.job(0)
    payments = [p for o in outcomes for p in o.paid]
    assert sorted(p.task_id for p in payments) == sorted(job.task_ids)
    escrow = STEPS * (SHARDS * job.gradient_fee + job.aggregate_fee)
    assert sum(p.fee for p in payments) == escrow
    for p in payments:
        assert p.pool_fee == p.fee * PARAMS.pool_fee_ppb // PPB
        assert p.poster == REQ and p.node_id != REQ
    # the poster paid exactly the escrow (posted at genesis balance, nothing else)
    assert m.account(REQ).balance == GRANTS[REQ] - escrow and m.account(REQ).held == 0
    # each node: its grant, plus its fee shares and its emission
    for node in NODES:
        earned = sum(p.node_share for p in payments if p.node_id == node)
        emitted = sum(o.ledger.paid.get(node, 0) for o in outcomes)
        assert m.account(node).balance == GRANTS[node] + earned + emitted, node
        assert m.account(node).held == 0


def test_each_statement_is_proved_once_and_the_state_round_trips(pair, finished):
    m, _, states = finished
    assert len(set(pair.proved)) == len(pair.proved)
    for state in (states[1], m):
        twin = Market.from_bytes(state.to_bytes())
        assert twin == state and twin.state_root() == state.state_root()
        twin.check_invariants()


def test_the_state_root_covers_the_jobs(pair, finished):
    _, _, states = finished
    state = states[1]
    d = state.to_dict()
    d["jobs"][0]["data_uri"] = "ipfs://other"
    assert Market.from_dict(d).state_root() != state.state_root()
    d = state.to_dict()
    d["jobs"][0]["reserve"] = str(int(d["jobs"][0]["reserve"]) + 1)
    with pytest.raises(MarketStateError):
        Market.from_dict(d)
    d = state.to_dict()
    d["jobs"][0]["task_ids"][0] = d["jobs"][0]["task_ids"][1]
    with pytest.raises(MarketStateError):
        Market.from_dict(d)


# -- a late shard ------------------------------------------------------------------------------

def test_a_late_shard_is_reassigned_and_the_job_still_completes(pair, posted, finished):
    m = posted.copy()
    late = {}

    def skip(task):  # step 1's shard 2: its first assignee never delivers
        job = m.job(0)
        if job.task_ids.index(task.task_id) == (SHARDS + 1) + 2 and not late:
            late[task.task_id] = task.assignee
            return True
        return task.task_id in late and task.assignee == late[task.task_id]

    outcomes = run_job(m, pair, skip)
    (task_id, slow), = late.items()
    lates = [d for o in outcomes for d in o.late]
    assert [(d.task_id, d.node_id, d.expired) for d in lates] == [(task_id, slow, False)]
    assert lates[0].bond_slashed == m.task(task_id).bond * PARAMS.late_bond_slash_ppb // PPB
    assert lates[0].reputation_lost == PARAMS.late_reputation_penalty
    task = m.task(task_id)
    assert task.status is TaskStatus.DONE and task.failed == (slow,) and task.assignee != slow
    assert m.job(0).status is JobStatus.DONE
    # the same weights as without the delay, and as the reference
    assert [v.commitment for v in finished[0].model("m").versions] == \
        [v.commitment for v in m.model("m").versions]
    assert [v.commitment for v in m.model("m").versions] == pair.run.weight_commitments


def test_a_shard_nobody_delivers_fails_the_job_and_refunds_what_was_not_spent(pair, posted):
    m = posted.copy()
    first = m.job(0).task_ids[0]
    run_job(m, pair, skip=lambda task: task.task_id == first)
    job = m.job(0)
    assert job.status is JobStatus.FAILED and job.reserve == 0
    assert m.task(first).status is TaskStatus.EXPIRED
    assert len(m.task(first).failed) == PARAMS.max_task_attempts
    assert len(job.task_ids) == SHARDS  # no aggregation was ever made
    assert len(m.model("m").versions) == 1
    spent = sum(m.task(t).fee for t in job.task_ids if m.task(t).status is TaskStatus.DONE)
    assert m.account(REQ).balance == GRANTS[REQ] - spent and m.account(REQ).held == 0


# -- attacks -----------------------------------------------------------------------------------

def _refused(market: Market, pair: Pair, claim: TaskClaim, code: str) -> None:
    problem = market.preview(market.height + 1, kernels=pair.kernels).check_claim(
        claim.node_id, claim.task_id, claim.kernel_id, claim.public_inputs)
    assert problem is not None and problem.code == code, problem
    before = market.to_bytes()
    with pytest.raises(TaskClaimError) as err:
        market.apply_block(market.height + 1, [claim], (), (), {}, pair.kernels)
    assert err.value.code == code
    assert market.to_bytes() == before


def test_a_gradient_proof_on_another_shards_data_is_not_paid(pair, posted):
    m = posted.copy()
    task = m.task(m.job(0).task_ids[0])  # step 0, shard 0
    forged = pair.prove(task.assignee, task.task_id, task.kernel_id,
                        {"weights": pair.w0, "data": pair.data[1]})  # a valid proof
    _refused(m, pair, forged, "task-input-mismatch")
    block(m, pair, [pair.deliver(m, task.task_id)])  # the honest one is paid
    assert m.task(task.task_id).status is TaskStatus.DONE


def test_an_aggregation_over_a_gradient_that_was_not_accepted_is_not_paid(pair, finished):
    _, _, states = finished
    m = states[1].copy()  # step 0's gradients accepted, its aggregation assigned
    (agg,) = job_tasks(m)
    assert m.job(0).is_aggregation(len(m.job(0).task_ids) - 1)
    accepted = [pair.store[c] for c in m.job(0).outputs[:SHARDS]]
    swapped = [accepted[0], accepted[0], accepted[2], accepted[3]]  # gradient_1 replaced
    forged = pair.prove(agg.assignee, agg.task_id, agg.kernel_id,
                        {"weights": pair.w0, **{f"gradient_{k}": g
                                                for k, g in enumerate(swapped)}})
    _refused(m, pair, forged, "task-input-mismatch")


def test_a_gradient_on_stale_weights_is_not_paid(pair, finished):
    _, _, states = finished
    m = states[2].copy()  # step 1's gradients assigned, on W_1
    task = job_tasks(m)[0]
    shard = m.job(0).task_ids.index(task.task_id) - (SHARDS + 1)
    stale = pair.prove(task.assignee, task.task_id, task.kernel_id,
                       {"weights": pair.w0, "data": pair.data[shard]})
    _refused(m, pair, stale, "task-input-mismatch")


def test_a_claim_for_another_nodes_shard_task_is_not_paid(pair, posted):
    m = posted.copy()
    task = m.task(m.job(0).task_ids[1])
    thief = next(n for n in NODES if n != task.assignee)
    own_proof = pair.deliver(m, task.task_id, node=thief)  # proved and bound by the thief
    _refused(m, pair, own_proof, "not-assignee")
    honest = pair.deliver(m, task.task_id)
    copied = TaskClaim(thief, honest.task_id, honest.kernel_id, honest.public_inputs,
                       hashlib.sha256(b"copied").digest())
    _refused(m, pair, copied, "not-assignee")


def test_a_job_task_is_paid_once(pair, finished):
    _, _, states = finished
    m = states[1].copy()
    paid = m.task(m.job(0).task_ids[0])
    again = pair.deliver(m, paid.task_id, node=paid.assignee)
    _refused(m, pair, TaskClaim(again.node_id, again.task_id, again.kernel_id,
                                again.public_inputs, hashlib.sha256(b"again").digest()),
             "task-closed")


# -- posting and cancelling --------------------------------------------------------------------

def test_posting_escrows_the_whole_job_and_makes_step_0s_tasks(pair, posted):
    m = posted
    job = m.job(0)
    escrow = STEPS * (SHARDS * job.gradient_fee + job.aggregate_fee)
    assert m.account(REQ).balance == GRANTS[REQ] - escrow
    assert m.account(REQ).held == escrow
    assert job.reserve == escrow - SHARDS * job.gradient_fee
    assert job.weights_commitment == w0_commitment(pair) and job.start_version == 0
    tasks = [m.task(t) for t in job.task_ids]
    grad_terms = pair.kernels[pair.ids["grad"]]
    pos = dict(grad_terms.tensor_positions)
    for shard, (task, d) in enumerate(zip(tasks, data_commitments(pair))):
        assert task.kernel_id == pair.ids["grad"] and task.kind is ClaimKind.TRAINING
        assert dict(task.inputs) == {pos["weights"]: w0_commitment(pair), pos["data"]: d}, \
            shard
        assert task.status is TaskStatus.ASSIGNED and task.assignee in NODES
        assert task.fee == job.gradient_fee and task.bond == job.bond
    assert len({t.assignee for t in tasks}) == SHARDS  # spread by load


def test_a_post_is_refused_with_the_rule_it_breaks_and_stages_nothing(pair, posted):
    m = staked_market(pair)
    d = data_commitments(pair)
    with pytest.raises(MarketOperationError, match="same data commitment"):
        post_job(pair, data=[d[0], d[1], d[2], d[0]])
    with pytest.raises(MarketOperationError, match="must differ"):
        post_job(pair, agg=pair.ids["grad"])
    cases = {
        "not registered": post_job(pair, model="nope"),
        "below": post_job(pair, grad_fee=min_fee(pair, "grad") - 1),
        "min_fee_per_unit": post_job(pair, agg_fee=min_fee(pair, "agg") - 1),
        "registry does not hold": post_job(pair, grad=kernel_id("unknown")),
        "not a training kernel": post_job(pair, grad=INFER),
        "inputs are at": post_job(pair, data=d[:3]),  # the aggregation takes 4 gradients
        "tier 9": post_job(pair, tier=9),
        "escrow of training job": post_job(pair, steps=10**4 // 2, grad_fee=10**20),
    }
    verdicts = m.screen_operations(m.height + 1, list(cases.values()), pair.kernels)
    for (what, _), verdict in zip(cases.items(), verdicts):
        assert verdict is not None and what in verdict, (what, verdict)
    # one running job per model
    verdicts = m.screen_operations(m.height + 1, [post_job(pair), post_job(pair)],
                                   pair.kernels)
    assert verdicts[0] is None and "job 0 is running" in verdicts[1]
    assert posted.screen_operations(posted.height + 1, [post_job(pair)], pair.kernels)[0]


def test_a_frozen_model_takes_no_job(pair):
    m = staked_market(pair)
    draft = m.preview(m.height + 1, kernels=pair.kernels)
    draft.models.apply_actions([(0, FreezeModel("m").action())])
    with pytest.raises(ModelError, match="frozen"):
        draft.operate(post_job(pair))


def test_a_job_task_cannot_be_cancelled_alone_and_only_the_poster_cancels_the_job(pair):
    m = staked_market(pair)
    block(m, pair, ops=[post_job(pair, tier=1)])  # no node is staked: none assigned
    first = m.job(0).task_ids[0]
    assert m.task(first).status is TaskStatus.UNASSIGNED
    verdicts = m.screen_operations(m.height + 1, [CancelTask(REQ, first), CancelJob("n1", 0),
                                                  CancelJob(REQ, 7)], pair.kernels)
    assert "a task of training job 0" in verdicts[0]
    assert "only the poster" in verdicts[1] and "does not exist" in verdicts[2]


def test_a_model_frozen_mid_job_halts_it_and_the_aggregation_is_still_paid(pair, finished):
    _, _, states = finished
    m = states[1].copy()  # step 0's aggregation assigned
    (agg,) = job_tasks(m)
    claim = pair.deliver(m, agg.task_id)
    draft = m.preview(m.height + 1, kernels=pair.kernels)
    draft.models.apply_actions([(0, FreezeModel("m").action())])  # as a passed vote would
    (paid,) = draft.accept([claim])
    draft.schedule()
    out = draft.commit()
    check(m)
    assert paid.task_id == agg.task_id and out.jobs_closed == ((0, "halted"),)
    job = m.job(0)
    assert job.status is JobStatus.HALTED and job.versions == () and job.reserve == 0
    assert len(m.model("m").versions) == 1
    spent = SHARDS * job.gradient_fee + job.aggregate_fee
    assert m.account(REQ).balance == GRANTS[REQ] - spent and m.account(REQ).held == 0


@given(st.integers(1, 9), st.integers(1, 9), st.integers(1, 10**30), st.integers(1, 10**30),
       st.data())
def test_the_reserve_is_the_fees_of_the_tasks_not_created(shards, steps, grad_fee, agg_fee,
                                                          data):
    job = Job(0, REQ, "m", kernel_id("g"), kernel_id("a"), tuple(range(shards)), DATA_HASH,
              "", steps, grad_fee, agg_fee, 0, 0, 1, 0, 5, 0, 0)
    created = data.draw(st.integers(0, job.plan_size))
    assert job.fees_from(created) == sum(
        agg_fee if (i + 1) % (shards + 1) == 0 else grad_fee
        for i in range(created, job.plan_size))
    plan = job.plan()
    assert [job.is_aggregation(i) for i in range(job.plan_size)] == [
        t.role == "aggregate" for t in plan.tasks]
    where = {t.task_id: i for i, t in enumerate(plan.tasks)}
    for i, task in enumerate(plan.tasks):
        assert sorted(job.sources(i)) == sorted(where[d] for d in task.depends_on)


def test_cancelling_an_unassigned_job_refunds_everything(pair):
    m = staked_market(pair)
    out = block(m, pair, ops=[post_job(pair, tier=1)])  # no node is staked: none assigned
    assert out.assigned == ()
    assert m.account(REQ).balance < GRANTS[REQ]
    out = block(m, pair, ops=[CancelJob(REQ, 0)])
    assert out.jobs_closed == ((0, "cancelled"),)
    assert set(out.cancelled) == set(m.job(0).task_ids)
    assert m.account(REQ).balance == GRANTS[REQ] and m.account(REQ).held == 0
    assert m.job(0).status is JobStatus.CANCELLED and m.job(0).reserve == 0
    with pytest.raises(InvalidOperationError, match="cancelled"):
        m.preview(m.height + 1, [CancelJob(REQ, 0)], pair.kernels)


def test_cancelling_a_running_job_refunds_the_rest_and_pays_the_assigned_tasks(pair, posted):
    m = posted.copy()
    job = m.job(0)
    block(m, pair, ops=[CancelJob(REQ, 0)])
    assert m.job(0).status is JobStatus.CANCELLED
    assigned = SHARDS * job.gradient_fee  # step 0's tasks were assigned: not refunded
    assert m.account(REQ).balance == GRANTS[REQ] - assigned
    assert m.account(REQ).held == assigned
    out = block(m, pair, [pair.deliver(m, t) for t in job.task_ids])  # still paid
    assert len(out.paid) == SHARDS and out.posted == () and out.assigned == ()
    assert m.account(REQ).held == 0 and len(m.job(0).task_ids) == SHARDS
    assert len(m.model("m").versions) == 1  # no aggregation, no version
    assert all(o is not None for o in m.job(0).outputs)
