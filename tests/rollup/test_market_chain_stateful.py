# SPDX-License-Identifier: MIT
"""A hypothesis state machine over a real ``Chain`` on a ``SQLiteChainStore`` file,
checked against a reference model of the market written here from the rules of
``zkcx.market`` (not from its code).

Moves: signed task posts by two posters (the genesis-granted requester, and a node that
also executes), valid and invalid (fee below the minimum, unknown kernel, deadline not in
the future, a bond nobody can lock so the task stays unassigned); cancels (by the poster
or another account, of unassigned, assigned, closed or missing tasks); node
registrations; claims by the assignee on the task's inputs, by another node, on other
inputs, with a forged signature, with an invalid proof, byte-for-byte replays of an
accepted claim, a second claim of a done task; empty blocks that let deadlines pass.

Every block's verdicts (each rejected operation and claim, with its reason) equal the
model's. After every block: the model's tasks equal the chain's (status, attempts, failed
nodes; the scheduler's choice is read from the chain and checked: never the poster,
never a node that failed the task, a registered node, deadline = height + window); exact
conservation recounted from the accounts (pool + balances + stakes + unbonding + held =
200,000,000 tokens); each account's held = the escrow and bonds of its open tasks as the
model counts them; the requester's tokens = its grant less the fees of its done tasks;
each node's tokens move by exactly what it was paid (fee less the pool fee, plus emission
no more than the fee cap) less its late slashes and the fees it paid as a poster.
``verify_chain`` from genesis reaches the chain's state root every few blocks and at the
end."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.rollup.conftest import (
    DATA_HASH,
    PROFILE,
    REQUESTER,
    REQUESTER_GRANT,
    Kit,
    SigningChain,
    addr,
    fee_of,
    new_market,
    signer,
)
from tests.rollup.test_builder import _tamper
from zkcx.market import CancelTask, PostTask, RegisterNode
from zkcx.rewards import TOKEN
from zkcx.rollup import Claim, SQLiteChainStore, claim_binding, verify_chain

TOTAL_SUPPLY = 200_000_000 * TOKEN  # the figure, not the library's constant
PPB = 10**9
NODES = ("n1", "n2", "n3", "n4")  # n4 registers only when a rule says so
POSTERS = (REQUESTER, addr("n3"))  # n3 both posts and executes
NODE_GRANT = 100 * TOKEN
UNAFFORDABLE_BOND = 10 * NODE_GRANT  # no node can lock it: the task stays unassigned


@dataclasses.dataclass
class ModelTask:
    """The reference model's view of one task."""

    poster: str
    x: int
    a: int
    fee: int
    bond: int
    window: int
    status: str = "unassigned"
    assignee: str | None = None
    deadline: int = 0
    attempts: int = 0
    failed: tuple[str, ...] = ()


