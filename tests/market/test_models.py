# SPDX-License-Identifier: MIT
"""Registered models (Proof of Inference, Proof of Update), tried as an owner, a
requester, a contributor, governance and an attacker would: registration and price,
inference tasks paying the node and every share holder exactly, versions entering the
share table only by a passed vote, frozen and retired models, the state's root and
serialization, and exact conservation of the supply throughout."""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.market.helpers import GRANTS, PARAMS, check, claim, genesis, register
from tests.market.strategies import DOT, INFER, KERNELS, kernel_id
from zkcx.errors import InvalidOperationError
from zkcx.market import (
    SHARE_DENOMINATOR,
    AcceptVersion,
    FreezeModel,
    Market,
    MarketStateError,
    ModelError,
    ModelStatus,
    PostInference,
    PostTask,
    RegisterModel,
    RetireModel,
    ServingKernel,
    SetPrice,
    TaskClaimError,
    TaskStatus,
    UnknownModelError,
    model_action,
)
from zkcx.market.models import diluted
from zkcx.rewards import PPB, TOKEN, ClaimKind, GovernanceAction, Propose, Stake, Vote
from zkcx.rewards.merkle import leaf_hash, merkle_root_of_hashes

#: An inference kernel whose query is public input 1 and whose weights' commitment is
#: public input 2 (0 is its output, 3 its binding).
MLP = kernel_id("mlp")
MLP_UNITS = 400
MODEL_KERNELS = {**KERNELS, MLP: KERNELS[INFER].__class__(ClaimKind.INFERENCE, MLP_UNITS,
                                                          (1, 2), True)}
W0, W1, W2 = 1001, 2002, 3003  # weights commitments
QUERY = 77
PRICE = 3 * TOKEN + 7  # not a multiple of anything: the split has remainders
EXEC_FEE = MLP_UNITS * PARAMS.min_fee_per_unit + 13
OWNER, CONTRIB, GOV = "own", "c1", "gov"
MODEL_GRANTS = {**GRANTS, OWNER: 10 * TOKEN, CONTRIB: 10 * TOKEN, GOV: 1000 * TOKEN}
_data = hashlib.sha256(b"query").digest()


def block(market: Market, claims=(), ops=(), train=()):
    """Apply the next block with the model kernels; ``train``: (model id, version,
    before, after, contributor) steps applied as accepted training claims."""
    draft = market.preview(market.height + 1, ops, MODEL_KERNELS)
    for index, (model_id, version, before, after, who) in enumerate(train):
        draft.extend_model(model_id, version, before, after, who,
                           hashlib.sha256(b"train%d" % index).digest())
    draft.accept(claims)
    draft.schedule()
    out = draft.commit()
    check(market)
    return out


def screen(market: Market, ops):
    return market.screen_operations(market.height + 1, ops, MODEL_KERNELS)


def reg(model_id="m", price=PRICE, owner=OWNER, kernels=((MLP, 2),), commitment=W0):
    return RegisterModel(owner, model_id, price, kernels, commitment)


def infer(model_id="m", version=0, weights=W0, price=PRICE, fee=EXEC_FEE, poster="req",
          kernel=MLP, deadline=None, market=None):
    deadline = market.height + 4 if deadline is None else deadline
    return PostInference(poster, model_id, version, kernel, MLP_UNITS,
                         ((1, QUERY), (2, weights)), _data, "ipfs://q", fee, price, 0, 0,
                         deadline)


def answer(node: str, task_id: int, weights=W0, kernel=MLP):
    return claim(node, task_id, ((1, QUERY), (2, weights)), kernel)


def expected_split(price: int, shares: dict[str, int], owner: str) -> dict[str, int]:
    """The split derived from the rule with exact fractions: floor per holder, the rest
    to the owner."""
    parts = {h: int(Fraction(price * s, SHARE_DENOMINATOR)) for h, s in shares.items()}
    parts[owner] = parts.get(owner, 0) + price - sum(parts.values())
    return {h: a for h, a in parts.items() if a}


def _market_with_model(nodes=("a",)):
    """Block 0: nodes registered, governance staked, model "m" registered."""
    m = genesis(MODEL_GRANTS)
    block(m, ops=[*(register(n) for n in nodes), Stake(GOV, 100 * TOKEN), reg()])
    return m


