# SPDX-License-Identifier: MIT
"""One block of the accountant as a transaction: :class:`BlockDraft` stages every change
of block h and writes nothing to the :class:`~zkcx.rewards.accountant.Accountant` until
:meth:`BlockDraft.commit`. ``Accountant.apply_block``, ``preview`` and
``screen_operations`` are compositions of its steps; the market layer drives a draft
directly, interleaving its own operations (escrow, bonds, deadlines) with the ledger's.

Every step either completes or raises having staged nothing: after an exception the
draft is exactly as before the call and stays usable (the rollup screens operations one
by one this way). Only :meth:`BlockDraft.commit` writes, once; after it the draft is
spent.

The steps of ``apply_block``, in order (formulas in the package docstring):

1. :meth:`~BlockDraft.penalize` — reputation penalty and slashing per invalid proof,
   first: the offender's claims in this block are weighed after it, and unbonding
   entries due in this block are slashed before they are released;
2. :meth:`~BlockDraft.release_unbonding` — unbonding entries due at h → balances;
3. :meth:`~BlockDraft.operate` per operation, then :meth:`~BlockDraft.set_nonces`;
4. :meth:`~BlockDraft.pay` — gating, emission, weights, payout, reputation;
5. :meth:`~BlockDraft.commit` — supply check, write, then the governance tally.

The market calls :meth:`~BlockDraft.hold`, :meth:`~BlockDraft.release_hold`,
:meth:`~BlockDraft.forfeit_hold` and :meth:`~BlockDraft.lose_reputation` between steps
2 and 4 (deadlines after step 2, fees and bonds before ``pay``).

Every account the draft reads is brought up to this height first (:func:`refreshed`:
reputation decay since its ``reputation_height``, then clamped to the block's
[reputation_min, reputation_max]); every account it writes carries this height as its
``reputation_height``. Claims are weighed, and tiers judged, with the *weighed* account
(:meth:`BlockDraft.weighed`): its stake is min(stake before the block's operations,
stake now), so stake added in a block counts from the next block and stake removed
stops counting at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING

from zkcx.errors import (
    ClaimError,
    DuplicateClaimError,
    GovernanceError,
    HeightError,
    IneligibleClaimError,
    InsufficientFundsError,
    InvalidOperationError,
)
from zkcx.rewards.account import Account
from zkcx.rewards.claims import VerifiedClaim, check_node_id
from zkcx.rewards.governance import PASSED, GovernanceAction, Proposal
from zkcx.rewards.operations import Operation, Propose, Stake, Transfer, Unstake, Vote
from zkcx.rewards.params import PERMILLE, PPB, ClaimKind, Params, Tier

if TYPE_CHECKING:
    from zkcx.rewards.accountant import Accountant

_claim_hash = attrgetter("claim_hash")


@dataclass(frozen=True)
class BlockOutcome:
    """What one block did to the accountant.

    ``emission`` left the pool; ``paid`` (per node with accepted claims, possibly 0) went
    to balances; ``returned_to_pool`` = emission − Σ paid (rounding remainders, or all of it
    when no claim carries weight); ``slashed`` (per node with invalid proofs) came back
    from stakes; ``released`` (per node) moved from unbonding to balances; ``forfeited``
    went from held tokens to the pool (``BlockDraft.forfeit_hold``). ``pool`` is the pool
    after the block: pool_before − Σ paid + Σ slashed + forfeited. ``tallied``: (proposal
    id, "passed" or "rejected") for each proposal whose vote closed with this block.
    """

    height: int
    emission: int
    paid: Mapping[str, int]
    returned_to_pool: int
    slashed: Mapping[str, int]
    released: Mapping[str, int]
    total_weight: int
    pool: int
    state_root: bytes
    tallied: tuple[tuple[int, str], ...] = ()
    forfeited: int = 0
    #: (proposal id, activation height, action) of each proposal carrying a
    #: GovernanceAction that passed in this block's tally, by id: the layer defining the
    #: action's kind applies it in block activation height (BlockDraft.due_actions).
    passed_actions: tuple[tuple[int, int, GovernanceAction], ...] = ()

    @property
    def paid_total(self) -> int:
        """Σ paid."""
        return sum(self.paid.values())

    @property
    def slashed_total(self) -> int:
        """Σ slashed."""
        return sum(self.slashed.values())


class BlockDraft:
    """The staged changes of block ``height`` over an accountant (see the module
    docstring). Create it with ``Accountant.begin_block(height)``."""

    __slots__ = ("height", "params", "_ledger", "_staged", "_proposals", "_pool",
                 "_released", "_slashed", "_paid", "_emission", "_total_weight",
                 "_forfeited", "_paid_once", "_done", "_stake_before")

    def __init__(self, ledger: Accountant, height: int) -> None:
        self._ledger = ledger
        #: The block's height.
        self.height = height
        #: The parameters governing this block.
        self.params: Params = ledger.schedule.at(height)
        self._staged: dict[str, Account] = {}
        self._proposals: dict[int, Proposal] = {}  # new or changed proposals by id
        self._pool = ledger.pool
        self._released: dict[str, int] = {}
        self._slashed: dict[str, int] = {}
        self._paid: dict[str, int] = {}
        self._emission = 0
        self._total_weight = 0
        self._forfeited = 0
        self._paid_once = False
        self._done = False
        self._stake_before: dict[str, int] = {}  # stake before the first operation on it

    # ------------------------------------------------------------------ reading

    def account(self, node_id: str) -> Account:
        """``node_id``'s account as this block has staged it so far, brought up to this
        height (:func:`refreshed`); the fresh account (reputation_start) for a node never
        seen."""
        acc = self._staged.get(node_id)
        if acc is not None:
            return acc
        stored = self._ledger.accounts.get(node_id)
        if stored is None:
            return Account(reputation=self.params.reputation_start,
                           reputation_height=self.height)
        return refreshed(stored, self.params, self.height)

    def weighed(self, node_id: str) -> Account:
        """The account :meth:`pay` weighs and gates ``node_id`` with: :meth:`account` with
        the stake it had before this block's operations when that was less (stake added
        in a block counts from the next one; unstaking counts at once)."""
        acc = self.account(node_id)
        before = self._stake_before.get(node_id)
        if before is None or before >= acc.stake:
            return acc
        return replace(acc, stake=before)

    @property
    def pool(self) -> int:
        """The pool as staged so far."""
        return self._pool

    def tier_index(self, node_id: str) -> int:
        """Index in ``params.tiers`` of the tier ``node_id`` holds now in this block (from
        the stake and reputation :meth:`pay` weighs it with: :meth:`weighed`)."""
        acc = self.weighed(node_id)
        return self.params.tier_index(acc.stake, acc.reputation)

    def eligible(self, node_id: str, kind: ClaimKind) -> tuple[bool, str]:
        """Whether ``node_id`` may now earn from ``kind`` claims in this block (the check
        :meth:`pay` makes); when not, the reason names the tier requirement that fails."""
        return eligibility(self.params, node_id, ClaimKind(kind), self.weighed(node_id))

    def due_actions(self) -> tuple[tuple[int, GovernanceAction], ...]:
        """(proposal id, action) of every passed proposal carrying a GovernanceAction
        whose activation height is this block's, by id: the layer that defines the
        actions applies them in this block (this layer never interprets them)."""
        return self._ledger.actions_due(self.height)

    # ------------------------------------------------------------------ steps

    def release_unbonding(self) -> Mapping[str, int]:
        """Step 2: every unbonding entry with release_height ≤ height moves to its
        account's balance. Returns (and records for the outcome) the amount per node."""
        height = self.height
        released: dict[str, int] = {}
        staged: dict[str, Account] = {}
        for node_id in self._ledger.unbonding_nodes():
            acc = self.account(node_id)
            due = sum(a for a, h in acc.unbonding if h <= height)
            if due:
                released[node_id] = due
                staged[node_id] = replace(
                    acc, balance=acc.balance + due,
                    unbonding=tuple((a, h) for a, h in acc.unbonding if h > height))
        self._staged.update(staged)
        for node_id, due in released.items():
            self._released[node_id] = self._released.get(node_id, 0) + due
        return MappingProxyType(released)

    def operate(self, op: Operation, index: int = 0) -> None:
        """Step 3, one operation (``index``: its position, for messages): ``Stake``
        (balance → stake), ``Unstake`` (stake → an unbonding entry released at height +
        unbonding_delay), ``Transfer`` (balance → balance), ``Propose`` or ``Vote``
        (``zkcx.rewards.governance``). Raises InvalidOperationError (InsufficientFundsError,
        GovernanceError) having staged nothing."""
        kind = type(op)
        if kind is Stake:
            self._stake(op, index)
        elif kind is Unstake:
            self._unstake(op, index)
        elif kind is Transfer:
            self._transfer(op, index)
        elif kind is Propose:
            self._propose(op, index)
        elif kind is Vote:
            self._vote(op, index)
        else:
            raise InvalidOperationError(
                f"block {self.height}, operation {index}: not a Stake, Unstake, Transfer, "
                f"Propose or Vote: {op!r}")

    def set_nonces(self, nonces: Mapping[str, int]) -> None:
        """Step 3, last: each account named in ``nonces`` takes its new nonce, which must
        be an int above its current nonce and below 2^64 (else InvalidOperationError,
        nothing staged)."""
        if not isinstance(nonces, Mapping):
            raise InvalidOperationError(f"block {self.height}: nonces must map node ids "
                                        "to ints")
        staged: dict[str, Account] = {}
        for node_id in sorted(nonces):
            check_node_id(node_id, InvalidOperationError)
            nonce = nonces[node_id]
            acc = self.account(node_id)
            if (not isinstance(nonce, int) or isinstance(nonce, bool)
                    or not acc.nonce < nonce < 1 << 64):
                raise InvalidOperationError(
                    f"block {self.height}: nonce {nonce!r} for {node_id!r} must be an int "
                    f"above its current nonce {acc.nonce} (and below 2^64)")
            staged[node_id] = replace(acc, nonce=nonce)
        self._staged.update(staged)

    def hold(self, node_id: str, amount: int, what: str) -> None:
        """Lock ``amount`` of ``node_id``'s balance (balance → held): a task fee in escrow
        or an execution bond. InsufficientFundsError naming ``what`` when the balance is
        short."""
        _check_amount(amount)
        if not amount:
            return
        acc = self.account(node_id)
        if acc.balance < amount:
            raise InsufficientFundsError(
                f"block {self.height}: {node_id!r} cannot lock {amount} for {what}: its "
                f"balance is {acc.balance}")
        self._staged[node_id] = replace(acc, balance=acc.balance - amount,
                                        held=acc.held + amount)

    def release_hold(self, owner: str, amount: int, to: str) -> None:
        """Move ``amount`` of ``owner``'s held tokens to ``to``'s balance (a fee paid, a
        fee or bond returned; ``to`` may be ``owner``). InsufficientFundsError when
        ``owner`` holds less."""
        _check_amount(amount)
        if not amount:
            return
        self._take_held(owner, amount)
        dst = self.account(to)
        self._staged[to] = replace(dst, balance=dst.balance + amount)

    def forfeit_hold(self, owner: str, amount: int) -> None:
        """Move ``amount`` of ``owner``'s held tokens to the pool (a slashed bond, the
        pool's share of a fee): returned to the pool, never burned."""
        _check_amount(amount)
        if not amount:
            return
        self._take_held(owner, amount)
        self._pool += amount
        self._forfeited += amount

    def lose_reputation(self, node_id: str, amount: int) -> None:
        """Lower ``node_id``'s reputation by ``amount`` (≥ 0), floored at reputation_min
        (a late delivery)."""
        _check_amount(amount)
        if not amount:
            return
        acc = self.account(node_id)
        self._staged[node_id] = replace(
            acc, reputation=max(self.params.reputation_min, acc.reputation - amount))

    def pay(self, accepted: Sequence[VerifiedClaim]) -> Mapping[str, int]:
        """Step 4, once per block: gate, weigh and pay the block's accepted claims.

        Gating: a repeated claim hash raises DuplicateClaimError, a claim of a kind its
        node's tier (from :meth:`weighed`) does not allow IneligibleClaimError (nothing
        staged). A claim is *paid work* when fee ≥ work_units · min_fee_per_unit; the
        others count in claims_accepted and nothing else. Per node n, over its paid work:
        B_n = Σ work_units · kind_weight, u_n = Σ work_units, cap_n = Σ floor(fee ·
        emission_fee_cap_ppb / 10⁹), and (weighed stake s, reputation r)

            W_n = B_n · multiplier_permille · (1000 · cap + boost_max_permille · min(s, cap)) · r

        (the exact weight times the common denominator 1000 · 1000 · cap ·
        reputation_start). Emission E = min(floor(pool · emission_ppb / 10⁹),
        Σ B_n · emission_per_unit), with the pool as it stood before the block (0 when
        paused). Node n is paid min(floor(E · W_n / W), cap_n), W = Σ W_n (0 when W = 0);
        E − Σ paid stays in the pool. Reputation += min(reputation_gain_max,
        u_n // reputation_units_per_point), at most reputation_max (no gain when paused).
        Returns the payout per node."""
        if self._paid_once:
            raise ClaimError(f"block {self.height}: its claims are paid once")
        nodes = self._node_totals(accepted)
        p = self.params
        weights = self._weights(nodes)
        total_weight = sum(weights.values())
        emission = 0
        if not p.paused:
            work = sum(t.base for t in nodes.values()) * p.emission_per_unit
            emission = min(self._ledger.pool * p.emission_ppb // PPB, work)
        paid: dict[str, int] = {}
        for node_id, t in nodes.items():
            share = emission * weights[node_id] // total_weight if total_weight else 0
            paid[node_id] = amount = min(share, t.fee_cap)
            gain = 0 if p.paused else min(p.reputation_gain_max,
                                          t.units // p.reputation_units_per_point)
            acc = self.account(node_id)
            self._staged[node_id] = replace(
                acc, balance=acc.balance + amount,
                reputation=min(p.reputation_max, acc.reputation + gain),
                claims_accepted=acc.claims_accepted + t.count,
                earned_total=acc.earned_total + amount)
        self._pool -= sum(paid.values())
        self._paid, self._emission, self._total_weight = paid, emission, total_weight
        self._paid_once = True
        return MappingProxyType(paid)

    def penalize(self, invalid_nodes: Iterable[str]) -> Mapping[str, int]:
        """Step 1: per entry of ``invalid_nodes`` (one per invalid proof), reputation −=
        reputation_penalty (floored at reputation_min) and floor(x · slash_ppb / 10⁹) of
        the stake x and of each unbonding entry x returns to the pool. Returns the amount
        slashed per node by this call."""
        nodes = list(invalid_nodes)
        for node_id in nodes:
            check_node_id(node_id, ClaimError)
        p = self.params
        slashed: dict[str, int] = {}
        for node_id in nodes:
            acc = self.account(node_id)
            cut_stake = acc.stake * p.slash_ppb // PPB
            cut_unbonding = tuple(a * p.slash_ppb // PPB for a, _ in acc.unbonding)
            cut = cut_stake + sum(cut_unbonding)
            slashed[node_id] = slashed.get(node_id, 0) + cut
            self._staged[node_id] = replace(
                acc,
                stake=acc.stake - cut_stake,
                unbonding=tuple((a - c, h) for (a, h), c in zip(acc.unbonding, cut_unbonding)
                                if a - c > 0),
                reputation=max(p.reputation_min, acc.reputation - p.reputation_penalty),
                proofs_invalid=acc.proofs_invalid + 1,
                slashed_total=acc.slashed_total + cut,
            )
        for node_id, cut in slashed.items():
            self._slashed[node_id] = self._slashed.get(node_id, 0) + cut
            self._pool += cut
        return MappingProxyType(slashed)

    def commit(self) -> BlockOutcome:
        """Step 5, once: check pool + Σ(balance + stake + unbonding + held) = SUPPLY on the
        staged changes (SupplyInvariantError), write them to the accountant, advance its
        height, then tally the proposals whose vote ends at this height (a passed set
        enters the schedule). HeightError when the draft was committed already or the
        accountant has moved on."""
        ledger = self._ledger
        if self._done or ledger.height != self.height - 1:
            raise HeightError(f"block draft {self.height} was committed already or the "
                              f"accountant is at height {ledger.height}")
        tallied = ledger.write_block(self.height, self._staged, self._pool, self._proposals)
        self._done = True
        proposals = ledger.proposals_list()
        passed_actions = tuple(
            (pid, proposals[pid].activation_height, proposals[pid].action)
            for pid, status in tallied
            if status == PASSED and proposals[pid].action is not None)
        return BlockOutcome(
            height=self.height,
            emission=self._emission,
            paid=MappingProxyType(self._paid),
            returned_to_pool=self._emission - sum(self._paid.values()),
            slashed=MappingProxyType(self._slashed),
            released=MappingProxyType(self._released),
            total_weight=self._total_weight,
            pool=self._pool,
            state_root=ledger.state_root(),
            tallied=tallied,
            forfeited=self._forfeited,
            passed_actions=passed_actions,  # type: ignore[arg-type]  # actions, not None
        )

    @property
    def staged(self) -> Mapping[str, Account]:
        """The accounts this block has changed so far (read-only)."""
        return MappingProxyType(self._staged)

    @property
    def staged_proposals(self) -> Mapping[int, Proposal]:
        """The proposals this block has made or voted on so far, by id (read-only)."""
        return MappingProxyType(self._proposals)

    # ------------------------------------------------------------------ internals

    def _node_totals(self, accepted: Sequence[VerifiedClaim]) -> dict[str, _NodeTotals]:
        """Per node with claims: its claims' totals (see :meth:`pay`), after the duplicate
        and eligibility checks."""
        if accepted and set(map(type, accepted)) != {VerifiedClaim}:
            bad = next(c for c in accepted if type(c) is not VerifiedClaim)
            raise ClaimError(f"accepted claims must be VerifiedClaim, got {bad!r}")
        if len(set(map(_claim_hash, accepted))) != len(accepted):
            raise DuplicateClaimError(_duplicate_message(accepted))
        p = self.params
        kind_weights, min_fee, cap_ppb = p.kind_weights, p.min_fee_per_unit, p.emission_fee_cap_ppb
        nodes: dict[str, _NodeTotals] = {}
        for claim in accepted:
            t = nodes.get(claim.node_id)
            if t is None:
                t = nodes[claim.node_id] = _NodeTotals()
            t.count += 1
            t.kinds[claim.kind] = None
            units, fee = claim.work_units, claim.fee
            if fee >= units * min_fee:  # paid work
                t.base += units * kind_weights[claim.kind]
                t.units += units
                t.fee_cap += fee * cap_ppb // PPB
        for node_id, t in nodes.items():
            acc = self.weighed(node_id)
            t.stake, t.reputation = acc.stake, acc.reputation
            t.tier = p.tiers[p.tier_index(acc.stake, acc.reputation)]
            for kind in t.kinds:
                if kind not in t.tier.kinds:
                    reason = eligibility(p, node_id, kind, acc)[1]
                    raise IneligibleClaimError(f"block {self.height}: {reason}")
        return nodes

    def _weights(self, nodes: dict[str, _NodeTotals]) -> dict[str, int]:
        """W_n per node (see :meth:`pay`)."""
        cap = self.params.stake_boost_cap
        boost_max = self.params.stake_boost_max_permille
        return {node_id: t.base * t.tier.multiplier_permille
                * (PERMILLE * cap + boost_max * min(t.stake, cap)) * t.reputation
                for node_id, t in nodes.items()}

    def _where(self, index: int) -> str:
        return f"block {self.height}, operation {index}"

    def _stake(self, op: Stake, index: int) -> None:
        acc = self.account(op.node_id)
        if acc.balance < op.amount:
            raise InsufficientFundsError(
                f"{self._where(index)}: {op.node_id!r} stakes {op.amount} but its balance "
                f"is {acc.balance} (nodes stake what they have earned)")
        self._stake_before.setdefault(op.node_id, acc.stake)
        self._staged[op.node_id] = replace(acc, balance=acc.balance - op.amount,
                                           stake=acc.stake + op.amount)

    def _unstake(self, op: Unstake, index: int) -> None:
        acc = self.account(op.node_id)
        if acc.stake < op.amount:
            raise InsufficientFundsError(
                f"{self._where(index)}: {op.node_id!r} unstakes {op.amount} but its stake "
                f"is {acc.stake}")
        entry = (op.amount, self.height + self.params.unbonding_delay)
        self._stake_before.setdefault(op.node_id, acc.stake)
        self._staged[op.node_id] = replace(acc, stake=acc.stake - op.amount,
                                           unbonding=_add_entry(acc.unbonding, entry))

    def _transfer(self, op: Transfer, index: int) -> None:
        src = self.account(op.src)
        if src.balance < op.amount:
            raise InsufficientFundsError(
                f"{self._where(index)}: {op.src!r} transfers {op.amount} but its balance "
                f"is {src.balance}")
        self._staged[op.src] = replace(src, balance=src.balance - op.amount)
        dst = self.account(op.dst)
        self._staged[op.dst] = replace(dst, balance=dst.balance + op.amount)

    def _propose(self, op: Propose, index: int) -> None:
        p, height = self.params, self.height
        where = f"{self._where(index)}: {op.proposer!r} proposes"
        stake = self.account(op.proposer).stake
        if stake < p.proposal_min_stake:
            raise GovernanceError(f"{where} with stake {stake}, below the minimum "
                                  f"{p.proposal_min_stake} to propose")
        emergency = op.action is None and p.differs_only_in_pause(op.params)
        period = p.emergency_voting_period if emergency else p.voting_period
        voting_end = height + period - 1
        earliest = voting_end + p.min_activation_delay
        if op.activation_height < earliest:
            raise GovernanceError(
                f"{where} activation at {op.activation_height}, before {earliest} (its vote "
                f"ends at {voting_end}, then {p.min_activation_delay} blocks of delay)")
        known = len(self._ledger.proposals_list())
        pid = known + sum(1 for i in self._proposals if i >= known)
        self._proposals[pid] = Proposal(pid, op.proposer, op.params, op.activation_height,
                                        height, voting_end, {})

    def _vote(self, op: Vote, index: int) -> None:
        pid = op.proposal_id
        where = f"{self._where(index)}: {op.voter!r} votes on proposal {pid}"
        proposal = self._proposals.get(pid)
        if proposal is None:
            known = self._ledger.proposals_list()
            if pid >= len(known):
                raise GovernanceError(f"{where}, which does not exist")
            proposal = known[pid]
        if not proposal.is_open or self.height > proposal.voting_end:
            raise GovernanceError(f"{where}, whose vote closed at height "
                                  f"{proposal.voting_end}")
        if op.voter in proposal.votes:
            raise GovernanceError(f"{where} a second time (one vote per account)")
        if self.account(op.voter).stake <= 0:
            raise GovernanceError(f"{where} without stake (votes weigh the voter's stake)")
        if pid not in self._proposals:  # first change in this block: a private copy
            proposal = self._proposals[pid] = replace(proposal, votes=dict(proposal.votes))
        proposal.votes[op.voter] = op.support  # type: ignore[index]  # the private copy

    def _take_held(self, owner: str, amount: int) -> None:
        acc = self.account(owner)
        if acc.held < amount:
            raise InsufficientFundsError(
                f"block {self.height}: {owner!r} holds {acc.held}, not the {amount} to "
                "release")
        self._staged[owner] = replace(acc, held=acc.held - amount)


class _NodeTotals:
    """One node's claims in a block: count, kinds, and over its paid work B_n (base),
    u_n (units) and the emission cap (fee_cap); then the stake, reputation and tier it is
    weighed with."""

    __slots__ = ("count", "kinds", "base", "units", "fee_cap", "stake", "reputation", "tier")

    def __init__(self) -> None:
        self.count = self.base = self.units = self.fee_cap = 0
        self.stake = self.reputation = 0
        self.kinds: dict[ClaimKind, None] = {}  # an ordered set
        self.tier: Tier | None = None


def refreshed(acc: Account, p: Params, height: int) -> Account:
    """``acc`` as block ``height`` (under ``p``) reads it: a reputation above
    reputation_start decays by reputation_decay_per_block per block since
    ``acc.reputation_height`` (never below the start), then is clamped to
    [reputation_min, reputation_max] (a lowered cap acts in the block it activates);
    ``reputation_height`` becomes ``height``."""
    rep, start = acc.reputation, p.reputation_start
    if rep > start:
        rep = max(start, rep - p.reputation_decay_per_block * (height - acc.reputation_height))
    rep = min(max(rep, p.reputation_min), p.reputation_max)
    return replace(acc, reputation=rep, reputation_height=height)


def eligibility(p: Params, node_id: str, kind: ClaimKind, acc: Account) -> tuple[bool, str]:
    """Whether ``acc`` (``node_id``'s account as weighed) may earn from ``kind`` claims under
    ``p``; when not, the reason names the tier requirement that fails."""
    index = p.tier_index(acc.stake, acc.reputation)
    tier = p.tiers[index]
    if kind in tier.kinds:
        return True, ""
    needed = next((t for t in p.tiers if kind in t.kinds), None)
    where = (f"node {node_id!r} is in tier {tier.name!r} (stake {acc.stake}, reputation "
             f"{acc.reputation})")
    if needed is None:
        return False, f"{where}; no tier may earn {kind.value} claims"
    missing = []
    if acc.stake < needed.min_stake:
        missing.append(f"stake {acc.stake} < {needed.min_stake}")
    if acc.reputation < needed.min_reputation:
        missing.append(f"reputation {acc.reputation} < {needed.min_reputation}")
    return False, (f"{where}; {kind.value} claims need tier {needed.name!r}: "
                   + " and ".join(missing))


def _check_amount(amount: object) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise InvalidOperationError(f"an amount is an int ≥ 0 of base units, got {amount!r}")


def _add_entry(entries: tuple[tuple[int, int], ...], entry: tuple[int, int]
               ) -> tuple[tuple[int, int], ...]:
    """Insert (amount, release) keeping release heights ordered; an entry with the same
    release height merges into it."""
    amount, release = entry
    out = []
    merged = False
    for a, h in entries:
        if h == release:
            out.append((a + amount, h))
            merged = True
        else:
            out.append((a, h))
    if not merged:
        out.append(entry)
        out.sort(key=lambda e: e[1])
    return tuple(out)


def _duplicate_message(accepted: Sequence[VerifiedClaim]) -> str:
    seen: set[bytes] = set()
    for index, claim in enumerate(accepted):
        if claim.claim_hash in seen:
            return f"claim #{index} repeats claim hash {claim.claim_hash.hex()} in one block"
        seen.add(claim.claim_hash)
    return "duplicate claim hash in one block"
