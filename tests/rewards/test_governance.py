# SPDX-License-Identifier: MIT
"""Governance in the accountant: proposals, stake-weighted votes, the tally, parameter
changes at their activation height, the pause, nonces and one-by-one screening of
operations; every attack the rules are there for (a vote by a non-staker, a second vote,
a vote after the window, stake moved to vote twice, a proposal below the minimum stake
or activating too early) is refused and leaves the state unchanged."""

from __future__ import annotations

import hashlib
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.rewards.strategies import FAST_PARAMS, big_fee
from zkcx import errors
from zkcx.rewards import (
    PPB,
    SUPPLY,
    TOKEN,
    Accountant,
    ClaimKind,
    ParamSchedule,
    Proposal,
    Propose,
    Stake,
    Transfer,
    Unstake,
    VerifiedClaim,
    Vote,
)
from zkcx.rewards.governance import passes

P = FAST_PARAMS  # voting period 4, emergency 2, activation delay 2, proposal stake 50 tokens
VOTE_END = P.voting_period - 1  # a proposal made at height h is open until h + VOTE_END


def claim(node: str, tag: object, units: int = 10) -> VerifiedClaim:
    return VerifiedClaim(node, ClaimKind.COMPUTE, units,
                         hashlib.sha256(repr((node, tag)).encode()).digest(), big_fee(units))


class Chain:
    """An accountant plus the blocks applied to it, so a test can replay them from genesis."""

    def __init__(self, stakes: dict[str, int]) -> None:
        """Block 0 pays every node of ``stakes`` (1 % of the pool, split evenly: enough
        work that the pool rate binds); block 1 stakes the given number of tokens for
        each."""
        self.genesis = ParamSchedule([(0, P)])
        self.acc = Accountant(self.genesis)
        self.blocks: list[tuple] = []
        self.block([claim(n, 0, 10**5) for n in stakes])
        self.block(operations=[Stake(n, s * TOKEN) for n, s in stakes.items() if s])

    @property
    def next(self) -> int:
        return self.acc.height + 1

    def block(self, claims=(), invalid=(), operations=(), nonces=None):
        args = (self.next, list(claims), list(invalid), list(operations), dict(nonces or {}))
        out = self.acc.apply_block(*args)
        self.blocks.append(args)
        self.acc.check_invariants()
        return out

    def until(self, height: int) -> None:
        while self.acc.height < height:
            self.block()

    def refused(self, error: type[Exception], operations, match: str = "") -> None:
        """The block carrying ``operations`` is refused and the state is untouched; the
        screen names the last operation as the invalid one."""
        snapshot, root = self.acc.to_bytes(), self.acc.state_root()
        with pytest.raises(error, match=match):
            self.acc.apply_block(self.next, [], [], operations)
        assert self.acc.to_bytes() == snapshot and self.acc.state_root() == root
        verdicts = self.acc.screen_operations(self.next, operations)
        assert verdicts[-1] is not None and all(v is None for v in verdicts[:-1]), verdicts
        assert self.acc.to_bytes() == snapshot

    def replay(self) -> Accountant:
        """The same blocks applied to a fresh accountant from genesis."""
        fresh = Accountant(self.genesis)
        for args in self.blocks:
            fresh.apply_block(*args)
        return fresh


def test_a_passed_proposal_changes_the_parameters_exactly_at_its_activation_height():
    chain = Chain({"a": 100, "b": 100, "c": 100})
    new = P.replace(emission_ppb=5_000_000)
    h = chain.next
    activation = h + VOTE_END + P.min_activation_delay
    chain.block(operations=[Propose("a", new, activation), Vote("a", 0, True)])
    (proposal,) = chain.acc.proposals
    assert (proposal.proposer, proposal.proposed_height, proposal.voting_end,
            proposal.status) == ("a", h, h + VOTE_END, "open")
    chain.block(operations=[Vote("b", 0, True)])
    chain.until(h + VOTE_END - 1)
    out = chain.block()
    assert out.tallied == ((0, "passed"),)
    done = chain.acc.proposals[0]
    assert (done.yes_stake, done.no_stake, done.total_stake) == (200 * TOKEN, 0, 300 * TOKEN)
    assert chain.acc.params(activation - 1) == P and chain.acc.params(activation) == new
    chain.until(activation - 1)
    pool = chain.acc.pool
    # enough work that the pool rate binds, not the rate per work unit
    assert chain.block([claim("a", "late", 10**6)]).emission == pool * 5_000_000 // PPB
    replayed = chain.replay()
    assert replayed == chain.acc and replayed.state_root() == chain.acc.state_root()