def _vote_through(m: Market, action, support=True):
    """Propose ``action`` (as GOV, the only staker) and vote; run the blocks to its
    activation height, where it applies. Returns that block's outcome."""
    p = m.params()
    activation = m.height + 1 + p.voting_period - 1 + p.min_activation_delay
    pid = len(m.ledger.proposals)
    block(m, ops=[Propose(GOV, action.action(), activation), Vote(GOV, pid, support)])
    while m.height < activation - 1:
        block(m)
    return block(m)


def _accepted_version_market(share=250_000):
    """"m" with version 1 by CONTRIB accepted at ``share``."""
    m = _market_with_model()
    block(m, train=[("m", 0, W0, W1, CONTRIB)])
    out = _vote_through(m, AcceptVersion("m", 1, CONTRIB, share))
    (result,) = out.governance
    assert result.applied and result.model_id == "m"
    return m


# -- registration and price ------------------------------------------------------------------

def test_registering_a_model_records_its_terms_and_version_0_with_the_whole_table():
    m = genesis(MODEL_GRANTS)
    root = m.state_root()
    out = block(m, ops=[reg()])
    model = m.model("m")
    assert out.models_registered == ("m",)
    assert (model.owner, model.price, model.status) == (OWNER, PRICE, ModelStatus.ACTIVE)
    assert model.kernels == (ServingKernel(MLP, 2),)
    assert model.shares == ((OWNER, SHARE_DENOMINATOR),)
    (v0,) = model.versions
    assert (v0.commitment, v0.contributor, v0.accepted, v0.share) == (W0, OWNER, True,
                                                                      SHARE_DENOMINATOR)
    assert m.state_root() != root and "m" in m.models
    with pytest.raises(UnknownModelError):
        m.model("nope")


def test_a_registration_is_refused_for_a_taken_id_or_kernels_that_cannot_serve_it():
    m = _market_with_model()
    verdicts = screen(m, [
        reg(),                                     # taken
        reg("x", kernels=((kernel_id("?"), 2),)),  # unknown kernel
        reg("x", kernels=((DOT, 1),)),             # a compute kernel
        reg("x", kernels=((MLP, 3),)),             # weights not among the inputs
        reg("x", kernels=((MLP, 2), (INFER, 2))),  # fine: two kernels
    ])
    assert "registered already" in verdicts[0]
    assert "does not hold" in verdicts[1]
    assert "not an inference kernel" in verdicts[2]
    assert "whose inputs are at [1, 2]" in verdicts[3]
    assert verdicts[4] is None
    for bad in (dict(model_id=""), dict(model_id="a\nb"), dict(model_id="x" * 65),
                dict(price=-1), dict(commitment=1 << 254), dict(kernels=()),
                dict(kernels=((MLP, 2), (MLP, 1))), dict(kernels="mlp")):
        with pytest.raises(ModelError):
            reg(**bad)


def test_the_owner_sets_the_price_and_nobody_else_can():
    m = _market_with_model()
    before = m.copy()
    verdict = screen(m, [SetPrice("a", "m", 1)])[0]  # attack: not the owner
    assert "only the owner sets the price" in verdict
    with pytest.raises(ModelError):
        block(m, ops=[SetPrice("a", "m", 1)])
    assert m == before and m.model("m").price == PRICE
    assert "not registered" in screen(m, [SetPrice(OWNER, "zz", 1)])[0]
    out = block(m, ops=[SetPrice(OWNER, "m", 5)])
    assert out.price_changes == (("m", 5),) and m.model("m").price == 5


# -- inference tasks and revenue -------------------------------------------------------------

