# SPDX-License-Identifier: MIT
"""A hypothesis state machine over a signed chain: random claims (a handful of real
proofs of the tiny ``cube`` kernel, some tampered), stakes, unstakes, transfers,
proposals (pauses, their lifting, parameter changes) and votes — each signed by its
account, or forged with another key, for another chain, with a wrong nonce, or replayed
from an earlier block. After each block: the supply is conserved exactly; no account
changed in a way its own authentic transactions (and transfers it received, unbonding
released to it) do not explain; and ``verify_chain`` from genesis passes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.rollup.conftest import addr
from tests.rollup.test_signed import GOV, OTHER_CHAIN, POOL, Run, sign_claim, sign_op, tamper
from zkcx.rewards import SUPPLY, TOKEN, Propose, Stake, Transfer, Unstake
from zkcx.rewards.operations import Vote
from zkcx.rollup import Claim, RejectReason, SignedOperation

NODES = ("a", "b", "c", "d")  # each with POOL tasks of its own, posted at genesis
#: Rejections that prove the transaction was not its account's (no nonce used)
NOT_AUTHENTIC = {RejectReason.MALFORMED, RejectReason.UNSIGNED, RejectReason.BAD_SIGNATURE,
                 RejectReason.BAD_NONCE}
#: How a transaction is signed: by its account (most often) or not
SIGNING = st.sampled_from(["own", "own", "own", "own", "forged", "other-chain", "unsigned",
                           "nonce+1", "nonce-1"])


def make_machine(kit, verify_every: int):
    class SignedChain(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.run = Run(kit, nodes=NODES)
            self.claims: list = []
            self.ops: list = []
            self.used: list = []  # signed transactions of earlier blocks (for replays)
            self.pending_nonce: dict[str, int] = {}

        # -- signing ------------------------------------------------------------------
        def _nonce(self, name: str, how: str) -> int:
            n = self.pending_nonce.get(name, self.run.nonce(name))
            if how == "own":
                self.pending_nonce[name] = n + 1
                return n
            return max(0, n + (1 if how == "nonce+1" else -1 if how == "nonce-1" else 0))

        def _sign(self, item):
            """A pending (transaction, account name, how) signed; a replay as it is."""
            if not isinstance(item, tuple):
                return item
            tx, name, how = item
            if how == "unsigned" and isinstance(tx, Claim):
                return tx
            n = self._nonce(name, how)
            if how == "unsigned":
                return SignedOperation(tx, n)
            key = "m" if how == "forged" else name
            domain = OTHER_CHAIN if how == "other-chain" else None
            kw = {} if domain is None else {"domain": domain}
            if isinstance(tx, Claim):
                return sign_claim(tx, key, n, **kw)
            return sign_op(tx, key, n, **kw)

        @initialize()
        def earn_and_stake(self):
            self.run.block([self.run.signed_claim(n) for n in NODES[:3]])
            self.run.stake(*NODES[:2], amount=5 * TOKEN)
            self._check_block_invariants(None, None)

        # -- transactions -------------------------------------------------------------
        @rule(node=st.sampled_from(NODES), owner=st.sampled_from(NODES),
              task=st.integers(0, POOL - 1), bad_proof=st.booleans(), how=SIGNING)
        def claim(self, node, owner, task, bad_proof, how):
            """A claim of one of ``owner``'s tasks (by another node: not the assignee)."""
            c = kit.claim("cube", node, f"{owner}-{task}", 1000 + task, 1)
            c = tamper(c) if bad_proof else c
            self.claims.append((c, node, how))

        @rule(node=st.sampled_from(NODES), kind=st.sampled_from(["stake", "unstake"]),
              tokens=st.integers(1, 8), how=SIGNING)
        def stake(self, node, kind, tokens, how):
            op = (Stake if kind == "stake" else Unstake)(addr(node), tokens * TOKEN)
            self.ops.append((op, node, how))

        @rule(src=st.sampled_from(NODES), dst=st.sampled_from((*NODES, "m")),
              tokens=st.integers(1, 50_000), how=SIGNING)
        def transfer(self, src, dst, tokens, how):
            if src != dst:
                self.ops.append((Transfer(addr(src), addr(dst), tokens * TOKEN), src, how))

        @rule(node=st.sampled_from(("a", "b", "a", "b", "c")),
              change=st.sampled_from(["pause", "gain"]),
              delay=st.integers(0, 2), how=SIGNING)
        def propose(self, node, change, delay, how):
            h = self.run.market.height + 1
            current = self.run.market.params(h)
            if change == "pause":
                params, period = current.replace(paused=not current.paused), 1
            else:
                params = current.replace(
                    reputation_gain_max=current.reputation_gain_max % 5 + 1)
                period = GOV.voting_period
            op = Propose(addr(node), params, h + period + GOV.min_activation_delay + delay)
            self.ops.append((op, node, how))

        @rule(node=st.sampled_from(NODES), support=st.booleans(), how=SIGNING,
              pid=st.integers(0, 3))
        def vote(self, node, support, how, pid):
            self.ops.append((Vote(addr(node), pid, support), node, how))

        @rule(change=st.sampled_from(["pause", "gain"]), support=st.booleans())
        def stakers_propose_and_vote(self, change, support):
            """a proposes and a and b (the first stakers) vote in the same block, so that
            changes and pauses pass (or fail) often, not only by chance."""
            if any(isinstance(item[0], Propose) for item in self.ops
                   if isinstance(item, tuple)):
                return
            self.propose("a", change, 0, "own")
            pid = len(self.run.market.ledger.proposals)
            for node in NODES[:2]:
                self.ops.append((Vote(addr(node), pid, support), node, "own"))

        @rule(support=st.booleans())
        def stakers_vote_on_the_latest_proposal(self, support):
            """a and b (the stakers) both vote: proposals pass or fail, not just expire."""
            proposals = self.run.market.ledger.proposals
            if proposals and proposals[-1].is_open:
                pid = proposals[-1].proposal_id
                for node in NODES[:2]:
                    self.ops.append((Vote(addr(node), pid, support), node, "own"))

        @rule(pick=st.integers(0, 1 << 16))
        def replay(self, pick):
            if self.used:
                tx = self.used[pick % len(self.used)]
                (self.claims if isinstance(tx, Claim) else self.ops).append(tx)

        @rule()
        def seal(self):
            before = {n: self.run.account(n) for n in (*NODES, "m")}
            ops = [self._sign(item) for item in self.ops]       # a block's nonces: its
            claims = [self._sign(item) for item in self.claims]  # operations, then claims
            built = self.run.block(claims, ops)
            self.used += [t for t in (*claims, *ops) if t.signature is not None]
            self.claims, self.ops, self.pending_nonce = [], [], {}
            self._check_block_invariants(built, before)

        # -- invariants -------------------------------------------------------------------
        def _check_block_invariants(self, built, before):
            acc = self.run.market.ledger
            assert acc.pool + sum(acc.totals()) == SUPPLY
            self.run.market.check_invariants()  # held = escrowed fees + bonds
            if built is not None:
                _check_accounts(self.run, built, before)
            if len(self.run.blocks) % verify_every == 0:
                assert self.run.verify().state_root == self.run.market.state_root()

        @invariant()
        def supply_is_conserved(self):
            acc = self.run.market.ledger
            assert acc.pool + sum(acc.totals()) == SUPPLY

        def teardown(self):
            assert self.run.verify().state_root == self.run.market.state_root()

    return SignedChain


