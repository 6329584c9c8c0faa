# SPDX-License-Identifier: MIT
"""The market's attacks, end to end: signed transactions through the block builder into a
``Chain`` on a SQLite file, each rejection read back from the block with its reason, the
attacked party's tokens compared before and after, and every chain re-verified from
genesis. Expected amounts come from the rules (fee, pool fee, fee cap, bond slash share,
reputation penalty: the chain's parameters), never from the code under test.

- a proof on other inputs (task-input-mismatch);
- a claim for a task assigned to another node: proved on the task's inputs by the
  other node (not-assignee), the assignee's proof renamed (binding-mismatch), the
  assignee's claim signed by another key (bad-signature: nothing charged to the
  assignee);
- self-dealing: two accounts of one party, poster and executor, lose tokens together
  every round, emission included;
- double payment: the paid claim again (bad-nonce), re-signed (replayed), re-randomized
  (replayed), copied twice in one block (duplicate), claimed by another node
  (task-closed); the poster pays the fee once;
- late delivery: the task is taken back and reassigned, the late node loses reputation
  and its bond share to the pool, its late claim is not paid; missed by every node it
  expires and the poster gets its fee back;
- cancel after assignment is refused (and cancel by another account); the poster's own
  cancel of an unassigned task returns the fee in full.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.rollup.conftest import (
    DATA_HASH,
    PROFILE,
    REQUESTER,
    REQUESTER_GRANT,
    SigningChain,
    addr,
    fee_of,
    new_market,
    rerandomize,
    signer,
)
from zkcx.market import CancelTask, PostTask, RegisterNode
from zkcx.rewards import TOKEN
from zkcx.rollup import Block, Claim, SQLiteChainStore, claim_binding, verify_chain

PPB = 10**9
TOTAL_SUPPLY = 200_000_000 * TOKEN
NODE_GRANT = 50 * TOKEN


def tokens(market, who: str) -> int:
    """Everything ``who`` owns on the chain: balance, stake, unbonding and held."""
    acc = market.ledger.accounts.get(who)
    return 0 if acc is None else acc.balance + acc.stake + acc.unbonding_total + acc.held


def reasons(block: Block) -> dict[int, str]:
    """The block's rejected claims: position -> reason."""
    return {r.index: r.reason.value for r in block.rejected}


def op_reasons(block: Block) -> dict[int, tuple[str, str]]:
    """The block's rejected operations: position -> (reason, detail)."""
    return {r.index: (r.reason.value, r.detail) for r in block.rejected_operations}


def conserved(market) -> None:
    ledger = market.ledger
    assert ledger.pool + sum(a.balance + a.stake + a.unbonding_total + a.held
                             for a in ledger.accounts.values()) == TOTAL_SUPPLY
    market.check_invariants()


@pytest.fixture()
def make_chain(kit, tmp_path):
    """make_chain(grants, kit_tasks=True) -> a SigningChain on a new SQLite file whose
    genesis grants the requester and ``grants``; its verification from genesis runs at
    the test's end."""
    made = []

    def make(grants=None, with_kit=True):
        store = SQLiteChainStore.create(tmp_path / f"chain{len(made)}.db",
                                        new_market(grants=grants))
        chain = SigningChain(store, kit.kernels, kit=kit if with_kit else None)
        made.append((store, chain))
        return chain

    yield make
    for store, chain in made:
        report = verify_chain(store, kit.kernels)
        assert report.state_root == chain.market.state_root()
        assert report.market == chain.market
        conserved(chain.market)
        store.close()


def post(kit, poster: str, x: int, a: int, *, window: int, height: int, bond: int = 0,
         fee: int | None = None) -> PostTask:
    """A PostTask of the kit's cube kernel on inputs (x, a), applied in block ``height``."""
    cube = kit.kernels.get(kit.ids["cube"])
    return PostTask(poster, cube.kernel_id, cube.kind, cube.work_units, ((1, x), (2, a)),
                    DATA_HASH, "", fee_of(cube.work_units) if fee is None else fee, bond, 0,
                    height + window)


