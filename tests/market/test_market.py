# SPDX-License-Identifier: MIT
"""The market's rules, each tried the way an honest user and an attacker would: posting
(escrow, the kernel and fee rules), assignment, payment to the assignee only on the
task's inputs, once; deadlines, reassignment and expiry; cancelling; self-dealing; and
the state's root and serialization."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.market.helpers import (
    GRANTS,
    MIN_FEE,
    PARAMS,
    block,
    check,
    claim,
    genesis,
    post,
    register,
)
from tests.market.strategies import DOT, INFER, KERNELS, PRIVATE, UNBOUND, profile
from zkcx.errors import (
    DuplicateClaimError,
    HeightError,
    InsufficientFundsError,
    InvalidOperationError,
)
from zkcx.market import (
    CancelTask,
    Candidate,
    DraftOrderError,
    Market,
    MarketOperationError,
    MarketStateError,
    RegisterNode,
    TaskClaimError,
    TaskStatus,
    UnknownTaskError,
    schedule,
)
from zkcx.rewards import PPB, TOKEN, Accountant, ClaimKind, Transfer
from zkcx.rewards.merkle import leaf_hash, merkle_root_of_hashes


def _pool_fee(fee: int) -> int:
    return fee * PARAMS.pool_fee_ppb // PPB


def _assigned_market(nodes=("a",), bond=0, fee=MIN_FEE, window=3):
    """Nodes registered in block 0; one task posted and assigned in block 1."""
    m = genesis()
    block(m, ops=[register(n) for n in nodes])
    block(m, ops=[post(fee=fee, bond=bond, market=m, window=window)])
    return m


def test_posting_escrows_the_fee_and_the_scheduler_assigns_the_task_in_the_same_block():
    m = genesis()
    block(m, ops=[register("a"), register("b")])
    out = block(m, ops=[post(fee=3 * MIN_FEE, bond=TOKEN, market=m)])
    task = m.task(0)
    assert out.posted == (0,) and [(x.task_id, x.node_id) for x in out.assigned] == [(0, "a")]
    assert task.status is TaskStatus.ASSIGNED and task.assignee == "a"
    assert task.deadline == 1 + 3 and task.window == 3
    assert m.account("req").balance == GRANTS["req"] - 3 * MIN_FEE
    assert m.account("req").held == 3 * MIN_FEE
    assert m.account("a").balance == GRANTS["a"] - TOKEN and m.account("a").held == TOKEN
    assert m.load("a") == 1000 and m.load("b") == 0
    check(m)


def test_the_assignees_claim_on_the_task_inputs_is_paid_the_fee_less_the_pool_fee():
    fee = 5 * MIN_FEE
    m = _assigned_market(bond=TOKEN, fee=fee)
    pool_before = m.ledger.pool
    a_before = m.account("a").balance
    out = block(m, claims=[claim("a", 0)])
    (pay,) = out.paid
    assert (pay.task_id, pay.node_id, pay.fee, pay.pool_fee) == (0, "a", fee, _pool_fee(fee))
    emission = out.ledger.paid.get("a", 0)
    assert emission <= fee * PARAMS.emission_fee_cap_ppb // PPB
    assert m.account("a").balance == a_before + fee - _pool_fee(fee) + TOKEN + emission
    assert m.account("a").held == 0 and m.account("req").held == 0
    assert m.ledger.pool == pool_before + _pool_fee(fee) - emission
    task = m.task(0)
    assert task.status is TaskStatus.DONE and task.claim_hash is not None
    assert task.closed_height == m.height and m.load("a") == 0
    check(m)


def test_a_proof_on_other_inputs_or_of_another_kernel_is_not_paid():
    m = _assigned_market()
    before = m.copy()
    draft = m.preview(m.height + 1)
    other = ((1, 11), (2, 23))
    assert draft.check_claim("a", 0, DOT, claim("a", 0, other).public_inputs).code == \
        "task-input-mismatch"
    assert draft.check_claim("a", 0, DOT, (7, 11)).code == "task-input-mismatch"  # too few
    assert draft.check_claim("a", 0, INFER, claim("a", 0).public_inputs).code == \
        "task-kernel-mismatch"
    assert draft.check_claim("a", 0, DOT, claim("a", 0).public_inputs) is None
    with pytest.raises(TaskClaimError) as info:
        block(m, claims=[claim("a", 0, other)])
    assert info.value.code == "task-input-mismatch"
    assert m == before and m.state_root() == before.state_root()


def test_a_claim_for_a_task_assigned_to_another_node_is_not_paid():
    m = _assigned_market(nodes=("a", "b"))
    draft = m.preview(m.height + 1)
    problem = draft.check_claim("b", 0, DOT, claim("b", 0).public_inputs)
    assert problem.code == "not-assignee" and "assigned to a" in problem.detail
    assert draft.check_claim("req", 0, DOT, claim("req", 0).public_inputs).code == \
        "not-assignee"
    assert draft.check_claim("a", 1, DOT, claim("a", 1).public_inputs).code == "no-such-task"
    assert draft.check_claim("a", True, DOT, ()).code == "no-such-task"
    with pytest.raises(TaskClaimError):
        block(m, claims=[claim("b", 0)])
    assert m.task(0).status is TaskStatus.ASSIGNED


def test_a_task_is_paid_once():
    """Two claims of one task in a block, or a second claim in a later block, are
    refused; one claim hash cannot pay two tasks."""
    m = genesis()
    block(m, ops=[register("a")])
    block(m, ops=[post(market=m), post(market=m)])
    assert [t.assignee for t in m.tasks] == ["a", "a"]
    with pytest.raises(TaskClaimError) as info:
        block(m, claims=[claim("a", 0), claim("a", 0)])
    assert info.value.code == "task-closed"
    first = claim("a", 0)
    twin = dataclasses.replace(claim("a", 1), claim_hash=first.claim_hash)
    with pytest.raises(DuplicateClaimError):
        block(m, claims=[first, twin])
    block(m, claims=[claim("a", 0)])
    balance = m.account("a").balance
    draft = m.preview(m.height + 1)
    assert draft.check_claim("a", 0, DOT, claim("a", 0).public_inputs).code == "task-closed"
    with pytest.raises(TaskClaimError):
        block(m, claims=[claim("a", 0)])
    block(m, claims=[claim("a", 1)])
    assert m.account("a").balance > balance
    assert [t.status for t in m.tasks] == [TaskStatus.DONE, TaskStatus.DONE]
    check(m)


def test_self_dealing_loses_tokens():
    """One party owns the posting account and the only registered node: every task it
    posts goes to its own node and is paid, emission included, yet the pair ends with
    fewer tokens, by at least Σ fee · (pool_fee − emission_fee_cap)."""
    grants = {"sybil-post": 100 * TOKEN, "sybil-node": 10 * TOKEN}
    m = genesis(grants)
    block(m, ops=[register("sybil-node")])
    start = sum(grants.values())
    fees = 0
    for fee in (MIN_FEE, 10 * MIN_FEE, 50 * TOKEN):
        block(m, ops=[post("sybil-post", fee=fee, market=m)])
        (task,) = [t for t in m.tasks if t.status is TaskStatus.ASSIGNED]
        assert task.assignee == "sybil-node"
        out = block(m, claims=[claim("sybil-node", task.task_id)])
        emission = out.ledger.paid.get("sybil-node", 0)
        assert 0 < emission <= fee * PARAMS.emission_fee_cap_ppb // PPB  # it does earn
        fees += fee
    end = sum(m.account(n).balance + m.account(n).held + m.account(n).stake
              for n in grants)
    loss = start - end
    assert loss > 0
    assert loss >= fees * (PARAMS.pool_fee_ppb - PARAMS.emission_fee_cap_ppb) // PPB - 3
    check(m)


def test_a_poster_is_never_assigned_its_own_task():
    m = genesis()
    block(m, ops=[register("req")])
    block(m, ops=[post(market=m)])
    assert m.task(0).status is TaskStatus.UNASSIGNED
    block(m, ops=[register("a")])
    assert m.task(0).assignee == "a"


def test_a_late_node_loses_reputation_and_half_its_bond_and_the_task_is_reassigned():
    bond = 2 * TOKEN
    m = genesis()
    block(m, ops=[register("a"), register("b")])  # a ranks first (equal, id order)
    block(m, ops=[post(bond=bond, market=m, window=2)])  # height 1: due by block 3
    assert m.task(0).assignee == "a" and m.task(0).deadline == 3
    block(m)
    block(m)  # block 3: still on time, not delivered
    assert m.task(0).assignee == "a"
    rep, balance, pool = (m.account("a").reputation, m.account("a").balance, m.ledger.pool)
    out = block(m)  # block 4: late
    (late,) = out.late
    slash = bond * PARAMS.late_bond_slash_ppb // PPB
    assert (late.task_id, late.node_id, late.bond_slashed, late.expired) == (0, "a", slash,
                                                                            False)
    assert m.account("a").reputation == rep - PARAMS.late_reputation_penalty
    assert m.account("a").balance == balance + bond - slash and m.account("a").held == 0
    assert m.ledger.pool == pool + slash - out.ledger.paid_total
    task = m.task(0)
    assert (task.assignee, task.attempts, task.failed) == ("b", 1, ("a",))
    assert task.deadline == 4 + task.window
    draft = m.preview(m.height + 1)
    assert draft.check_claim("a", 0, DOT, claim("a", 0).public_inputs).code == "not-assignee"
    block(m, claims=[claim("b", 0)])
    assert m.task(0).status is TaskStatus.DONE and m.account("b").held == 0
    check(m)


def test_a_task_expires_after_max_attempts_and_its_fee_returns_to_the_poster():
    nodes = ("a", "b", "c")
    fee, bond = 4 * MIN_FEE, TOKEN
    m = genesis()
    block(m, ops=[register(n) for n in nodes])
    block(m, ops=[post(fee=fee, bond=bond, market=m, window=1)])
    req = m.account("req").balance
    slashed = 0
    seen = []
    while m.task(0).status is not TaskStatus.EXPIRED:
        seen.append(m.task(0).assignee)
        block(m)
        out = block(m)
        slashed += sum(x.bond_slashed for x in out.late)
        check(m)
    assert sorted(seen) == sorted(nodes) and len(seen) == PARAMS.max_task_attempts
    task = m.task(0)
    assert task.attempts == 3 and set(task.failed) == set(nodes) and task.assignee is None
    assert m.account("req").balance == req + fee and m.account("req").held == 0
    assert slashed == 3 * (bond * PARAMS.late_bond_slash_ppb // PPB)
    assert out.expired == (0,)


def test_the_poster_cancels_an_unassigned_task_for_its_whole_fee_and_nothing_else():
    m = genesis()
    block(m, ops=[post(fee=2 * MIN_FEE, market=m)])  # nobody registered: waits
    assert m.task(0).status is TaskStatus.UNASSIGNED
    verdicts = m.screen_operations(m.height + 1, [CancelTask("a", 0), CancelTask("req", 5)],
                                   {})
    assert "only the poster" in verdicts[0] and "does not exist" in verdicts[1]
    block(m, ops=[CancelTask("req", 0)])
    assert m.task(0).status is TaskStatus.CANCELLED
    assert m.account("req").balance == GRANTS["req"] and m.account("req").held == 0
    assert "cancelled" in m.screen_operations(m.height + 1, [CancelTask("req", 0)])[0]
    block(m, ops=[register("a")])
    assert m.task(0).status is TaskStatus.CANCELLED  # never assigned after
    check(m)


def test_cancel_after_assignment_is_refused():
    m = _assigned_market()
    (verdict,) = m.screen_operations(m.height + 1, [CancelTask("req", 0)])
    assert "assigned to 'a'" in verdict
    before = m.copy()
    with pytest.raises(MarketOperationError):
        block(m, ops=[CancelTask("req", 0)])
    assert m == before


def test_a_task_posted_and_cancelled_in_one_block_returns_its_fee():
    m = genesis()
    block(m, ops=[post(market=m), CancelTask("req", 0), register("a")])
    assert m.task(0).status is TaskStatus.CANCELLED and m.account("req").held == 0


@pytest.mark.parametrize("change, words", [
    (dict(kernel="ab" * 32), "does not hold"),
    (dict(kernel=PRIVATE), "not all public or committed"),
    (dict(kernel=UNBOUND), "no claim binding"),
    (dict(kind=ClaimKind.INFERENCE), "compute kernel of 1000 units"),
    (dict(units=999), "compute kernel of 1000 units"),
    (dict(inputs=((1, 11),)), "inputs are at [1, 2]"),
    (dict(inputs=((1, 11), (2, 22), (3, 0))), "inputs are at [1, 2]"),
    (dict(fee=MIN_FEE - 1), "below 1000 work units"),
    (dict(deadline=0), "not after the block"),
    (dict(tier=3), "tiers are 0 to 2"),
    (dict(fee=GRANTS["req"] + 1), "cannot lock"),
])
def test_a_task_the_market_cannot_honour_is_refused_with_its_reason(change, words):
    m = genesis()
    block(m)
    if change.get("deadline") == 0:
        change["deadline"] = m.height + 1
    (verdict,) = m.screen_operations(m.height + 1, [post(market=m, **change)], KERNELS)
    assert verdict is not None and words in verdict, verdict
    before = m.copy()
    with pytest.raises((MarketOperationError, InsufficientFundsError)):
        block(m, ops=[post(market=m, **change)])
    assert m == before


def test_screening_judges_market_and_ledger_operations_in_order():
    """A transfer that funds a poster makes its post valid; the same post before the
    transfer is refused."""
    m = genesis({"req": MIN_FEE, "d": 5 * MIN_FEE})
    block(m)
    ops = [post("d2", market=m), Transfer("d", "d2", MIN_FEE), post("d2", market=m)]
    verdicts = m.screen_operations(m.height + 1, ops, KERNELS)
    assert verdicts[0] is not None and verdicts[1:] == [None, None]
    block(m, ops=ops[1:])
    assert m.task(0).poster == "d2"


def test_capacity_bounds_the_work_a_node_is_given():
    """A 1-block window holds 10 s of proving: a node measured at 100 units/s can take
    one 1000-unit task per block window, the second waits for another node."""
    m = genesis()
    block(m, ops=[register("a", units_per_second=100)])
    block(m, ops=[post(market=m, window=1), post(market=m, window=1)])
    assert [t.status for t in m.tasks] == [TaskStatus.ASSIGNED, TaskStatus.UNASSIGNED]
    block(m, ops=[register("b", units_per_second=100)])
    assert m.task(1).assignee == "b"
    block(m, ops=[RegisterNode("a", profile(50))])  # re-measured: replaces the profile
    assert m.nodes["a"].profile.units_per_second == 50 and m.nodes["a"].registered_height == 3


def test_invalid_proofs_are_penalised_before_the_block_assigns():
    """Penalties come first: a node penalised in a block ranks by its lowered reputation
    when the same block's tasks are assigned."""
    m = genesis()
    block(m, ops=[register("a"), register("b")])
    block(m, ops=[post(market=m)], invalid=["a"])
    assert m.task(0).assignee == "b"


