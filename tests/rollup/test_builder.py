# SPDX-License-Identifier: MIT
"""Block building: every rejection reason, valid and tampered claims mixed, batch
verification with content-derived weights, slashing, and nothing half-applied."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.rollup.conftest import (
    CHAIN_ID,
    INFER,
    TEST_PARAMS,
    TRAIN,
    SigningBuilder,
    addr,
    draft,
    new_accountant,
    rerandomize,
)
from zkcx.groth16 import Proof, verify
from zkcx.params import FR_MODULUS
from zkcx.rewards import TOKEN, Stake, Unstake
from zkcx.rollup import (
    BlockBuilder,
    Claim,
    ModelRegistry,
    RejectReason,
    batch_seed,
    merkle_root,
)
from zkcx.rollup.block import genesis_hash

R = RejectReason
PARENT = bytes(32)


@pytest.fixture(scope="module")
def builder(kit) -> BlockBuilder:
    return SigningBuilder(kit.kernels, CHAIN_ID)


def _build(builder, claims, accountant=None, models=None, **kw):
    accountant = new_accountant() if accountant is None else accountant
    models = ModelRegistry() if models is None else models
    return builder.build(PARENT, accountant, models, claims, timestamp=kw.pop("timestamp", 7),
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
              kit.claim("chain", "n2", "t3", 6, kind=INFER), kit.claim("bound", "n3", "t4", 9)]
    built = _build(builder, claims)
    block = built.block
    assert tuple(map(draft, block.accepted)) == tuple(claims)
    assert block.rejected == ()
    assert block.header.height == 0
    assert block.header.claims_root == merkle_root([c.claim_hash for c in block.accepted])
    assert block.header.state_root == built.accountant.state_root()
    assert block.header.emission == built.outcome.emission > 0
    # work units come from the kernels: n2 did 2 × 24 constraints, n1 3; under the test
    # parameters a reputation point per work unit. The claims carry no task fee yet (the
    # market, issue 14), so the fee cap pays them nothing.
    acc = built.accountant.accounts
    n1, n2 = addr("n1"), addr("n2")
    start = TEST_PARAMS.reputation_start
    assert acc[n2].claims_accepted == 2 and acc[n1].claims_accepted == 1
    assert (acc[n2].reputation - start, acc[n1].reputation - start) == (48, 3)
    assert set(built.outcome.paid.values()) == {0} and built.outcome.returned_to_pool > 0
    assert acc[n2].nonce == 2 and acc[n1].nonce == 1


def test_every_rejection_reason_is_given_and_nothing_else_is_lost(kit, builder):
    good = kit.claim("cube", "n1", "t1", 3, 4)
    stranger = kit.pks["cube"].verifying_key  # a kernel id nobody registered: mangle it
    unknown = replace(good, kernel_id="ab" * 32)
    assert stranger.digest() != unknown.kernel_id
    claims = [
        good,                                                        # 0 accepted
        b"\x01garbage",                                              # 1 malformed
        replace(good, node_id=addr("n9")),                                 # 2 duplicate statement
        unknown,                                                     # 3 unknown kernel
        kit.claim("cube", "n1", "t5", 3, 4, kind=TRAIN),                 # 4 wrong kind... dup
        replace(kit.claim("chain", "n1", "t6", 2), public_inputs=(1, 2)),  # 5 count
        replace(kit.claim("bound", "n1", "t7", 2), node_id=addr("n2")),    # 6 binding
        kit.claim("train", "n1", "t8", 5, 1, 1, model=("m", 0)),     # 7 ineligible
        _tamper(kit.claim("chain", "n4", "t9", 11)),                 # 8 invalid proof
        replace(kit.claim("train", "n1", "t8", 6, 1, 1), model_id=None,
                model_version=None),                                 # 9 training w/o model
        kit.claim("chain", "n5", "t10", 12, kind=INFER, model=("m", 3)),  # 10 no such version
        kit.claim("chain", "n5", "t11", 13),                         # 11 accepted
    ]
    claims[4] = replace(kit.claim("chain", "n1", "t5", 14), kind=TRAIN)  # kind not allowed
    block = _build(builder, claims).block
    assert _reasons(block) == [
        (1, R.MALFORMED), (2, R.DUPLICATE), (3, R.UNKNOWN_KERNEL), (4, R.KIND_NOT_ALLOWED),
        (5, R.PUBLIC_INPUT_COUNT), (6, R.BINDING_MISMATCH), (7, R.INELIGIBLE),
        (8, R.INVALID_PROOF), (9, R.MODEL_MISMATCH), (10, R.MODEL_MISMATCH)]
    assert [c.task_id for c in block.accepted] == ["t1", "t11"]
    details = {r.index: r.detail for r in block.rejected}
    assert "truncated" in details[1] or "version" in details[1]
    assert "tier 'open'" in details[7] and "training" in details[7]
    received = block.received()
    assert received[1] == claims[1]
    assert [draft(Claim.from_bytes(c) if isinstance(c, bytes) else c)
            for i, c in enumerate(received) if i != 1] == claims[:1] + claims[2:]


def test_invalid_proofs_are_slashed_and_reported_per_proof(kit, builder):
    # n1 stakes from its genesis grant, then proves twice wrongly: penalties come first in
    # a block, so the stake is bonded a block before the invalid proofs
    acc = new_accountant(grants=("n1",))
    first = _build(builder, [kit.claim("cube", "n1", "t1", 3, 4)], acc,
                   operations=[Stake(addr("n1"), TOKEN)])
    staked = builder.build(PARENT, first.accountant, first.models,
                           [_tamper(kit.claim("chain", "n1", "t2", 5)),
                            _tamper(kit.claim("chain", "n1", "t3", 6))], timestamp=8)
    assert _reasons(staked.block) == [(0, R.INVALID_PROOF), (1, R.INVALID_PROOF)]
    a = staked.accountant.accounts[addr("n1")]
    assert a.proofs_invalid == 2
    assert a.slashed_total > 0 and a.stake < TOKEN
    assert staked.outcome.slashed[addr("n1")] == a.slashed_total
    assert a.nonce == 4  # the stake and one claim, then two claims


@settings(max_examples=8, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=10), st.integers(0, 3))
def test_mixed_valid_and_tampered_claims_are_told_apart(kit, builder, tampered, which):
    """Whatever the mix, exactly the tampered proofs fail, in any kernel group."""
    names = ["cube", "chain", "bound", "chain"]
    claims = []
    for k, bad in enumerate(tampered):
        name = names[(k + which) % 4]
        args = (k + 2, 1) if name == "cube" else (k + 2,)
        c = kit.claim(name, f"n{k}", f"t{k}", *args)
        c = replace(c, proof=rerandomize(c.proof, 1 + k))
        claims.append(_tamper(c) if bad else c)
    block = _build(builder, claims).block
    assert [i for i, r in _reasons(block)] == [k for k, bad in enumerate(tampered) if bad]
    assert all(r == R.INVALID_PROOF for _, r in _reasons(block))
    for c in block.accepted:
        assert verify(kit.kernels.get(c.kernel_id).vk, c.public_inputs, c.proof)


def test_a_rerandomized_proof_does_not_earn_twice(kit, builder):
    c = kit.claim("cube", "n1", "t1", 3, 4)
    twin = replace(c, proof=rerandomize(c.proof, 5))
    assert twin.claim_hash != c.claim_hash and twin.statement_hash == c.statement_hash
    assert verify(kit.kernels.get(c.kernel_id).vk, twin.public_inputs, twin.proof)
    block = _build(builder, [c, twin]).block
    assert _reasons(block) == [(1, R.DUPLICATE)]
    replayed = _build(builder, [twin], is_replay={c.statement_hash}.__contains__).block
    assert _reasons(replayed) == [(0, R.REPLAYED)]


def _staked(builder, kit, nodes=("n1",)):
    """An accountant after a block in which each of ``nodes`` proved a cube (+3
    reputation: above the staked tier's 1001) and staked a token of its genesis grant:
    they may train from the next block on (stake counts from the block after it is
    added)."""
    return _build(builder, [kit.claim("cube", n, f"t0{n}", 3, i) for i, n in enumerate(nodes)],
                  new_accountant(grants=nodes),
                  operations=[Stake(addr(n), TOKEN) for n in nodes]).accountant


def test_training_claims_extend_the_model_chain_in_order(kit, builder):
    acc = _staked(builder, kit)
    step1 = kit.claim("train", "n1", "t1", 5, 3, 2, model=("m", 0))      # 5 -> 11
    step2 = kit.claim("train", "n1", "t2", 11, 1, 4, model=("m", 1))     # 11 -> 15
    stale = kit.claim("train", "n1", "t3", 5, 7, 1, model=("m", 0))      # from 5 again
    wrong = kit.claim("train", "n1", "t4", 99, 1, 1, model=("m", 2))     # bad commitment
    built = builder.build(PARENT, acc, ModelRegistry(), [step1, step2, stale, wrong],
                          timestamp=9)
    assert _reasons(built.block) == [(2, R.MODEL_MISMATCH), (3, R.MODEL_MISMATCH)]
    versions = built.models.versions("m")
    assert [v.commitment for v in versions] == [5, 11, 15]
    signed1, signed2 = built.block.accepted
    assert draft(signed1) == step1 and draft(signed2) == step2
    assert [v.claim_hash for v in versions] == [signed1.claim_hash] * 2 + [signed2.claim_hash]
    assert built.block.header.models_root == built.models.root()


def test_a_failed_step_breaks_the_chain_for_the_claims_built_on_it(kit, builder):
    # step 2 by another node: n1's invalid proof costs n1 its tier in this very block
    acc = _staked(builder, kit, ("n1", "n2"))
    step1 = _tamper(kit.claim("train", "n1", "t1", 5, 3, 2, model=("m", 0)))
    step2 = kit.claim("train", "n2", "t2", 11, 1, 4, model=("m", 1))
    built = builder.build(PARENT, acc, ModelRegistry(), [step1, step2], timestamp=9)
    assert _reasons(built.block) == [(0, R.INVALID_PROOF), (1, R.MODEL_MISMATCH)]
    assert built.models.versions("m") == ()


def test_building_is_deterministic_and_leaves_its_inputs_alone(kit, builder):
    acc, models = new_accountant(), ModelRegistry()
    root, mroot = acc.state_root(), models.root()
    claims = [kit.claim("cube", "n1", "t1", 3, 4), _tamper(kit.claim("chain", "n2", "t2", 5))]
    a = _build(builder, claims, acc, models).block
    b = _build(builder, claims, acc, models).block
    assert a.hash == b.hash and a.to_bytes() == b.to_bytes()
    assert acc.state_root() == root and acc.height == -1 and models.root() == mroot
    assert _build(builder, claims, acc, models, timestamp=8).block.hash != a.hash


def test_a_bad_operation_is_rejected_and_the_block_still_builds(kit, builder):
    acc = new_accountant()
    root = acc.state_root()
    built = _build(builder, [kit.claim("cube", "n1", "t1", 3, 4)], acc,
                   operations=[Stake(addr("n1"), 1)])
    assert acc.state_root() == root and acc.height == -1
    assert built.block.operations == ()
    (rej,) = built.block.rejected_operations
    assert (rej.index, rej.reason) == (0, R.INVALID_OPERATION)
    assert "balance" in rej.detail
    a = built.accountant.accounts[addr("n1")]
    assert a.stake == 0 and a.claims_accepted == 1 and a.nonce == 2  # the stake used nonce 0


def test_batch_seeds_depend_on_parent_height_kernel_and_claims():
    k = "ab" * 32
    base = batch_seed(PARENT, 1, k, [b"\x01" * 32])
    assert base == batch_seed(PARENT, 1, k, [b"\x01" * 32])
    one = [b"\x01" * 32]
    others = [batch_seed(b"\x02" * 32, 1, k, one), batch_seed(PARENT, 2, k, one),
              batch_seed(PARENT, 1, "cd" * 32, one), batch_seed(PARENT, 1, k, [])]
    assert base not in others and len(set(others)) == 4


def test_genesis_hash_commits_both_states_and_the_chain_id():
    acc, models = new_accountant(), ModelRegistry()
    g = genesis_hash(acc.to_bytes(), models.to_bytes(), 1)
    assert genesis_hash(acc.to_bytes(), models.to_bytes(), 2) != g
    models.register("m", 1)
    assert genesis_hash(acc.to_bytes(), models.to_bytes(), 1) != g


def test_public_inputs_not_below_r_cannot_reach_the_builder(kit):
    c = kit.claim("cube", "n1", "t1", 3, 4)
    with pytest.raises(ValueError):
        replace(c, public_inputs=(FR_MODULUS, 4))


def test_a_copy_or_forgery_placed_first_does_not_crowd_the_real_claim_out(kit, builder):
    real = kit.claim("bound", "n1", "t1", 5)
    copied = replace(real, node_id=addr("thief"), task_id="t9")  # binding names n1/t1
    forged = _tamper(real)  # same statement, bad proof (signed by n1 itself)
    block = _build(builder, [copied, forged, real]).block
    assert tuple(map(draft, block.accepted)) == (real,)
    assert _reasons(block) == [(0, R.BINDING_MISMATCH), (1, R.INVALID_PROOF)]
    # of two valid claims of one statement, the first is taken
    again = replace(real, proof=rerandomize(real.proof, 3))
    block = _build(builder, [forged, again, real]).block
    assert tuple(map(draft, block.accepted)) == (again,)
    assert _reasons(block) == [(0, R.INVALID_PROOF), (2, R.DUPLICATE)]


def test_oversized_bytes_are_rejected_without_being_stored(kit, builder, tmp_path):
    from zkcx.rollup import SQLiteChainStore, verify_chain
    from zkcx.rollup.chain import Chain
    from zkcx.rollup.claim import MAX_CLAIM_BYTES

    good = kit.claim("cube", "n1", "t1", 3, 4)
    huge = good.to_bytes() + bytes(MAX_CLAIM_BYTES)  # a valid claim, then junk
    block = _build(builder, [huge, good]).block
    assert tuple(map(draft, block.accepted)) == (good,)
    assert [(r.index, r.reason, r.data) for r in block.rejected] == [(0, R.MALFORMED, b"")]
    assert len(block.to_bytes()) < MAX_CLAIM_BYTES
    signed = block.accepted[0]
    with SQLiteChainStore.create(tmp_path / "c.db", new_accountant(), chain_id=CHAIN_ID) \
            as store:
        Chain(store, kit.kernels).produce([huge, signed], timestamp=1)
        assert verify_chain(store, kit.kernels).rejected_claims == 1


def test_penalties_come_first_an_offenders_tier_and_unstake_are_judged_after_them(
        kit, builder):
    """An invalid proof in a block costs its node the tier for that block's other claims
    (ineligible), and slashes the stake before its unstake of the whole stake (which now
    overdraws: invalid-operation); the builder and the accountant agree."""
    acc = _staked(builder, kit)
    bad = _tamper(kit.claim("train", "n1", "t1", 5, 3, 2, model=("m", 0)))
    good = kit.claim("train", "n1", "t2", 5, 1, 4, model=("m", 0))
    built = builder.build(PARENT, acc, ModelRegistry(), [bad, good], timestamp=9)
    assert _reasons(built.block) == [(0, R.INVALID_PROOF), (1, R.INELIGIBLE)]
    assert "reputation 903 < 1001" in built.block.rejected[1].detail
    bad = _tamper(kit.claim("chain", "n1", "t3", 5))
    built = builder.build(PARENT, acc, ModelRegistry(), [bad],
                          operations=[Unstake(addr("n1"), TOKEN)], timestamp=9)
    assert _reasons(built.block) == [(0, R.INVALID_PROOF)]
    (rej,) = built.block.rejected_operations
    assert rej.reason == R.INVALID_OPERATION and "unstakes" in rej.detail
    n1 = built.accountant.accounts[addr("n1")]
    assert n1.stake == TOKEN - TOKEN * TEST_PARAMS.slash_ppb // 10**9 and n1.unbonding == ()
