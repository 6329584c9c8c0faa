# SPDX-License-Identifier: MIT
"""Block building: every rejection reason, valid and tampered claims mixed, batch
verification with content-derived weights, slashing, and nothing half-applied. Each
test's tasks are posted by the kit's requester in a setup block (block 0) and assigned to
the nodes the test names; the block under test is block 1."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.rollup.conftest import (
    CHAIN_ID,
    REQUESTER,
    TRAIN,
    Kit,
    SigningBuilder,
    SigningChain,
    addr,
    draft,
    new_market,
    rerandomize,
)
from zkcx.groth16 import Proof, verify
from zkcx.params import FR_MODULUS
from zkcx.rewards import TOKEN, Stake, Transfer, merkle_root
from zkcx.rollup import (
    BlockBuilder,
    Claim,
    RejectReason,
    batch_seed,
)
from zkcx.rollup.block import genesis_hash

R = RejectReason
PARENT = bytes(32)


@pytest.fixture(scope="module")
def builder(kernels_kit) -> BlockBuilder:
    return SigningBuilder(kernels_kit.kernels, CHAIN_ID)


def _build(builder, kit, claims, market=None, **kw):
    """The block of ``claims`` on ``market`` (default: genesis), after the kit's setup
    block when tasks are pending."""
    market = new_market() if market is None else market
    return builder.build(PARENT, market, claims, timestamp=kw.pop("timestamp", 7), kit=kit,
                         **kw)


def _reasons(block):
    return [(r.index, r.reason) for r in block.rejected]


def _tamper(claim: Claim) -> Claim:
    """Same statement, another (invalid) proof: C replaced by C + G."""
    from zkcx.curve import G1
    p = claim.proof
    return replace(claim, proof=Proof(p.a, p.b, p.c + G1.generator()))


def test_valid_claims_over_four_kernels_are_all_accepted(kit, builder):
    claims = [kit.claim("cube", "n1", "t1", 3, 4), kit.claim("chain", "n2", "t2", 5),
              kit.claim("infer", "n2", "t3", 6), kit.claim("bound", "n3", "t4", 9)]
    built = _build(builder, kit, claims)
    block = built.block
    assert tuple(map(draft, block.accepted)) == tuple(claims)
    assert block.rejected == ()
    assert block.header.height == 1  # block 0 posted the tasks
    assert block.header.claims_root == merkle_root([c.claim_hash for c in block.accepted])
    assert block.header.statements_root == merkle_root(
        [c.statement.commitment for c in block.accepted])
    assert block.header.state_root == built.market.state_root()
    assert block.header.emission == built.outcome.ledger.emission > 0
    # work units come from the kernels: n2 did 2 × 24 constraints, n1 3; fees follow them
    acc = built.ledger.accounts
    n1, n2 = addr("n1"), addr("n2")
    assert acc[n2].claims_accepted == 2 and acc[n1].claims_accepted == 1
    assert acc[n2].balance > acc[n1].balance
    assert acc[n2].nonce == 3 and acc[n1].nonce == 2  # registration, then the claims
    assert {p.task_id for p in built.outcome.paid} == {0, 1, 2, 3}


def test_every_rejection_reason_is_given_and_nothing_else_is_lost(kit, builder):
    good = kit.claim("cube", "n1", "t1", 3, 4)
    stranger = kit.pks["cube"].verifying_key  # a kernel id nobody registered: mangle it
    unknown = replace(good, kernel_id="ab" * 32)
    assert stranger.digest() != unknown.kernel_id
    kit.plan("cube", "n3", "t12", 5, 5)   # n3's task
    kit.plan("cube", "n1", "t13", 3, 5)   # n1's task on x = 3
    kit.plan("cube", "n1", "t14", 3, 6)   # n1's cube task
    claims = [
        good,                                                        # 0 accepted
        b"\x01garbage",                                              # 1 malformed
        replace(good, proof=rerandomize(good.proof, 2)),             # 2 duplicate statement
        unknown,                                                     # 3 unknown kernel
        None,                                                        # 4 kind not allowed
        replace(kit.claim("chain", "n1", "t6", 2), public_inputs=(1, 2)),  # 5 count
        replace(kit.claim("bound", "n1", "t7", 2), node_id=addr("n2")),    # 6 binding
        kit.claim("cube", "n1", "t12", 5, 5),                        # 7 not the assignee
        _tamper(kit.claim("chain", "n4", "t9", 11)),                 # 8 invalid proof
        replace(kit.claim("train", "n1", "t8", 6, 1, 1), model_id=None,
                model_version=None),                                 # 9 training w/o model
        kit.claim("infer", "n5", "t10", 12, model=("m", 3)),         # 10 no such version
        kit.claim("chain", "n5", "t11", 13),                         # 11 accepted
        kit.unplanned_claim("bound", "n1", "99", 4),                 # 12 no such task
        kit.claim("cube", "n1", "t13", 6, 5),                        # 13 other inputs
        kit.unplanned_claim("bound", "n1", kit.task_id("t14"), 3),   # 14 other kernel
        kit.unplanned_claim("bound", "n1", "007", 5),                # 15 not a task number
    ]
    claims[4] = replace(kit.claim("chain", "n1", "t5", 14), kind=TRAIN)  # kind not allowed
    kit.models["m"] = 1  # registered by the setup block: version 0 alone
    block = _build(builder, kit, claims).block
    assert _reasons(block) == [
        (1, R.MALFORMED), (2, R.DUPLICATE), (3, R.UNKNOWN_KERNEL), (4, R.KIND_NOT_ALLOWED),
        (5, R.PUBLIC_INPUT_COUNT), (6, R.BINDING_MISMATCH), (7, R.NOT_ASSIGNEE),
        (8, R.INVALID_PROOF), (9, R.MODEL_MISMATCH), (10, R.MODEL_MISMATCH),
        (12, R.NO_SUCH_TASK), (13, R.TASK_INPUT_MISMATCH), (14, R.TASK_KERNEL_MISMATCH),
        (15, R.NO_SUCH_TASK)]
    assert [c.task_id for c in block.accepted] == [kit.task_id("t1"), kit.task_id("t11")]
    details = {r.index: r.detail for r in block.rejected}
    assert "truncated" in details[1] or "version" in details[1]
    assert f"assigned to {addr('n3')}" in details[7]
    assert "not a task number" in details[15]
    received = block.received()
    assert received[1] == claims[1]
    assert [draft(Claim.from_bytes(c) if isinstance(c, bytes) else c)
            for i, c in enumerate(received) if i != 1] == [draft(c) for c in
                                                          claims[:1] + claims[2:]]


def test_invalid_proofs_are_slashed_and_reported_per_proof(kit, builder):
    first = _build(builder, kit, [kit.claim("cube", "n1", "t1", 3, 4)])
    claims = [_tamper(kit.claim("chain", "n1", "t2", 5)),
              _tamper(kit.claim("chain", "n1", "t3", 6))]
    # a block posting t2 and t3, then one where n1 stakes (penalties come first in a
    # block: a stake added with the invalid proofs would not be slashed)
    setup = builder.build(first.block.hash, first.market, [], timestamp=8,
                          operations=[Transfer(REQUESTER, addr("n1"), TOKEN),
                                      Stake(addr("n1"), TOKEN)], kit=kit)
    staked = builder.build(setup.block.hash, setup.market, claims, timestamp=8)
    assert _reasons(staked.block) == [(0, R.INVALID_PROOF), (1, R.INVALID_PROOF)]
    a = staked.ledger.accounts[addr("n1")]
    assert a.proofs_invalid == 2
    assert a.slashed_total > 0 and a.stake < TOKEN
    assert staked.outcome.ledger.slashed[addr("n1")] == a.slashed_total
    assert a.nonce == 5  # registration, one claim, then the stake and two claims


@settings(max_examples=8, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=10), st.integers(0, 3))
def test_mixed_valid_and_tampered_claims_are_told_apart(kernels_kit, builder, tampered,
                                                         which):
    """Whatever the mix, exactly the tampered proofs fail, in any kernel group."""
    kit = Kit(kernels_kit)
    names = ["cube", "chain", "bound", "chain"]
    claims = []
    for k, bad in enumerate(tampered):
        name = names[(k + which) % 4]
        args = (k + 2, 1) if name == "cube" else (k + 2,)
        c = kit.claim(name, f"n{k}", f"t{k}", *args)
        c = replace(c, proof=rerandomize(c.proof, 1 + k))
        claims.append(_tamper(c) if bad else c)
    block = _build(builder, kit, claims).block
    assert [i for i, r in _reasons(block)] == [k for k, bad in enumerate(tampered) if bad]
    assert all(r == R.INVALID_PROOF for _, r in _reasons(block))
    for c in block.accepted:
        assert verify(kit.kernels.get(c.kernel_id).vk, c.public_inputs, c.proof)


def test_a_rerandomized_proof_does_not_earn_twice(kit, builder):
    c = kit.claim("cube", "n1", "t1", 3, 4)
    twin = replace(c, proof=rerandomize(c.proof, 5))
    assert twin.claim_hash != c.claim_hash and twin.statement_hash == c.statement_hash
    assert verify(kit.kernels.get(c.kernel_id).vk, twin.public_inputs, twin.proof)
    block = _build(builder, kit, [c, twin]).block
    assert _reasons(block) == [(1, R.DUPLICATE)]
    replayed = _build(builder, kit, [twin], is_replay={c.statement_hash}.__contains__).block
    assert _reasons(replayed) == [(0, R.REPLAYED)]


def test_a_task_is_paid_once(kit, builder):
    """Double payment: the task's statement is replayed in a later block (replayed), and
    its assignee's other claim of it, with a new proof, is a duplicate or a replay, never
    a second payment; the poster's escrow paid exactly one fee."""
    c = kit.claim("cube", "n1", "t1", 3, 4)
    first = _build(builder, kit, [c])
    paid = first.ledger.account(addr("n1")).balance
    again = builder.build(first.block.hash, first.market,
                          [replace(c, proof=rerandomize(c.proof, 9))], timestamp=8,
                          is_replay={c.statement_hash}.__contains__)
    assert _reasons(again.block) == [(0, R.REPLAYED)]
    # without the index (a builder that forgot it) the market still refuses: task closed
    forgetful = builder.build(first.block.hash, first.market,
                              [replace(c, proof=rerandomize(c.proof, 9))], timestamp=8)
    assert _reasons(forgetful.block) == [(0, R.TASK_CLOSED)]
    assert forgetful.ledger.account(addr("n1")).balance == paid
    assert first.market.task(0).status.value == "done"