def test_any_number_of_parameter_changes_in_sequence_replay_from_genesis():
    chain = Chain({"a": 100, "b": 50})
    expected = {}
    for step in range(6):
        h = chain.next
        activation = h + VOTE_END + P.min_activation_delay + step % 2
        new = P.replace(emission_ppb=1_000_000 * (step + 1), unbonding_delay=step + 1)
        chain.block(operations=[Propose("b", new, activation), Vote("a", step, True)])
        chain.until(h + VOTE_END)
        assert chain.acc.proposals[step].status == "passed"
        expected[activation] = new
    chain.until(max(expected) + 1)
    for activation, params in expected.items():
        assert chain.acc.params(activation) == params
    assert len(chain.acc.schedule.entries) == 7
    assert chain.replay().state_root() == chain.acc.state_root()


def test_operations_below_the_rules_are_refused_and_change_nothing():
    chain = Chain({"a": 100, "poor": 49, "holder": 0})
    h = chain.next
    early = h + VOTE_END + P.min_activation_delay - 1
    new = P.replace(reputation_gain_max=2)
    chain.refused(errors.GovernanceError, [Propose("poor", new, early + 1)], "below the minimum")
    chain.refused(errors.GovernanceError, [Propose("nobody", new, early + 1)], "stake 0")
    chain.refused(errors.GovernanceError, [Propose("a", new, early)], "before")
    chain.refused(errors.GovernanceError, [Vote("a", 0, True)], "does not exist")
    chain.block(operations=[Propose("a", new, early + 1)])
    assert chain.acc.account("holder").balance > 0  # has tokens, but no stake
    chain.refused(errors.GovernanceError, [Vote("holder", 0, True)], "without stake")
    chain.refused(errors.GovernanceError, [Vote("stranger", 0, False)], "without stake")
    chain.block(operations=[Vote("a", 0, True)])
    chain.refused(errors.GovernanceError, [Vote("a", 0, True)], "second time")
    chain.refused(errors.GovernanceError, [Vote("a", 0, False)], "second time")
    chain.refused(errors.GovernanceError, [Vote("poor", 0, True), Vote("poor", 0, True)],
                  "second time")
    chain.until(h + VOTE_END)
    chain.refused(errors.GovernanceError, [Vote("poor", 0, False)], "closed")
    assert chain.acc.proposals[0].votes == {"a": True}
    # staking first in the same block makes the vote valid: operations run in order
    chain.block(operations=[Propose("a", new, chain.next + VOTE_END + P.min_activation_delay),
                            Stake("holder", TOKEN), Vote("holder", 1, False)])
    assert chain.acc.proposals[1].votes == {"holder": False}


def test_stake_moved_to_a_second_account_after_voting_counts_once():
    chain = Chain({"a": 100, "b": 80})
    h = chain.next
    chain.block(operations=[Propose("a", P.replace(slash_ppb=0),
                                    h + VOTE_END + P.min_activation_delay),
                            Vote("a", 0, True), Vote("b", 0, False), Unstake("a", 100 * TOKEN)])
    assert chain.acc.account("a").stake == 0
    chain.until(h + P.unbonding_delay - 1)  # a's 100 tokens are released at h + delay
    assert h + P.unbonding_delay <= h + VOTE_END  # ... while the vote is still open
    balance = chain.acc.account("a").balance + 100 * TOKEN
    chain.block(operations=[Transfer("a", "a2", balance), Stake("a2", 100 * TOKEN),
                            Vote("a2", 0, True)])
    chain.until(h + VOTE_END)
    done = chain.acc.proposals[0]
    # counted twice it would pass (200 of 280 ≥ 2/3); at the tally the stake is a2's only
    assert (done.yes_stake, done.no_stake, done.total_stake) == (100 * TOKEN, 80 * TOKEN,
                                                                 180 * TOKEN)
    assert done.status == "rejected" and done.votes == {"a": True, "b": False, "a2": True}
    assert chain.acc.params(10**6) == P


