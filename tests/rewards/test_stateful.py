# SPDX-License-Identifier: MIT
"""Random sequences of blocks (claims with random fees, invalid proofs, stakes, unstakes,
transfers, parameter changes, governance: proposals of random parameter sets, pauses and
their lifting, votes, valid or not, nonces; the market's moves on a block draft: holds,
releases, forfeits, lost reputation) applied to two accountants in lockstep and to the
independent model of reference.py; after every step the supply invariant, the model's
state and outcome (proposals and tallies included), the state root recomputed from the
documented layout, and a serialization round trip. Operations are screened one by one
and the screen's verdicts must match the model's."""

from __future__ import annotations

import copy
import hashlib

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.rewards.reference import Model, ModelRefusal, model_account, model_proposal
from tests.rewards.strategies import FAST_PARAMS, big_fee, params_sets
from zkcx import errors
from zkcx.rewards import (
    PPB,
    SUPPLY,
    Accountant,
    ClaimKind,
    ParamSchedule,
    Propose,
    Stake,
    Transfer,
    Unstake,
    VerifiedClaim,
    Vote,
)

NODES = ["alice", "bob", "carol", "dave", "ëve"]
node = st.sampled_from(NODES)


class AccountantMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        schedule = ParamSchedule([(0, FAST_PARAMS)])
        self.a = Accountant(schedule)
        self.b = Accountant(schedule)
        self.model = Model([(0, FAST_PARAMS)])
        self.counter = 0
        self.changes: list[int] = []

    def _hash(self) -> bytes:
        self.counter += 1
        return hashlib.sha256(self.counter.to_bytes(8, "big")).digest()

    @rule(
        claims=st.lists(st.tuples(node, st.sampled_from(list(ClaimKind)),
                                  st.integers(1, 10**6),
                                  st.one_of(st.none(), st.integers(0, 10**22))),
                        max_size=10),
        gate_filter=st.integers(0, 5),
        duplicate=st.integers(0, 20),
        invalid=st.lists(node, max_size=3),
        ops=st.lists(st.tuples(st.sampled_from(["stake", "unstake", "transfer"]), node, node,
                               st.integers(1, 1000)), max_size=4),
        overdraw=st.integers(0, 9),
    )
    def block(self, claims, gate_filter, duplicate, invalid, ops, overdraw) -> None:
        """Mostly valid blocks: operations sized from what the node holds at that point of
        the block, claims filtered by the tier the node will be weighed in; fees mostly
        far above the emission cap, else random (0 included: unpaid work); now and then
        an overdraft, an ungated kind or a repeated claim."""
        height = self.model.height + 1
        p = self.model.params(height)
        held = {}
        for n, a in self.model.accounts.items():
            seen = Model.read(p, a, height)
            penalty = p.reputation_penalty * invalid.count(n)
            stake = a["stake"]
            for _ in range(invalid.count(n)):  # penalties come first
                stake -= stake * p.slash_ppb // PPB
            held[n] = dict(balance=a["balance"], stake=stake, weighed=stake,
                           reputation=max(p.reputation_min, seen["reputation"] - penalty))
            # unbonding released at this block (what slashing leaves of it, about)
            held[n]["balance"] += sum(x for x, r in a["unbonding"] if r <= height) // 2
        fresh = {"balance": 0, "stake": 0, "weighed": 0, "reputation": p.reputation_start}
        operations = []
        for i, (kind, src, dst, share) in enumerate(ops):
            mine = held.setdefault(src, dict(fresh))
            field = "stake" if kind == "unstake" else "balance"
            amount = mine[field] * share // 1000
            if overdraw == 0 and i == 0:  # one more than held: the block is refused
                operations.append((Unstake if kind == "unstake" else Stake)(src,
                                                                            mine[field] + 1))
                continue
            if amount == 0:
                continue
            if kind == "stake":
                operations.append(Stake(src, amount))
                mine["balance"] -= amount
                mine["stake"] += amount
            elif kind == "unstake":
                operations.append(Unstake(src, amount))
                mine["stake"] -= amount
                mine["weighed"] = min(mine["weighed"], mine["stake"])
            elif src != dst:
                operations.append(Transfer(src, dst, amount))
                mine["balance"] -= amount
                held.setdefault(dst, dict(fresh))["balance"] += amount
        batch = []
        for who, kind, units, fee in claims:
            if gate_filter:
                mine = held.get(who, fresh)
                tier = self.model.tier(p, {"stake": mine["weighed"],
                                           "reputation": mine["reputation"]})
                if kind not in p.tiers[tier].kinds:
                    continue
            fee = big_fee(units) if fee is None else fee
            batch.append(VerifiedClaim(who, kind, units, self._hash(), fee))
        if batch and duplicate == 0:
            batch.append(batch[0])
        self._apply(height, batch, invalid, operations)

    @rule(data=st.data())
    def market_block(self, data) -> None:
        """The market's moves on a block draft (escrow and bonds: hold, release to a
        balance, forfeit to the pool; late deliveries: lost reputation), sized from what
        the accounts hold, now and then one more than that, between the block's
        penalties and its claims; the claims pay their fees' share."""
        height = self.model.height + 1
        invalid = data.draw(st.lists(node, max_size=1))
        balance = {n: a["balance"] for n, a in self.model.accounts.items()}
        held = {n: a["held"] for n, a in self.model.accounts.items()}
        market = []
        for _ in range(data.draw(st.integers(1, 5))):
            kind = data.draw(st.sampled_from(["hold", "hold", "release", "forfeit", "lose"]))
            who = data.draw(node)
            if kind == "lose":
                market.append(("lose", who, data.draw(st.integers(0, 300))))
                continue
            pocket = balance if kind == "hold" else held
            have = max(0, pocket.get(who, 0))  # an overdraft above leaves -1 behind
            amount = have * data.draw(st.integers(0, 1000)) // 1000
            if data.draw(st.integers(0, 15)) == 0:
                amount = have + 1  # an overdraft: the block is refused
            pocket[who] = have - amount
            if kind == "hold":
                held[who] = held.get(who, 0) + amount
                market.append(("hold", who, amount))
            elif kind == "release":
                to = data.draw(node)
                balance[to] = balance.get(to, 0) + amount
                market.append(("release", who, amount, to))
            else:
                market.append(("forfeit", who, amount))
        batch = [VerifiedClaim(who, ClaimKind.COMPUTE, units, self._hash(),
                               data.draw(st.integers(0, 10**22)))
                 for who, units in data.draw(st.lists(st.tuples(node, st.integers(1, 10**6)),
                                                      max_size=3))]
        self._apply(height, batch, invalid, [], None, market)

    @rule(offset=st.sampled_from([-1, 0, 2, 5]))
    def wrong_height(self, offset) -> None:
        self._apply(self.model.height + 1 + offset if self.model.height + 1 + offset >= 0
                    else self.model.height, [], [], [])

    @rule(params=params_sets(), ahead=st.integers(1, 4))
    def change_parameters(self, params, ahead) -> None:
        at = self.model.height + ahead
        for acc in (self.a, self.b):
            acc.set_schedule(acc.schedule.with_change(at, params))
        self.model.change(at, params)
        self.changes.append(at)

    @precondition(lambda self: self.model.height >= 0)
    @rule(back=st.integers(0, 3))
    def change_in_the_past_is_refused(self, back) -> None:
        at = max(0, self.model.height - back)
        before = self.a.state_root()
        try:
            self.a.set_schedule(self.a.schedule.with_change(at, FAST_PARAMS.replace(
                emission_ppb=FAST_PARAMS.emission_ppb + 1)))
        except errors.ParameterError:
            pass
        else:  # accepted only when it changes nothing already applied
            assert self.a.schedule.at(self.model.height) == self.model.params(self.model.height)
            self.b.set_schedule(self.a.schedule)
            self.model.change(at, self.a.schedule.at(at))
        assert self.a.state_root() == before

    @rule(data=st.data())
    def governance_block(self, data) -> None:
        """Proposals (random parameter sets, or a pause or its lifting), votes, stakes and
        nonces, some invalid (below the minimum stake, activating too early, a vote by a
        non-staker, a second vote, a vote after the window or on no proposal): screened
        one by one, the valid ones applied with a few claims."""
        height = self.model.height + 1
        p = self.model.params(height)
        ops = []
        for _ in range(data.draw(st.integers(1, 5))):
            choice = data.draw(st.sampled_from(["propose", "pause", "vote", "rally", "stake",
                                                "transfer"]))
            who = data.draw(node)
            if choice in ("propose", "pause"):
                stakers = sorted(n for n, acc in self.model.accounts.items()
                                 if acc["stake"] >= p.proposal_min_stake)
                if stakers and data.draw(st.integers(0, 3)):  # mostly someone who may
                    who = data.draw(st.sampled_from(stakers))
                pause = choice == "pause"
                params = p.replace(paused=not p.paused) if pause else data.draw(params_sets())
                period = p.emergency_voting_period if pause else p.voting_period
                earliest = height + period - 1 + p.min_activation_delay
                ops.append(Propose(who, params, earliest + data.draw(st.integers(-1, 2))))
            elif choice == "rally":  # every node backs the newest proposal
                pid = len(self.model.proposals) + sum(isinstance(op, Propose) for op in ops) - 1
                ops.extend(Vote(n, max(pid, 0), True) for n in NODES)
            elif choice == "vote":
                pid = data.draw(st.integers(max(0, len(self.model.proposals) - 3),
                                            len(self.model.proposals) + 1))
                ops.append(Vote(who, pid, data.draw(st.booleans())))
            else:
                balance = self.model.accounts.get(who, {"balance": 0})["balance"]
                amount = max(1, balance * data.draw(st.integers(1, 9)) // 10)
                dst = data.draw(node)
                if choice == "stake":
                    ops.append(Stake(who, amount))
                elif dst != who:
                    ops.append(Transfer(who, dst, amount))
        nonces = {}
        for who, step in data.draw(st.dictionaries(node, st.integers(0, 9), max_size=2)).items():
            current = self.model.accounts.get(who, {"nonce": 0})["nonce"]
            nonces[who] = current + (0 if step == 0 else 1 + step % 3)  # 0: refused
        verdicts = self.a.screen_operations(height, ops)
        assert [v is None for v in verdicts] == self._model_screen(height, ops), verdicts
        valid = [op for op, verdict in zip(ops, verdicts) if verdict is None]
        if len(valid) < len(ops):
            event("operation screened out")
        self._each_operation_touches_only_its_actor(height, valid)
        batch = [VerifiedClaim(who, ClaimKind.COMPUTE, 5, self._hash(), big_fee(5))
                 for who in data.draw(st.lists(node, max_size=3))]
        self._apply(height, batch, [], valid, nonces)

    def _each_operation_touches_only_its_actor(self, height, valid) -> None:
        """Block with the first i + 1 valid operations against the first i: the accounts
        that differ are the actor's, plus a transfer's recipient, whose balance only grows;
        a proposal or a vote changes no account at all."""
        for i, op in enumerate(valid):
            without, with_op = self.a.copy(), self.a.copy()
            without.apply_block(height, [], [], valid[:i])
            with_op.apply_block(height, [], [], valid[:i + 1])
            changed = {n for n in set(without.accounts) | set(with_op.accounts)
                       if without.accounts.get(n) != with_op.accounts.get(n)}
            if isinstance(op, Propose | Vote):
                assert not changed, (op, changed)
                assert with_op.state_root() != without.state_root()
            elif isinstance(op, Transfer):
                assert changed <= {op.src, op.dst}
                got = with_op.account(op.dst).balance - without.account(op.dst).balance
                assert got == op.amount
            else:
                assert changed <= {op.actor}, (op, changed)

    def _model_screen(self, height, ops) -> list[bool]:
        """Each operation is valid when the model accepts it after the valid ones before."""
        valid: list = []
        verdicts = []
        for op in ops:
            trial = copy.deepcopy(self.model)
            try:
                trial.block(height, [], [], [*valid, op])
            except ModelRefusal:
                verdicts.append(False)
            else:
                verdicts.append(True)
                valid.append(op)
        return verdicts

    def _apply(self, height, batch, invalid, operations, nonces=None, market=()) -> None:
        root_before = self.a.state_root()
        pool_before = self.a.pool
        nonces = nonces or {}
        apply = apply_block if not market else _market_block
        try:
            expected = self.model.block(height, batch, invalid, operations, nonces, market)
        except ModelRefusal as refusal:
            for acc in (self.a, self.b):
                try:
                    apply(acc, height, batch, invalid, operations, nonces, market)
                except errors.ZkcxError as exc:
                    assert type(exc).__name__ == refusal.kind, (exc, refusal.kind)
                    event(f"refused: {refusal.kind}")
                else:
                    raise AssertionError(f"expected {refusal.kind}")
                assert acc.state_root() == root_before  # atomic: nothing changed
            return
        out_a = apply(self.a, height, batch, invalid, operations, nonces, market)
        out_b = apply(self.b, height, batch, invalid, operations, nonces, market)
        assert out_a == out_b
        event("block applied")
        for _, status in out_a.tallied:
            event(f"proposal {status}")
        if self.a.params(height).paused:
            event("paused block")
        if out_a.slashed_total:
            event("stake slashed")
        if out_a.released:
            event("unbonding released")
        if any(c.kind in (ClaimKind.TRAINING, ClaimKind.VERIFICATION) for c in batch):
            event("gated kind paid")
        assert out_a.emission == expected["emission"]
        assert dict(out_a.paid) == expected["paid"]
        assert dict(out_a.slashed) == expected["slashed"]
        assert dict(out_a.released) == expected["released"]
        assert list(out_a.tallied) == expected["tallied"]
        assert out_a.forfeited == expected["forfeited"]
        if out_a.forfeited:
            event("held tokens forfeited to the pool")
        if 0 < out_a.emission < pool_before * self.a.params(height).emission_ppb // PPB:
            event("emission bound by the work")
        assert out_a.returned_to_pool == out_a.emission - out_a.paid_total >= 0
        assert out_a.pool == (pool_before - out_a.paid_total + out_a.slashed_total
                              + out_a.forfeited) == self.a.pool

    @invariant()
    def supply_is_conserved_and_nothing_negative(self) -> None:
        self.a.check_invariants()
        balances, stakes, unbonding, held = self.a.totals()
        assert self.a.pool + balances + stakes + unbonding + held == SUPPLY
        assert min([self.a.pool, balances, stakes, unbonding, held]) >= 0

    @invariant()
    def state_matches_the_model(self) -> None:
        assert self.a.height == self.model.height
        assert self.a.pool == self.model.pool
        assert {n: model_account(acc) for n, acc in self.a.accounts.items()} == \
            self.model.accounts
        assert [model_proposal(p) for p in self.a.proposals] == self.model.proposals
        assert self.a.schedule.entries == tuple(self.model.entries)

    @invariant()
    def lockstep_accountants_share_the_root_and_the_model_recomputes_it(self) -> None:
        assert self.a.state_root() == self.b.state_root() == self.model.state_root()

    @invariant()
    def serialization_round_trips(self) -> None:
        restored = Accountant.from_bytes(self.a.to_bytes())
        assert restored == self.a
        assert restored.state_root() == self.a.state_root()
        assert restored.to_bytes() == self.a.to_bytes()


def apply_block(acc, height, batch, invalid, operations, nonces, market):
    return acc.apply_block(height, batch, invalid, operations, nonces)


def _market_block(acc, height, batch, invalid, operations, nonces, market):
    """apply_block's steps on a draft, with the market's moves before the claims."""
    draft = acc.begin_block(height)
    draft.penalize(invalid)
    draft.release_unbonding()
    for index, op in enumerate(operations):
        draft.operate(op, index)
    draft.set_nonces(nonces)
    for kind, who, amount, *to in market:
        if kind == "hold":
            draft.hold(who, amount, "a task fee")
        elif kind == "release":
            draft.release_hold(who, amount, to[0])
        elif kind == "forfeit":
            draft.forfeit_hold(who, amount)
        else:
            draft.lose_reputation(who, amount)
    draft.pay(batch)
    return draft.commit()


AccountantMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None
)
TestAccountantMachine = AccountantMachine.TestCase