def test_an_inference_task_pays_the_node_its_execution_fee_and_the_holders_the_price():
    share = 250_000
    m = _accepted_version_market(share)
    model = m.model("m")
    assert model.share_table == {OWNER: SHARE_DENOMINATOR - share, CONTRIB: share}
    req0 = m.account("req").balance
    out = block(m, ops=[infer(version=1, weights=W1, market=m)])
    (task_id,) = out.posted
    task = m.task(task_id)
    assert task.fee == EXEC_FEE + PRICE and task.kind is ClaimKind.INFERENCE
    assert m.account("req").held == EXEC_FEE + PRICE
    assert m.account("req").balance == req0 - EXEC_FEE - PRICE
    bill = m.inference_bill(task_id)
    assert (bill.model_id, bill.version, bill.price) == ("m", 1, PRICE)
    assert task.assignee == "a"
    before = {n: m.account(n).balance for n in ("a", OWNER, CONTRIB, "req")}
    pool = m.ledger.pool
    out = block(m, claims=[answer("a", task_id, W1)])
    (pay,) = out.paid
    pool_fee = EXEC_FEE * PARAMS.pool_fee_ppb // PPB
    split = expected_split(PRICE, {OWNER: SHARE_DENOMINATOR - share, CONTRIB: share}, OWNER)
    assert sum(split.values()) == PRICE
    assert (pay.fee, pay.price, pay.pool_fee, pay.execution_fee) == (
        EXEC_FEE + PRICE, PRICE, pool_fee, EXEC_FEE)
    assert dict(pay.revenue) == split
    emission = out.ledger.paid.get("a", 0)
    assert emission <= EXEC_FEE * PARAMS.emission_fee_cap_ppb // PPB  # the price caps nothing
    assert m.account("a").balance == before["a"] + EXEC_FEE - pool_fee + emission
    assert m.account(OWNER).balance == before[OWNER] + split[OWNER]
    assert m.account(CONTRIB).balance == before[CONTRIB] + split[CONTRIB]
    assert m.account("req").balance == before["req"] and m.account("req").held == 0
    assert m.ledger.pool == pool + pool_fee - emission
    # every token of the escrow is traced: node + pool fee + holders = fee
    assert pay.node_share + pay.pool_fee + sum(a for _, a in pay.revenue) == pay.fee
    assert m.task(task_id).status is TaskStatus.DONE


def test_an_inference_post_must_fit_the_model():
    m = _accepted_version_market()
    block(m, train=[("m", 1, W1, W2, "c2")])  # version 2: pending
    verdicts = screen(m, [
        infer("zz", market=m),                              # unknown model
        infer(version=9, market=m),                         # no such version
        infer(version=2, weights=W2, market=m),             # not accepted
        infer(kernel=INFER, market=m),                      # not one of its kernels
        infer(weights=W1, market=m),                        # version 0 with v1's weights
        infer(price=PRICE - 1, market=m),                   # not the current price
        infer(fee=MLP_UNITS * PARAMS.min_fee_per_unit - 1, price=PRICE, market=m),
        infer(market=m),                                    # fine
    ])
    assert "not registered" in verdicts[0]
    assert "versions are 0 to 2" in verdicts[1]
    assert "not accepted by governance" in verdicts[2]
    assert "not served with" in verdicts[3]
    assert "must be version 0's commitment" in verdicts[4]
    assert f"the model's price is {PRICE}" in verdicts[5]
    assert "the price does not count" in verdicts[6]
    assert verdicts[7] is None
    before = m.copy()
    with pytest.raises(ModelError):
        block(m, ops=[infer(price=PRICE - 1, market=m)])
    assert m == before


def test_a_claim_with_another_models_weights_is_not_paid():
    """Two models on one kernel: the node assigned an inference of model m cannot answer
    it with a proof run on model m2's weights."""
    m = _market_with_model()
    block(m, ops=[reg("m2", commitment=W2, owner="b")])
    out = block(m, ops=[infer(market=m)])
    (task_id,) = out.posted
    draft = m.preview(m.height + 1, (), MODEL_KERNELS)
    problem = draft.check_claim("a", task_id, MLP, answer("a", task_id, W2).public_inputs)
    assert problem.code == "task-input-mismatch"
    before = m.copy()
    with pytest.raises(TaskClaimError) as info:
        block(m, claims=[answer("a", task_id, W2)])
    assert info.value.code == "task-input-mismatch" and m == before
    # and posting model m's task with m2's weights is refused outright
    assert "must be version 0's commitment" in screen(m, [infer(weights=W2, market=m)])[0]
    block(m, claims=[answer("a", task_id)])
    assert m.task(task_id).status is TaskStatus.DONE


