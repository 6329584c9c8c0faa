# SPDX-License-Identifier: MIT
"""The games of issue 14 ("Rewards that cannot be gamed"), each played against the
accountant with the numbers of the issue, and each shown to lose now: splitting work
into many claims, stacking multipliers, shedding a penalty through a fresh account,
renting stake for a block, a lone claim taking a block's emission, slashing after the
payouts, unbonding released unslashed, unreachable tiers, unbounded reputation, a lowered
cap acting a block late, and paying oneself fees to farm the pool."""

from __future__ import annotations

import hashlib
import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkcx import errors
from zkcx.rewards import (
    DEFAULT_PARAMS,
    PPB,
    SUPPLY,
    TOKEN,
    Accountant,
    ClaimKind,
    Params,
    ParamSchedule,
    Stake,
    Tier,
    Transfer,
    Unstake,
    VerifiedClaim,
)

C, TR = ClaimKind.COMPUTE, ClaimKind.TRAINING
P = DEFAULT_PARAMS
_serial = itertools.count()


def paid_claim(node: str, units: int, kind: ClaimKind = C, fee: int | None = None
               ) -> VerifiedClaim:
    """A claim paid the minimum fee for its work (what the market charges at least)."""
    fee = units * P.min_fee_per_unit if fee is None else fee
    tag = hashlib.sha256(repr((node, units, next(_serial))).encode()).digest()
    return VerifiedClaim(node, kind, units, tag, fee)


def ledger(grants: dict[str, int], params: Params = P) -> Accountant:
    return Accountant.genesis({n: t * TOKEN for n, t in grants.items()},
                              ParamSchedule([(0, params)]))


def test_splitting_work_into_100_small_claims_pays_no_more_than_one_claim():
    """Issue: 100 small claims per block were paid 1.98x one honest claim of the same
    work by block 11 (reputation rose per claim). Now pay and reputation follow work."""
    acc = Accountant()
    honest = splitter = 0
    for height in range(12):
        out = acc.apply_block(height, [paid_claim("honest", 100_000),
                                       *(paid_claim("splitter", 1_000) for _ in range(100))])
        honest += out.paid["honest"]
        splitter += out.paid["splitter"]
    assert honest > 0 and splitter <= honest
    assert acc.account("splitter").reputation == acc.account("honest").reputation
    assert acc.account("splitter").claims_accepted == 1200


def test_reputation_gain_is_capped_per_block_and_decays_without_work():
    acc = Accountant()
    acc.apply_block(0, [paid_claim("n", 10**9)])  # a huge block of work: still +10
    assert acc.account("n").reputation == P.reputation_start + P.reputation_gain_max
    for height in range(1, 6):
        acc.apply_block(height, [])
    # five idle blocks: −1 each (read lazily, as the next block sees it)
    assert acc.begin_block(6).account("n").reputation == P.reputation_start + 10 - 6
    for height in range(6, 40):
        acc.apply_block(height, [])
    assert acc.begin_block(40).account("n").reputation == P.reputation_start  # the floor


def test_the_top_multipliers_take_sustained_paid_work_and_pay_at_most_the_fee_cap():
    """Issue: tier, stake boost and reputation together reached 4.5x a fresh node within
    a few blocks of split claims. Now the top reputation takes more than 100 blocks of
    sustained paid work, and no multiplier pays a node more than 5 % of its fees."""
    acc = ledger({"veteran": 100_000})
    acc.apply_block(0, [], operations=[Stake("veteran", 100_000 * TOKEN)])
    height = 1
    while acc.account("veteran").reputation < P.reputation_max:
        acc.apply_block(height, [paid_claim("veteran", 10_000)])
        height += 1
    gain_net = P.reputation_gain_max - P.reputation_decay_per_block
    assert height - 1 >= (P.reputation_max - P.reputation_start) // gain_net > 100
    seen = acc.begin_block(height)
    assert seen.tier_index("veteran") == 2 and seen.account("veteran").reputation == 1999
    units = 100_000
    out = acc.apply_block(height, [paid_claim("veteran", units), paid_claim("fresh", units)])
    cap = units * P.min_fee_per_unit * P.emission_fee_cap_ppb // PPB
    assert out.paid["veteran"] <= cap and out.paid["fresh"] <= cap
    assert out.paid["fresh"] > 0 and out.paid["veteran"] <= Fraction(9, 2) * out.paid["fresh"]


