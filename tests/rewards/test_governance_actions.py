# SPDX-License-Identifier: MIT
"""Proposals carrying an opaque GovernanceAction instead of a parameter set: voted and
tallied like any proposal, never touching the parameter schedule, reported when they
pass and handed to the layer above at their activation height; their exact leaf, JSON
form and digest; a parameter proposal's leaf as before."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.rewards.strategies import FAST_PARAMS
from zkcx.errors import EncodingError, InvalidOperationError
from zkcx.rewards import (
    MAX_ACTION_BYTES,
    TOKEN,
    Accountant,
    GovernanceAction,
    ParamSchedule,
    Proposal,
    Propose,
    Stake,
    Vote,
)

P = FAST_PARAMS
ACTION = GovernanceAction("model.freeze", b"\x01m")


def _staked() -> Accountant:
    """Height 0: "gov" and "other" hold 100 tokens each, "gov" staked."""
    acc = Accountant.genesis({"gov": 100 * TOKEN, "other": 100 * TOKEN},
                             ParamSchedule([(0, P)]))
    acc.apply_block(0, [], operations=[Stake("gov", 60 * TOKEN)])
    return acc


def _run(acc: Accountant, until: int) -> list:
    outs = []
    while acc.height < until:
        outs.append(acc.apply_block(acc.height + 1, []))
    return outs


def test_an_action_passes_is_reported_and_falls_due_at_its_activation_height():
    acc = _staked()
    h = acc.height + 1
    end = h + P.voting_period - 1
    activation = end + P.min_activation_delay + 1
    schedule = acc.schedule.entries
    acc.apply_block(h, [], operations=[Propose("gov", ACTION, activation), Vote("gov", 0,
                                                                               True)])
    (proposal,) = acc.proposals
    assert proposal.action == ACTION and proposal.is_open
    outs = _run(acc, end)
    assert outs[-1].tallied == ((0, "passed"),)
    assert outs[-1].passed_actions == ((0, activation, ACTION),)
    assert acc.schedule.entries == schedule  # an action never enters the schedule
    for height in range(end + 1, activation + 2):
        draft = acc.begin_block(height)
        assert draft.due_actions() == (((0, ACTION),) if height == activation else ())
        acc.apply_block(height, [])


def test_a_rejected_action_is_neither_reported_nor_due():
    acc = _staked()
    h = acc.height + 1
    end = h + P.voting_period - 1
    acc.apply_block(h, [], operations=[Propose("gov", ACTION, end + P.min_activation_delay),
                                       Vote("gov", 0, False)])
    outs = _run(acc, end)
    assert outs[-1].tallied == ((0, "rejected"),) and outs[-1].passed_actions == ()
    _run(acc, end + P.min_activation_delay - 1)
    assert acc.begin_block(acc.height + 1).due_actions() == ()


def test_an_action_proposal_uses_the_normal_voting_period_and_activation_rule():
    acc = _staked()
    h = acc.height + 1
    earliest = h + P.voting_period - 1 + P.min_activation_delay
    verdicts = acc.screen_operations(h, [Propose("gov", ACTION, earliest - 1),
                                         Propose("gov", ACTION, earliest),
                                         Propose("other", ACTION, earliest)])
    assert "before" in verdicts[0] and verdicts[1] is None and "stake" in verdicts[2]


def test_the_leaf_json_and_digest_of_an_action_proposal_are_exact():
    acc = _staked()
    h = acc.height + 1
    activation = h + P.voting_period - 1 + P.min_activation_delay
    acc.apply_block(h, [], operations=[Propose("gov", ACTION, activation),
                                       Propose("gov", P.replace(voting_period=5), activation),
                                       Vote("gov", 0, True)])
    action_prop, params_prop = acc.proposals
    kind = ACTION.kind.encode()
    digest = hashlib.sha256(b"zkcx-gov-action-v1\x00" + bytes([len(kind)]) + kind
                            + len(ACTION.payload).to_bytes(4, "big") + ACTION.payload).digest()
    assert ACTION.digest() == digest
    tail = b"".join([activation.to_bytes(8, "big"), h.to_bytes(8, "big"),
                     (h + P.voting_period - 1).to_bytes(8, "big"), b"\x00", bytes(96)])
    assert action_prop.leaf_payload() == (b"Q" + (0).to_bytes(8, "big") + b"\x03gov" + digest
                                          + tail + (1).to_bytes(4, "big") + b"\x03gov\x01")
    assert params_prop.leaf_payload() == (b"P" + (1).to_bytes(8, "big") + b"\x03gov"
                                          + P.replace(voting_period=5).digest() + tail
                                          + (0).to_bytes(4, "big"))
    d = action_prop.to_dict()
    assert d["action"] == {"kind": "model.freeze", "payload": "016d"} and "params" not in d
    assert Proposal.from_dict(d) == action_prop
    back = Accountant.from_bytes(acc.to_bytes())
    assert back == acc and back.state_root() == acc.state_root()
    for bad in ({**d, "params": P.to_dict()}, {**d, "action": {"kind": "x"}},
                {**d, "action": {"kind": "model.freeze", "payload": "0G"}},
                {**d, "action": {"kind": "model.freeze", "payload": "016D"}},
                {**d, "action": {"kind": "Bad Kind", "payload": ""}}):
        with pytest.raises(EncodingError):
            Proposal.from_dict(bad)


def test_an_action_is_a_well_formed_kind_and_a_bounded_payload():
    for kind in ("", "Model", "model..x", "model.", ".x", "a b", "x" * 65, 5):
        with pytest.raises(InvalidOperationError):
            GovernanceAction(kind, b"")  # type: ignore[arg-type]
    for payload in (bytes(MAX_ACTION_BYTES + 1), "text", bytearray(b"x")):
        with pytest.raises(InvalidOperationError):
            GovernanceAction("model.freeze", payload)  # type: ignore[arg-type]
    GovernanceAction("model.accept-version", bytes(MAX_ACTION_BYTES))
    with pytest.raises(InvalidOperationError):
        Propose("gov", "params", 5)  # type: ignore[arg-type]
    assert Propose("gov", ACTION, 5).action == ACTION
    assert Propose("gov", P, 5).action is None


@given(st.from_regex(r"[a-z][a-z0-9]{0,5}([.-][a-z0-9]{1,5}){0,3}", fullmatch=True),
       st.binary(max_size=64))
def test_actions_round_trip_and_distinct_actions_have_distinct_digests(kind, payload):
    action = GovernanceAction(kind, payload)
    assert GovernanceAction.from_dict(action.to_dict()) == action
    other = GovernanceAction(kind, payload + b"\x00")
    assert other.digest() != action.digest()
