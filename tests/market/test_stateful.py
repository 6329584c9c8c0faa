# SPDX-License-Identifier: MIT
"""Random markets: posts (valid, or refused for their kernel, fee, deadline, tier or
balance), cancels (the poster's or another's, of waiting, assigned or closed tasks), node
registrations with random capacities, claims (by the assignee on the task's inputs, on
other inputs, by another node, twice), invalid proofs, and empty blocks that let
deadlines pass. Operations are screened one by one and only the valid ones applied;
claims are screened with ``check_claim`` on the block's preview. After every block:
exact conservation (pool + balances + stakes + unbonding + held = 200,000,000 tokens),
each account's held equal to its tasks' escrow and bonds, every task paid at most once
and closed tasks never reopened, the state root reproduced by a serialization round trip,
and a second market fed the same blocks through the draft steps one by one agreeing."""

from __future__ import annotations

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.market.helpers import INPUTS, MIN_FEE, PARAMS, check, claim, post, register
from tests.market.strategies import DOT, INFER, KERNELS, PRIVATE
from zkcx.market import CancelTask, Market, TaskClaimError, TaskStatus
from zkcx.rewards import TOKEN, ClaimKind, ParamSchedule, Transfer

#: Two missed deadlines expire a task, so expiry happens within a few blocks.
SCHEDULE = ParamSchedule([(0, PARAMS.replace(max_task_attempts=2))])

REQUESTERS = ["req", "req2"]
NODES = ["a", "b", "c", "d"]
EVERYONE = REQUESTERS + NODES
GRANTS = {"req": 500 * TOKEN, "req2": 3 * MIN_FEE, "a": 10 * TOKEN, "b": 2 * TOKEN,
          "c": 0 + TOKEN, "d": TOKEN}
who = st.sampled_from(EVERYONE)
poster = st.sampled_from(["req"] * 4 + EVERYONE)


