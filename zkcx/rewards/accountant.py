# SPDX-License-Identifier: MIT
"""The reward accountant: the mining pool, accounts, emission, payout, reputation, slashing,
unbonding, governance (proposals, votes, the tally: rules in ``zkcx.rewards.governance``),
nonces, and the state root over all of it. Pure integer state; see the package docstring
for the formulas."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from zkcx.errors import (
    ClaimError,
    DuplicateClaimError,
    EncodingError,
    GovernanceError,
    HeightError,
    IneligibleClaimError,
    InsufficientFundsError,
    InvalidOperationError,
    ParameterError,
    SupplyInvariantError,
)
from zkcx.io.jsontext import decimal, loads, short
from zkcx.rewards.account import Account
from zkcx.rewards.claims import VerifiedClaim, check_node_id
from zkcx.rewards.governance import Proposal
from zkcx.rewards.merkle import leaf_hash, merkle_root_of_hashes
from zkcx.rewards.operations import Operation, Propose, Stake, Transfer, Unstake, Vote
from zkcx.rewards.params import (
    DEFAULT_SCHEDULE,
    PERMILLE,
    PPB,
    SUPPLY,
    ClaimKind,
    Params,
    ParamSchedule,
    Tier,
)

_claim_hash = attrgetter("claim_hash")
_node_and_kind = attrgetter("node_id", "kind")
_work_units = attrgetter("work_units")

#: Format tag of :meth:`Accountant.to_dict` / :meth:`Accountant.to_bytes` (v2: nonces,
#: governance parameters and proposals).
STATE_FORMAT = "zkcx-rewards-state-v2"

_NO_NONCES: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True)
class BlockOutcome:
    """What one block did to the accountant.

    ``emission`` left the pool; ``paid`` (per node with accepted claims, possibly 0) went
    to balances; ``returned_to_pool`` = emission − Σ paid (rounding remainders, or all of it
    when no claim carries weight); ``slashed`` (per node with invalid proofs) came back
    from stakes; ``released`` (per node) moved from unbonding to balances. ``pool`` is the
    pool after the block: pool_before − Σ paid + Σ slashed. ``tallied``: (proposal id,
    "passed" or "rejected") for each proposal whose vote closed with this block.
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

    @property
    def paid_total(self) -> int:
        """Σ paid."""
        return sum(self.paid.values())

    @property
    def slashed_total(self) -> int:
        """Σ slashed."""
        return sum(self.slashed.values())


