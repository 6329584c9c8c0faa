# SPDX-License-Identifier: MIT
"""Hypothesis strategies for parameter sets, and the small-threshold parameters the
stateful tests start from (so nodes reach the higher tiers within a few blocks)."""

from __future__ import annotations

from hypothesis import strategies as st

from zkcx.rewards import DEFAULT_PARAMS, MAX_EMISSION_PPB, PPB, TOKEN, ClaimKind, Params, Tier

C, I, T, V = (ClaimKind.COMPUTE, ClaimKind.INFERENCE,  # noqa: E741 (the kinds' initials)
              ClaimKind.TRAINING, ClaimKind.VERIFICATION)

#: Fast economics: up to 1 % of the pool per block (100 tokens per weighted work unit
#: below that), 50 % of a claim's fee as its emission cap (tests give claims fees far
#: above what they earn unless they test the cap), tiers within reach of a few blocks'
#: pay and work (+1 reputation per 1,000 work units, at most +5 per block, −1 per block);
#: the default's kind weights, reputation range, reputation penalty and slash.
FAST_PARAMS = DEFAULT_PARAMS.replace(
    emission_ppb=10_000_000,
    tiers=(
        Tier("open", 0, 0, 1000, frozenset({C, I})),
        Tier("staked", 1_000 * TOKEN, 1002, 1250, frozenset({C, I, T})),
        Tier("trusted", 100_000 * TOKEN, 1010, 1500, frozenset({C, I, T, V})),
    ),
    stake_boost_cap=1_000_000 * TOKEN,
    reputation_gain_max=5,
    unbonding_delay=3,
    emission_per_unit=100 * TOKEN,
    emission_fee_cap_ppb=500_000_000,
    pool_fee_ppb=600_000_000,
    min_fee_per_unit=1,
    voting_period=4,
    emergency_voting_period=2,
    min_activation_delay=2,
    proposal_min_stake=50 * TOKEN,
)


def big_fee(units: int) -> int:
    """A fee whose emission cap (50 %) exceeds a whole block's emission: the cap never binds."""
    return 10**25 + units


@st.composite
def params_sets(draw) -> Params:
    """Random valid parameter sets with thresholds reachable in tests (and short votes)."""
    s1 = draw(st.integers(0, 10**24))
    s2 = draw(st.integers(s1, 10**25))
    start = draw(st.integers(1, 1000))
    rmin = draw(st.integers(0, start))
    rmax = draw(st.integers(start + 1, 4 * start))
    r1 = draw(st.integers(start + 1, rmax))
    r2 = draw(st.integers(r1, rmax))
    base = frozenset(draw(st.sets(st.sampled_from([C, I]))))
    pool_fee = draw(st.integers(1, PPB))
    return Params(
        emission_ppb=draw(st.integers(0, MAX_EMISSION_PPB)),
        kind_weights={k: draw(st.integers(0, 5)) for k in ClaimKind},
        tiers=(
            Tier("t0", 0, 0, draw(st.integers(1, 3000)), base),
            Tier("t1", s1, r1, draw(st.integers(1, 3000)), base | {C, I, T}),
            Tier("t2", s2, r2, draw(st.integers(1, 3000)), frozenset(ClaimKind)),
        ),
        stake_boost_max_permille=draw(st.integers(0, 2000)),
        stake_boost_cap=draw(st.integers(1, 10**25)),
        reputation_start=start,
        reputation_min=rmin,
        reputation_max=rmax,
        reputation_gain_max=draw(st.integers(1, 10)),
        reputation_units_per_point=draw(st.integers(1, 10**6)),
        reputation_decay_per_block=draw(st.integers(0, 3)),
        reputation_penalty=draw(st.integers(0, 500)),
        slash_ppb=draw(st.integers(0, 10**9)),
        unbonding_delay=draw(st.integers(1, 5)),
        emission_per_unit=draw(st.sampled_from([0, 1, 10**15, 10**18, 10**20, 10**24])),
        emission_fee_cap_ppb=draw(st.integers(0, pool_fee - 1)),
        pool_fee_ppb=pool_fee,
        min_fee_per_unit=draw(st.sampled_from([0, 1, 10**12, 10**20])),
        late_reputation_penalty=draw(st.integers(0, 100)),
        late_bond_slash_ppb=draw(st.integers(0, PPB)),
        max_task_attempts=draw(st.integers(1, 5)),
        voting_period=draw(st.integers(1, 4)),
        emergency_voting_period=draw(st.integers(1, 3)),
        quorum_ppb=draw(st.integers(1, PPB)),
        approval_ppb=draw(st.integers(PPB // 2 + 1, PPB)),
        min_activation_delay=draw(st.integers(1, 3)),
        proposal_min_stake=draw(st.integers(1, 10**24)),
        paused=draw(st.integers(0, 4)) == 0,
    )