def test_training_claims_extend_the_model_chain_in_order(kit, builder):
    first = _build(builder, kit, [kit.claim("cube", "n1", "t0", 3, 4)])
    step1 = kit.claim("train", "n1", "t1", 5, 3, 2, model=("m", 0))      # 5 -> 11
    step2 = kit.claim("train", "n1", "t2", 11, 1, 4, model=("m", 1))     # 11 -> 15
    stale = kit.claim("train", "n1", "t3", 5, 7, 1, model=("m", 0))      # from 5 again
    wrong = kit.claim("train", "n1", "t4", 99, 1, 1, model=("m", 2))     # bad commitment
    before = builder.build(PARENT, first.market, [], timestamp=9, kit=kit)  # registers m
    built = builder.build(before.block.hash, before.market, [step1, step2, stale, wrong],
                          timestamp=9)
    assert _reasons(built.block) == [(2, R.MODEL_MISMATCH), (3, R.MODEL_MISMATCH)]
    signed1, signed2 = built.block.accepted
    assert draft(signed1) == step1 and draft(signed2) == step2
    # the header's models root is the market's, and the steps moved it
    assert built.block.header.models_root == built.market.models_root()
    assert built.block.header.models_root != before.block.header.models_root
    chain = built.market.model("m").versions
    assert [v.commitment for v in chain] == [5, 11, 15]
    assert [v.claim_hash for v in chain[1:]] == [signed1.claim_hash, signed2.claim_hash]
    assert [v.contributor for v in chain[1:]] == [addr("n1")] * 2