def test_draft_steps_run_in_order_and_a_draft_commits_once():
    m = genesis()
    draft = m.begin_block(0, {})
    draft.release_unbonding()
    with pytest.raises(DraftOrderError):
        draft.penalize([])
    draft.operate(register("a"))
    draft.operate(register("b"))
    draft.schedule()
    with pytest.raises(DraftOrderError):
        draft.accept([])
    draft.commit()
    with pytest.raises(DraftOrderError):
        draft.commit()
    with pytest.raises(HeightError):
        m.begin_block(0)
    assert set(m.nodes) == {"a", "b"}


def test_the_state_root_covers_ledger_and_market_as_documented():
    m = _assigned_market(nodes=("b", "a"))
    head = b"M" + (1).to_bytes(8, "big") + (2).to_bytes(8, "big")
    leaves = [leaf_hash(head), leaf_hash(m.task(0).leaf_payload()),
              leaf_hash(m.nodes["a"].leaf_payload("a")),
              leaf_hash(m.nodes["b"].leaf_payload("b"))]
    assert m.market_root() == merkle_root_of_hashes(leaves)
    assert m.state_root() == merkle_root_of_hashes([m.ledger.state_root(), m.market_root()])
    before = m.state_root()
    block(m)
    assert m.state_root() != before  # height moved