def cube_claim(kit, node: str, task_id: int, x: int, a: int) -> Claim:
    """An unsigned claim by ``node`` (address) proving the cube on (x, a) for the task."""
    cube = kit.kernels.get(kit.ids["cube"])
    public, proof = kit.prove("cube", x, a, claim_binding(node, str(task_id)))
    return Claim(node, str(task_id), cube.kernel_id, tuple(public), proof, cube.kind)


def paid_to_node(market, fee: int) -> int:
    """What a node receives of ``fee`` before emission: fee less the pool fee."""
    return fee - fee * market.params().pool_fee_ppb // PPB


def emission_cap(market, fee: int) -> int:
    return fee * market.params().emission_fee_cap_ppb // PPB


# ---------------------------------------------------------------------------- other inputs

def test_a_proof_on_other_inputs_is_not_paid_and_costs_the_poster_nothing(kit, make_chain):
    chain = make_chain()
    kit.plan("cube", "n1", "t", 3, 4)
    chain.setup()
    task = chain.market.task(0)
    assert task.assignee == addr("n1") and task.status.value == "assigned"
    before = tokens(chain.market, REQUESTER)
    other = [cube_claim(kit, addr("n1"), 0, 4, 4), cube_claim(kit, addr("n1"), 0, 3, 5)]
    block = chain.produce(other)
    assert reasons(block) == {0: "task-input-mismatch", 1: "task-input-mismatch"}
    assert not block.accepted
    assert tokens(chain.market, REQUESTER) == before  # the fee is still in escrow
    assert chain.market.task(0).status.value == "assigned"
    block = chain.produce([kit.claim("cube", "n1", "t", 3, 4)])
    assert [c.task_id for c in block.accepted] == ["0"]
    assert tokens(chain.market, REQUESTER) == before - task.fee


# ---------------------------------------------------------------------------- others' tasks

def test_claims_for_a_task_assigned_to_another_node_are_refused(kit, make_chain):
    chain = make_chain(grants={addr("n2"): NODE_GRANT})
    honest = kit.claim("cube", "n1", "t", 3, 4)
    chain.produce([], [RegisterNode(addr("n2"), PROFILE)])  # setup block, then n2 joins
    assert chain.market.task(0).assignee == addr("n1")
    n1_before = chain.market.account(addr("n1"))
    n1_tokens, n2_tokens = (tokens(chain.market, addr(n)) for n in ("n1", "n2"))
    stolen = dataclasses.replace(honest, node_id=addr("n2"))  # n1's proof, n2's name
    forged = dataclasses.replace(  # in n1's name, signed by n2's key
        stolen.signed(signer("n2"), chain.domain, 5), node_id=addr("n1"))
    block = chain.produce([cube_claim(kit, addr("n2"), 0, 3, 4), stolen, forged])
    assert reasons(block) == {0: "not-assignee", 1: "binding-mismatch", 2: "bad-signature"}
    details = {r.index: r.detail for r in block.rejected}
    assert addr("n1") in details[0]  # it names the assignee
    n1_after = chain.market.account(addr("n1"))
    # nothing charged to n1: no nonce used in its name, no penalty, no tokens moved
    assert (n1_after.nonce, n1_after.reputation, tokens(chain.market, addr("n1"))) == (
        n1_before.nonce, n1_before.reputation, n1_tokens)
    assert tokens(chain.market, addr("n2")) == n2_tokens  # and n2 got nothing
    block = chain.produce([honest])
    assert [c.node_id for c in block.accepted] == [addr("n1")]


# ---------------------------------------------------------------------------- self-dealing

