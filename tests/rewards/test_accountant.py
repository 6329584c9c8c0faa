# SPDX-License-Identifier: MIT
"""Targeted behaviour of the accountant: emission and payout by hand, tier gating and the
earn-then-stake path, slashing, the unbonding delay, parameter changes at their exact
height, atomic refusal of bad blocks, and the state root's layout."""

from __future__ import annotations

import hashlib
from fractions import Fraction

import pytest

from tests.rewards.reference import account_payload, model_account, rfc6962_root
from tests.rewards.strategies import FAST_PARAMS, big_fee
from zkcx import errors
from zkcx.rewards import (
    DEFAULT_PARAMS,
    DEFAULT_SCHEDULE,
    PPB,
    SUPPLY,
    TOKEN,
    Accountant,
    ClaimKind,
    ParamSchedule,
    Stake,
    Transfer,
    Unstake,
    VerifiedClaim,
    merkle_root,
)

C, INF, TR, VER = (ClaimKind.COMPUTE, ClaimKind.INFERENCE, ClaimKind.TRAINING,
                   ClaimKind.VERIFICATION)


def claim(node: str, kind: ClaimKind = C, units: int = 1000, tag: object = None,
          fee: int | None = None) -> VerifiedClaim:
    """A claim whose fee (by default) is far above anything it can earn: the fee cap
    does not bind unless a test says so."""
    tag = (node, kind, units) if tag is None else tag
    fee = big_fee(units) if fee is None else fee
    return VerifiedClaim(node, kind, units, hashlib.sha256(repr(tag).encode()).digest(), fee)


def fast() -> Accountant:
    return Accountant(ParamSchedule([(0, FAST_PARAMS)]))


def test_genesis_holds_the_whole_supply_in_the_pool():
    acc = Accountant()
    assert acc.pool == SUPPLY == 200_000_000 * 10**18
    assert acc.height == -1 and not acc.accounts
    acc.check_invariants()


def test_first_block_pays_the_documented_emission_pro_rata():
    acc = Accountant()
    out = acc.apply_block(0, [claim("a", C, 3000), claim("b", INF, 1000), claim("b", C, 500)])
    work = 3000 * 1 + 1000 * 2 + 500 * 1  # Σ work units × kind weight
    assert SUPPLY * 55 // PPB == 11 * TOKEN  # the pool rate: far above this block's work
    emission = work * 250_000_000_000  # 2.5e-7 token per weighted unit
    assert out.emission == emission == min(11 * TOKEN, work * DEFAULT_PARAMS.emission_per_unit)
    # same tier, stake and reputation: weights are work units × kind weight only
    wa, wb = Fraction(3000 * 1), Fraction(1000 * 2 + 500 * 1)
    assert out.paid["a"] == int(emission * wa / (wa + wb))
    assert out.paid["b"] == int(emission * wb / (wa + wb))
    assert out.returned_to_pool == emission - out.paid["a"] - out.paid["b"]
    assert acc.pool == SUPPLY - out.paid_total
    # +1 reputation per 1,000 paid work units (not per claim)
    assert acc.account("a").reputation == DEFAULT_PARAMS.reputation_start + 3
    assert acc.account("b").reputation == DEFAULT_PARAMS.reputation_start + 1
    assert acc.account("b").claims_accepted == 2


def test_a_block_without_claims_releases_nothing():
    acc = Accountant()
    out = acc.apply_block(0, [])
    assert out.emission == 0 and out.returned_to_pool == 0 and acc.pool == SUPPLY


