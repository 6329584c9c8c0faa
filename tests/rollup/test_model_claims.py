# SPDX-License-Identifier: MIT
"""Claims naming a model, through signed transactions on a chain: a model the market
does not hold is unknown-model; a training step of a model governance froze or retired
(a signed action proposal, a signed vote, a short voting period) is model-frozen or
model-retired, while an inference task of the model posted before is still paid; the block's
models root is the market's, moved by the accepted steps and the governance actions,
and the chain re-verifies from genesis."""

from __future__ import annotations

import pytest

from tests.rollup.conftest import (
    FAST_GOVERNANCE,
    REQUESTER,
    SigningChain,
    addr,
    new_market,
)
from zkcx.market import FreezeModel, ModelStatus, RetireModel
from zkcx.rewards import TOKEN, Propose, Stake, Vote
from zkcx.rollup import RejectReason, SQLiteChainStore, verify_chain

R = RejectReason
GOV = FAST_GOVERNANCE  # votes open 2 blocks, changes apply 1 block after the vote


@pytest.fixture()
def chain(kit):
    with SQLiteChainStore.create(":memory:", new_market(GOV)) as store:
        yield SigningChain(store, kit.kernels, kit=kit)


def _reasons(block) -> list[tuple[int, RejectReason]]:
    return [(r.index, r.reason) for r in block.rejected]


def _vote_through(chain: SigningChain, action) -> None:
    """The requester stakes, proposes ``action`` and votes for it (signed operations);
    blocks run until the action applies."""
    assert not chain.produce([], [Stake(REQUESTER, 10 * TOKEN)]).rejected_operations
    params = chain.market.params()
    activation = chain.height + 1 + params.voting_period - 1 + params.min_activation_delay
    pid = len(chain.market.ledger.proposals)
    block = chain.produce([], [Propose(REQUESTER, action.action(), activation),
                               Vote(REQUESTER, pid, True)])
    assert not block.rejected_operations, block.rejected_operations
    while chain.height < activation:
        chain.produce([])


def test_claims_naming_a_model_the_market_does_not_hold_are_unknown_model(kit, chain):
    step = kit.claim("train", "n1", "t1", 5, 3, 2, model=("ghost", 0))
    call = kit.claim("infer", "n2", "t2", 8, model=("phantom", 0))
    known = kit.claim("cube", "n3", "t3", 3, 4)
    kit.models.clear()  # the setup block registers no model
    block = chain.produce([step, call, known])
    assert _reasons(block) == [(0, R.UNKNOWN_MODEL), (1, R.UNKNOWN_MODEL)]
    details = [r.detail for r in block.rejected]
    assert "'ghost' is not registered" in details[0]
    assert "'phantom' is not registered" in details[1]
    market = chain.market
    assert "ghost" not in market.models and "phantom" not in market.models
    assert market.account(addr("n1")).balance == market.account(addr("n2")).balance == 0
    assert [c.task_id for c in block.accepted] == [kit.task_id("t3")]
    assert verify_chain(chain.store, kit.kernels).blocks == chain.height + 1


@pytest.mark.parametrize("action,reason,status", [
    (FreezeModel("m"), R.MODEL_FROZEN, ModelStatus.FROZEN),
    (RetireModel("m"), R.MODEL_RETIRED, ModelStatus.RETIRED),
])
def test_a_training_step_of_a_frozen_or_retired_model_has_its_own_reason(
        kit, chain, action, reason, status):
    step = kit.claim("train", "n1", "t1", 5, 3, 2, model=("m", 0))    # 5 -> 11
    call = kit.claim("infer", "n2", "t2", 8, model=("m", 0))
    chain.setup()  # registers "m" at commitment 5 and posts the tasks
    registered = chain.market.models_root()
    assert chain.head.models_root == registered
    _vote_through(chain, action)
    market = chain.market
    assert market.model("m").status is status
    assert chain.head.models_root == market.models_root() != registered
    block = chain.produce([step, call])
    # the inference call is paid either way: a frozen model is still served, and a
    # retired one takes no new task, but a task posted before is still delivered
    assert _reasons(block) == [(0, reason)]
    assert [c.task_id for c in block.accepted] == [kit.task_id("t2")]
    detail = block.rejected[0].detail
    assert f"is {status.value}" in detail and "new versions" in detail
    after = chain.market
    assert len(after.model("m").versions) == 1  # version 0 alone
    assert after.account(addr("n1")).balance == market.account(addr("n1")).balance
    assert after.task(int(kit.task_id("t1"))).status.value == "assigned"  # not paid
    assert verify_chain(chain.store, kit.kernels).blocks == chain.height + 1


def test_an_active_models_step_moves_the_models_root_and_a_stale_one_is_a_mismatch(
        kit, chain):
    step = kit.claim("train", "n1", "t1", 5, 3, 2, model=("m", 0))    # 5 -> 11
    stale = kit.claim("train", "n2", "t2", 5, 7, 1, model=("m", 0))   # from 5 again
    chain.setup()
    before = chain.head.models_root
    block = chain.produce([step, stale])
    assert _reasons(block) == [(1, R.MODEL_MISMATCH)]
    assert "at version 1" in block.rejected[0].detail
    assert block.header.models_root == chain.market.models_root() != before
    assert [v.commitment for v in chain.market.model("m").versions] == [5, 11]
    assert verify_chain(chain.store, kit.kernels).blocks == chain.height + 1
