# SPDX-License-Identifier: MIT
"""Signed transactions in the rollup: every impersonation the issue names is tried —
forged claims in a staked node's name, forged stake/unstake/transfer, replays of signed
claims and operations in later blocks, signatures for another chain id, high-s twins,
unsigned transactions, votes by non-stakers and votes counted twice — each rejected with
the victim's account unchanged; the nonce rules (gaps, reuse, operations before claims);
and ``verify_chain`` re-verifying all of it across parameter changes passed by signed
votes, and a pause."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.rollup.conftest import (
    CHAIN_ID,
    DOMAIN,
    FAST_GOVERNANCE,
    REQUESTER,
    addr,
    new_market,
    sign_block,
    signer,
)
from zkcx.accounts import SECP256K1_N
from zkcx.curve import G1
from zkcx.groth16 import Proof
from zkcx.rewards import TOKEN, Propose, Stake, Transfer, Unstake
from zkcx.rewards.operations import Vote
from zkcx.rollup import (
    BlockBuilder,
    ChainVerificationError,
    RejectReason,
    SignedOperation,
    chain_domain,
    genesis_hash,
    verify_chain,
)

R = RejectReason
#: Test economics with governance in a few blocks (FAST_GOVERNANCE); reputation gains a
#: point per work unit, at most 2 a block, without decay.
GOV = FAST_GOVERNANCE.replace(reputation_units_per_point=1, reputation_gain_max=2,
                              reputation_decay_per_block=0)
#: Tasks the kit posts for each node at genesis (one per claim a test makes).
POOL = 8
OTHER_CHAIN = chain_domain(CHAIN_ID + 1)


def sign_op(op, key_name: str, nonce: int, domain=DOMAIN) -> SignedOperation:
    """``op`` with ``nonce`` signed by the key of ``key_name`` (its actor's or not)."""
    draft = SignedOperation(op, nonce)
    return replace(draft, signature=signer(key_name).sign(draft.digest(domain)))


def sign_claim(claim, key_name: str, nonce: int, domain=DOMAIN):
    """``claim`` with ``nonce`` signed by the key of ``key_name`` (its node's or not)."""
    draft = replace(claim, nonce=nonce, signature=None)
    return replace(draft, signature=signer(key_name).sign(draft.digest(domain)))


def tamper(claim):
    p = claim.proof
    return replace(claim, proof=Proof(p.a, p.b, p.c + G1.generator()), signature=None)


class Run:
    """A chain in memory: blocks built on the market left by the previous one. Block 0
    is the kit's setup block: POOL cube tasks posted for each of ``nodes`` and assigned
    to it; ``claim(name)`` answers the node's next one."""

    def __init__(self, kit, params=GOV, nodes=("alice", "bob")) -> None:
        self.kit = kit
        self.builder = BlockBuilder(kit.kernels, CHAIN_ID)
        self.market = new_market(params)
        self.genesis = self.market.to_bytes()
        self.parent = genesis_hash(self.genesis, CHAIN_ID)
        self.blocks = []
        self.seen: set[bytes] = set()
        self.used = dict.fromkeys(nodes, 0)
        for name in nodes:
            for k in range(POOL):
                kit.plan("cube", name, f"{name}-{k}", 1000 + k, 1)
        built = self.block(ops=sign_block(self.market, (), kit.setup_operations(self.market))[1])
        assert reasons(built, ops=True) == []

    def account(self, name: str):
        return self.market.account(addr(name))

    def nonce(self, name: str) -> int:
        return self.account(name).nonce

    def claim(self, name: str):
        """A fresh valid unsigned claim of ``name``: its next task (a new statement)."""
        k = self.used[name]
        self.used[name] = k + 1
        return self.kit.claim("cube", name, f"{name}-{k}", 1000 + k, 1)

    def signed_claim(self, name: str):
        return sign_claim(self.claim(name), name, self.nonce(name))

    def block(self, claims=(), ops=()):
        built = self.builder.build(self.parent, self.market, list(claims),
                                   list(ops), timestamp=len(self.blocks),
                                   is_replay=self.seen.__contains__)
        self.blocks.append(built.block)
        self.market = built.market
        self.parent = built.block.hash
        self.seen.update(c.statement_hash for c in built.block.accepted)
        return built

    def stake(self, *names: str, amount: int = 10 * TOKEN):
        """A block where the requester gives each of ``names`` twice ``amount`` and they
        stake ``amount``."""
        ops = [sign_op(Transfer(REQUESTER, addr(n), 2 * amount), "requester",
                       self.nonce("requester") + i) for i, n in enumerate(names)]
        ops += [sign_op(Stake(addr(n), amount), n, self.nonce(n)) for n in names]
        return self.block(ops=ops)

    def verify(self):
        return verify_chain(self.blocks, self.kit.kernels, genesis=self.genesis,
                            chain_id=CHAIN_ID)


def reasons(built, ops: bool = False):
    rejected = built.block.rejected_operations if ops else built.block.rejected
    return [(r.index, r.reason) for r in rejected]


@pytest.fixture()
def staked(kit) -> Run:
    """After the setup block, alice and bob earned in block 1 and staked 10 tokens each
    in block 2 (of 20 given by the requester)."""
    run = Run(kit)
    run.block([run.signed_claim("alice"), run.signed_claim("bob")])
    run.stake("alice", "bob")
    assert run.account("alice").stake == 10 * TOKEN
    return run


# -- impersonation -------------------------------------------------------------------------

def test_a_forged_claim_in_a_staked_nodes_name_costs_it_nothing(staked):
    victim = staked.account("alice")
    bad = tamper(staked.claim("alice"))  # an invalid proof that would slash alice
    forged = sign_claim(bad, "mallory", victim.nonce)        # signed by mallory
    other_chain = sign_claim(bad, "alice", victim.nonce, OTHER_CHAIN)  # alice, elsewhere
    built = staked.block([forged, other_chain])
    assert reasons(built) == [(0, R.BAD_SIGNATURE), (1, R.BAD_SIGNATURE)]
    assert built.outcome.ledger.slashed == {}
    assert staked.account("alice") == victim  # stake, reputation, nonce: all as before
    assert addr("mallory") not in staked.market.ledger.accounts
    # the same bad proof signed by alice herself is hers: slashed
    own = staked.block([sign_claim(bad, "alice", victim.nonce)])
    assert reasons(own) == [(0, R.INVALID_PROOF)]
    after = staked.account("alice")
    assert after.stake < victim.stake and after.proofs_invalid == 1
    assert after.nonce == victim.nonce + 1
    staked.verify()


@pytest.mark.parametrize("make", [
    lambda a, m: Stake(a, TOKEN), lambda a, m: Unstake(a, TOKEN),
    lambda a, m: Transfer(a, m, 5 * TOKEN)])
def test_forged_stake_unstake_and_transfer_are_rejected_and_change_nothing(staked, make):
    victim, thief = staked.account("alice"), staked.account("mallory")
    op = make(addr("alice"), addr("mallory"))
    attempts = [sign_op(op, "mallory", victim.nonce),               # another key
                sign_op(op, "alice", victim.nonce, OTHER_CHAIN),    # another chain
                SignedOperation(op, victim.nonce)]                  # unsigned
    built = staked.block(ops=attempts)
    assert reasons(built, ops=True) == [(0, R.BAD_SIGNATURE), (1, R.BAD_SIGNATURE),
                                        (2, R.UNSIGNED)]
    assert built.block.operations == ()
    assert staked.account("alice") == victim and staked.account("mallory") == thief
    # signed by alice, the same operation applies
    ok = staked.block(ops=[sign_op(op, "alice", victim.nonce)])
    assert reasons(ok, ops=True) == [] and staked.account("alice") != victim
    staked.verify()


def test_a_signed_claim_or_operation_replayed_in_a_later_block_does_nothing(staked):
    claim = staked.signed_claim("bob")
    transfer = sign_op(Transfer(addr("bob"), addr("carol"), TOKEN), "bob",
                       staked.nonce("bob") + 1)
    first = staked.block([claim], [sign_op(Stake(addr("bob"), TOKEN), "bob",
                                           staked.nonce("bob")), transfer])
    assert reasons(first) == [(0, R.BAD_NONCE)]  # operations come first: claim nonce taken
    assert staked.account("carol").balance == TOKEN
    before = {n: staked.account(n) for n in ("bob", "carol")}
    resigned = sign_claim(claim, "bob", staked.nonce("bob"))
    again = staked.block([resigned, claim], [transfer])
    assert reasons(again, ops=True) == [(0, R.BAD_NONCE)]
    assert reasons(again) == [(1, R.BAD_NONCE)]
    assert staked.account("carol") == before["carol"]
    assert staked.account("bob").nonce == before["bob"].nonce + 1  # only the fresh claim
    # and the accepted claim's statement is never paid twice
    replayed = staked.block([sign_claim(resigned, "bob", staked.nonce("bob"))])
    assert reasons(replayed) == [(0, R.REPLAYED)]
    staked.verify()


def test_a_high_s_twin_of_a_valid_signature_is_malformed(staked):
    claim = staked.signed_claim("alice")
    op = sign_op(Stake(addr("alice"), TOKEN), "alice", staked.nonce("alice"))

    def twin(data: bytes) -> bytes:
        r, s, v = data[-65:-33], int.from_bytes(data[-33:-1], "big"), data[-1]
        return data[:-65] + r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([1 - v])

    before = staked.account("alice")
    built = staked.block([twin(claim.to_bytes())], [twin(op.to_bytes())])
    assert reasons(built) == [(0, R.MALFORMED)] and reasons(built, ops=True) == [
        (0, R.MALFORMED)]
    assert "n/2" in built.block.rejected[0].detail
    assert staked.account("alice") == before
    staked.verify()


def test_unsigned_claims_are_rejected_without_effect(staked):
    before = staked.account("bob")
    built = staked.block([staked.claim("bob"), tamper(staked.claim("bob"))])
    assert reasons(built) == [(0, R.UNSIGNED), (1, R.UNSIGNED)]
    assert staked.account("bob") == before
    staked.verify()


def test_a_vote_by_a_non_staker_or_a_second_vote_is_refused(staked):
    bob_before = staked.nonce("bob")
    h = len(staked.blocks)
    proposal = Propose(addr("alice"), GOV.replace(reputation_gain_max=3), h + 2 + 1)
    built = staked.block(ops=[
        sign_op(proposal, "alice", staked.nonce("alice")),
        sign_op(Vote(addr("carol"), 0, True), "carol", 0),                # no stake
        sign_op(Vote(addr("bob"), 0, False), "bob", staked.nonce("bob")),
        sign_op(Vote(addr("bob"), 0, True), "bob", staked.nonce("bob") + 1),  # twice
        sign_op(Vote(addr("alice"), 0, True), "mallory", staked.nonce("alice") + 1),
    ])
    assert reasons(built, ops=True) == [(1, R.INVALID_OPERATION), (3, R.INVALID_OPERATION),
                                        (4, R.BAD_SIGNATURE)]
    details = {r.index: r.detail for r in built.block.rejected_operations}
    assert "without stake" in details[1] and "second time" in details[3]
    (p,) = staked.market.ledger.proposals
    assert dict(p.votes) == {addr("bob"): False}
    # the refused vote still used carol's nonce: it was hers, correctly signed
    assert staked.nonce("carol") == 1 and staked.nonce("bob") == bob_before + 2
    staked.verify()


# -- nonces --------------------------------------------------------------------------------

def test_nonce_gaps_and_reuse_are_rejected_and_consume_nothing(staked):
    n = staked.nonce("bob")
    gap = sign_claim(staked.claim("bob"), "bob", n + 1)
    old = sign_claim(staked.claim("bob"), "bob", n - 1)
    built = staked.block([gap, old])
    assert reasons(built) == [(0, R.BAD_NONCE), (1, R.BAD_NONCE)]
    assert "next nonce" in built.block.rejected[0].detail
    assert staked.nonce("bob") == n
    # two transactions with one nonce: the first is taken, the second is a reuse
    a, b = (sign_claim(staked.claim("bob"), "bob", n) for _ in range(2))
    built = staked.block([a, b])
    assert reasons(built) == [(1, R.BAD_NONCE)] and staked.nonce("bob") == n + 1
    staked.verify()


def test_operations_take_nonces_before_claims_within_a_block(staked):
    n = staked.nonce("alice")
    claim = sign_claim(staked.claim("alice"), "alice", n)       # numbered as if first
    stake = sign_op(Stake(addr("alice"), TOKEN), "alice", n + 1)
    built = staked.block([claim], [stake])
    # the stake is taken first, with nonce n+1 where n is due: rejected, nothing used;
    # then the claim's n is the next nonce: accepted
    assert reasons(built, ops=True) == [(0, R.BAD_NONCE)] and reasons(built) == []
    n += 1
    right = staked.block([sign_claim(staked.claim("alice"), "alice", n + 1)],
                         [sign_op(Stake(addr("alice"), TOKEN), "alice", n)])
    assert reasons(right) == [] and reasons(right, ops=True) == []
    assert staked.nonce("alice") == n + 2
    staked.verify()


def test_a_rejected_but_authentic_claim_or_operation_uses_its_nonce(staked):
    n = staked.nonce("carol")
    broke = sign_op(Stake(addr("carol"), TOKEN), "carol", n)        # carol has no balance
    # a valid proof for a task nobody posted
    training = staked.kit.unplanned_claim("train", "carol", "77", 5, 1, 1)
    training = replace(training, model_id="m", model_version=0)
    built = staked.block([sign_claim(training, "carol", n + 1)], [broke])
    assert reasons(built, ops=True) == [(0, R.INVALID_OPERATION)]
    assert reasons(built) == [(0, R.NO_SUCH_TASK)]
    assert staked.nonce("carol") == n + 2
    staked.verify()


# -- re-verification -----------------------------------------------------------------------

def test_verify_chain_rechecks_signatures_across_governance_and_a_pause(kit):
    """Parameter changes passed by signed votes (a pause, then its lifting and a new
    reputation gain), forgeries and replays in between: the chain re-verifies from
    genesis; a block whose vote lost its signature, or a wrong chain id, does not."""
    run = Run(kit)
    run.block([run.signed_claim("alice"), run.signed_claim("bob")])
    run.stake("alice", "bob")
    # height 3: propose a pause (emergency vote: 1 block), both vote; active from 5
    h = len(run.blocks)
    a, b = run.nonce("alice"), run.nonce("bob")
    pause = Propose(addr("alice"), GOV.replace(paused=True), h + 2)
    vote_a = sign_op(Vote(addr("alice"), 0, True), "alice", a + 1)
    forged_vote = sign_op(Vote(addr("bob"), 0, False), "mallory", b)
    built = run.block(ops=[sign_op(pause, "alice", a), vote_a, forged_vote,
                           sign_op(Vote(addr("bob"), 0, True), "bob", b)])
    assert reasons(built, ops=True) == [(2, R.BAD_SIGNATURE)]
    assert built.outcome.ledger.tallied == ((0, "passed"),)
    run.block([run.signed_claim("alice")])                     # height 4: still paid
    assert run.market.params(h + 2).paused
    paid = run.account("alice").balance
    # height 5: paused — claims count, no emission (the task's fee, escrowed by the
    # requester, is still paid); a replayed vote does nothing
    built = run.block([run.signed_claim("alice")], [vote_a])
    fee = sum(p.node_share + p.bond for p in built.outcome.paid)
    assert built.outcome.ledger.emission == 0 and run.account("alice").balance == paid + fee
    assert reasons(built, ops=True) == [(0, R.BAD_NONCE)]
    # height 6: lift the pause and raise the reputation gain, by signed votes
    h = len(run.blocks)
    lift = Propose(addr("bob"), GOV.replace(reputation_gain_max=3), h + 2 + 1)
    run.block(ops=[sign_op(lift, "bob", run.nonce("bob")),
                   sign_op(Vote(addr("alice"), 1, True), "alice", run.nonce("alice")),
                   sign_op(Vote(addr("bob"), 1, True), "bob", run.nonce("bob") + 1)])
    run.block()
    assert run.market.ledger.proposals[1].status == "passed"
    run.block()
    rep = run.account("bob").reputation
    built = run.block([run.signed_claim("bob")])
    assert built.outcome.ledger.emission > 0 and run.account("bob").reputation == rep + 3
    report = run.verify()
    assert report.state_root == run.market.state_root()

    # a vote whose signature was swapped for mallory's: the rebuilt block differs
    b = run.blocks[3]
    ops = list(b.operations)
    ops[1] = forged_vote
    from zkcx.rollup.block import Block, body_hash, encode_body
    body = encode_body(b.accepted, b.rejected, ops, b.rejected_operations)
    forged = Block(replace(b.header, body_hash=body_hash(body)), b.accepted, b.rejected,
                   tuple(ops), b.rejected_operations)
    with pytest.raises(ChainVerificationError) as info:
        verify_chain([*run.blocks[:3], forged, *run.blocks[4:]], kit.kernels,
                     genesis=run.genesis, chain_id=CHAIN_ID)
    assert info.value.height == 3
    # the same blocks on another chain id: its genesis differs, and so would every signer
    with pytest.raises(ChainVerificationError, match="parent hash") as info:
        verify_chain(run.blocks, kit.kernels, genesis=run.genesis, chain_id=CHAIN_ID + 1)
    assert info.value.height == 0