def test_emission_is_the_pool_rate_once_the_work_exceeds_it():
    acc = Accountant()
    rate = SUPPLY * 55 // PPB
    units = -(-rate // DEFAULT_PARAMS.emission_per_unit)  # just enough work
    out = acc.apply_block(0, [claim("a", C, units), claim("b", C, units)])
    assert out.emission == rate and out.paid["a"] == out.paid["b"] == rate // 2


def test_stake_boost_and_tier_multiplier_scale_the_weight_exactly():
    acc = fast()
    acc.apply_block(0, [claim("a", units=10**6), claim("b", units=10**6)])
    stake = 1_000 * TOKEN + 7
    acc.apply_block(1, [], operations=[Stake("a", stake)])
    seen = acc.begin_block(2)  # reputation as block 2 reads it (decayed since block 0)
    ra, rb = seen.account("a").reputation, seen.account("b").reputation
    assert ra == rb == 1000 + 5 - 2 and seen.tier_index("a") == 1
    out = acc.apply_block(2, [claim("a", units=500, tag=1), claim("b", units=500, tag=2)])
    p = FAST_PARAMS
    wa = (Fraction(1250, 1000) * (1 + Fraction(500, 1000) * Fraction(stake, p.stake_boost_cap))
          * Fraction(ra, 1000))
    wb = Fraction(1000, 1000) * Fraction(rb, 1000)
    assert out.paid["a"] == int(out.emission * wa / (wa + wb))
    assert out.paid["b"] == int(out.emission * wb / (wa + wb))


def test_tier_zero_earns_compute_and_inference_but_not_training_or_verification():
    acc = Accountant()
    assert acc.eligible("new", C, 0) == (True, "")
    assert acc.eligible("new", INF, 0) == (True, "")
    ok, reason = acc.eligible("new", TR, 0)
    assert not ok and "'staked'" in reason and "stake 0 < 1000000000000000000000" in reason
    ok, reason = acc.eligible("new", VER, 0)
    assert not ok and "'trusted'" in reason
    with pytest.raises(errors.IneligibleClaimError, match="training claims need tier"):
        acc.apply_block(0, [claim("new"), claim("new", TR)])
    assert acc.height == -1 and acc.pool == SUPPLY and not acc.accounts


def test_a_node_earns_then_stakes_its_earnings_to_reach_the_training_tier():
    acc = fast()
    acc.apply_block(0, [claim("n", units=10_000)])
    earned = acc.account("n").balance
    assert earned >= 1_000 * TOKEN and acc.account("n").reputation == 1005
    assert not acc.eligible("n", TR, 1)[0]
    stake = Stake("n", 1_000 * TOKEN)
    # the stake counts from the next block: not in the block that adds it
    draft = acc.begin_block(1)
    draft.operate(stake)
    assert draft.account("n").stake == 1_000 * TOKEN
    ok, reason = draft.eligible("n", TR)
    assert not ok and reason.endswith("stake 0 < 1000000000000000000000")
    with pytest.raises(errors.IneligibleClaimError):
        acc.copy().apply_block(1, [claim("n", TR, 10)], operations=[stake])
    acc.apply_block(1, [], operations=[stake])
    assert acc.eligible("n", TR, 2) == (True, "")
    out = acc.apply_block(2, [claim("n", TR, 10)])
    assert out.paid["n"] == out.emission  # the only claimant takes it all
    assert acc.tier_of("n").name == "staked"
    assert acc.account("n").stake == 1_000 * TOKEN


def test_reputation_requirement_gates_even_with_enough_stake():
    acc = fast()
    acc.apply_block(0, [claim("n", units=3_000)])  # +3: 1003
    acc.apply_block(1, [], ["n"], [Stake("n", 2_000 * TOKEN)])  # an invalid proof; stake
    # 1003 − 1 (decay) − 100 (penalty) = 902
    ok, reason = acc.eligible("n", TR, 2)
    assert not ok and reason.endswith("need tier 'staked': reputation 902 < 1002")


def test_nodes_cannot_stake_or_transfer_more_than_they_earned():
    acc = Accountant()
    with pytest.raises(errors.InsufficientFundsError, match="balance is 0"):
        acc.apply_block(0, [claim("n")], operations=[Stake("n", 1)])
    acc.apply_block(0, [claim("n")])
    bal = acc.account("n").balance
    with pytest.raises(errors.InsufficientFundsError):
        acc.apply_block(1, [], operations=[Transfer("n", "m", bal), Transfer("n", "m", 1)])
    with pytest.raises(errors.InsufficientFundsError, match="stake is 0"):
        acc.apply_block(1, [], operations=[Unstake("n", 1)])
    acc.apply_block(1, [], operations=[Transfer("n", "m", bal)])
    assert acc.account("m").balance == bal and acc.account("n").balance == 0


def test_slashing_moves_a_fraction_of_stake_and_unbonding_back_to_the_pool():
    acc = fast()
    acc.apply_block(0, [claim("n", units=10**6)])
    acc.apply_block(1, [], operations=[Stake("n", 10**24 + 9)])
    acc.apply_block(2, [], operations=[Unstake("n", 10**23 + 3)])
    before = acc.begin_block(3).account("n")  # as block 3 reads it
    pool = acc.pool
    out = acc.apply_block(3, [], ["n"])
    after = acc.account("n")
    cut_stake = before.stake * FAST_PARAMS.slash_ppb // PPB
    cut_unbonding = (10**23 + 3) * FAST_PARAMS.slash_ppb // PPB
    assert out.slashed["n"] == cut_stake + cut_unbonding
    assert after.stake == before.stake - cut_stake
    assert after.unbonding == ((10**23 + 3 - cut_unbonding, 2 + FAST_PARAMS.unbonding_delay),)
    assert acc.pool == pool + out.slashed["n"]  # back to the pool, not burned
    assert after.reputation == before.reputation - FAST_PARAMS.reputation_penalty
    assert after.slashed_total == out.slashed["n"] and after.proofs_invalid == 1
    acc.check_invariants()


def test_an_unstaked_node_with_an_invalid_proof_loses_reputation_only():
    acc = Accountant()
    out = acc.apply_block(0, [], ["x", "x"])
    assert out.slashed == {"x": 0}
    assert acc.account("x").reputation == 1000 - 200 and acc.pool == SUPPLY


def test_unbonding_releases_exactly_after_the_delay():
    acc = fast()
    delay = FAST_PARAMS.unbonding_delay
    acc.apply_block(0, [claim("n")])
    acc.apply_block(1, [], operations=[Stake("n", 5 * TOKEN)])
    acc.apply_block(2, [], operations=[Unstake("n", 2 * TOKEN), Unstake("n", TOKEN)])
    balance = acc.account("n").balance
    assert acc.account("n").unbonding == ((3 * TOKEN, 2 + delay),)
    for h in range(3, 2 + delay):
        out = acc.apply_block(h, [])
        assert not out.released and acc.account("n").balance == balance
    out = acc.apply_block(2 + delay, [])
    assert out.released == {"n": 3 * TOKEN}
    assert acc.account("n").balance == balance + 3 * TOKEN and not acc.account("n").unbonding
    # released tokens are spendable within the releasing block
    twin = fast()
    for h in range(0, 2 + delay):
        twin.apply_block(h, *([[claim("n")]] if h == 0 else [[]]), operations=(
            [Stake("n", 5 * TOKEN)] if h == 1 else [Unstake("n", 3 * TOKEN)] if h == 2 else []))
    twin.apply_block(2 + delay, [], operations=[Transfer("n", "m", balance + 3 * TOKEN)])


def test_parameter_change_takes_effect_exactly_at_its_height():
    new = DEFAULT_PARAMS.replace(emission_ppb=1_000)
    acc = Accountant(DEFAULT_SCHEDULE.with_change(3, new))
    pools = []
    for h in range(5):
        pools.append(acc.pool)
        out = acc.apply_block(h, [claim("n", units=10**9, tag=h)])  # the pool rate binds
        ppb = 55 if h < 3 else 1_000
        assert out.emission == pools[-1] * ppb // PPB, h
    assert acc.params(2) == DEFAULT_PARAMS and acc.params(3) == new


def test_governance_can_only_change_future_heights():
    acc = Accountant()
    for h in range(3):
        acc.apply_block(h, [])
    root = acc.state_root()
    with pytest.raises(errors.ParameterError, match="from height 3 on"):
        acc.set_schedule(acc.schedule.with_change(2, DEFAULT_PARAMS.replace(emission_ppb=1)))
    assert acc.state_root() == root
    acc.set_schedule(acc.schedule.with_change(3, DEFAULT_PARAMS.replace(emission_ppb=1)))
    assert acc.state_root() != root  # the root commits to the future schedule too
    pool = acc.pool
    assert acc.apply_block(3, [claim("n", units=10**7)]).emission == pool // PPB


def test_heights_must_increase_by_one():
    acc = Accountant()
    with pytest.raises(errors.HeightError, match="expected 0"):
        acc.apply_block(1, [])
    acc.apply_block(0, [])
    for bad in (0, 2, -1):
        with pytest.raises(errors.HeightError):
            acc.apply_block(bad, [])
    with pytest.raises(errors.HeightError):
        acc.apply_block(True, [])


def test_bad_blocks_leave_the_state_exactly_as_before():
    acc = fast()
    acc.apply_block(0, [claim("a"), claim("b")])
    snapshot, root = acc.to_bytes(), acc.state_root()
    bad_blocks = [
        (errors.DuplicateClaimError, [claim("a", tag=1), claim("b", tag=1)], [], []),
        (errors.IneligibleClaimError, [claim("a", tag=2), claim("b", VER)], ["a"], []),
        (errors.InsufficientFundsError, [claim("a", tag=3)], ["b"],
         [Stake("a", 1), Stake("b", 10**30)]),
        (errors.InvalidOperationError, [claim("a", tag=4)], [], [Stake("a", 1), "stake"]),
        (errors.ClaimError, [claim("a", tag=5), ("b", C, 1, b"")], [], []),
        (errors.ClaimError, [claim("a", tag=6)], [""], []),
    ]
    for error, claims, invalid, ops in bad_blocks:
        with pytest.raises(error):
            acc.apply_block(1, claims, invalid, ops)
        assert acc.to_bytes() == snapshot and acc.state_root() == root
    assert acc.apply_block(1, [claim("a", tag=7)]).height == 1


def test_malformed_claims_and_operations_are_refused_at_construction():
    h = bytes(32)
    for args, match in [(("", C, 1, h), "non-empty"), (("n", "mining", 1, h), "unknown claim"),
                        (("n", C, 0, h), "positive int"), (("n", C, True, h), "positive"),
                        (("n", C, 1, b"x"), "32 bytes"), (("x" * 256, C, 1, h), "255 bytes"),
                        (("\udc80", C, 1, h), "UTF-8")]:
        with pytest.raises(errors.ClaimError, match=match):
            VerifiedClaim(*args)
    assert VerifiedClaim("n", "training", 1, h).kind is TR
    with pytest.raises(errors.InvalidOperationError):
        Stake("n", 0)
    with pytest.raises(errors.InvalidOperationError):
        Unstake("n", -5)
    with pytest.raises(errors.InvalidOperationError, match="itself"):
        Transfer("n", "n", 5)
    with pytest.raises(errors.InvalidOperationError):
        Transfer("", "n", 5)


def test_state_root_follows_the_documented_layout():
    acc = fast()
    acc.apply_block(0, [claim("zed"), claim("ábc", INF), claim("abc")], ["q"])
    acc.apply_block(1, [], operations=[Stake("abc", 10), Unstake("abc", 4)])
    leaves = [b"G" + (1).to_bytes(8, "big") + acc.pool.to_bytes(32, "big")
              + SUPPLY.to_bytes(32, "big") + FAST_PARAMS.digest(),
              b"S" + (1).to_bytes(4, "big") + (0).to_bytes(8, "big") + FAST_PARAMS.digest()]
    for node in sorted(acc.accounts, key=str.encode):
        leaves.append(account_payload(node, model_account(acc.accounts[node])))
    assert acc.state_root() == rfc6962_root(leaves) == merkle_root(leaves)


def test_merkle_root_matches_rfc6962_for_every_small_size():
    for n in range(0, 20):
        leaves = [bytes([i]) * i for i in range(n)]
        assert merkle_root(leaves) == rfc6962_root(leaves)


def test_state_root_changes_with_any_account_field_and_with_the_height():
    acc = Accountant()
    roots = {acc.state_root()}
    acc.apply_block(0, [])
    roots.add(acc.state_root())  # only the height moved
    acc.apply_block(1, [claim("a")])
    roots.add(acc.state_root())
    acc.apply_block(2, [], ["a"])
    roots.add(acc.state_root())
    assert len(roots) == 4


def test_serialization_round_trips_and_rejects_tampering():
    acc = fast()
    acc.apply_block(0, [claim("a"), claim("b")])
    acc.apply_block(1, [], ["a"], [Stake("b", 10**20), Unstake("b", 10**19)])
    data = acc.to_bytes()
    back = Accountant.from_bytes(data)
    assert back == acc and back.state_root() == acc.state_root() and back.to_bytes() == data
    assert back.apply_block(2, [claim("a", tag=9)]) == acc.copy().apply_block(
        2, [claim("a", tag=9)])
    d = acc.to_dict()
    d["accounts"]["a"]["balance"] = str(int(d["accounts"]["a"]["balance"]) + 1)
    with pytest.raises(errors.SupplyInvariantError):
        Accountant.from_dict(d)
    for corrupt in (b"{", b"[]", data.replace(b"zkcx-rewards-state-v3", b"other"),
                    data.replace(b'"balance":"', b'"balance":"-')):
        with pytest.raises(errors.EncodingError):
            Accountant.from_bytes(corrupt)


def test_copy_is_independent():
    acc = Accountant()
    acc.apply_block(0, [claim("a")])
    twin = acc.copy()
    twin.apply_block(1, [claim("b")])
    assert acc.height == 0 and "b" not in acc.accounts and twin != acc
    assert acc.state_root() != twin.state_root()