def test_quorum_and_approval_decide_with_the_stake_at_the_tally():
    chain = Chain({"a": 300, "b": 200, "c": 100, "whale": 2000})
    h = chain.next
    act = h + VOTE_END + P.min_activation_delay
    change = P.replace(reputation_penalty=7)
    chain.block(operations=[
        Propose("a", change, act), Vote("a", 0, True), Vote("b", 0, True),
        Propose("a", change, act), Vote("a", 1, True), Vote("b", 1, False),
        Vote("whale", 1, True),
        Propose("a", change, act), Vote("a", 2, True), Vote("whale", 2, True),
        Vote("b", 2, False), Vote("c", 2, False),
        Propose("a", change, act), Vote("a", 3, True), Vote("b", 3, False)])
    twin = chain.acc.copy()  # the whale keeps its stake: proposals 1 and 2 pass
    for height in range(h + 1, h + VOTE_END + 1):
        twin.apply_block(height, [])
    assert [p.status for p in twin.proposals] == ["rejected", "passed", "passed", "rejected"]
    chain.block(operations=[Unstake("whale", 2000 * TOKEN)])  # before the tally
    chain.until(h + VOTE_END)
    by_id = {p.proposal_id: p for p in chain.acc.proposals}
    total = 600 * TOKEN  # the whale unstaked before the tally: its votes weigh nothing
    for pid, (yes, no) in {0: (500, 0), 1: (300, 200), 2: (300, 300), 3: (300, 200)}.items():
        p = by_id[pid]
        assert (p.yes_stake, p.no_stake, p.total_stake) == (yes * TOKEN, no * TOKEN, total)
        verdict = (yes > 0 and Fraction(yes + no) >= Fraction(P.quorum_ppb, PPB) * 600
                   and Fraction(yes, yes + no) >= Fraction(P.approval_ppb, PPB))
        assert p.status == ("passed" if verdict else "rejected"), pid
    assert [p.status for p in chain.acc.proposals] == ["passed", "rejected", "rejected",
                                                       "rejected"]


def test_quorum_not_reached_rejects_even_a_unanimous_vote():
    chain = Chain({"a": 100, "sleeper": 1000})
    h = chain.next
    chain.block(operations=[Propose("a", P.replace(reputation_gain_max=3),
                                    h + VOTE_END + P.min_activation_delay),
                            Vote("a", 0, True)])
    chain.until(h + VOTE_END)
    p = chain.acc.proposals[0]
    assert p.status == "rejected" and p.yes_stake == 100 * TOKEN and p.no_stake == 0
    assert P.quorum_ppb * 1100 > 100 * PPB  # 9 % of the stake voted