def make_machine(kernels_kit, verify_every: int = 4):
    kit = Kit(kernels_kit)
    cube = kit.kernels.get(kit.ids["cube"])

    class MarketChainModel(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.dir = tempfile.TemporaryDirectory()
            grants = {addr(n): NODE_GRANT for n in NODES}
            self.store = SQLiteChainStore.create(os.path.join(self.dir.name, "chain.db"),
                                                 new_market(grants=grants))
            self.chain = SigningChain(self.store, kit.kernels)
            self.params = self.chain.market.params()
            self.tasks: list[ModelTask] = []
            self.registered: set[str] = set()
            self.accepted: set[tuple[str, int, int, int]] = set()  # (node, task, x, a)
            self.accepted_now: list[tuple[str, int, int, int]] = []
            self.accepted_claims: list[Claim] = []  # signed, as the chain holds them
            self.pending_ops: list[tuple] = []
            self.pending_claims: list[tuple] = []
            self.paid_to: dict[int, str] = {}  # task id -> node paid
            self.blocks = 0

        # ------------------------------------------------------------ moves

        @initialize(xs=st.lists(st.integers(0, 50), min_size=1, max_size=3))
        def register_and_post(self, xs):
            for n in NODES[:3]:
                self.pending_ops.append(("register", addr(n)))
            for x in xs:
                self.pending_ops.append(("post", REQUESTER, x, 1, 2, 0, None))
            self.seal()

        @rule(poster=st.sampled_from(POSTERS), x=st.integers(0, 50), a=st.integers(0, 3),
              window=st.integers(1, 3),
              bond=st.sampled_from([0, 0, TOKEN // 10, UNAFFORDABLE_BOND]),
              fault=st.sampled_from([None, None, None, "low-fee", "unknown-kernel",
                                     "past-deadline"]))
        def post(self, poster, x, a, window, bond, fault):
            self.pending_ops.append(("post", poster, x, a, window, bond, fault))

        @rule(pick=st.integers(0, 1 << 16), by=st.sampled_from((*POSTERS, addr("n1"))))
        def cancel(self, pick, by):
            self.pending_ops.append(("cancel", by, self._pick(pick)))

        @rule(node=st.sampled_from(NODES))
        def register(self, node):
            self.pending_ops.append(("register", addr(node)))

        @rule(pick=st.integers(0, 1 << 16), node=st.sampled_from(NODES),
              variant=st.sampled_from(["honest", "other-inputs", "forged", "bad-proof"]))
        def claim(self, pick, node, variant):
            self.pending_claims.append((variant, addr(node), self._pick(pick)))

        @rule(pick=st.integers(0, 1 << 16),
              variant=st.sampled_from(["honest", "honest", "other-inputs", "bad-proof"]))
        def deliver(self, pick, variant):
            """The assignee of an assigned task claims it."""
            assigned = [i for i, t in enumerate(self.tasks) if t.status == "assigned"]
            if assigned:
                task_id = assigned[pick % len(assigned)]
                self.pending_claims.append((variant, self.tasks[task_id].assignee, task_id))

        @rule()
        def deliver_all(self):
            """Every assignee claims its task honestly."""
            for task_id, t in enumerate(self.tasks):
                if t.status == "assigned":
                    self.pending_claims.append(("honest", t.assignee, task_id))

        @rule(pick=st.integers(0, 1 << 16))
        def replay(self, pick):
            """An accepted claim again, byte for byte."""
            if self.accepted_claims:
                self.pending_claims.append(
                    ("replay", self.accepted_claims[pick % len(self.accepted_claims)], None))

        @rule(pick=st.integers(0, 1 << 16))
        def claim_done_task_again(self, pick):
            """The node that was paid for a task claims it once more (newly signed)."""
            done = [i for i, t in enumerate(self.tasks) if t.status == "done"]
            if done:
                task_id = done[pick % len(done)]
                self.pending_claims.append(("honest", self.paid_to[task_id], task_id))

        @rule(blocks=st.integers(1, 3))
        def wait(self, blocks):
            for _ in range(blocks):
                self.seal()

        def _pick(self, pick: int) -> int:
            """A task id: mostly one posted so far (or pending), sometimes none."""
            known = len(self.tasks) + sum(op[0] == "post" for op in self.pending_ops)
            return pick % (known + 1) if known else pick % 3

        # ------------------------------------------------------------ one block

        @rule()
        def seal(self):
            h = self.chain.height + 1
            market = self.chain.market
            before = {a: self._tokens(market, a) for a in
                      {*map(addr, NODES), REQUESTER}}
            # 1. missed deadlines
            late: dict[str, int] = {}
            for t in self.tasks:
                if t.status == "assigned" and t.deadline < h:
                    late[t.assignee] = (late.get(t.assignee, 0)
                                        + t.bond * self.params.late_bond_slash_ppb // PPB)
                    t.attempts += 1
                    t.failed = (*t.failed, t.assignee)
                    t.status = ("expired" if t.attempts >= self.params.max_task_attempts
                                else "unassigned")
                    t.assignee = None
            # 2. operations, in order
            ops, want_ops = [], {}
            for index, op in enumerate(self.pending_ops):
                built, ok = self._operation(op, h)
                ops.append(built)
                if not ok:
                    want_ops[index] = "invalid-operation"
            # 3. claims, in order
            claims, want_claims, paid = [], {}, []
            seen: set[tuple] = set()  # statements whose proofs passed in this block
            self.accepted_now = []
            for index, (variant, who, task_id) in enumerate(self.pending_claims):
                claim, reason = self._claim(variant, who, task_id, seen)
                claims.append(claim)
                if reason is None:
                    paid.append(task_id)
                else:
                    want_claims[index] = reason
            self.pending_ops, self.pending_claims = [], []

            block = self.chain.produce(claims, ops)
            self.blocks += 1
            market = self.chain.market
            assert {r.index: r.reason.value for r in block.rejected_operations} == want_ops, \
                [(r.index, r.detail) for r in block.rejected_operations]
            assert {r.index: r.reason.value for r in block.rejected} == want_claims, \
                [(r.index, r.detail) for r in block.rejected]
            assert [int(c.task_id) for c in block.accepted] == paid
            self.accepted_claims.extend(block.accepted)
            self.accepted.update(self.accepted_now)
            self._sync_assignments(market, h)
            self._check_tokens(market, before, late, paid)
            if self.blocks % verify_every == 0:
                self._verify()

        def _operation(self, op, h):
            """(the unsigned operation, whether the model applies it)."""
            if op[0] == "register":
                self.registered.add(op[1])
                return RegisterNode(op[1], PROFILE), True
            if op[0] == "cancel":
                _, by, task_id = op
                task = self.tasks[task_id] if task_id < len(self.tasks) else None
                ok = task is not None and task.poster == by and task.status == "unassigned"
                if ok:
                    task.status = "cancelled"
                return CancelTask(by, task_id), ok
            _, poster, x, a, window, bond, fault = op
            kernel_id, fee, deadline = cube.kernel_id, fee_of(cube.work_units), h + window
            if fault == "low-fee":
                fee = cube.work_units * self.params.min_fee_per_unit - 1
            elif fault == "unknown-kernel":
                kernel_id = hashlib.sha256(b"no such kernel %d" % x).hexdigest()
            elif fault == "past-deadline":
                deadline = max(1, h - window + 1)  # h or earlier: not after the block
            post = PostTask(poster, kernel_id, cube.kind, cube.work_units, ((1, x), (2, a)),
                            DATA_HASH, "", fee, bond, 0, deadline)
            if fault is None:
                self.tasks.append(ModelTask(poster, x, a, fee, bond, window, deadline=deadline))
            return post, fault is None

        def _claim(self, variant, who, task_id, seen):
            """(the claim, the model's rejection reason or None when it is paid)."""
            if variant == "replay":
                return who, "bad-nonce"  # its nonce was used when it was accepted
            task = self.tasks[task_id] if task_id < len(self.tasks) else None
            x, a = (task.x, task.a) if task is not None else (7, 1)
            if variant == "other-inputs":
                x += 1
            public, proof = kit.prove("cube", x, a, claim_binding(who, str(task_id)))
            claim = Claim(who, str(task_id), cube.kernel_id, tuple(public), proof, cube.kind)
            if variant == "forged":  # made and signed by another node in who's name
                other = next(addr(n) for n in NODES if addr(n) != who)
                forged = dataclasses.replace(claim, node_id=other).signed(
                    signer(next(n for n in NODES if addr(n) == other)), self.chain.domain,
                    self.chain.market.account(other).nonce + 7)
                return dataclasses.replace(forged, node_id=who), "bad-signature"
            statement = (who, task_id, x, a)
            if statement in self.accepted:  # by an earlier block
                return claim, "replayed"
            if variant == "bad-proof":
                return _tamper(claim), "invalid-proof"
            if statement in seen:  # proved by an earlier claim of this block
                return claim, "duplicate"
            seen.add(statement)
            if task is None:
                return claim, "no-such-task"
            if task.status not in ("unassigned", "assigned"):
                return claim, "task-closed"
            if task.assignee != who:
                return claim, "not-assignee"
            if variant == "other-inputs":
                return claim, "task-input-mismatch"
            self.accepted_now.append(statement)
            task.status = "done"
            self.paid_to[task_id] = who
            return claim, None

        def _sync_assignments(self, market, h):
            chain_tasks = market.tasks
            assert len(chain_tasks) == len(self.tasks)
            for task_id, (t, c) in enumerate(zip(self.tasks, chain_tasks)):
                if t.status == "unassigned" and c.status.value == "assigned":
                    assert c.assignee in self.registered
                    assert c.assignee != t.poster, "a poster executes its own task"
                    assert c.assignee not in t.failed, "reassigned to a node that failed it"
                    assert c.deadline == h + t.window
                    t.status, t.assignee, t.deadline = "assigned", c.assignee, c.deadline
                assert (c.status.value, c.assignee, c.attempts, tuple(c.failed), c.poster,
                        c.fee, c.bond) == (t.status, t.assignee, t.attempts, t.failed,
                                           t.poster, t.fee, t.bond), task_id

        @staticmethod
        def _tokens(market, who) -> int:
            acc = market.ledger.accounts.get(who)
            if acc is None:
                return 0
            return acc.balance + acc.stake + acc.unbonding_total + acc.held

        def _check_tokens(self, market, before, late, paid):
            p = self.params
            done_fees = sum(t.fee for t in self.tasks
                            if t.status == "done" and t.poster == REQUESTER)
            assert self._tokens(market, REQUESTER) == REQUESTER_GRANT - done_fees
            for node in map(addr, NODES):
                mine = [self.tasks[i] for i in paid if self.paid_to[i] == node]
                fees = sum(t.fee - t.fee * p.pool_fee_ppb // PPB for t in mine)
                cap = sum(t.fee * p.emission_fee_cap_ppb // PPB for t in mine)
                spent = sum(self.tasks[i].fee for i in paid if self.tasks[i].poster == node)
                delta = self._tokens(market, node) - before[node]
                low = fees - late.get(node, 0) - spent
                assert low <= delta <= low + cap, (node, delta, low, cap)

        @invariant()
        def supply_is_conserved_and_held_matches_the_tasks(self):
            market = self.chain.market
            ledger = market.ledger
            accounts = ledger.accounts
            total = ledger.pool + sum(acc.balance + acc.stake + acc.unbonding_total + acc.held
                                      for acc in accounts.values())
            assert total == TOTAL_SUPPLY
            held: dict[str, int] = {}
            for t in self.tasks:
                if t.status in ("unassigned", "assigned"):
                    held[t.poster] = held.get(t.poster, 0) + t.fee
                if t.status == "assigned":
                    held[t.assignee] = held.get(t.assignee, 0) + t.bond
            assert {a: acc.held for a, acc in accounts.items() if acc.held} == {
                a: v for a, v in held.items() if v}
            market.check_invariants()

        def _verify(self):
            report = verify_chain(self.store, kit.kernels)
            assert report.state_root == self.chain.market.state_root()
            assert report.market == self.chain.market

        def teardown(self):
            try:
                if self.blocks:
                    self._verify()
            finally:
                self.store.close()
                self.dir.cleanup()

    return MarketChainModel


def _run(kernels_kit, examples: int, steps: int) -> None:
    machine = make_machine(kernels_kit)
    machine.TestCase.settings = settings(
        max_examples=examples, stateful_step_count=steps, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    machine.TestCase().runTest()


def test_random_market_moves_match_the_model_conserve_supply_and_reverify(kernels_kit):
    _run(kernels_kit, examples=40, steps=50)


@pytest.mark.slow
def test_random_market_moves_many_examples(kernels_kit):
    _run(kernels_kit, examples=300, steps=60)