def test_self_dealing_loses_tokens_every_round(kit, make_chain):
    """One party owns ``dealer`` (posts) and ``dealer-node`` (the only registered node,
    so every task is assigned to it) and pays itself: its summed tokens fall each round
    by the pool fee less at most the emission cap, emission or not."""
    dealer, node = addr("dealer"), addr("dealer-node")
    chain = make_chain(grants={dealer: 1000 * TOKEN}, with_kit=False)
    chain.produce([], [RegisterNode(node, PROFILE)])
    emitted = 0
    for round_ in range(4):
        h = chain.height + 1
        fee = fee_of(3) * (round_ + 1)
        block = chain.produce([], [post(kit, dealer, round_, 1, window=5, height=h, fee=fee)])
        assert not block.rejected_operations
        task = chain.market.task(round_)
        assert task.assignee == node
        party = tokens(chain.market, dealer) + tokens(chain.market, node)
        block = chain.produce([cube_claim(kit, node, round_, round_, 1)])
        assert [c.task_id for c in block.accepted] == [str(round_)]
        emitted += block.header.emission
        after = tokens(chain.market, dealer) + tokens(chain.market, node)
        pool_fee = fee - paid_to_node(chain.market, fee)
        assert pool_fee - emission_cap(chain.market, fee) <= party - after <= pool_fee
        assert after < party
    assert emitted > 0  # the pool did pay emission to the dealer, and it still lost


# ---------------------------------------------------------------------------- double payment

def test_a_task_is_paid_once_however_its_claim_is_replayed(kit, make_chain):
    chain = make_chain(grants={addr("n2"): NODE_GRANT})
    first = kit.claim("cube", "n1", "t", 3, 4)
    chain.produce([], [RegisterNode(addr("n2"), PROFILE)])
    fee = chain.market.task(0).fee
    poster = tokens(chain.market, REQUESTER)
    block = chain.produce([first, dataclasses.replace(first, proof=rerandomize(first.proof, 5))])
    assert [c.task_id for c in block.accepted] == ["0"] and reasons(block) == {1: "duplicate"}
    paid = block.accepted[0]
    n1 = tokens(chain.market, addr("n1"))
    assert tokens(chain.market, REQUESTER) == poster - fee
    block = chain.produce([
        paid,                                                        # the same bytes
        first,                                                       # signed anew
        dataclasses.replace(first, proof=rerandomize(first.proof, 9)),  # another proof
        cube_claim(kit, addr("n2"), 0, 3, 4),                        # another node
    ])
    assert reasons(block) == {0: "bad-nonce", 1: "replayed", 2: "replayed", 3: "task-closed"}
    assert not block.accepted
    assert tokens(chain.market, REQUESTER) == poster - fee  # paid once
    assert tokens(chain.market, addr("n1")) == n1
    assert chain.market.task(0).status.value == "done"


# ---------------------------------------------------------------------------- late delivery

def test_a_late_node_loses_reputation_and_bond_share_and_the_task_is_reassigned(
        kit, make_chain):
    n1, n2 = addr("n1"), addr("n2")
    chain = make_chain(grants={n1: NODE_GRANT, n2: NODE_GRANT}, with_kit=False)
    bond = 3 * TOKEN
    h = chain.height + 1
    block = chain.produce([], [RegisterNode(n1, PROFILE), RegisterNode(n2, PROFILE),
                               post(kit, REQUESTER, 6, 2, window=2, height=h, bond=bond)])
    assert not block.rejected_operations
    task = chain.market.task(0)
    late, other = task.assignee, ({n1, n2} - {task.assignee}).pop()
    assert task.deadline == h + 2
    chain.produce([])
    chain.produce([])  # the deadline block: still on time, nobody delivered
    assert chain.market.task(0).assignee == late
    p = chain.market.params()
    slash = bond * p.late_bond_slash_ppb // PPB
    assert slash > 0
    rep, mine, pool = (chain.market.account(late).reputation, tokens(chain.market, late),
                       chain.market.ledger.pool)
    poster = tokens(chain.market, REQUESTER)
    block = chain.produce([cube_claim(kit, late, 0, 6, 2)])  # one block late
    assert reasons(block) == {0: "not-assignee"}  # taken back first: no longer its task
    task = chain.market.task(0)
    assert (task.status.value, task.assignee, task.attempts, tuple(task.failed)) == (
        "assigned", other, 1, (late,))
    assert task.deadline == chain.height + 2  # a fresh window
    assert chain.market.account(late).reputation == max(p.reputation_min,
                                                          rep - p.late_reputation_penalty)
    assert tokens(chain.market, late) == mine - slash
    assert chain.market.ledger.pool == pool + slash  # to the pool, not burned
    assert chain.market.account(late).held == 0
    assert tokens(chain.market, REQUESTER) == poster  # the poster loses nothing
    other_before = tokens(chain.market, other)
    block = chain.produce([cube_claim(kit, other, 0, 6, 2)])
    assert [c.node_id for c in block.accepted] == [other]
    assert tokens(chain.market, REQUESTER) == poster - task.fee
    assert tokens(chain.market, other) - other_before >= paid_to_node(chain.market, task.fee)