def test_serialization_round_trips_and_refuses_inconsistent_states():
    m = _assigned_market(bond=TOKEN)
    data = m.to_bytes()
    back = Market.from_bytes(data)
    assert back == m and back.state_root() == m.state_root() and back.to_bytes() == data
    back.check_invariants()
    block(back)
    block(m)
    assert back.state_root() == m.state_root()

    def tampered(edit):
        d = json.loads(data)
        edit(d)
        return json.dumps(d).encode()

    def fee(d):
        d["tasks"][0]["fee"] = str(int(d["tasks"][0]["fee"]) + 1)

    def held(d):
        d["ledger"]["accounts"]["a"]["held"] = "0"

    def order(d):
        d["tasks"][0]["task_id"] = 1

    def future(d):
        d["nodes"]["a"]["registered_height"] = 9

    def overdue(d):
        d["tasks"][0]["deadline"] = 0
        d["tasks"][0]["window"] = 0

    def extra(d):
        d["extra"] = 1

    for edit in (fee, held, order, future, overdue, extra):
        with pytest.raises(MarketStateError):
            Market.from_bytes(tampered(edit))
    for bad in (b"", b"[]", b"{", "é".encode("latin-1"), b'{"format": "zkcx-market-state-v0"}'):
        with pytest.raises(MarketStateError):
            Market.from_bytes(bad)