def test_a_plain_task_on_a_models_weights_is_refused_so_the_price_cannot_be_dodged():
    m = _market_with_model()
    block(m, train=[("m", 0, W0, W1, CONTRIB)])  # pending versions are covered too

    def plain(weights, kernel=MLP):
        return PostTask("req", kernel, ClaimKind.INFERENCE, MLP_UNITS,
                        ((1, QUERY), (2, weights)), _data, "", EXEC_FEE + PRICE, 0, 0,
                        m.height + 4)

    verdicts = screen(m, [plain(W0), plain(W1), plain(W2)])
    assert "on the weights of model 'm'" in verdicts[0] and "PostInference" in verdicts[0]
    assert "on the weights of model 'm'" in verdicts[1]
    assert verdicts[2] is None  # other weights: an ordinary task
    # a model registered earlier in the same block is covered as well
    verdicts = screen(m, [reg("m3", commitment=W2), plain(W2)])
    assert verdicts[0] is None and "model 'm3'" in verdicts[1]
    back = Market.from_bytes(m.to_bytes())  # the index is rebuilt from the state
    assert "model 'm'" in back.screen_operations(back.height + 1, [plain(W1)],
                                                 MODEL_KERNELS)[0]


def test_a_price_change_after_posting_does_not_change_the_escrowed_fee():
    m = _market_with_model()
    out = block(m, ops=[infer(market=m), SetPrice(OWNER, "m", 10 * PRICE)])
    (task_id,) = out.posted
    assert m.model("m").price == 10 * PRICE
    assert m.task(task_id).fee == EXEC_FEE + PRICE and m.inference_bill(task_id).price == PRICE
    req = m.account("req").balance
    owner = m.account(OWNER).balance
    out = block(m, claims=[answer("a", task_id)])
    (pay,) = out.paid
    assert pay.price == PRICE and pay.revenue == ((OWNER, PRICE),)
    assert m.account(OWNER).balance == owner + PRICE
    assert m.account("req").balance == req  # nothing more taken
    # and a post at the old price is now refused
    assert "the model's price is" in screen(m, [infer(market=m)])[0]


def test_a_cancelled_inference_task_returns_fee_and_price():
    from zkcx.market import CancelTask
    m = genesis(MODEL_GRANTS)
    block(m, ops=[Stake(GOV, 100 * TOKEN), reg()])  # no node: the task stays unassigned
    req = m.account("req").balance
    out = block(m, ops=[infer(market=m)])
    (task_id,) = out.posted
    assert m.account("req").balance == req - EXEC_FEE - PRICE
    block(m, ops=[CancelTask("req", task_id)])
    assert m.account("req").balance == req and m.account("req").held == 0


# -- Proof of Update: versions and governance ------------------------------------------------

def test_a_trained_version_is_pending_and_earns_nothing_until_governance_accepts_it():
    m = _market_with_model()
    out = block(m, train=[("m", 0, W0, W1, CONTRIB)])
    (new,) = out.new_versions
    assert (new.model_id, new.version, new.contributor) == ("m", 1, CONTRIB)
    v1 = m.model("m").versions[1]
    assert (v1.commitment, v1.accepted, v1.share) == (W1, False, 0)
    assert m.model("m").shares == ((OWNER, SHARE_DENOMINATOR),)
    # a step that does not start at the current version is refused
    with pytest.raises(ModelError):
        block(m, train=[("m", 0, W0, W2, CONTRIB)])
    with pytest.raises(ModelError):
        block(m, train=[("m", 1, W0, W2, CONTRIB)])  # wrong commitment before
    with pytest.raises(ModelError):
        block(m, train=[("nope", 0, W0, W2, CONTRIB)])  # unregistered model


def test_a_version_the_vote_rejects_earns_nothing():
    m = _market_with_model()
    block(m, train=[("m", 0, W0, W1, CONTRIB)])
    contrib = m.account(CONTRIB).balance
    out = _vote_through(m, AcceptVersion("m", 1, CONTRIB, 400_000), support=False)
    assert out.governance == ()
    assert m.ledger.proposals[-1].status == "rejected"
    assert m.model("m").shares == ((OWNER, SHARE_DENOMINATOR),)
    assert not m.model("m").versions[1].accepted
    assert "not accepted by governance" in screen(m, [infer(version=1, weights=W1,
                                                            market=m)])[0]
    out = block(m, ops=[infer(market=m)])
    (task_id,) = out.posted
    out = block(m, claims=[answer("a", task_id)])
    assert out.paid[0].revenue == ((OWNER, PRICE),)
    assert m.account(CONTRIB).balance == contrib