def test_a_training_claim_on_an_unregistered_model_is_rejected(kit, builder):
    first = _build(builder, kit, [kit.claim("cube", "n1", "t0", 3, 4)])
    step = kit.claim("train", "n1", "t1", 5, 3, 2, model=("m", 0))
    kit.models.clear()  # the setup block registers no model
    built = builder.build(PARENT, first.market, [step], timestamp=9, kit=kit)
    assert _reasons(built.block) == [(0, R.UNKNOWN_MODEL)]
    assert "not registered" in built.block.rejected[0].detail
    assert "m" not in built.market.models


def test_a_failed_step_breaks_the_chain_for_the_claims_built_on_it(kit, builder):
    first = _build(builder, kit, [kit.claim("cube", "n1", "t0", 3, 4)])
    step1 = _tamper(kit.claim("train", "n1", "t1", 5, 3, 2, model=("m", 0)))
    step2 = kit.claim("train", "n1", "t2", 11, 1, 4, model=("m", 1))
    built = builder.build(PARENT, first.market, [step1, step2], timestamp=9, kit=kit)
    assert _reasons(built.block) == [(0, R.INVALID_PROOF), (1, R.MODEL_MISMATCH)]
    assert len(built.market.model("m").versions) == 1  # version 0 alone


def test_building_is_deterministic_and_leaves_its_inputs_alone(kit, builder):
    market = new_market()
    root, mroot = market.state_root(), market.models_root()
    claims = [kit.claim("cube", "n1", "t1", 3, 4), _tamper(kit.claim("chain", "n2", "t2", 5))]
    a = _build(builder, kit, claims, market).block
    b = _build(builder, kit, claims, market).block
    assert a.hash == b.hash and a.to_bytes() == b.to_bytes()
    assert market.state_root() == root and market.height == -1
    assert market.models_root() == mroot
    assert _build(builder, kit, claims, market, timestamp=8).block.hash != a.hash