def test_a_penalised_node_cannot_shed_its_record_through_a_fresh_account():
    """Issue: a fresh account started at 1,000, the staked tier's threshold, and was back
    in that tier in the block the penalised node moved its tokens to it. Now every tier
    above tier 0 needs more than the starting reputation."""
    acc = ledger({"cheat": 5_000})
    acc.apply_block(0, [], operations=[Stake("cheat", 2_000 * TOKEN)])
    height = 1
    while acc.tier_of("cheat").name != "staked":
        acc.apply_block(height, [paid_claim("cheat", 10_000)])
        height += 1
    acc.apply_block(height, [], ["cheat"])  # an invalid proof: out of the staked tier
    assert acc.tier_of("cheat").name == "open"
    ops = [Transfer("cheat", "fresh", 3_000 * TOKEN), Stake("fresh", 3_000 * TOKEN)]
    acc.apply_block(height + 1, [], operations=ops)
    assert acc.account("fresh").reputation == P.reputation_start < P.tiers[1].min_reputation
    ok, reason = acc.eligible("fresh", TR, height + 2)
    assert not ok and "reputation 1000 < 1100" in reason
    with pytest.raises(errors.IneligibleClaimError):
        acc.apply_block(height + 2, [paid_claim("fresh", 1_000, TR)])


def test_stake_rented_for_a_block_boosts_nothing():
    """Issue: transfer-and-stake in one block gave 1.87x, unstaking in the next block
    removed it. Now a block weighs the lesser of the stake before and after its
    operations: the rented stake counts in neither block, and stays bonded for the
    unbonding delay."""
    acc = ledger({"lender": 100_000})
    units = 100_000
    rent = [Transfer("lender", "renter", 100_000 * TOKEN), Stake("renter", 100_000 * TOKEN)]
    out = acc.apply_block(0, [paid_claim("renter", units), paid_claim("peer", units)],
                          operations=rent)
    assert out.paid["renter"] == out.paid["peer"] > 0
    out = acc.apply_block(1, [paid_claim("renter", units), paid_claim("peer", units)],
                          operations=[Unstake("renter", 100_000 * TOKEN)])
    assert out.paid["renter"] == out.paid["peer"]
    assert acc.account("renter").unbonding == ((100_000 * TOKEN, 1 + P.unbonding_delay),)


def test_stake_held_through_a_block_boosts_from_the_next_block():
    params = P.replace(emission_fee_cap_ppb=P.pool_fee_ppb - 1)  # a cap that does not bind
    acc = ledger({"staker": 100_000}, params)
    acc.apply_block(0, [], operations=[Stake("staker", 100_000 * TOKEN)])
    out = acc.apply_block(1, [paid_claim("staker", 1000), paid_claim("peer", 1000)])
    # 1.5x: the whole boost (stake at the cap), same tier and reputation
    assert Fraction(out.paid["staker"], out.paid["peer"]) == pytest.approx(1.5, rel=1e-9)


def test_a_lone_one_unit_claim_no_longer_takes_the_blocks_emission():
    """Issue: one 1-unit claim alone in a block took all of the block's emission (11
    tokens); beside 1M units it got a millionth. Now emission follows work: the claim
    earns the same alone or in company, and the rest stays in the pool."""
    alone = Accountant().apply_block(0, [paid_claim("lone", 1)])
    crowd = Accountant().apply_block(0, [paid_claim("lone", 1), paid_claim("big", 10**6)])
    assert alone.paid["lone"] == crowd.paid["lone"] == P.emission_per_unit
    assert alone.emission == P.emission_per_unit < SUPPLY * P.emission_ppb // PPB // 10**7
    # a builder who leaves the others' claims out gains nothing by it
    assert crowd.paid["big"] == 10**6 * P.emission_per_unit


def test_penalties_apply_before_the_same_blocks_claims_are_weighed():
    """Issue: slashing landed after the same block's payouts, so the offender's valid
    claims were paid at its old tier and stake."""
    params = P.replace(emission_fee_cap_ppb=P.pool_fee_ppb - 1)
    acc = ledger({"n": 100_000}, params)
    acc.apply_block(0, [], operations=[Stake("n", 100_000 * TOKEN)])
    height = 1
    while acc.tier_of("n").name != "trusted":
        acc.apply_block(height, [paid_claim("n", 10_000)])
        height += 1
    # a valid claim and an invalid proof in the same block: weighed after the penalty
    twin = acc.copy()
    out = acc.apply_block(height, [paid_claim("n", 1000), paid_claim("peer", 1000)], ["n"])
    seen = twin.begin_block(height)
    rep = seen.account("n").reputation - P.reputation_penalty
    stake = 100_000 * TOKEN - 100_000 * TOKEN * P.slash_ppb // PPB
    tier = P.tiers[P.tier_index(stake, rep)]
    weight = (Fraction(tier.multiplier_permille, 1000)
              * (1 + Fraction(P.stake_boost_max_permille, 1000)
                 * Fraction(stake, P.stake_boost_cap))
              * Fraction(rep, P.reputation_start))
    assert Fraction(out.paid["n"], out.paid["peer"]) == pytest.approx(float(weight), rel=1e-9)
    assert tier.name == "staked"  # trusted no more in the block of its invalid proof