class MarketMachine(RuleBasedStateMachine):
    @initialize(capacities=st.lists(st.sampled_from([40, 400, 10**5]), min_size=3,
                                    max_size=3))
    def start(self, capacities) -> None:
        """Genesis, then block 0 registers three nodes."""
        self.m = Market.genesis({k: v for k, v in GRANTS.items() if v}, SCHEDULE)
        self.twin = self.m.copy()
        self.paid: set[int] = set()
        self.closed: dict[int, TaskStatus] = {}
        self.pending_ops = [register(n, ups) for n, ups in zip(NODES, capacities)]
        self.block([], [])

    # -- operations queued for the next block ------------------------------------------

    @rule(poster=poster, fee_mult=st.sampled_from([0, 1, 1, 1, 2, 50, 10**6]),
          bond=st.sampled_from([0, 0, TOKEN // 2, 3 * TOKEN]), window=st.integers(-1, 4),
          tier=st.sampled_from([0] * 6 + [1, 3]),
          kernel=st.sampled_from([DOT] * 6 + [INFER, INFER, PRIVATE]))
    def queue_post(self, poster, fee_mult, bond, window, tier, kernel) -> None:
        fee = max(1, fee_mult * MIN_FEE - (1 if fee_mult == 0 else 0))
        units, kind, inputs = (1000, ClaimKind.COMPUTE, INPUTS) if kernel != INFER else (
            400, ClaimKind.INFERENCE, ((2, 22),))
        if kernel == INFER:
            fee = max(fee, 400 * MIN_FEE // 1000)
        self.pending_ops.append(post(poster, fee=fee, bond=bond, kernel=kernel, kind=kind,
                                     units=units, inputs=inputs, tier=tier,
                                     deadline=max(1, self.m.height + 1 + window)))

    @rule(actor=who, pick=st.integers(0, 20))
    def queue_cancel(self, actor, pick) -> None:
        tasks = self.m.tasks
        if tasks and pick % 3:
            task = tasks[pick % len(tasks)]
            actor = task.poster if pick % 2 else actor
            self.pending_ops.append(CancelTask(actor, task.task_id))
        else:
            self.pending_ops.append(CancelTask(actor, len(tasks) + pick))

    @rule(node=st.sampled_from(NODES + ["req"]), ups=st.sampled_from([1, 40, 400, 10**5]))
    def queue_register(self, node, ups) -> None:
        self.pending_ops.append(register(node, ups))

    @rule(src=who, dst=who, share=st.integers(1, 4))
    def queue_transfer(self, src, dst, share) -> None:
        amount = self.m.account(src).balance * share // 4
        if src != dst and amount:
            self.pending_ops.append(Transfer(src, dst, amount))

    # -- blocks --------------------------------------------------------------------------

    @rule(picks=st.lists(st.tuples(st.integers(0, 50), st.sampled_from(
        ["good", "good", "good", "other-inputs", "other-node", "twice"])), max_size=6),
        invalid=st.lists(st.sampled_from(NODES), max_size=2))
    def block(self, picks, invalid) -> None:
        height = self.m.height + 1
        ops, self.pending_ops = self.pending_ops, []
        verdicts = self.m.screen_operations(height, ops, KERNELS, invalid)
        valid = [op for op, v in zip(ops, verdicts) if v is None]
        view = self.m.preview(height, valid, KERNELS, invalid)
        claims, attempted = [], []
        assigned = [t for t in view.open_tasks() if t.status is TaskStatus.ASSIGNED]
        for pick, how in picks:
            if not assigned:
                break
            task = assigned[pick % len(assigned)]
            node = task.assignee
            inputs = task.inputs
            if how == "other-inputs":
                inputs = tuple((p, v + 1) for p, v in inputs)
            elif how == "other-node":
                node = NODES[(NODES.index(node) + 1) % len(NODES)] if node in NODES else "a"
            made = claim(node, task.task_id, inputs, task.kernel_id)
            attempted.append(made)
            if how == "twice":
                attempted.append(claim(node, task.task_id, inputs, task.kernel_id))
        taken: set[int] = set()
        for c in attempted:
            problem = view.check_claim(c.node_id, c.task_id, c.kernel_id, c.public_inputs)
            if problem is None and c.task_id not in taken:
                claims.append(c)
                taken.add(c.task_id)
        refused = [c for c in attempted if c not in claims]
        if refused:  # a refused claim fails the whole block, which changes nothing
            before = self.m.copy()
            try:
                self.m.copy().apply_block(height, claims + refused[:1], invalid, valid, {},
                                          KERNELS)
            except TaskClaimError:
                pass
            else:
                raise AssertionError("a refused claim was paid")
            assert self.m == before
        out = self.m.apply_block(height, claims, invalid, valid, {}, KERNELS)
        # the same block through the draft steps, on the twin
        draft = self.twin.begin_block(height, KERNELS)
        draft.penalize(invalid)
        draft.release_unbonding()
        draft.expire_deadlines()
        for index, op in enumerate(valid):
            draft.operate(op, index)
        draft.accept(claims)
        draft.schedule()
        twin_out = draft.commit()
        assert twin_out.state_root == out.state_root == self.m.state_root()
        for payment in out.paid:
            assert payment.task_id not in self.paid
            self.paid.add(payment.task_id)
        assert {c.task_id for c in claims} == {p.task_id for p in out.paid}
        for what, happened in (("paid", out.paid), ("late", out.late),
                               ("expired", out.expired), ("cancelled", out.cancelled),
                               ("assigned", out.assigned), ("claim refused", refused),
                               ("operation refused", len(valid) < len(ops))):
            if happened:
                event(what)

    @rule(every=st.integers(1, 3))
    def deliver(self, every) -> None:
        """A block where the assignees deliver every ``every``-th assigned task."""
        waiting = [t for t in self.m.tasks if t.status is TaskStatus.ASSIGNED]
        self.block([(i, "good") for i in range(0, len(waiting), every)], [])

    @rule(n=st.integers(1, 3))
    def empty_blocks(self, n) -> None:
        """Time passes: deadlines run out."""
        for _ in range(n):
            self.block([], [])

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def conserved_and_consistent(self) -> None:
        if not hasattr(self, "m"):
            return
        check(self.m)
        for task in self.m.tasks:
            if task.task_id in self.closed:
                assert task.status is self.closed[task.task_id]  # closed stays closed
            elif not task.status.is_open:
                self.closed[task.task_id] = task.status
            assert (task.status is TaskStatus.DONE) == (task.task_id in self.paid)
            assert task.attempts <= SCHEDULE.at(0).max_task_attempts
            assert (task.status is TaskStatus.EXPIRED) == (task.attempts == 2)

    @invariant()
    def round_trips(self) -> None:
        if not hasattr(self, "m"):
            return
        back = Market.from_bytes(self.m.to_bytes())
        assert back == self.m and back.state_root() == self.m.state_root()


MarketMachine.TestCase.settings = settings(max_examples=120, stateful_step_count=50,
                                           deadline=None)
TestMarketMachine = MarketMachine.TestCase
