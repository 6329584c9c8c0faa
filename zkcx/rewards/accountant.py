# SPDX-License-Identifier: MIT
"""The reward accountant: the mining pool, accounts, emission, payout, reputation, slashing,
unbonding, governance (proposals, votes, the tally: rules in ``zkcx.rewards.governance``),
nonces, and the state root over all of it. Pure integer state; see the package docstring
for the formulas."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from zkcx.errors import (
    EncodingError,
    HeightError,
    InvalidOperationError,
    ParameterError,
    SupplyInvariantError,
)
from zkcx.io.jsontext import decimal, loads, short
from zkcx.rewards.account import Account
from zkcx.rewards.claims import VerifiedClaim, check_node_id
from zkcx.rewards.draft import BlockDraft, BlockOutcome, eligibility, refreshed
from zkcx.rewards.governance import GovernanceAction, Proposal
from zkcx.rewards.merkle import leaf_hash, merkle_root_of_hashes, put_record
from zkcx.rewards.mutable_state import MutableState
from zkcx.rewards.operations import Operation
from zkcx.rewards.params import (
    DEFAULT_SCHEDULE,
    SUPPLY,
    ClaimKind,
    Params,
    ParamSchedule,
    Tier,
)

__all__ = ["STATE_FORMAT", "Accountant", "BlockDraft", "BlockOutcome"]

#: Format tag of :meth:`Accountant.to_dict` / :meth:`Accountant.to_bytes` (v2: nonces,
#: governance parameters and proposals; v3: held tokens and reputation heights).
STATE_FORMAT = "zkcx-rewards-state-v3"

_NO_NONCES: Mapping[str, int] = MappingProxyType({})


class Accountant(MutableState):
    """Pool, accounts and the rules that move tokens between them (all ints).

    Starts at genesis: everything in the pool, no accounts, ``height == -1``; the first
    block is height 0 and each next block is the previous height + 1.
    """

    __slots__ = ("_schedule", "_height", "_pool", "_accounts", "_leaves", "_order",
                 "_unbonding_nodes", "_root", "_proposals", "_proposal_leaves", "_open",
                 "_schedule_leaf")
    _COMPARED = ("_height", "_pool", "_accounts", "_schedule", "_proposals")  # the rest: caches

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

    @classmethod
    def genesis(cls, grants: Mapping[str, int],
                schedule: ParamSchedule = DEFAULT_SCHEDULE) -> Accountant:
        """A chain's initial distribution: an accountant at height −1 whose accounts in
        ``grants`` (node id → base units > 0) hold those balances, taken from the pool
        (reputation_start of block 0, reputation height 0). Without it nobody could pay
        the first task fee, since every token starts in the pool. Raises ParameterError
        on a bad grant or grants above the supply."""
        if not isinstance(grants, Mapping):
            raise ParameterError(f"grants must map node ids to amounts, got {grants!r}")
        out = cls(schedule)
        start = schedule.at(0).reputation_start
        staged: dict[str, Account] = {}
        for node_id in sorted(grants):
            check_node_id(node_id, ParameterError)
            amount = grants[node_id]
            if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
                raise ParameterError(f"the grant to {node_id!r} must be a positive int of "
                                     f"base units, got {amount!r}")
            staged[node_id] = Account(balance=amount, reputation=start)
        total = sum(grants.values())
        if total > SUPPLY:
            raise ParameterError(f"grants of {total} base units exceed the supply {SUPPLY}")
        out._commit(staged, SUPPLY - total)
        return out

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

    def totals(self) -> tuple[int, int, int, int]:
        """(Σ balances, Σ stakes, Σ unbonding, Σ held) over all accounts."""
        balances = stakes = unbonding = held = 0
        for acc in self._accounts.values():
            balances += acc.balance
            stakes += acc.stake
            unbonding += acc.unbonding_total
            held += acc.held
        return balances, stakes, unbonding, held

    def tier_of(self, node_id: str, height: int | None = None) -> Tier:
        """The tier ``node_id`` holds under the parameters of ``height`` (default: next),
        its reputation read at that height (decayed and clamped, as a block reads it)."""
        h = self._height + 1 if height is None else height
        p = self.params(h)
        acc = self._read(node_id, p, h)
        return p.tiers[p.tier_index(acc.stake, acc.reputation)]

    def eligible(self, node_id: str, kind: ClaimKind, height: int) -> tuple[bool, str]:
        """Whether ``node_id``, in its current state read at ``height`` (reputation decayed
        and clamped), may earn from ``kind`` claims in block ``height``; when not, the
        reason names the tier requirement that fails.

        A block weighs the stake as it stood before its operations and after its
        penalties: within a block, ask the block's draft (``BlockDraft.eligible``)."""
        p = self._schedule.at(height)
        return eligibility(p, node_id, ClaimKind(kind), self._read(node_id, p, height))

    def _read(self, node_id: str, p: Params, height: int) -> Account:
        acc = self._accounts.get(node_id)
        if acc is None:
            return Account(reputation=p.reputation_start, reputation_height=max(height, 0))
        return refreshed(acc, p, max(height, acc.reputation_height))

    # ------------------------------------------------------------------ applying blocks

    def begin_block(self, height: int) -> BlockDraft:
        """A :class:`~zkcx.rewards.draft.BlockDraft` of block ``height`` (= height + 1,
        else HeightError): it stages every change of the block and writes nothing here
        until its ``commit()``."""
        self._check_height(height)
        return BlockDraft(self, height)

    def preview(self, height: int, operations: Sequence[Operation] = (),
                invalid_nodes: Sequence[str] = ()) -> Accountant:
        """A copy in the state block ``height`` reaches after its penalties
        (``invalid_nodes``), releasing matured unbonding and applying ``operations``
        (raises as apply_block would). Its accounts hold the stake after the operations:
        the stake a block weighs is ``begin_block(height).weighed(node)``."""
        draft = self._draft_through_operations(height, invalid_nodes, operations)
        twin = self.copy()
        twin._commit(draft.staged, draft.pool)
        twin._commit_proposals(draft.staged_proposals)
        return twin

    def screen_operations(self, height: int, operations: Sequence[Operation],
                          invalid_nodes: Sequence[str] = ()) -> list[str | None]:
        """Judge each of ``operations`` for block ``height`` one by one, in order, against
        the state exactly as apply_block would stage it (penalties for ``invalid_nodes``
        and the release of unbonding first), each valid one applied before the next is
        judged and each invalid one skipped: None for a valid operation, else the reason
        it is refused. apply_block accepts the valid ones, in the same order, as one
        list. Changes nothing."""
        draft = self._draft_through_operations(height, invalid_nodes, ())
        verdicts: list[str | None] = []
        for index, op in enumerate(operations):
            try:
                draft.operate(op, index)
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
        """Apply block ``height`` (= previous height + 1), atomically and deterministically,
        as the steps of a :class:`~zkcx.rewards.draft.BlockDraft`:

        1. ``penalize(invalid_nodes)`` (one entry per invalid proof): reputation penalty
           and slashing of the stake and of every unbonding entry, before anything else;
        2. ``release_unbonding()``: entries with release_height ≤ height → balances;
        3. ``operate(op)`` for each of ``operations`` in order (the first invalid one
           raises; the rollup keeps only those :meth:`screen_operations` passes), then
           ``set_nonces(nonces)`` (each must exceed the account's current nonce);
        4. ``pay(accepted)``: refuse duplicate claim hashes and claims the node's tier does
           not allow; emission, weights, payout and reputation (package docstring);
        5. ``commit()``: supply check, write, then the proposals whose vote ends at
           ``height`` are tallied (zkcx.rewards.governance).

        Any exception leaves the state exactly as before (nothing is written until every
        step has passed). Raises HeightError, ClaimError (DuplicateClaimError,
        IneligibleClaimError), InvalidOperationError (InsufficientFundsError,
        GovernanceError).
        """
        draft = self._draft_through_operations(height, invalid_nodes, operations)
        if nonces:
            draft.set_nonces(nonces)
        draft.pay(accepted)
        return draft.commit()

    def _draft_through_operations(self, height: int, invalid_nodes: Sequence[str],
                                  operations: Sequence[Operation]) -> BlockDraft:
        """Steps 1–3 of apply_block (without the nonces) on a new draft."""
        draft = self.begin_block(height)
        draft.penalize(invalid_nodes)
        draft.release_unbonding()
        for index, op in enumerate(operations):
            draft.operate(op, index)
        return draft

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

    def unbonding_nodes(self) -> list[str]:
        """The ids of the accounts with unbonding entries, sorted (for BlockDraft)."""
        return sorted(self._unbonding_nodes)

    def proposals_list(self) -> Sequence[Proposal]:
        """Every proposal by id, without a copy (for BlockDraft: read only)."""
        return self._proposals

    def actions_due(self, height: int) -> tuple[tuple[int, GovernanceAction], ...]:
        """(proposal id, action) of every passed action proposal activating at
        ``height``, by id (BlockDraft.due_actions)."""
        return tuple((p.proposal_id, p.params) for p in self._proposals
                     if p.activation_height == height and p.status == "passed"
                     and isinstance(p.params, GovernanceAction))

    def write_block(self, height: int, staged: Mapping[str, Account], pool: int,
                    proposals: Mapping[int, Proposal]) -> tuple[tuple[int, str], ...]:
        """Write block ``height`` (BlockDraft.commit): check the supply invariant on the
        staged accounts, write them, the pool, the height and the proposals, then tally
        the votes ending at ``height``. Returns the tally."""
        self._check_height(height)
        self._check_supply(staged, pool)
        self._commit(staged, pool)
        self._height = height
        self._commit_proposals(proposals)
        return self._tally(height) if self._open else ()

    def _commit_proposals(self, proposals: Mapping[int, Proposal]) -> None:
        for pid in sorted(proposals):
            proposal = proposals[pid]
            if not isinstance(proposal.votes, MappingProxyType):  # read-only once committed
                proposal = replace(proposal, votes=MappingProxyType(proposal.votes))
            put_record(self._proposals, self._proposal_leaves, pid, proposal)
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
            if done.status == "passed" and done.action is None:
                schedule = schedule.with_entry(done.activation_height, done.params)
        self._commit_proposals(closed)
        if schedule is not self._schedule:
            self._schedule = schedule
            self._schedule_leaf = None
        return tuple((pid, closed[pid].status) for pid in closing)

    def _check_supply(self, staged: Mapping[str, Account], new_pool: int) -> None:
        """pool + Σ (balance + stake + unbonding + held) == SUPPLY after the change, and no
        amount negative; computed from the accounts that change only."""
        delta = 0
        accounts = self._accounts
        for node_id, acc in staged.items():
            if _negative(acc):
                raise SupplyInvariantError(f"negative amount in {node_id!r}: {acc}")
            delta += _holdings(acc)
            old = accounts.get(node_id)
            if old is not None:
                delta -= _holdings(old)
        # Held by accounts before: SUPPLY − pool; after: that + delta; so the new pool must
        # be pool − delta (a fresh accountant restored by from_dict starts at pool = SUPPLY).
        if new_pool < 0 or new_pool + delta != self._pool:
            raise SupplyInvariantError(
                f"supply invariant broken: pool {new_pool} + account change {delta} "
                f"!= pool before {self._pool}")

    def check_invariants(self) -> None:
        """Recount everything: pool + Σ balances + Σ stakes + Σ unbonding + Σ held ==
        SUPPLY and no amount is negative (O(accounts); every block checks the same on its
        changes)."""
        balances, stakes, unbonding, held = self.totals()
        if any(map(_negative, self._accounts.values())) or self._pool < 0:
            raise SupplyInvariantError("a negative amount in the accountant's state")
        if self._pool + balances + stakes + unbonding + held != SUPPLY:
            raise SupplyInvariantError(
                f"pool {self._pool} + balances {balances} + stakes {stakes} + unbonding "
                f"{unbonding} + held {held} != supply {SUPPLY}")

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


def _holdings(acc: Account) -> int:
    """balance + stake + unbonding + held: every token the account owns."""
    total = acc.balance + acc.stake + acc.held
    return total + acc.unbonding_total if acc.unbonding else total


def _negative(acc: Account) -> bool:
    return (acc.balance < 0 or acc.stake < 0 or acc.held < 0
            or any(a <= 0 for a, _ in acc.unbonding))