def test_an_invalid_proof_slashes_the_unbonding_released_in_the_same_block():
    """Issue: an invalid proof in the block that releases its unbonding tokens slashed
    nothing."""
    acc = ledger({"n": 1_000})
    acc.apply_block(0, [], operations=[Stake("n", 1_000 * TOKEN)])
    acc.apply_block(1, [], operations=[Unstake("n", 1_000 * TOKEN)])
    for height in range(2, 1 + P.unbonding_delay):
        acc.apply_block(height, [])
    out = acc.apply_block(1 + P.unbonding_delay, [], ["n"])
    cut = 1_000 * TOKEN * P.slash_ppb // PPB
    assert out.slashed == {"n": cut} and out.released == {"n": 1_000 * TOKEN - cut}
    assert acc.account("n").balance == 1_000 * TOKEN - cut
    acc.check_invariants()


@pytest.mark.parametrize("change, match", [
    ({"reputation_max": 1400}, "tier 'trusted' needs more reputation than reputation_max"),
    (lambda: {"tiers": (P.tiers[0], Tier("staked", TOKEN, 1000, 1250, P.tiers[1].kinds))},
     "not above reputation_start"),
    ({"reputation_max": 4001}, "4 × reputation_start"),
    ({"reputation_gain_max": 0}, "no node could reach tier 'staked'"),
    ({"stake_boost_max_permille": 10_001}, "stake_boost_max_permille"),
    (lambda: {"tiers": (P.tiers[0], Tier("x", TOKEN, 1100, 10_001, P.tiers[1].kinds))},
     "multiplier_permille"),
    ({"emission_ppb": 10**9}, "emission_ppb"),
    ({"emission_fee_cap_ppb": P.pool_fee_ppb}, "must be below pool_fee_ppb"),
])
def test_parameter_sets_that_would_pay_for_games_are_refused(change, match):
    """Issue: sets were accepted that made a tier unreachable, let reputation grow
    without bound or paid the whole pool in one block."""
    with pytest.raises(errors.ParameterError, match=match):
        P.replace(**(change() if callable(change) else change))


def test_a_lowered_reputation_cap_acts_in_the_block_it_activates():
    """Issue: a lowered reputation cap took effect a block late."""
    acc = Accountant()
    for height in range(120):
        acc.apply_block(height, [paid_claim("n", 10_000)])
    high = acc.account("n").reputation
    lowered = P.replace(reputation_max=1600)
    acc.set_schedule(acc.schedule.with_change(120, lowered))
    assert high > 1600
    assert acc.begin_block(120).account("n").reputation == 1600
    fee = 10 * 1000 * P.min_fee_per_unit  # a fee cap that does not bind
    out = acc.apply_block(120, [paid_claim("n", 1000, fee=fee), paid_claim("peer", 1000, fee=fee)])
    # weighed at 1600 in this very block (tier open for both: no stake)
    assert out.paid["n"] == out.emission * 1600 // (1600 + 1000)
    assert acc.account("n").reputation == 1600


@settings(max_examples=60, deadline=None)
@given(fee_units=st.integers(1, 10**6), surplus=st.integers(0, 10**22),
       units=st.integers(1, 10**9), others=st.integers(0, 10**7))
def test_paying_yourself_a_fee_always_loses_tokens(fee_units, surplus, units, others):
    """A node that posts a task to itself (through a second account it owns) pays the
    fee F from one pocket, gets F minus the pool's share (pool_fee_ppb) in the other, and
    at most F · emission_fee_cap_ppb of emission: F · (1 − 10 %) + F · 5 % < F, whatever
    the work, the fee and the other claims in the block."""
    acc = ledger({"poster": 10**6})
    fee = min(fee_units * P.min_fee_per_unit + surplus, 10**6 * TOKEN)
    p = acc.params()
    before = acc.account("poster").balance + acc.account("worker").balance
    draft = acc.begin_block(0)
    draft.hold("poster", fee, "the fee of task 0")
    to_pool = fee * p.pool_fee_ppb // PPB
    draft.release_hold("poster", fee - to_pool, "worker")
    draft.forfeit_hold("poster", to_pool)
    claims = [VerifiedClaim("worker", C, units, bytes(32), fee)]
    if others:
        claims.append(paid_claim("honest", others))
    draft.pay(claims)
    draft.commit()
    after = acc.account("poster").balance + acc.account("worker").balance
    # lost: the pool's share of the fee, less the emission (at most the fee cap)
    assert before - after >= to_pool - fee * p.emission_fee_cap_ppb // PPB > 0
    acc.check_invariants()
