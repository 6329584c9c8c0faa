# SPDX-License-Identifier: MIT
"""A hypothesis state machine over a chain of the market: random posts (by a
genesis-granted requester), cancels (of any task, by the poster or not), claims (by the
assignee or another node, on the task's inputs or others, proofs valid or tampered) and
empty blocks that let deadlines pass. After every block: exact conservation (pool +
balances + stakes + unbonding + held = 200,000,000 tokens), each account's held tokens
= its open tasks' fees and bonds, a task paid at most once and only to its assignee on
its inputs; ``verify_chain`` re-verifies the whole chain from genesis."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.rollup.conftest import (
    DATA_HASH,
    PROFILE,
    REQUESTER,
    Kit,
    SigningChain,
    addr,
    fee_of,
    new_market,
)
from tests.rollup.test_builder import _tamper
from zkcx.market import CancelTask, PostTask, RegisterNode
from zkcx.rewards import SUPPLY, TOKEN
from zkcx.rollup import SQLiteChainStore, claim_binding, verify_chain

NODES = ("n1", "n2", "n3")


def make_machine(kernels_kit):
    kit = Kit(kernels_kit)
    cube = kit.kernels.get(kit.ids["cube"])

    class MarketChain(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.store = SQLiteChainStore.create(":memory:", new_market(
                grants={addr(n): TOKEN for n in NODES}))  # for bonds
            self.chain = SigningChain(self.store, kit.kernels)
            self.ops: list = []
            self.claims: list = []
            self.inputs: dict[int, tuple[int, int]] = {}  # task id -> (x, a)
            self.posted = 0  # tasks posted so far, applied or pending
            self.paid: dict[int, str] = {}  # task id -> node paid

        @initialize(xs=st.lists(st.integers(0, 50), min_size=1, max_size=4))
        def register_and_post(self, xs):
            """The nodes register and the requester posts a first few tasks."""
            self.ops = [RegisterNode(addr(n), PROFILE) for n in NODES]
            for x in xs:
                self.post(x, 1, 2, 0)
            self.seal()

        @rule(x=st.integers(0, 50), a=st.integers(0, 3), window=st.integers(1, 3),
              bond=st.sampled_from([0, 0, TOKEN // 10]))
        def post(self, x, a, window, bond):
            task_id = len(self.chain.market.tasks) + sum(
                isinstance(op, PostTask) for op in self.ops)
            self.inputs[task_id] = (x, a)
            self.ops.append(PostTask(REQUESTER, cube.kernel_id, cube.kind, cube.work_units,
                                     ((1, x), (2, a)), DATA_HASH, "", fee_of(cube.work_units),
                                     bond, 0, self.chain.height + 1 + window))

        @rule(pick=st.integers(0, 20), by_poster=st.booleans())
        def cancel(self, pick, by_poster):
            self.ops.append(CancelTask(REQUESTER if by_poster else addr("n1"), pick))

        @rule(pick=st.integers(0, 20), node=st.sampled_from(NODES), honest=st.booleans(),
              valid=st.booleans())
        def claim(self, pick, node, honest, valid):
            x, a = self.inputs.get(pick, (7, 1))
            if not honest:
                x += 1  # a proof on other data
            address = addr(node)
            public, proof = kit.prove("cube", x, a, claim_binding(address, str(pick)))
            from zkcx.rollup import Claim
            c = Claim(address, str(pick), cube.kernel_id, tuple(public), proof, cube.kind)
            self.claims.append(c if valid else _tamper(c))

        @rule(pick=st.integers(0, 1 << 16), valid=st.booleans())
        def deliver(self, pick, valid):
            """The assignee of an assigned task claims it on its inputs."""
            assigned = [t for t in self.chain.market.tasks if t.status.value == "assigned"]
            if assigned:
                task = assigned[pick % len(assigned)]
                node = next(n for n in NODES if addr(n) == task.assignee)
                self.claim(task.task_id, node, True, valid)

        @rule()
        def seal(self):
            before = {t.task_id: t for t in self.chain.market.tasks}
            block = self.chain.produce(self.claims, self.ops)
            self.ops, self.claims = [], []
            market = self.chain.market
            for claim in block.accepted:
                task_id = int(claim.task_id)
                task, old = market.task(task_id), before[task_id]
                assert task_id not in self.paid, "a task paid twice"
                self.paid[task_id] = claim.node_id
                assert old.assignee == claim.node_id and task.status.value == "done"
                assert tuple(claim.public_inputs[p] for p, _ in task.inputs) == tuple(
                    v for _, v in task.inputs)
            if len(self.chain.market.tasks) % 3 == 0:
                report = verify_chain(self.store, kit.kernels)
                assert report.state_root == market.state_root()

        @rule(blocks=st.integers(1, 3))
        def wait(self, blocks):
            for _ in range(blocks):
                self.chain.produce([])

        @invariant()
        def supply_is_conserved_and_held_matches_the_tasks(self):
            market = self.chain.market
            ledger = market.ledger
            assert ledger.pool + sum(ledger.totals()) == SUPPLY == 200_000_000 * TOKEN
            market.check_invariants()

        def teardown(self):
            report = verify_chain(self.store, kit.kernels)
            assert report.state_root == self.chain.market.state_root()
            self.store.close()

    return MarketChain


def test_random_posts_claims_deadlines_and_cancels_conserve_and_reverify(kernels_kit):
    machine = make_machine(kernels_kit)
    machine.TestCase.settings = settings(
        max_examples=12, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    machine.TestCase().runTest()