class Accountant:
    """Pool, accounts and the rules that move tokens between them (all ints).

    Starts at genesis: everything in the pool, no accounts, ``height == -1``; the first
    block is height 0 and each next block is the previous height + 1.
    """

    __slots__ = ("_schedule", "_height", "_pool", "_accounts", "_leaves", "_order",
                 "_unbonding_nodes", "_root", "_proposals", "_proposal_leaves", "_open",
                 "_schedule_leaf")

    def __init__(self, schedule: ParamSchedule = DEFAULT_SCHEDULE) -> None:
        if not isinstance(schedule, ParamSchedule):
            raise ParameterError(f"schedule must be a ParamSchedule, got {schedule!r}")
        self._schedule = schedule
        self._height = -1
        self._pool = SUPPLY
        self._accounts: dict[str, Account] = {}
        self._leaves: dict[str, bytes] = {}  # node id -> leaf hash (cache)
        self._order: list[str] | None = []  # sorted node ids (None: re-sort on demand)
        self._unbonding_nodes: set[str] = set()
        self._root: bytes | None = None
        self._proposals: list[Proposal] = []  # index = proposal id
        self._proposal_leaves: list[bytes] = []  # leaf hashes (cache)
        self._open: set[int] = set()  # ids of the open proposals
        self._schedule_leaf: bytes | None = None  # (cache)

    # ------------------------------------------------------------------ reading state

    @property
    def height(self) -> int:
        """Height of the last applied block (−1 before the first)."""
        return self._height

    @property
    def pool(self) -> int:
        """Base units left in the mining pool."""
        return self._pool

    @property
    def schedule(self) -> ParamSchedule:
        """The parameter schedule in force."""
        return self._schedule

    @property
    def accounts(self) -> Mapping[str, Account]:
        """Every account, read-only (nodes never seen have none)."""
        return MappingProxyType(self._accounts)

    @property
    def proposals(self) -> tuple[Proposal, ...]:
        """Every proposal ever made, by id (open and closed)."""
        return tuple(self._proposals)

    def params(self, height: int | None = None) -> Params:
        """The parameters governing block ``height`` (default: the next block)."""
        return self._schedule.at(self._height + 1 if height is None else height)

    def account(self, node_id: str, height: int | None = None) -> Account:
        """``node_id``'s account, or the fresh account (reputation_start of the parameters at
        ``height``, default the next block) a node gets on first contact."""
        acc = self._accounts.get(node_id)
        if acc is None:
            acc = Account(reputation=self.params(height).reputation_start)
        return acc

    def totals(self) -> tuple[int, int, int]:
        """(Σ balances, Σ stakes, Σ unbonding) over all accounts."""
        balances = stakes = unbonding = 0
        for acc in self._accounts.values():
            balances += acc.balance
            stakes += acc.stake
            unbonding += acc.unbonding_total
        return balances, stakes, unbonding

    def tier_of(self, node_id: str, height: int | None = None) -> Tier:
        """The tier ``node_id`` holds under the parameters of ``height`` (default: next)."""
        p = self.params(height)
        acc = self.account(node_id, height)
        return p.tiers[p.tier_index(acc.stake, acc.reputation)]

    def eligible(self, node_id: str, kind: ClaimKind, height: int) -> tuple[bool, str]:
        """Whether ``node_id``, in its current state, may earn from ``kind`` claims in block
        ``height``; when not, the reason names the tier requirement that fails.

        apply_block checks eligibility after the block's operations, so a node staking in
        the same block should be checked on ``preview(height, operations)``."""
        p = self._schedule.at(height)
        return _eligibility(p, node_id, ClaimKind(kind), self.account(node_id, height))

    # ------------------------------------------------------------------ applying blocks

    def preview(self, height: int, operations: Sequence[Operation] = ()) -> Accountant:
        """A copy in the state block ``height`` sees when it weighs claims: after releasing
        matured unbonding and applying ``operations`` (raises as apply_block would)."""
        self._check_height(height)
        proposals: dict[int, Proposal] = {}
        staged = self._release_and_operate(height, self._schedule.at(height), operations,
                                           {}, proposals)[0]
        twin = self.copy()
        twin._commit(staged, twin._pool)
        twin._commit_proposals(proposals)
        return twin

    def screen_operations(self, height: int, operations: Sequence[Operation]
                          ) -> list[str | None]:
        """Judge each of ``operations`` for block ``height`` one by one, in order, against
        the state exactly as apply_block would stage it (unbonding released first), each
        valid one applied before the next is judged and each invalid one skipped: None
        for a valid operation, else the reason it is refused. apply_block accepts the
        valid ones, in the same order, as one list. Changes nothing."""
        self._check_height(height)
        p = self._schedule.at(height)
        staged: dict[str, Account] = {}
        self._release(height, staged)
        get = self._staged_getter(staged, p)
        proposals: dict[int, Proposal] = {}
        verdicts: list[str | None] = []
        for index, op in enumerate(operations):
            try:
                self._operate(height, p, index, op, staged, proposals, get)
            except InvalidOperationError as exc:
                verdicts.append(str(exc))
            else:
                verdicts.append(None)
        return verdicts

    def apply_block(
        self,
        height: int,
        accepted: Sequence[VerifiedClaim],
        invalid_nodes: Sequence[str] = (),
        operations: Sequence[Operation] = (),
        nonces: Mapping[str, int] = _NO_NONCES,
    ) -> BlockOutcome:
        """Apply block ``height`` (= previous height + 1), atomically and deterministically:

        1. release unbonding entries with release_height ≤ height into balances;
        2. apply ``operations`` in order (the first invalid one raises; the rollup keeps
           only those :meth:`screen_operations` passes), then set each account named in
           ``nonces`` to its nonce (which must exceed its current nonce);
        3. refuse duplicate claim hashes and claims the node's tier does not allow;
        4. emission E = floor(pool · emission_ppb / 10⁹) leaves the pool;
        5. each node n with accepted claims earns floor(E · W_n / W), W = Σ W_n, where
           W_n = (Σ work_units · kind_weight) · tier_multiplier_permille ·
           (1000 · cap + boost_max_permille · min(stake, cap)) · reputation
           (the exact weight times the common denominator 1000 · 1000 · cap ·
           reputation_start); the remainder E − Σ paid returns to the pool;
        6. reputation += gain per accepted claim (capped at reputation_max);
        7. per entry of ``invalid_nodes`` (one per invalid proof): reputation −= penalty
           (floored at reputation_min); floor(stake · slash_ppb / 10⁹) and the same share
           of each unbonding entry return to the pool;
        8. proposals whose vote ends at ``height`` are tallied (zkcx.rewards.governance);
           a passed one enters the schedule at its (future) activation height.

        Under paused parameters steps 4 and 5 pay nothing (E = 0) and step 6 grants no
        reputation; the claims still count in claims_accepted.

        Any exception leaves the state exactly as before (nothing is written until every
        check has passed). Raises HeightError, ClaimError (DuplicateClaimError,
        IneligibleClaimError), InvalidOperationError (InsufficientFundsError,
        GovernanceError).
        """
        self._check_height(height)
        p = self._schedule.at(height)
        proposals: dict[int, Proposal] = {}
        staged, released = self._release_and_operate(height, p, operations, {}, proposals)
        get = self._staged_getter(staged, p)
        if nonces:
            self._set_nonces(height, nonces, staged, get)

        # aggregate the claims by node and kind: base_n = Σ work_units · kind_weight
        if accepted and set(map(type, accepted)) != {VerifiedClaim}:
            bad = next(c for c in accepted if type(c) is not VerifiedClaim)
            raise ClaimError(f"accepted claims must be VerifiedClaim, got {bad!r}")
        if len(set(map(_claim_hash, accepted))) != len(accepted):
            raise DuplicateClaimError(_duplicate_message(accepted))
        keys = list(map(_node_and_kind, accepted))
        units_by_key: dict[tuple[str, ClaimKind], int] = {}
        get_units = units_by_key.get
        for key, units in zip(keys, map(_work_units, accepted)):
            units_by_key[key] = get_units(key, 0) + units
        count_by_key = Counter(keys)

        # per node: its account as the block sees it, tier, B_n and claim count
        accounts = self._accounts
        fresh = Account(reputation=p.reputation_start)
        kind_weights = p.kind_weights
        tiers, tier_index = p.tiers, p.tier_index
        nodes: dict[str, list] = {}  # node id -> [account, tier, B_n, count]
        for key, units in units_by_key.items():
            node_id, kind = key
            entry = nodes.get(node_id)
            if entry is None:
                acc = staged.get(node_id) or accounts.get(node_id) or fresh
                entry = nodes[node_id] = [acc, tiers[tier_index(acc.stake, acc.reputation)],
                                          0, 0]
            if kind not in entry[1].kinds:
                reason = _eligibility(p, node_id, kind, entry[0])[1]
                raise IneligibleClaimError(f"block {height}: {reason}")
            entry[2] += units * kind_weights[kind]
            entry[3] += count_by_key[key]

        # weights W_n and payout floor(E · W_n / W)
        cap = p.stake_boost_cap
        boost_max = p.stake_boost_max_permille
        weights = [
            b * tier.multiplier_permille * (PERMILLE * cap + boost_max * min(acc.stake, cap))
            * acc.reputation
            for acc, tier, b, _ in nodes.values()
        ]
        total_weight = sum(weights)
        emission = 0 if p.paused else self._pool * p.emission_ppb // PPB
        paid: dict[str, int] = {}
        rep_max, gain = p.reputation_max, p.reputation_gain
        if p.paused:  # reputation stays as it is (reputation_max caps a gain only)
            rep_max, gain = 1 << 64, 0
        for (node_id, (acc, _, _, n)), w in zip(nodes.items(), weights):
            amount = emission * w // total_weight if total_weight else 0
            paid[node_id] = amount
            staged[node_id] = Account(
                acc.balance + amount, acc.stake, acc.unbonding,
                min(rep_max, acc.reputation + gain * n),
                acc.claims_accepted + n, acc.proofs_invalid, acc.earned_total + amount,
                acc.slashed_total, acc.nonce)
        paid_total = sum(paid.values())

        # invalid proofs: reputation penalty and slashing
        slashed: dict[str, int] = {}
        for node_id in invalid_nodes:
            check_node_id(node_id, ClaimError)
            acc = get(node_id)
            cut_stake = acc.stake * p.slash_ppb // PPB
            cut_unbonding = tuple(a * p.slash_ppb // PPB for a, _ in acc.unbonding)
            cut = cut_stake + sum(cut_unbonding)
            slashed[node_id] = slashed.get(node_id, 0) + cut
            staged[node_id] = replace(
                acc,
                stake=acc.stake - cut_stake,
                unbonding=tuple((a - c, h) for (a, h), c in zip(acc.unbonding, cut_unbonding)
                                if a - c > 0),
                reputation=max(p.reputation_min, acc.reputation - p.reputation_penalty),
                proofs_invalid=acc.proofs_invalid + 1,
                slashed_total=acc.slashed_total + cut,
            )
        slashed_total = sum(slashed.values())

        new_pool = self._pool - paid_total + slashed_total
        self._check_supply(staged, new_pool)
        self._commit(staged, new_pool)
        self._height = height
        self._commit_proposals(proposals)
        tallied = self._tally(height) if self._open else ()
        return BlockOutcome(
            height=height,
            emission=emission,
            paid=MappingProxyType(paid),
            returned_to_pool=emission - paid_total,
            slashed=MappingProxyType(slashed),
            released=MappingProxyType(released),
            total_weight=total_weight,
            pool=new_pool,
            state_root=self.state_root(),
            tallied=tallied,
        )

    def set_schedule(self, schedule: ParamSchedule) -> None:
        """Replace the parameter schedule (governance). The new schedule must give the same
        parameters as the old one at every height already applied: a change can only take
        effect from a future height on."""
        if not isinstance(schedule, ParamSchedule):
            raise ParameterError(f"schedule must be a ParamSchedule, got {schedule!r}")
        if not schedule.agrees_until(self._schedule, self._height):
            raise ParameterError(
                f"the new schedule changes parameters at or before the applied height "
                f"{self._height}; changes may only activate from height {self._height + 1} on"
            )
        self._schedule = schedule
        self._schedule_leaf = None
        self._root = None

    # ------------------------------------------------------------------ state root

    def state_root(self) -> bytes:
        """Merkle root (zkcx.rewards.merkle) over the global leaf, the schedule leaf, one
        leaf per proposal (by id), then every account leaf, sorted by node id (UTF-8 byte
        order). Global leaf payload:

        b"G" ‖ i64 height (two's complement) ‖ u256 pool ‖ u256 supply ‖
        32-byte digest of the parameters of block max(height, 0)

        Schedule leaf payload (every entry, the future ones included, since governance
        changes the future): b"S" ‖ u32 n ‖ n × (u64 activation_height ‖ params digest).

        Proposal leaf payload: :meth:`Proposal.leaf_payload`; account leaf payload:
        :meth:`Account.leaf_payload`. All integers big-endian.
        """
        if self._root is None:
            if self._order is None:
                self._order = sorted(self._accounts)
            if self._schedule_leaf is None:
                self._schedule_leaf = leaf_hash(self._schedule_payload())
            leaves = [leaf_hash(self._global_payload()), self._schedule_leaf,
                      *self._proposal_leaves]
            cache = self._leaves
            leaves.extend(cache[n] for n in self._order)
            self._root = merkle_root_of_hashes(leaves)
        return self._root

    def _global_payload(self) -> bytes:
        params = self._schedule.at(max(self._height, 0))
        return b"".join([b"G", self._height.to_bytes(8, "big", signed=True),
                         self._pool.to_bytes(32, "big"), SUPPLY.to_bytes(32, "big"),
                         params.digest()])

    def _schedule_payload(self) -> bytes:
        entries = self._schedule.entries
        return b"".join([b"S", len(entries).to_bytes(4, "big"),
                         *(h.to_bytes(8, "big") + p.digest() for h, p in entries)])

    # ------------------------------------------------------------------ serialization

    def to_dict(self) -> dict[str, Any]:
        """JSON-able exact state (amounts as decimal strings), schedule included."""
        return {
            "format": STATE_FORMAT,
            "height": self._height,
            "pool": str(self._pool),
            "schedule": self._schedule.to_list(),
            "proposals": [proposal.to_dict() for proposal in self._proposals],
            "accounts": {n: self._accounts[n].to_dict() for n in sorted(self._accounts)},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Accountant:
        """Inverse of :meth:`to_dict`; checks the format, the type and range of every
        field (height in [-1, 2^63), amounts in [0, 2^256), counts in [0, 2^64)), that
        proposal ids run 0, 1, 2, … and no open proposal's vote has ended, and the supply
        invariant. Raises ``EncodingError`` or ``SupplyInvariantError``; nothing else."""
        if not isinstance(d, Mapping):
            raise EncodingError(f"accountant state must be an object, got {type(d).__name__}")
        try:
            if d["format"] != STATE_FORMAT:
                raise EncodingError(f"not a {STATE_FORMAT} state: format "
                                    f"{short(d['format'])}")
            if set(d) != {"format", "height", "pool", "schedule", "proposals", "accounts"}:
                raise EncodingError(f"an accountant state has the fields format, height, "
                                    f"pool, schedule, proposals, accounts; got "
                                    f"{short(sorted(d))}")
            schedule = ParamSchedule.from_list(d["schedule"])
            height = d["height"]
            if (not isinstance(height, int) or isinstance(height, bool)
                    or not -1 <= height < 1 << 63):
                raise EncodingError(f"height must be an int in [-1, 2^63), got {short(height)}")
            pool_text = d["pool"]
            pool = decimal(pool_text, "pool", 1 << 256, EncodingError, allow_int=False)
            accounts = d["accounts"]
            if not isinstance(accounts, Mapping):
                raise EncodingError("accounts must be an object")
            staged = {}
            for node_id, acc in accounts.items():
                check_node_id(node_id, EncodingError)
                if not isinstance(acc, Mapping):
                    raise EncodingError(f"account {short(node_id)} must be an object")
                staged[node_id] = Account.from_dict(acc)
            items = d["proposals"]
            if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
                raise EncodingError("proposals must be a list of objects")
            proposals = [Proposal.from_dict(item) for item in items]
        except (KeyError, ParameterError) as exc:
            raise EncodingError(f"malformed accountant state: {exc}") from exc
        for index, proposal in enumerate(proposals):
            if proposal.proposal_id != index:
                raise EncodingError(f"proposal #{index} has id {proposal.proposal_id}: ids "
                                    "run 0, 1, 2, …")
            if proposal.proposed_height > height or proposal.is_open != (
                    proposal.voting_end > height):
                raise EncodingError(f"proposal {index} is inconsistent with height {height}: "
                                    "proposed later, open after its vote ended or closed "
                                    "before")
        out = cls(schedule)
        out._height = height
        out._check_supply(staged, pool)
        out._commit(staged, pool)
        out._commit_proposals(dict(enumerate(proposals)))
        return out

    def to_bytes(self) -> bytes:
        """Canonical JSON of :meth:`to_dict` (sorted keys, no spaces, UTF-8)."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Accountant:
        """Inverse of :meth:`to_bytes`: UTF-8 JSON decoded with bounded nesting and
        number sizes (``zkcx.io.jsontext``), then :meth:`from_dict` (same errors)."""
        d = loads(data, "accountant state", EncodingError)
        if not isinstance(d, dict):
            raise EncodingError("accountant state must be a JSON object")
        return cls.from_dict(d)

    def copy(self) -> Accountant:
        """An independent copy (accounts are immutable, so the maps are copied shallowly)."""
        twin = Accountant.__new__(Accountant)
        twin._schedule = self._schedule
        twin._height = self._height
        twin._pool = self._pool
        twin._accounts = dict(self._accounts)
        twin._leaves = dict(self._leaves)
        twin._order = None if self._order is None else list(self._order)
        twin._unbonding_nodes = set(self._unbonding_nodes)
        twin._root = self._root
        twin._proposals = list(self._proposals)
        twin._proposal_leaves = list(self._proposal_leaves)
        twin._open = set(self._open)
        twin._schedule_leaf = self._schedule_leaf
        return twin

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Accountant):
            return NotImplemented
        return (self._height == other._height and self._pool == other._pool
                and self._accounts == other._accounts and self._schedule == other._schedule
                and self._proposals == other._proposals)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return (f"Accountant(height={self._height}, pool={self._pool}, "
                f"accounts={len(self._accounts)})")

    # ------------------------------------------------------------------ internals

    def _check_height(self, height: int) -> None:
        if not isinstance(height, int) or isinstance(height, bool):
            raise HeightError(f"a block height is an int, got {height!r}")
        if height != self._height + 1:
            raise HeightError(
                f"block height {height} does not follow {self._height}: expected "
                f"{self._height + 1}"
            )

    def _staged_getter(self, staged: dict[str, Account], p: Params):
        accounts = self._accounts
        fresh = Account(reputation=p.reputation_start)

        def get(node_id: str) -> Account:
            acc = staged.get(node_id)
            if acc is None:
                acc = accounts.get(node_id, fresh)
            return acc

        return get

    def _release_and_operate(
        self, height: int, p: Params, operations: Iterable[Operation],
        staged: dict[str, Account], proposals: dict[int, Proposal],
    ) -> tuple[dict[str, Account], dict[str, int]]:
        """Steps 1 and 2 of apply_block, into ``staged`` and ``proposals`` (new or changed
        proposals by id); self is not touched. The first invalid operation raises."""
        released = self._release(height, staged)
        get = self._staged_getter(staged, p)
        operate = self._operate
        for index, op in enumerate(operations):
            operate(height, p, index, op, staged, proposals, get)
        return staged, released

    def _release(self, height: int, staged: dict[str, Account]) -> dict[str, int]:
        """Step 1: unbonding entries due at ``height`` move to the balances (in staged)."""
        released: dict[str, int] = {}
        for node_id in sorted(self._unbonding_nodes):
            acc = self._accounts[node_id]
            due = sum(a for a, h in acc.unbonding if h <= height)
            if due:
                released[node_id] = due
                staged[node_id] = replace(
                    acc, balance=acc.balance + due,
                    unbonding=tuple((a, h) for a, h in acc.unbonding if h > height))
        return released

    def _operate(self, height: int, p: Params, index: int, op: Operation,
                 staged: dict[str, Account], proposals: dict[int, Proposal], get) -> None:
        """Apply one operation to ``staged``/``proposals``, or raise (InvalidOperationError
        and subclasses) having written nothing."""
        kind = type(op)
        if kind is Stake:
            acc = get(op.node_id)
            if acc.balance < op.amount:
                raise InsufficientFundsError(
                    f"block {height}, operation {index}: {op.node_id!r} stakes "
                    f"{op.amount} but its balance is {acc.balance} (nodes stake what "
                    "they have earned)")
            staged[op.node_id] = replace(acc, balance=acc.balance - op.amount,
                                         stake=acc.stake + op.amount)
        elif kind is Unstake:
            acc = get(op.node_id)
            if acc.stake < op.amount:
                raise InsufficientFundsError(
                    f"block {height}, operation {index}: {op.node_id!r} unstakes "
                    f"{op.amount} but its stake is {acc.stake}")
            entry = (op.amount, height + p.unbonding_delay)
            staged[op.node_id] = replace(acc, stake=acc.stake - op.amount,
                                         unbonding=_add_entry(acc.unbonding, entry))
        elif kind is Transfer:
            src = get(op.src)
            if src.balance < op.amount:
                raise InsufficientFundsError(
                    f"block {height}, operation {index}: {op.src!r} transfers "
                    f"{op.amount} but its balance is {src.balance}")
            staged[op.src] = replace(src, balance=src.balance - op.amount)
            dst = get(op.dst)
            staged[op.dst] = replace(dst, balance=dst.balance + op.amount)
        elif kind is Propose:
            self._propose(height, p, index, op, proposals, get)
        elif kind is Vote:
            self._vote(height, index, op, proposals, get)
        else:
            raise InvalidOperationError(
                f"block {height}, operation {index}: not a Stake, Unstake, Transfer, "
                f"Propose or Vote: {op!r}")

    def _propose(self, height: int, p: Params, index: int, op: Propose,
                 proposals: dict[int, Proposal], get) -> None:
        where = f"block {height}, operation {index}: {op.proposer!r} proposes"
        stake = get(op.proposer).stake
        if stake < p.proposal_min_stake:
            raise GovernanceError(f"{where} with stake {stake}, below the minimum "
                                  f"{p.proposal_min_stake} to propose")
        emergency = p.differs_only_in_pause(op.params)
        period = p.emergency_voting_period if emergency else p.voting_period
        voting_end = height + period - 1
        earliest = voting_end + p.min_activation_delay
        if op.activation_height < earliest:
            raise GovernanceError(
                f"{where} activation at {op.activation_height}, before {earliest} (its vote "
                f"ends at {voting_end}, then {p.min_activation_delay} blocks of delay)")
        pid = len(self._proposals) + sum(1 for i in proposals if i >= len(self._proposals))
        proposals[pid] = Proposal(pid, op.proposer, op.params, op.activation_height, height,
                                  voting_end, {})

    def _vote(self, height: int, index: int, op: Vote, proposals: dict[int, Proposal],
              get) -> None:
        pid = op.proposal_id
        where = f"block {height}, operation {index}: {op.voter!r} votes on proposal {pid}"
        proposal = proposals.get(pid)
        if proposal is None:
            if pid >= len(self._proposals):
                raise GovernanceError(f"{where}, which does not exist")
            proposal = self._proposals[pid]
        if not proposal.is_open or height > proposal.voting_end:
            raise GovernanceError(f"{where}, whose vote closed at height "
                                  f"{proposal.voting_end}")
        if op.voter in proposal.votes:
            raise GovernanceError(f"{where} a second time (one vote per account)")
        if get(op.voter).stake <= 0:
            raise GovernanceError(f"{where} without stake (votes weigh the voter's stake)")
        if pid not in proposals:  # first change in this block: a private copy of the votes
            proposal = proposals[pid] = replace(proposal, votes=dict(proposal.votes))
        proposal.votes[op.voter] = op.support  # type: ignore[index]  # the private copy

    def _set_nonces(self, height: int, nonces: Mapping[str, int],
                    staged: dict[str, Account], get) -> None:
        if not isinstance(nonces, Mapping):
            raise InvalidOperationError(f"block {height}: nonces must map node ids to ints")
        for node_id in sorted(nonces):
            check_node_id(node_id, InvalidOperationError)
            nonce = nonces[node_id]
            acc = get(node_id)
            if (not isinstance(nonce, int) or isinstance(nonce, bool)
                    or not acc.nonce < nonce < 1 << 64):
                raise InvalidOperationError(
                    f"block {height}: nonce {nonce!r} for {node_id!r} must be an int "
                    f"above its current nonce {acc.nonce} (and below 2^64)")
            staged[node_id] = replace(acc, nonce=nonce)

    def _commit_proposals(self, proposals: Mapping[int, Proposal]) -> None:
        for pid in sorted(proposals):
            proposal = proposals[pid]
            if not isinstance(proposal.votes, MappingProxyType):  # read-only once committed
                proposal = replace(proposal, votes=MappingProxyType(proposal.votes))
            leaf = leaf_hash(proposal.leaf_payload())
            if pid == len(self._proposals):
                self._proposals.append(proposal)
                self._proposal_leaves.append(leaf)
            else:
                self._proposals[pid] = proposal
                self._proposal_leaves[pid] = leaf
            if proposal.is_open:
                self._open.add(pid)
            else:
                self._open.discard(pid)
        if proposals:
            self._root = None

    def _tally(self, height: int) -> tuple[tuple[int, str], ...]:
        """Step 8: close the votes ending at ``height`` (state after the block)."""
        closing = sorted(pid for pid in self._open if self._proposals[pid].voting_end <= height)
        if not closing:
            return ()
        accounts = self._accounts
        total_stake = sum(acc.stake for acc in accounts.values())

        def stake_of(node_id: str) -> int:
            acc = accounts.get(node_id)
            return acc.stake if acc is not None else 0

        closed: dict[int, Proposal] = {}
        schedule = self._schedule
        for pid in closing:
            proposal = self._proposals[pid]
            rules = schedule.at(proposal.proposed_height)
            closed[pid] = done = proposal.tallied(stake_of, total_stake, rules)
            if done.status == "passed":
                schedule = schedule.with_entry(done.activation_height, done.params)
        self._commit_proposals(closed)
        if schedule is not self._schedule:
            self._schedule = schedule
            self._schedule_leaf = None
        return tuple((pid, closed[pid].status) for pid in closing)

    def _check_supply(self, staged: Mapping[str, Account], new_pool: int) -> None:
        """pool + Σ balances + Σ stakes + Σ unbonding == SUPPLY after the change, and no
        amount negative; computed from the accounts that change only."""
        delta = 0
        accounts = self._accounts
        for node_id, acc in staged.items():
            if acc.balance < 0 or acc.stake < 0 or (acc.unbonding and
                                                    any(a <= 0 for a, _ in acc.unbonding)):
                raise SupplyInvariantError(f"negative amount in {node_id!r}: {acc}")
            old = accounts.get(node_id)
            delta += acc.balance + acc.stake
            if acc.unbonding:
                delta += acc.unbonding_total
            if old is not None:
                delta -= old.balance + old.stake
                if old.unbonding:
                    delta -= old.unbonding_total
        # Held by accounts before: SUPPLY − pool; after: that + delta; so the new pool must
        # be pool − delta (a fresh accountant restored by from_dict starts at pool = SUPPLY).
        if new_pool < 0 or new_pool + delta != self._pool:
            raise SupplyInvariantError(
                f"supply invariant broken: pool {new_pool} + account change {delta} "
                f"!= pool before {self._pool}")

    def check_invariants(self) -> None:
        """Recount everything: pool + Σ balances + Σ stakes + Σ unbonding == SUPPLY and no
        amount is negative (O(accounts); apply_block checks the same on the changes)."""
        balances, stakes, unbonding = self.totals()
        if any(acc.balance < 0 or acc.stake < 0 or any(a <= 0 for a, _ in acc.unbonding)
               for acc in self._accounts.values()) or self._pool < 0:
            raise SupplyInvariantError("a negative amount in the accountant's state")
        if self._pool + balances + stakes + unbonding != SUPPLY:
            raise SupplyInvariantError(
                f"pool {self._pool} + balances {balances} + stakes {stakes} + unbonding "
                f"{unbonding} != supply {SUPPLY}")

    def _commit(self, staged: Mapping[str, Account], new_pool: int) -> None:
        accounts = self._accounts
        leaves = self._leaves
        for node_id, acc in staged.items():
            if node_id not in accounts and self._order is not None:
                self._order = None
            accounts[node_id] = acc
            leaves[node_id] = leaf_hash(acc.leaf_payload(node_id))
            if acc.unbonding:
                self._unbonding_nodes.add(node_id)
            else:
                self._unbonding_nodes.discard(node_id)
        self._pool = new_pool
        self._root = None


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


def _eligibility(p: Params, node_id: str, kind: ClaimKind, acc: Account) -> tuple[bool, str]:
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


def _duplicate_message(accepted: Sequence[VerifiedClaim]) -> str:
    seen: set[bytes] = set()
    for index, claim in enumerate(accepted):
        if claim.claim_hash in seen:
            return f"claim #{index} repeats claim hash {claim.claim_hash.hex()} in one block"
        seen.add(claim.claim_hash)
    return "duplicate claim hash in one block"