def test_a_market_starts_from_a_ledger_that_holds_nothing():
    with pytest.raises(MarketStateError):
        Market("not a ledger")  # type: ignore[arg-type]
    m = Market()
    assert m.height == -1 and m.tasks == () and m.state_root() == Market().state_root()
    with pytest.raises(UnknownTaskError):
        m.task(0)
    assert isinstance(m.ledger, Accountant)
    with pytest.raises(MarketStateError):  # held tokens without their tasks
        Market.from_dict(_held_without_task())


def _held_without_task():
    m = _assigned_market()
    d = m.to_dict()
    d["tasks"] = []
    return d


def test_an_overstated_capacity_costs_the_node_its_deadlines_and_its_rank():
    """The chain cannot check a profile. A node claiming a huge capacity takes every
    task an honest node of 100 units/s cannot fit (1000 units per 1-block window); it
    proves one per block, misses the others' deadlines, loses reputation and bond for
    each, and from then on the honest node ranks above it at equal load."""
    m = genesis({**GRANTS, "liar": 10 * TOKEN, "honest": 10 * TOKEN})
    block(m, ops=[register("liar", units_per_second=10**9), register("honest", 100)])
    block(m, ops=[post(bond=TOKEN, market=m, window=1) for _ in range(4)])
    assert [t.assignee for t in m.tasks] == ["liar", "honest", "liar", "liar"]
    liar = m.account("liar")
    block(m, claims=[claim("liar", 0), claim("honest", 1)])  # block 2: on time
    out = block(m)  # block 3: tasks 2 and 3 were due by block 2
    assert [(x.task_id, x.node_id) for x in out.late] == [(2, "liar"), (3, "liar")]
    slash = TOKEN * PARAMS.late_bond_slash_ppb // PPB
    emission = m.account("liar").earned_total - liar.earned_total
    assert m.account("liar").balance == (liar.balance + 3 * TOKEN - 2 * slash  # bonds back
                                         + MIN_FEE - _pool_fee(MIN_FEE) + emission)
    assert m.account("liar").reputation < m.account("honest").reputation
    assert [t.assignee for t in m.tasks[2:]] == ["honest", None]  # no capacity for 3
    # at equal load the lost reputation decides (the scheduler's key: load first)
    kinds = frozenset([ClaimKind.COMPUTE, ClaimKind.INFERENCE])
    idle = [Candidate(n, 0, kinds, m.account(n).reputation, 100, 0, TOKEN)
            for n in ("liar", "honest")]
    fresh = dataclasses.replace(m.task(3), failed=(), attempts=0)
    assert m.task(3).status is TaskStatus.UNASSIGNED
    assert schedule([fresh], idle)[0].node_id == "honest"


def test_nonces_and_ledger_operations_ride_along_with_market_operations():
    m = genesis()
    block(m, ops=[register("a"), Transfer("req", "b", TOKEN), post(market=m)],
          nonces={"req": 2, "a": 1})
    assert m.account("req").nonce == 2 and m.account("a").nonce == 1
    assert m.account("b").balance == GRANTS["b"] + TOKEN and m.task(0).assignee == "a"
    with pytest.raises(InvalidOperationError):
        block(m, nonces={"req": 2})  # not above the current nonce


def test_a_refused_step_stages_nothing_and_may_be_retried():
    m = _assigned_market()
    draft = m.preview(m.height + 1)
    with pytest.raises(TaskClaimError):
        draft.accept([claim("a", 0), claim("a", 0, ((1, 11), (2, 0)))])
    assert draft.task(0).status is TaskStatus.ASSIGNED
    assert draft.ledger.account("req").held == MIN_FEE
    (paid,) = draft.accept([claim("a", 0)])
    draft.schedule()
    out = draft.commit()
    assert out.paid == (paid,) and m.task(0).status is TaskStatus.DONE
    check(m)