def test_a_task_every_node_misses_expires_and_refunds_the_poster(kit, make_chain):
    names = ("n1", "n2", "n3")
    chain = make_chain(grants={addr(n): NODE_GRANT for n in names}, with_kit=False)
    p = chain.market.params()
    assert p.max_task_attempts == len(names)  # so every node misses it once
    h = chain.height + 1
    chain.produce([], [*(RegisterNode(addr(n), PROFILE) for n in names),
                       post(kit, REQUESTER, 1, 1, window=1, height=h, bond=TOKEN)])
    start = {addr(n): tokens(chain.market, addr(n)) for n in names}
    missed: list[str] = []
    for _ in range(4 * len(names)):
        task = chain.market.task(0)
        if task.status.value != "assigned":
            break
        if not missed or missed[-1] != task.assignee:
            missed.append(task.assignee)
        chain.produce([])
    task = chain.market.task(0)
    assert task.status.value == "expired" and sorted(missed) == sorted(start)
    assert tuple(task.failed) == tuple(missed)
    assert tokens(chain.market, REQUESTER) == REQUESTER_GRANT  # the fee came back in full
    slash = TOKEN * p.late_bond_slash_ppb // PPB
    assert all(tokens(chain.market, n) == start[n] - slash for n in start)
    block = chain.produce([cube_claim(kit, missed[-1], 0, 1, 1)])
    assert reasons(block) == {0: "task-closed"}


# ---------------------------------------------------------------------------- cancel

def test_cancel_after_assignment_is_refused_and_the_assignee_is_still_paid(kit, make_chain):
    chain = make_chain()
    kit.plan("cube", "n1", "t", 3, 4)
    chain.setup()
    fee = chain.market.task(0).fee
    poster = tokens(chain.market, REQUESTER)
    assert chain.market.account(REQUESTER).held == fee
    block = chain.produce([], [CancelTask(REQUESTER, 0)])
    (reason, detail), = op_reasons(block).values()
    assert reason == "invalid-operation" and "assigned" in detail
    assert chain.market.task(0).status.value == "assigned"
    assert chain.market.account(REQUESTER).held == fee  # still escrowed, not back
    n1 = tokens(chain.market, addr("n1"))
    block = chain.produce([kit.claim("cube", "n1", "t", 3, 4)])
    assert len(block.accepted) == 1
    assert tokens(chain.market, REQUESTER) == poster - fee
    assert tokens(chain.market, addr("n1")) - n1 >= paid_to_node(chain.market, fee)


def test_only_the_poster_cancels_and_only_an_unassigned_task_for_its_whole_fee(
        kit, make_chain):
    """With no node registered, tasks stay unassigned: another account's cancel is
    refused, the poster's returns the whole fee; a cancelled task cannot be cancelled or
    claimed again."""
    chain = make_chain(grants={addr("n1"): NODE_GRANT}, with_kit=False)
    h = chain.height + 1
    block = chain.produce([], [post(kit, REQUESTER, 2, 2, window=3, height=h),
                               CancelTask(addr("n1"), 0)])
    (reason, detail), = op_reasons(block).values()
    assert reason == "invalid-operation" and "only the poster" in detail
    fee = chain.market.task(0).fee
    assert chain.market.account(REQUESTER).held == fee
    block = chain.produce([cube_claim(kit, addr("n1"), 0, 2, 2)],
                          [CancelTask(REQUESTER, 0), CancelTask(REQUESTER, 0)])
    assert op_reasons(block)[1][0] == "invalid-operation"
    assert "cancelled" in op_reasons(block)[1][1]
    assert reasons(block) == {0: "task-closed"}  # cancels come before claims
    assert chain.market.task(0).status.value == "cancelled"
    assert tokens(chain.market, REQUESTER) == REQUESTER_GRANT
    assert chain.market.account(REQUESTER).held == 0