def test_accepting_versions_dilutes_the_table_pro_rata_and_keeps_its_sum():
    m = _accepted_version_market(share=300_000)
    block(m, train=[("m", 1, W1, W2, "c2")])
    _vote_through(m, AcceptVersion("m", 2, "c2", 100_000))
    table = m.model("m").share_table
    assert sum(table.values()) == SHARE_DENOMINATOR
    assert table == {OWNER: 700_000 * 900_000 // SHARE_DENOMINATOR,
                     CONTRIB: 300_000 * 900_000 // SHARE_DENOMINATOR, "c2": 100_000}
    assert m.model("m").versions[2].share == 100_000


def test_governance_refuses_malformed_or_inapplicable_model_actions_when_proposed():
    m = _market_with_model()
    block(m, train=[("m", 0, W0, W1, CONTRIB)])
    h = m.height + 1 + 10

    def verdict(action):
        return screen(m, [Propose(GOV, action, h)])[0]

    assert "not registered" in verdict(FreezeModel("zz").action())
    assert "versions are 0 to 1" in verdict(AcceptVersion("m", 5, CONTRIB, 1).action())
    assert "made by 'c1'" in verdict(AcceptVersion("m", 1, "a", 1).action())
    assert "knows no governance action" in verdict(GovernanceAction("model.delete", b""))
    assert "malformed" in verdict(GovernanceAction("model.freeze", b"\x05ab"))
    assert "malformed" in verdict(GovernanceAction("model.freeze", b"\x01m\x00"))
    assert verdict(AcceptVersion("m", 1, CONTRIB, 1).action()) is None
    for bad in (dict(share=0), dict(share=SHARE_DENOMINATOR), dict(version=0)):
        with pytest.raises(ModelError):
            AcceptVersion(**{**dict(model_id="m", version=1, contributor="c", share=1),
                             **bad})
    with pytest.raises(InvalidOperationError):
        GovernanceAction("Model Freeze", b"")
    for action in (AcceptVersion("m", 1, CONTRIB, 5), FreezeModel("m"), RetireModel("é")):
        assert model_action(action.action()) == action


def test_a_frozen_model_takes_no_new_version_and_still_serves():
    m = _market_with_model()
    block(m, train=[("m", 0, W0, W1, CONTRIB)])
    # accept proposed first but activating after the freeze: not applied at activation
    p = m.params()
    freeze_at = m.height + 1 + p.voting_period - 1 + p.min_activation_delay
    pid = len(m.ledger.proposals)
    block(m, ops=[Propose(GOV, FreezeModel("m").action(), freeze_at),
                  Propose(GOV, AcceptVersion("m", 1, CONTRIB, 10).action(), freeze_at + 1),
                  Vote(GOV, pid, True), Vote(GOV, pid + 1, True)])
    while m.height < freeze_at - 1:
        block(m)
    out = block(m)
    assert [(r.proposal_id, r.applied) for r in out.governance] == [(pid, True)]
    assert m.model("m").status is ModelStatus.FROZEN
    out = block(m)
    (result,) = out.governance
    assert (result.proposal_id, result.applied) == (pid + 1, False)
    assert "frozen" in result.detail
    assert not m.model("m").versions[1].accepted
    assert m.model("m").shares == ((OWNER, SHARE_DENOMINATOR),)
    with pytest.raises(ModelError, match="frozen"):
        block(m, train=[("m", 1, W1, W2, CONTRIB)])
    assert "frozen" in screen(m, [Propose(GOV, AcceptVersion("m", 1, CONTRIB, 10).action(),
                                          m.height + 20)])[0]
    out = block(m, ops=[infer(market=m)])  # still serves
    assert len(out.posted) == 1


def test_a_retired_model_takes_no_new_task_but_pays_the_tasks_it_has():
    m = _market_with_model()
    p = m.params()
    retire_at = m.height + 1 + p.voting_period - 1 + p.min_activation_delay
    pid = len(m.ledger.proposals)
    block(m, ops=[Propose(GOV, RetireModel("m").action(), retire_at), Vote(GOV, pid, True),
                  infer(market=m, deadline=retire_at + 5)])
    (task,) = m.tasks
    assert task.assignee == "a"
    while m.height < retire_at - 1:
        block(m)
    out = block(m)
    assert out.governance[0].applied and m.model("m").status is ModelStatus.RETIRED
    assert "retired" in screen(m, [infer(market=m)])[0]
    assert "retired" in screen(m, [SetPrice(OWNER, "m", 1)])[0]
    with pytest.raises(ModelError, match="retired"):
        block(m, train=[("m", 0, W0, W1, CONTRIB)])
    owner = m.account(OWNER).balance
    out = block(m, claims=[answer("a", task.task_id)])
    assert out.paid[0].revenue == ((OWNER, PRICE),)
    assert m.account(OWNER).balance == owner + PRICE


# -- share tables ----------------------------------------------------------------------------

holders = st.sampled_from(["o", "p", "q", "r", "s", "t"])


@st.composite
def tables(draw):
    """A share table over some holders summing to the denominator."""
    names = draw(st.lists(holders, min_size=1, max_size=6, unique=True))
    cuts = sorted(draw(st.lists(st.integers(0, SHARE_DENOMINATOR), min_size=len(names) - 1,
                                max_size=len(names) - 1)))
    bounds = [0, *cuts, SHARE_DENOMINATOR]
    table = {n: bounds[i + 1] - bounds[i] for i, n in enumerate(names)}
    return tuple(sorted((n, s) for n, s in table.items() if s))


@settings(max_examples=200, deadline=None)
@given(tables(), holders, holders, st.integers(1, SHARE_DENOMINATOR - 1),
       st.integers(0, 10**30))
def test_dilution_and_split_conserve_the_table_and_the_price(table, owner, contributor, share,
                                                             price):
    new = diluted(table, owner, contributor, share)
    assert sum(s for _, s in new) == SHARE_DENOMINATOR
    assert all(s > 0 for _, s in new) and [h for h, _ in new] == sorted({h for h, _ in new})
    old = dict(table)
    got = dict(new)
    assert got[contributor] >= share
    for holder, s in old.items():  # nobody but the owner gains from the rounding
        kept = s * (SHARE_DENOMINATOR - share) // SHARE_DENOMINATOR
        extra = share if holder == contributor else 0
        if holder != owner:
            assert got.get(holder, 0) == kept + extra
    from zkcx.market import Model, ModelVersion
    model = Model("x", owner, (ServingKernel(MLP, 2),), price, ModelStatus.ACTIVE, new,
                  (ModelVersion(1, 0, owner, bytes(32), True, SHARE_DENOMINATOR),), 0)
    assert model.consistency_problem() is None
    parts = dict(model.split(price))
    assert sum(parts.values()) == price
    assert parts == expected_split(price, dict(new), owner)
    assert parts.get(owner, 0) - price * dict(new).get(owner, 0) // SHARE_DENOMINATOR < \
        len(new) + 1


# -- state: root, serialization, conservation ------------------------------------------------

def test_the_market_root_covers_models_and_bills_and_the_state_round_trips():
    m = _accepted_version_market()
    out = block(m, ops=[infer(version=1, weights=W1, market=m)])
    (task_id,) = out.posted
    head = b"M" + len(m.tasks).to_bytes(8, "big") + len(m.nodes).to_bytes(8, "big")
    leaves = [leaf_hash(head), *(leaf_hash(t.leaf_payload()) for t in m.tasks),
              *(leaf_hash(m.nodes[n].leaf_payload(n)) for n in sorted(m.nodes)),
              leaf_hash(m.model("m").leaf_payload()),
              leaf_hash(m.inference_bill(task_id).leaf_payload())]
    assert m.market_root() == merkle_root_of_hashes(leaves)
    assert m.models_root() == merkle_root_of_hashes(leaves[-2:])
    assert Market().models_root() == merkle_root_of_hashes([])
    payload = m.model("m").leaf_payload()
    assert payload[:3] == b"D\x01m" and m.inference_bill(task_id).leaf_payload()[:1] == b"I"
    data = m.to_bytes()
    back = Market.from_bytes(data)
    assert back == m and back.state_root() == m.state_root() and back.to_bytes() == data
    twin = m.copy()
    delivery = answer("a", task_id, W1)
    block(twin, claims=[delivery])
    block(back, claims=[delivery])
    assert back.state_root() == twin.state_root() and back == twin
    assert m != twin  # the copy is independent

    def tampered(edit):
        d = json.loads(data)
        edit(d)
        return json.dumps(d).encode()

    def shares(d):
        d["models"]["m"]["shares"][OWNER] += 1

    def bill_task(d):
        d["inference"][0]["task_id"] = 99

    def bill_model(d):
        d["inference"][0]["model_id"] = "zz"

    def bill_price(d):
        d["inference"][0]["price"] = d["tasks"][task_id]["fee"]

    def version0(d):
        d["models"]["m"]["versions"][0]["contributor"] = CONTRIB

    def pending_share(d):
        d["models"]["m"]["versions"][1]["accepted"] = False

    def renamed(d):
        d["models"]["other"] = d["models"].pop("m")

    def no_models(d):
        del d["models"]

    for edit in (shares, bill_task, bill_model, bill_price, version0, pending_share,
                 renamed, no_models):
        with pytest.raises(MarketStateError):
            Market.from_bytes(tampered(edit))


def test_supply_is_conserved_through_a_models_whole_life():
    """Register, price, train, accept, serve, freeze, retire, with a stranger's attacks
    refused on the way: after every block pool + balances + stakes + unbonding + held is
    the supply (``check`` recounts it after each block)."""
    m = _accepted_version_market()
    for i in range(3):
        out = block(m, ops=[infer(version=1, weights=W1, market=m, fee=EXEC_FEE + i)])
        block(m, claims=[answer("a", out.posted[0], W1)])
    block(m, ops=[SetPrice(OWNER, "m", 1)])
    _vote_through(m, FreezeModel("m"))
    _vote_through(m, RetireModel("m"))
    assert m.model("m").status is ModelStatus.RETIRED
    assert sum(m.model("m").share_table.values()) == SHARE_DENOMINATOR
    check(m)


# -- random lives of models ------------------------------------------------------------------

MODELS = ["m", "n"]
OWNERS = {"m": OWNER, "n": "b"}
ACTORS = [OWNER, "b", "a", "req", CONTRIB]
_WEIGHTS = iter(range(10**6, 10**7))


class ModelMachine(RuleBasedStateMachine):
    """Random registrations' lives: price changes (by the owner or not), inference posts
    (right or wrong version, weights, price, fee), deliveries (with the right or another
    model's weights), training steps, and governance actions voted for or against. Each
    operation is screened and applied when valid; a refused one leaves the state as it
    was. After every block: exact supply, held tokens equal to the tasks' escrow and
    bonds, share tables summing to the denominator, every payment traced token by token
    (node + pool fee + share holders = fee, the holders' parts as the rule gives them)."""

    @initialize()
    def start(self) -> None:
        self.m = genesis(MODEL_GRANTS)
        block(self.m, ops=[register("a"), register("c"), Stake(GOV, 100 * TOKEN), reg("m"),
                           reg("n", owner="b", commitment=W2)])
        block(self.m, train=[("m", 0, W0, W1, CONTRIB)])
        _vote_through(self.m, AcceptVersion("m", 1, CONTRIB, 123_457))

    def _next(self, model_id: str):
        """Model ``model_id`` as the next block sees it (after the actions due then), or
        None."""
        return self.m.preview(self.m.height + 1, (), MODEL_KERNELS).models.model(model_id)

    def _apply(self, op, expect_refused: bool | None = None) -> None:
        verdict = screen(self.m, [op])[0]
        if expect_refused is not None:
            assert (verdict is not None) == expect_refused, (op, verdict)
        if verdict is None:
            block(self.m, ops=[op])
        else:
            before = self.m.copy()
            with pytest.raises(InvalidOperationError):
                block(self.m, ops=[op])
            assert self.m == before

    @rule(model=st.sampled_from(MODELS), actor=st.sampled_from(ACTORS),
          price=st.integers(0, 5 * TOKEN))
    def set_price(self, model, actor, price) -> None:
        retired = self._next(model).status is ModelStatus.RETIRED
        self._apply(SetPrice(actor, model, price), actor != OWNERS[model] or retired)

    @rule(model=st.sampled_from([*MODELS, "zz"]), version=st.integers(-1, 3),
          right_weights=st.sampled_from([True] * 3 + [False]),
          price_off=st.sampled_from([0, 0, 0, 1]), fee_off=st.sampled_from([13, 13, 0, -1]),
          data=st.data())
    def post(self, model, version, right_weights, price_off, fee_off, data) -> None:
        record = self._next(model)
        known = record is not None
        if version < 0:  # the newest accepted version
            version = max((v for v, r in enumerate(record.versions) if r.accepted),
                          default=0) if known else 0
        ok = (known and record.status is not ModelStatus.RETIRED
              and version < len(record.versions) and record.versions[version].accepted)
        weights = (record.versions[version].commitment if known and version <
                   len(record.versions) else W0)
        if not right_weights:
            weights += 1
        price = (record.price if known else 0) + price_off
        fee = MLP_UNITS * PARAMS.min_fee_per_unit + fee_off
        ok = ok and right_weights and not price_off and fee_off >= 0
        self._apply(infer(model, version, weights, price, fee, market=self.m), not ok)
        if ok and data.draw(st.booleans(), label="deliver at once"):
            self.deliver(data, True, self.m.tasks[-1])

    @rule(data=st.data(), right_weights=st.booleans())
    def deliver(self, data, right_weights, task=None) -> None:
        tasks = [t for t in self.m.tasks if t.status is TaskStatus.ASSIGNED
                 and t.deadline > self.m.height]
        if task is None and tasks:
            task = data.draw(st.sampled_from(tasks))
        if task not in tasks:
            return
        bill = self.m.inference_bill(task.task_id)
        weights = dict(task.inputs)[2] + (0 if right_weights else 1)
        delivery = answer(task.assignee, task.task_id, weights)
        if not right_weights:
            before = self.m.copy()
            with pytest.raises(TaskClaimError):
                block(self.m, claims=[delivery])
            assert self.m == before
            return
        out = block(self.m, claims=[delivery])
        (pay,) = out.paid
        model = self.m.model(bill.model_id)
        assert pay.price == bill.price and pay.fee == task.fee
        assert dict(pay.revenue) == expected_split(bill.price, model.share_table,
                                                   model.owner)
        assert pay.node_share + pay.pool_fee + sum(a for _, a in pay.revenue) == pay.fee
        assert pay.pool_fee == (task.fee - bill.price) * PARAMS.pool_fee_ppb // PPB
        event(f"inference paid to {len(pay.revenue)} share holder(s)")

    @rule(model=st.sampled_from(MODELS), who=st.sampled_from([CONTRIB, "c2", OWNER]))
    def train(self, model, who) -> None:
        record = self._next(model)
        current = len(record.versions) - 1
        step = (model, current, record.versions[current].commitment, next(_WEIGHTS), who)
        if record.status is ModelStatus.ACTIVE:
            out = block(self.m, train=[step])
            assert out.new_versions[0].version == current + 1
        else:
            before = self.m.copy()
            with pytest.raises(ModelError):
                block(self.m, train=[step])
            assert self.m == before

    @rule(model=st.sampled_from(MODELS), kind=st.sampled_from(["accept"] * 8 + ["freeze",
                                                                               "retire"]),
          share=st.integers(1, SHARE_DENOMINATOR - 1), support=st.booleans(),
          data=st.data())
    def govern(self, model, kind, share, support, data) -> None:
        record = self._next(model)
        if kind == "accept":
            pending = [v for v, r in enumerate(record.versions) if not r.accepted]
            if not pending:
                return
            version = data.draw(st.sampled_from(pending))
            action = AcceptVersion(model, version, record.versions[version].contributor,
                                   share)
        else:
            action = (FreezeModel if kind == "freeze" else RetireModel)(model)
        p = self.m.params()
        activation = self.m.height + 1 + p.voting_period - 1 + p.min_activation_delay
        pid = len(self.m.ledger.proposals)
        propose = Propose(GOV, action.action(), activation)
        if screen(self.m, [propose])[0] is not None:
            return  # checked by test_governance_refuses_malformed_or_inapplicable_…
        block(self.m, ops=[propose, Vote(GOV, pid, support)])
        if data.draw(st.booleans(), label="run to the activation"):
            while self.m.height < activation:
                self.empty_block()

    @rule()
    def empty_block(self) -> None:
        out = block(self.m)
        for result in out.governance:
            assert result.model_id in MODELS
            event(f"{result.kind} {'applied' if result.applied else 'not applied'}")

    @invariant()
    def tables_sum_to_the_denominator(self) -> None:
        for model in self.m.models.values():
            assert sum(model.share_table.values()) == SHARE_DENOMINATOR
            assert model.consistency_problem() is None


ModelMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30,
                                          deadline=None)
test_random_lives_of_models = ModelMachine.TestCase