def test_a_bad_operation_is_rejected_and_the_block_still_builds(kit, builder):
    market = new_market()
    root = market.state_root()
    built = _build(builder, kit, [kit.claim("cube", "n1", "t1", 3, 4)], market,
                   operations=[Stake(addr("n1"), 1)])
    assert market.state_root() == root and market.height == -1
    assert built.block.operations == ()
    (rej,) = built.block.rejected_operations
    assert (rej.index, rej.reason) == (0, R.INVALID_OPERATION)
    assert "balance" in rej.detail
    a = built.ledger.accounts[addr("n1")]
    # the registration used nonce 0, the stake nonce 1
    assert a.stake == 0 and a.claims_accepted == 1 and a.nonce == 3


def test_batch_seeds_depend_on_parent_height_kernel_and_claims():
    k = "ab" * 32
    base = batch_seed(PARENT, 1, k, [b"\x01" * 32])
    assert base == batch_seed(PARENT, 1, k, [b"\x01" * 32])
    one = [b"\x01" * 32]
    others = [batch_seed(b"\x02" * 32, 1, k, one), batch_seed(PARENT, 2, k, one),
              batch_seed(PARENT, 1, "cd" * 32, one), batch_seed(PARENT, 1, k, [])]
    assert base not in others and len(set(others)) == 4


def test_genesis_hash_commits_the_market_and_the_chain_id():
    market = new_market()
    g = genesis_hash(market.to_bytes(), 1)
    assert genesis_hash(market.to_bytes(), 2) != g
    other = new_market(grants={addr("n9"): 1})
    assert genesis_hash(other.to_bytes(), 1) != g


def test_public_inputs_not_below_r_cannot_reach_the_builder(kit):
    c = kit.claim("cube", "n1", "t1", 3, 4)
    with pytest.raises(ValueError):
        replace(c, public_inputs=(FR_MODULUS, 4))


def test_a_copy_or_forgery_placed_first_does_not_crowd_the_real_claim_out(kit, builder):
    real = kit.claim("bound", "n1", "t1", 5)
    copied = replace(real, node_id=addr("thief"), task_id="t9")  # binding names n1/t1
    forged = _tamper(real)  # same statement, bad proof (signed by n1 itself)
    block = _build(builder, kit, [copied, forged, real]).block
    assert tuple(map(draft, block.accepted)) == (real,)
    assert _reasons(block) == [(0, R.BINDING_MISMATCH), (1, R.INVALID_PROOF)]
    # of two valid claims of one statement, the first is taken
    again = replace(real, proof=rerandomize(real.proof, 3))
    block = _build(builder, kit, [forged, again, real]).block
    assert tuple(map(draft, block.accepted)) == (again,)
    assert _reasons(block) == [(0, R.INVALID_PROOF), (2, R.DUPLICATE)]


def test_oversized_bytes_are_rejected_without_being_stored(kit, builder, tmp_path):
    from zkcx.rollup import SQLiteChainStore, verify_chain
    from zkcx.rollup.chain import Chain
    from zkcx.rollup.claim import MAX_CLAIM_BYTES

    good = kit.claim("cube", "n1", "t1", 3, 4)
    huge = good.to_bytes() + bytes(MAX_CLAIM_BYTES)  # a valid claim, then junk
    block = _build(builder, kit, [huge, good]).block
    assert tuple(map(draft, block.accepted)) == (good,)
    assert [(r.index, r.reason, r.data) for r in block.rejected] == [(0, R.MALFORMED, b"")]
    assert len(block.to_bytes()) < MAX_CLAIM_BYTES
    signed = block.accepted[0]
    with SQLiteChainStore.create(tmp_path / "c.db", new_market(), chain_id=CHAIN_ID) \
            as store:
        SigningChain(store, kit.kernels, kit=kit).setup(timestamp=1)
        Chain(store, kit.kernels).produce([huge, signed], timestamp=1)
        assert verify_chain(store, kit.kernels).rejected_claims == 1
