# SPDX-License-Identifier: MIT
"""Parameter sets are validated at construction; schedules pick the set of the greatest
activation height ≤ h; both round-trip through their JSON-able forms."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.rewards.strategies import params_sets
from zkcx.errors import ParameterError
from zkcx.rewards import (
    DEFAULT_PARAMS,
    DEFAULT_SCHEDULE,
    MAX_EMISSION_PPB,
    MAX_REPUTATION_FACTOR,
    PPB,
    SUPPLY,
    TOKEN,
    ClaimKind,
    Params,
    ParamSchedule,
    Tier,
)

C, INF, TR = ClaimKind.COMPUTE, ClaimKind.INFERENCE, ClaimKind.TRAINING


@given(params_sets())
def test_params_round_trip_through_json(p):
    back = Params.from_dict(json.loads(json.dumps(p.to_dict())))
    assert back == p and back.digest() == p.digest() and hash(back) == hash(p)


@pytest.mark.parametrize("change, match", [
    ({"emission_ppb": -1}, "emission_ppb"),
    ({"emission_ppb": 10**9 + 1}, "emission_ppb"),
    ({"emission_ppb": MAX_EMISSION_PPB + 1}, "emission_ppb"),
    ({"reputation_max": 1400}, "tier 'trusted' needs more reputation than reputation_max"),
    ({"voting_period": 0}, "voting_period"),
    ({"emergency_voting_period": 0}, "emergency_voting_period"),
    ({"quorum_ppb": 0}, "quorum_ppb"),
    ({"quorum_ppb": PPB + 1}, "quorum_ppb"),
    ({"approval_ppb": PPB // 2}, "approval_ppb"),
    ({"approval_ppb": PPB + 1}, "approval_ppb"),
    ({"min_activation_delay": 0}, "min_activation_delay"),
    ({"proposal_min_stake": 0}, "proposal_min_stake"),
    ({"proposal_min_stake": SUPPLY + 1}, "proposal_min_stake"),
    ({"paused": 1}, "paused must be a bool"),
    ({"emission_per_unit": -1}, "emission_per_unit"),
    ({"emission_per_unit": SUPPLY + 1}, "emission_per_unit"),
    ({"min_fee_per_unit": -1}, "min_fee_per_unit"),
    ({"pool_fee_ppb": PPB + 1}, "pool_fee_ppb"),
    ({"emission_fee_cap_ppb": -1}, "emission_fee_cap_ppb"),
    ({"pool_fee_ppb": 0}, "must be below pool_fee_ppb"),
    ({"reputation_units_per_point": 0}, "reputation_units_per_point"),
    ({"reputation_decay_per_block": -1}, "reputation_decay_per_block"),
    ({"reputation_gain_max": -1}, "reputation_gain_max"),
    ({"late_reputation_penalty": -1}, "late_reputation_penalty"),
    ({"late_bond_slash_ppb": PPB + 1}, "late_bond_slash_ppb"),
    ({"max_task_attempts": 0}, "max_task_attempts"),
    ({"emission_ppb": 1.5}, "must be an int"),
    ({"slash_ppb": 2 * 10**9}, "slash_ppb"),
    ({"unbonding_delay": 0}, "unbonding_delay"),
    ({"stake_boost_cap": 0}, "stake_boost_cap"),
    ({"reputation_start": 0}, "reputation_start"),
    ({"reputation_start": 5000}, "reputation_start"),
    ({"reputation_max": -1}, "reputation_max"),
    ({"kind_weights": {"mining": 1}}, "unknown claim kind"),
    ({"kind_weights": {C: -1}}, "kind weight"),
    ({"kind_weights": [1, 2]}, "kind_weights"),
    ({"tiers": ()}, "non-empty"),
    ({"tiers": (Tier("a", 1, 0, 1000, {C}),)}, "tier 0 must need"),
    ({"tiers": (Tier("a", 0, 0, 1000, {C}), Tier("b", 0, 0, 1000, {INF}))}, "every kind"),
    ({"tiers": (Tier("a", 0, 0, 1000, {C}), Tier("b", 5, 0, 1000, {C}),
                Tier("c", 4, 0, 1000, {C}))}, "not decrease"),
    ({"tiers": (Tier("a", 0, 0, 1000, {C}), Tier("a", 5, 0, 1000, {C}))}, "distinct"),
])
def test_invalid_parameters_are_refused_with_the_field_named(change, match):
    with pytest.raises(ParameterError, match=match):
        DEFAULT_PARAMS.replace(**change)


def test_tiers_refuse_bad_fields():
    with pytest.raises(ParameterError):
        Tier("", 0, 0, 1000, {C})
    with pytest.raises(ParameterError):
        Tier("t", 0, 0, 0, {C})
    with pytest.raises(ParameterError, match="unknown claim kind"):
        Tier("t", 0, 0, 1000, {"mining"})


def test_default_fees_make_self_dealing_lose_and_a_small_task_cost_a_cent():
    p = DEFAULT_PARAMS
    assert p.emission_fee_cap_ppb < p.pool_fee_ppb
    assert 2_000 * p.min_fee_per_unit == TOKEN // 100  # a 2,000-constraint task: 0.01 token
    assert all(t.min_reputation > p.reputation_start for t in p.tiers[1:])
    assert p.reputation_max <= MAX_REPUTATION_FACTOR * p.reputation_start


def test_missing_kinds_weigh_zero():
    p = DEFAULT_PARAMS.replace(kind_weights={C: 3})
    assert p.kind_weight(C) == 3 and p.kind_weight(TR) == 0


def test_schedule_at_picks_the_latest_activation_not_after_the_height():
    a, b, c = (DEFAULT_PARAMS.replace(emission_ppb=e) for e in (1, 2, 3))
    s = ParamSchedule([(0, a), (10, b), (11, c)])
    assert [s.at(h).emission_ppb for h in (0, 9, 10, 11, 10**9)] == [1, 1, 2, 3, 3]
    assert s.with_change(10, a).entries == ((0, a), (10, a))
    assert ParamSchedule.from_list(json.loads(json.dumps(s.to_list()))) == s
    assert s.agrees_until(s.with_change(11, a), 10)
    assert not s.agrees_until(s.with_change(11, a), 11)


@pytest.mark.parametrize("entries, match", [
    ([], "at least one"),
    ([(1, DEFAULT_PARAMS)], "activate at 0"),
    ([(0, DEFAULT_PARAMS), (0, DEFAULT_PARAMS)], "strictly increase"),
    ([(0, {"emission_ppb": 1})], "not a Params"),
    ([(-1, DEFAULT_PARAMS)], "activation height"),
    ([DEFAULT_PARAMS], "pairs"),
])
def test_bad_schedules_are_refused(entries, match):
    with pytest.raises(ParameterError, match=match):
        ParamSchedule(entries)


@given(st.integers(-5, -1))
def test_negative_heights_are_refused(h):
    with pytest.raises(ParameterError):
        DEFAULT_SCHEDULE.at(h)


def test_malformed_param_dicts_are_refused():
    d = DEFAULT_PARAMS.to_dict()
    del d["slash_ppb"]
    with pytest.raises(ParameterError):
        Params.from_dict(d)
    with pytest.raises(ParameterError):
        Params.from_dict({**DEFAULT_PARAMS.to_dict(), "tiers": [{"name": "x"}]})


def test_the_emission_cap_leaves_99_percent_of_the_pool_after_any_block():
    assert DEFAULT_PARAMS.emission_ppb <= MAX_EMISSION_PPB == PPB // 100
    assert SUPPLY * MAX_EMISSION_PPB // PPB == SUPPLY // 100


def test_a_pause_flip_alone_is_an_emergency_change():
    p = DEFAULT_PARAMS
    assert p.differs_only_in_pause(p.replace(paused=True))
    assert p.replace(paused=True).differs_only_in_pause(p)
    assert not p.differs_only_in_pause(p)
    assert not p.differs_only_in_pause(p.replace(paused=True, emission_ppb=54))
    assert not p.differs_only_in_pause(p.replace(voting_period=1))


def test_with_entry_keeps_later_entries_and_replaces_only_its_height():
    a, b, c, d = (DEFAULT_PARAMS.replace(emission_ppb=e) for e in (1, 2, 3, 4))
    s = ParamSchedule([(0, a), (10, b), (20, c)])
    assert s.with_entry(15, d).entries == ((0, a), (10, b), (15, d), (20, c))
    assert s.with_entry(10, d).entries == ((0, a), (10, d), (20, c))
    assert s.with_change(15, d).entries == ((0, a), (10, b), (15, d))


def test_param_dicts_need_every_field_and_decimal_amounts():
    d = DEFAULT_PARAMS.to_dict()
    for broken in ({**d, "extra": 1}, {**d, "proposal_min_stake": 5},
                   {**d, "stake_boost_cap": "-5"}, {**d, "paused": "false"}):
        with pytest.raises(ParameterError):
            Params.from_dict(broken)
    old = {k: v for k, v in d.items() if k != "quorum_ppb"}
    with pytest.raises(ParameterError, match="quorum_ppb"):
        Params.from_dict(old)