def _check_accounts(run: Run, built, before) -> None:
    """Each account changed only as its own authentic transactions allow: without one,
    only a received transfer and released unbonding may raise its balance."""
    block = built.block
    authentic: dict[str, int] = {}
    for c in block.accepted:
        authentic[c.node_id] = authentic.get(c.node_id, 0) + 1
    for op in block.operations:
        authentic[op.actor] = authentic.get(op.actor, 0) + 1
    received: dict[str, int] = {}
    for op in block.operations:
        if isinstance(op.operation, Transfer):
            received[op.operation.dst] = received.get(op.operation.dst, 0) + op.operation.amount
    for r in (*block.rejected, *block.rejected_operations):
        if r.reason not in NOT_AUTHENTIC:
            tx = Claim.from_bytes(r.data) if hasattr(r, "claim_hash") else None
            actor = tx.node_id if tx is not None else _op_actor(r.data)
            authentic[actor] = authentic.get(actor, 0) + 1
    for name, old in before.items():
        address = addr(name)
        new = run.account(name)
        assert new.nonce == old.nonce + authentic.get(address, 0), name
        if address in authentic:
            continue
        released = built.outcome.ledger.released.get(address, 0)
        assert new.balance == old.balance + received.get(address, 0) + released, name
        assert new.unbonding_total == old.unbonding_total - released, name
        assert (new.stake, new.reputation, new.claims_accepted, new.proofs_invalid,
                new.earned_total, new.slashed_total) == (
            old.stake, old.reputation, old.claims_accepted, old.proofs_invalid,
            old.earned_total, old.slashed_total), name
        assert address not in built.outcome.ledger.slashed
        assert address not in built.outcome.ledger.paid


def _op_actor(data: bytes) -> str:
    return SignedOperation.from_bytes(data).actor


def _run(kit, examples: int, steps: int, verify_every: int) -> None:
    machine = make_machine(kit, verify_every)
    machine.TestCase.settings = settings(
        max_examples=examples, stateful_step_count=steps, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                               HealthCheck.data_too_large])
    machine.TestCase().runTest()


def test_random_signed_and_forged_transactions_keep_every_account_safe(kit):
    _run(kit, examples=12, steps=25, verify_every=1)


@pytest.mark.slow
def test_random_signed_and_forged_transactions_at_length(kit):
    _run(kit, examples=100, steps=60, verify_every=1)
