# SPDX-License-Identifier: MIT
"""The block draft: a block as a transaction over the accountant. Nothing reaches the
accountant before commit; a failed step stages nothing; held tokens (escrow, bonds) count
in the supply; genesis grants come out of the pool and round-trip."""

from __future__ import annotations

import hashlib

import pytest

from tests.rewards.strategies import FAST_PARAMS
from zkcx import errors
from zkcx.rewards import (
    SUPPLY,
    TOKEN,
    Accountant,
    ClaimKind,
    ParamSchedule,
    Stake,
    Transfer,
    VerifiedClaim,
)

SCHEDULE = ParamSchedule([(0, FAST_PARAMS)])


def granted() -> Accountant:
    return Accountant.genesis({"poster": 1_000 * TOKEN, "node": 10 * TOKEN}, SCHEDULE)


def test_genesis_grants_come_from_the_pool_and_round_trip():
    acc = granted()
    assert acc.height == -1 and acc.pool == SUPPLY - 1_010 * TOKEN
    assert acc.account("poster").balance == 1_000 * TOKEN
    assert acc.account("poster").reputation == FAST_PARAMS.reputation_start
    acc.check_invariants()
    back = Accountant.from_bytes(acc.to_bytes())
    assert back == acc and back.state_root() == acc.state_root()
    for bad in ({"a": 0}, {"a": -1}, {"a": True}, {"": 5}, {"a": SUPPLY, "b": 1}, [("a", 1)]):
        with pytest.raises(errors.ParameterError):
            Accountant.genesis(bad, SCHEDULE)


def test_nothing_reaches_the_accountant_before_commit_and_commit_is_once():
    acc = granted()
    snapshot, root = acc.to_bytes(), acc.state_root()
    draft = acc.begin_block(0)
    draft.operate(Transfer("poster", "x", TOKEN))
    draft.hold("poster", 5 * TOKEN, "the fee of task 0")
    assert draft.account("x").balance == TOKEN
    assert draft.account("poster").held == 5 * TOKEN
    assert acc.to_bytes() == snapshot and acc.state_root() == root
    out = draft.commit()
    assert acc.height == 0 and out.state_root == acc.state_root()
    assert acc.account("poster").held == 5 * TOKEN
    with pytest.raises(errors.HeightError):
        draft.commit()
    with pytest.raises(errors.HeightError):
        acc.begin_block(0)


def test_a_draft_the_accountant_outran_cannot_commit():
    acc = granted()
    stale = acc.begin_block(0)
    acc.apply_block(0, [])
    with pytest.raises(errors.HeightError):
        stale.commit()


def test_a_failed_step_stages_nothing_and_the_draft_stays_usable():
    acc = granted()
    draft = acc.begin_block(0)
    staged = dict(draft.staged)
    with pytest.raises(errors.InsufficientFundsError, match="the bond of task 7"):
        draft.hold("node", 11 * TOKEN, "the bond of task 7")
    with pytest.raises(errors.InsufficientFundsError):
        draft.operate(Stake("node", 11 * TOKEN), 3)
    with pytest.raises(errors.InsufficientFundsError, match="holds 0"):
        draft.release_hold("node", 1, "poster")
    with pytest.raises(errors.InvalidOperationError):
        draft.set_nonces({"a": 1, "b": 0})  # b's nonce does not increase: a's not staged
    with pytest.raises(errors.DuplicateClaimError):
        draft.pay([VerifiedClaim("node", ClaimKind.COMPUTE, 1, bytes(32))] * 2)
    with pytest.raises(errors.ClaimError):
        draft.penalize(["node", ""])
    assert dict(draft.staged) == staged and draft.pool == acc.pool
    draft.hold("node", 10 * TOKEN, "the bond of task 7")
    assert draft.commit().height == 0


def test_held_tokens_move_to_a_balance_or_the_pool_and_the_supply_holds():
    acc = granted()
    draft = acc.begin_block(0)
    draft.hold("poster", 100 * TOKEN, "a fee")
    draft.release_hold("poster", 90 * TOKEN, "node")  # the fee to the node
    draft.forfeit_hold("poster", 10 * TOKEN)  # the pool's share
    draft.hold("node", 4 * TOKEN, "a bond")
    draft.release_hold("node", 4 * TOKEN, "node")  # the bond back
    out = draft.commit()
    assert out.forfeited == 10 * TOKEN and out.pool == acc.pool
    assert acc.pool == SUPPLY - 1_010 * TOKEN + 10 * TOKEN
    assert acc.account("poster").balance == 900 * TOKEN and acc.account("poster").held == 0
    assert acc.account("node").balance == 100 * TOKEN
    balances, stakes, unbonding, held = acc.totals()
    assert acc.pool + balances + stakes + unbonding + held == SUPPLY
    acc.check_invariants()


def test_held_tokens_are_in_the_state_root_and_the_serialized_state():
    a, b = granted(), granted()
    da, db = a.begin_block(0), b.begin_block(0)
    da.hold("poster", 1, "a fee")
    db.hold("poster", 2, "a fee")
    da.commit()
    db.commit()
    assert a.state_root() != b.state_root()
    back = Accountant.from_bytes(a.to_bytes())
    assert back == a and back.account("poster").held == 1
    d = a.to_dict()
    d["accounts"]["poster"]["held"] = "2"  # a token out of nowhere
    with pytest.raises(errors.SupplyInvariantError):
        Accountant.from_dict(d)


def test_lost_reputation_is_floored_at_the_minimum():
    acc = granted()
    draft = acc.begin_block(0)
    draft.lose_reputation("node", 30)
    assert draft.account("node").reputation == FAST_PARAMS.reputation_start - 30
    draft.lose_reputation("node", 10**9)
    assert draft.account("node").reputation == FAST_PARAMS.reputation_min
    with pytest.raises(errors.InvalidOperationError):
        draft.lose_reputation("node", -1)


def test_claims_carry_a_fee_of_base_units():
    h = bytes(32)
    assert VerifiedClaim("n", ClaimKind.COMPUTE, 1, h).fee == 0
    assert VerifiedClaim("n", ClaimKind.COMPUTE, 1, h, 5).fee == 5
    for bad in (-1, 1.5, True, 1 << 256):
        with pytest.raises(errors.ClaimError, match="fee"):
            VerifiedClaim("n", ClaimKind.COMPUTE, 1, h, bad)


def test_apply_block_is_the_composition_of_the_draft_steps():
    one, two = granted(), granted()
    claims = [VerifiedClaim(n, ClaimKind.COMPUTE, 10, hashlib.sha256(n.encode()).digest())
              for n in ("node", "poster")]
    ops = [Stake("node", TOKEN)]
    out = one.apply_block(0, claims, ["poster"], ops, {"node": 1})
    draft = two.begin_block(0)
    draft.release_unbonding()
    draft.operate(ops[0], 0)
    draft.set_nonces({"node": 1})
    draft.pay(claims)
    draft.penalize(["poster"])
    assert draft.commit() == out and one == two