@given(yes=st.integers(0, 10**30), no=st.integers(0, 10**30), extra=st.integers(0, 10**30),
       quorum=st.integers(1, PPB), approval=st.integers(PPB // 2 + 1, PPB))
def test_the_verdict_is_the_exact_rational_rule(yes, no, extra, quorum, approval):
    rules = P.replace(quorum_ppb=quorum, approval_ppb=approval)
    total = yes + no + extra
    expected = (yes > 0 and Fraction(yes + no, total) >= Fraction(quorum, PPB)
                and Fraction(yes, yes + no) >= Fraction(approval, PPB))
    assert passes(yes, no, total, rules) == expected


def test_pause_then_unpause_by_emergency_votes():
    chain = Chain({"a": 1000, "b": 1000})
    paused = P.replace(paused=True)
    h = chain.next
    end = h + P.emergency_voting_period - 1  # only the flag differs: the emergency period
    chain.block(operations=[Propose("a", paused, end + P.min_activation_delay),
                            Vote("a", 0, True), Vote("b", 0, True)])
    assert chain.acc.proposals[0].voting_end == end < h + VOTE_END
    chain.until(end)
    assert chain.acc.proposals[0].status == "passed"
    start = end + P.min_activation_delay
    chain.until(start - 1)
    assert chain.acc.params(start).paused
    # paused: claims counted, nothing paid, no reputation gained, slashing still applies
    seen = chain.acc.begin_block(chain.next)  # the accounts as the block reads them
    before = {n: seen.account(n) for n in ("a", "b")}
    pool = chain.acc.pool
    out = chain.block([claim("a", 1), claim("a", 2), claim("b", 3)], ["b"],
                      [Propose("b", P, start + P.emergency_voting_period - 1
                               + P.min_activation_delay), Vote("a", 1, True)])
    a, b = chain.acc.account("a"), chain.acc.account("b")
    assert out.emission == 0 and out.paid == {"a": 0, "b": 0} and out.paid_total == 0
    assert a.claims_accepted == before["a"].claims_accepted + 2
    assert a.reputation == before["a"].reputation and a.balance == before["a"].balance
    cut = before["b"].stake * P.slash_ppb // PPB
    assert out.slashed == {"b": cut} and b.stake == before["b"].stake - cut
    assert b.reputation == before["b"].reputation - P.reputation_penalty
    assert chain.acc.pool == pool + cut
    unpause_end = chain.acc.proposals[1].voting_end
    chain.block(operations=[Vote("b", 1, True)])
    chain.until(unpause_end)
    assert chain.acc.proposals[1].status == "passed"
    resume = chain.acc.proposals[1].activation_height
    while chain.next < resume:
        pool = chain.acc.pool
        assert chain.block([claim("a", ("p", chain.next))]).paid_total == 0
        assert chain.acc.pool == pool
    out = chain.block([claim("a", "back")])
    assert out.emission > 0 and out.paid["a"] == out.emission
    assert chain.acc.pool + sum(chain.acc.totals()) == SUPPLY
    assert chain.replay().state_root() == chain.acc.state_root()


def test_a_change_beyond_the_pause_flag_takes_the_ordinary_voting_period():
    chain = Chain({"a": 1000})
    h = chain.next
    both = P.replace(paused=True, emission_ppb=1)
    emergency_ok = h + P.emergency_voting_period - 1 + P.min_activation_delay
    chain.refused(errors.GovernanceError, [Propose("a", both, emergency_ok)], "before")
    chain.block(operations=[Propose("a", both, h + VOTE_END + P.min_activation_delay)])
    assert chain.acc.proposals[0].voting_end == h + VOTE_END


def test_passed_proposals_at_one_height_the_later_wins_and_later_entries_stay():
    chain = Chain({"a": 100})
    h = chain.next
    far = h + 20
    first, second, third = (P.replace(reputation_gain_max=g) for g in (5, 6, 7))
    chain.block(operations=[Propose("a", first, far), Vote("a", 0, True)])
    chain.block(operations=[Propose("a", second, far), Vote("a", 1, True),
                            Propose("a", third, far + 5), Vote("a", 2, True)])
    chain.until(h + 1 + VOTE_END)
    assert chain.acc.params(far) == second and chain.acc.params(far + 5) == third
    # a proposal passed later and activating earlier leaves the later entries in place
    early = P.replace(reputation_gain_max=9)
    chain.block(operations=[Propose("a", early, chain.next + VOTE_END
                                    + P.min_activation_delay), Vote("a", 3, True)])
    chain.until(chain.acc.proposals[3].voting_end)
    act = chain.acc.proposals[3].activation_height
    assert [chain.acc.params(x) for x in (act, far, far + 5)] == [early, second, third]


def test_every_governance_change_moves_the_state_root():
    chain = Chain({"a": 100, "b": 100})
    h = chain.next
    new = P.replace(reputation_gain_max=4)
    roots = set()
    for ops in ([], [Propose("a", new, h + VOTE_END + P.min_activation_delay)],
                [Propose("a", new, h + VOTE_END + P.min_activation_delay + 1)],
                [Propose("b", new, h + VOTE_END + P.min_activation_delay)],
                [Propose("a", new.replace(reputation_gain_max=5),
                         h + VOTE_END + P.min_activation_delay)]):
        twin = chain.acc.copy()
        twin.apply_block(h, [], [], ops)
        roots.add(twin.state_root())
    assert len(roots) == 5
    chain.block(operations=[Propose("a", new, h + VOTE_END + P.min_activation_delay)])
    roots = set()
    for ops in ([], [Vote("a", 0, True)], [Vote("a", 0, False)], [Vote("b", 0, True)],
                [Vote("a", 0, True), Vote("b", 0, True)]):
        twin = chain.acc.copy()
        twin.apply_block(h + 1, [], [], ops)
        roots.add(twin.state_root())
    assert len(roots) == 5
    chain.block(operations=[Vote("a", 0, True)])
    chain.until(h + VOTE_END - 1)
    twin = chain.acc.copy()
    twin.apply_block(h + VOTE_END, [])  # the tally (status, weights, schedule) is committed
    leaves_differ = twin.proposals[0] != chain.acc.proposals[0]
    assert leaves_differ and twin.schedule != chain.acc.schedule


def test_serialization_round_trips_governance_and_refuses_tampering():
    chain = Chain({"a": 100, "b": 100})
    h = chain.next
    act = h + VOTE_END + P.min_activation_delay
    chain.block(operations=[Propose("a", P.replace(reputation_gain_max=2), act),
                            Vote("a", 0, True), Vote("b", 0, True)],
                nonces={"a": 3, "b": 1})
    chain.block(operations=[Propose("b", P.replace(reputation_gain_max=3), act + 1),
                            Vote("b", 1, False)])
    chain.until(h + VOTE_END)
    chain.block(operations=[Propose("a", P.replace(paused=True), chain.next + 5)])
    data = chain.acc.to_bytes()
    back = Accountant.from_bytes(data)
    assert back == chain.acc and back.to_bytes() == data
    assert back.state_root() == chain.acc.state_root()
    assert [p.status for p in back.proposals] == ["passed", "rejected", "open"]
    assert back.account("a").nonce == 3
    nxt = chain.next
    assert back.apply_block(nxt, [], [], [Vote("b", 2, True)]) == \
        chain.acc.copy().apply_block(nxt, [], [], [Vote("b", 2, True)])

    def tampered(change) -> None:
        d = chain.acc.to_dict()
        change(d)
        with pytest.raises(errors.EncodingError):
            Accountant.from_dict(d)

    tampered(lambda d: d["proposals"].reverse())
    tampered(lambda d: d["proposals"][0].update(status="maybe"))
    tampered(lambda d: d["proposals"][0].update(yes_stake="-1"))
    tampered(lambda d: d["proposals"][0]["votes"].update(a=1))
    tampered(lambda d: d["proposals"][0]["votes"].update({"": True}))
    tampered(lambda d: d["proposals"][2].update(voting_end=chain.acc.height - 1))
    tampered(lambda d: d["proposals"][2].update(yes_stake="5"))
    tampered(lambda d: d["proposals"][1].update(activation_height=0))
    tampered(lambda d: d["proposals"][1]["params"].update(quorum_ppb=0))
    tampered(lambda d: d["proposals"][1].pop("votes"))
    tampered(lambda d: d.pop("proposals"))
    tampered(lambda d: d["accounts"]["a"].update(nonce=-1))
    tampered(lambda d: d["accounts"]["a"].update(nonce=True))
    tampered(lambda d: d["schedule"][0]["params"].update(paused="no"))


def test_nonces_only_increase_and_create_accounts():
    chain = Chain({"a": 1})
    chain.block(nonces={"a": 1, "newcomer": 2})
    assert chain.acc.account("a").nonce == 1
    fresh = chain.acc.accounts["newcomer"]
    assert (fresh.nonce, fresh.balance, fresh.reputation) == (2, 0, P.reputation_start)
    root = chain.acc.state_root()
    snapshot = chain.acc.to_bytes()
    for bad in ({"a": 1}, {"a": 0}, {"newcomer": 1}, {"a": True}, {"a": 2**64}, {"": 5},
                {"a": 2, "newcomer": 2}):
        with pytest.raises(errors.InvalidOperationError):
            chain.acc.apply_block(chain.next, [], [], [], bad)
        assert chain.acc.to_bytes() == snapshot and chain.acc.state_root() == root
    twin = chain.acc.copy()
    twin.apply_block(chain.next, [])
    chain.block(nonces={"a": 7})
    assert chain.acc.state_root() != twin.state_root()  # the nonce is in the leaf
    assert chain.acc.account("a").nonce == 7


def test_screening_judges_each_operation_against_the_state_the_valid_ones_leave():
    chain = Chain({"a": 100, "b": 0})
    h = chain.next
    act = h + VOTE_END + P.min_activation_delay
    bal_b = chain.acc.account("b").balance
    ops = [Stake("b", bal_b + 1),              # overdraws
           Stake("b", 5 * TOKEN),               # valid
           Vote("b", 0, True),                  # no proposal 0 yet
           Propose("b", P, act),                # 5 tokens < 50 to propose
           Propose("a", P, act),                # valid: proposal 0
           Vote("b", 0, True),                  # valid now
           Vote("b", 0, False),                 # second vote
           Transfer("b", "c", bal_b),           # 5 tokens staked: not enough balance
           "stake 5",                           # not an operation
           Propose("a", P, act - 1),            # too early
           Unstake("a", 100 * TOKEN),           # valid
           Vote("a", 0, True)]                  # a has no stake any more
    before = chain.acc.to_bytes()
    verdicts = chain.acc.screen_operations(h, ops)
    assert chain.acc.to_bytes() == before
    valid = [i for i, v in enumerate(verdicts) if v is None]
    assert valid == [1, 4, 5, 10], verdicts
    assert "balance" in verdicts[0] and "does not exist" in verdicts[2]
    assert "minimum" in verdicts[3] and "second time" in verdicts[6]
    assert "not a Stake" in verdicts[8] and "without stake" in verdicts[11]
    chain.block(operations=[ops[i] for i in valid])
    assert chain.acc.proposals[0].votes == {"b": True}
    assert chain.acc.account("a").stake == 0
    with pytest.raises(errors.HeightError):
        chain.acc.screen_operations(h, [])


def test_preview_sees_governance_operations():
    chain = Chain({"a": 100})
    h = chain.next
    view = chain.acc.preview(h, [Propose("a", P, h + VOTE_END + P.min_activation_delay)])
    assert len(view.proposals) == 1 and not chain.acc.proposals


def test_malformed_governance_operations_are_refused_at_construction():
    for args in [("", P, 5), ("a", P.to_dict(), 5), ("a", P, -1), ("a", P, True),
                 ("a", P, 2**63)]:
        with pytest.raises(errors.InvalidOperationError):
            Propose(*args)
    for args in [("", 0, True), ("a", -1, True), ("a", True, True), ("a", 0, 1),
                 ("a", 0, None)]:
        with pytest.raises(errors.InvalidOperationError):
            Vote(*args)
    assert [op.actor for op in (Stake("s", 1), Unstake("u", 1), Transfer("t", "x", 1),
                                Propose("p", P, 1), Vote("v", 0, False))] == list("sutpv")
    assert isinstance(Accountant().proposals, tuple) and Proposal.__name__ == "Proposal"


def test_a_vote_keeps_the_rules_of_the_block_that_opened_it():
    chain = Chain({"a": 100, "b": 100})
    h = chain.next
    strict = P.replace(quorum_ppb=PPB)  # everyone must vote
    act = h + VOTE_END + P.min_activation_delay
    chain.block(operations=[Propose("a", strict, act), Vote("a", 0, True), Vote("b", 0, True)])
    chain.until(act - 2)
    chain.block(operations=[Propose("a", P.replace(reputation_gain_max=2), act + 10),
                            Vote("a", 1, True)])  # half the stake votes, under P's 40 %
    late = chain.acc.proposals[1]
    assert late.proposed_height < act <= late.voting_end
    chain.until(late.voting_end)
    assert chain.acc.params(late.voting_end).quorum_ppb == PPB
    assert chain.acc.proposals[1].status == "passed"
    assert late.votes == {"a": True} and not passes(100 * TOKEN, 0, 200 * TOKEN, strict)
