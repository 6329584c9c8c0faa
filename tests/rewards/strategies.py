# SPDX-License-Identifier: MIT
"""Hypothesis strategies for parameter sets, and the small-threshold parameters the
stateful tests start from (so nodes reach the higher tiers within a few blocks)."""

from __future__ import annotations

from hypothesis import strategies as st

from zkcx.rewards import MAX_EMISSION_PPB, PPB, TOKEN, ClaimKind, Params, Tier

C, I, T, V = (ClaimKind.COMPUTE, ClaimKind.INFERENCE,  # noqa: E741 (the kinds' initials)
              ClaimKind.TRAINING, ClaimKind.VERIFICATION)

#: Fast economics: 1 % of the pool per block, tiers within reach of a few blocks' pay.
FAST_PARAMS = Params(
    emission_ppb=10_000_000,
    kind_weights={C: 1, I: 2, T: 4, V: 1},
    tiers=(
        Tier("open", 0, 0, 1000, frozenset({C, I})),
        Tier("staked", 1_000 * TOKEN, 1000, 1250, frozenset({C, I, T})),
        Tier("trusted", 100_000 * TOKEN, 1010, 1500, frozenset({C, I, T, V})),
    ),
    stake_boost_max_permille=500,
    stake_boost_cap=1_000_000 * TOKEN,
    reputation_start=1000,
    reputation_min=0,
    reputation_max=2000,
    reputation_gain=1,
    reputation_penalty=100,
    slash_ppb=100_000_000,
    unbonding_delay=3,
    voting_period=4,
    emergency_voting_period=2,
    quorum_ppb=400_000_000,
    approval_ppb=666_666_667,
    min_activation_delay=2,
    proposal_min_stake=50 * TOKEN,
)


@st.composite
def params_sets(draw) -> Params:
    """Random valid parameter sets with thresholds reachable in tests (and short votes)."""
    s1 = draw(st.integers(0, 10**24))
    s2 = draw(st.integers(s1, 10**25))
    r1 = draw(st.integers(0, 1200))
    r2 = draw(st.integers(r1, 1500))
    base = frozenset(draw(st.sets(st.sampled_from([C, I]))))
    start = draw(st.integers(1, 1000))
    rmin = draw(st.integers(0, start))
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
        reputation_max=draw(st.integers(max(start, r2), 3000)),
        reputation_gain=draw(st.integers(0, 10)),
        reputation_penalty=draw(st.integers(0, 500)),
        slash_ppb=draw(st.integers(0, 10**9)),
        unbonding_delay=draw(st.integers(1, 5)),
        voting_period=draw(st.integers(1, 4)),
        emergency_voting_period=draw(st.integers(1, 3)),
        quorum_ppb=draw(st.integers(1, PPB)),
        approval_ppb=draw(st.integers(PPB // 2 + 1, PPB)),
        min_activation_delay=draw(st.integers(1, 3)),
        proposal_min_stake=draw(st.integers(1, 10**24)),
        paused=draw(st.integers(0, 4)) == 0,
    )
