# SPDX-License-Identifier: MIT
"""What each block did, which the blocks do not store: the payments, the emission paid per
node, the slashing, the late deliveries and the pool after the block.

A block stores what it received and its verdicts; the tokens it moved are the outcome of
applying it to the market (``MarketOutcome``). :class:`ChainHistory` replays the stored
blocks through the rollup's own ``BlockBuilder`` (one implementation of the rules) and
keeps one compact :class:`BlockRecord` per block. The replay takes each block's proof
verdicts as recorded (the claims rejected as invalid-proof fail, every other one passes:
no pairing is computed; ``zkcx block verify`` is what re-checks the proofs), re-runs
everything else, and requires the rebuilt header to equal the stored one, roots and
emission included: a record is never made from a replay that differs from the chain.

The history grows with the chain: a call to :meth:`ChainHistory.sync` replays only the
blocks appended since the last one (it starts again from genesis if the store holds
another chain), so a reader pays for each block once. Thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from zkcx.market import Assignment, LateDelivery, Market, MarketOutcome, TaskPayment
from zkcx.rollup import (
    Block,
    BlockBuilder,
    ChainStore,
    ChainVerificationError,
    KernelRegistry,
    RejectReason,
)


@dataclass(frozen=True)
class BlockRecord:
    """What block ``height`` did to the tokens: ``emission`` left the pool and
    ``returned_to_pool`` of it came back; ``rewards``: emission paid per node;
    ``payments``: the tasks paid (fee, pool fee, bond, model revenue); ``slashed``: stake
    taken per node for invalid proofs; ``late``: missed deadlines; ``assigned``: the
    scheduler's assignments; ``pool``: the pool after the block."""

    height: int
    hash: bytes
    timestamp: int
    emission: int
    returned_to_pool: int
    pool: int
    rewards: Mapping[str, int]
    slashed: Mapping[str, int]
    payments: tuple[TaskPayment, ...]
    late: tuple[LateDelivery, ...]
    assigned: tuple[Assignment, ...]
    accepted: int
    rejected: int
    operations: int
    rejected_operations: int

    @classmethod
    def of(cls, block: Block, outcome: MarketOutcome) -> BlockRecord:
        """The record of ``block`` from the outcome of applying it."""
        ledger = outcome.ledger
        return cls(block.height, block.hash, block.header.timestamp, ledger.emission,
                   ledger.returned_to_pool, ledger.pool, MappingProxyType(dict(ledger.paid)),
                   MappingProxyType(dict(ledger.slashed)), tuple(outcome.paid),
                   tuple(outcome.late), tuple(outcome.assigned), len(block.accepted),
                   len(block.rejected), len(block.operations), len(block.rejected_operations))

    def accounts(self) -> set[str]:
        """The accounts whose tokens this block's outcome names (earnings, payments made,
        slashing)."""
        out = set(self.rewards) | set(self.slashed)
        for p in self.payments:
            out.update((p.node_id, p.poster))
            out.update(holder for holder, _ in p.revenue)
        out.update(late.node_id for late in self.late)
        return out


@dataclass(frozen=True)
class Earnings:
    """What one account received (or lost) in one block: ``reward`` (emission),
    ``fees`` (fee − price − pool fee of the tasks it was paid for, ``tasks``),
    ``revenue`` (its model shares of inference prices), ``slashed`` (stake, for invalid
    proofs) and ``bond_slashed`` (for missed deadlines)."""

    height: int
    reward: int
    fees: int
    revenue: int
    slashed: int
    bond_slashed: int
    tasks: tuple[int, ...]

    @property
    def total(self) -> int:
        """Received minus slashed."""
        return self.reward + self.fees + self.revenue - self.slashed - self.bond_slashed

    @classmethod
    def of(cls, record: BlockRecord, account: str) -> Earnings:
        paid = [p for p in record.payments if p.node_id == account]
        revenue = sum(amount for p in record.payments for holder, amount in p.revenue
                      if holder == account)
        return cls(record.height, record.rewards.get(account, 0),
                   sum(p.node_share for p in paid), revenue, record.slashed.get(account, 0),
                   sum(late.bond_slashed for late in record.late if late.node_id == account),
                   tuple(p.task_id for p in paid))


@dataclass(frozen=True)
class HistoryView:
    """The records of blocks 0 to a store snapshot's head, and the genesis pool."""

    records: Sequence[BlockRecord]
    genesis_pool: int
    _by_account: Mapping[str, Sequence[int]]

    def earnings(self, account: str) -> list[Earnings]:
        """The blocks in which ``account`` received or lost tokens as a node or share
        holder, by height (none of the blocks in which it only paid)."""
        out = []
        for height in self._by_account.get(account, ()):
            if height >= len(self.records):
                break
            entry = Earnings.of(self.records[height], account)
            if entry.reward or entry.fees or entry.revenue or entry.slashed \
                    or entry.bond_slashed or entry.tasks:
                out.append(entry)
        return out


class _RecordedVerdicts:
    """The proof verifier of a replay (``BlockBuilder(verifier=)``): the claims of the
    block being replayed that it recorded as invalid-proof fail, every other one passes
    (module docstring)."""

    def __init__(self) -> None:
        self.invalid: frozenset[int] = frozenset()

    def __call__(self, groups: list) -> set[int]:
        return {index for _vk, _seed, items in groups for index, _public, _proof in items
                if index in self.invalid}


class ChainHistory:
    """The records of a chain's blocks, replayed once each (module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._genesis_hash: bytes | None = None
        self._genesis_pool = 0
        self._records: list[BlockRecord] = []
        self._market: Market | None = None
        self._statements: set[bytes] = set()
        self._by_account: dict[str, list[int]] = {}

    def sync(self, store: ChainStore) -> HistoryView:
        """The records up to ``store``'s head, replaying the blocks not seen yet. Call it
        inside the store's ``snapshot()`` so that its blocks and head agree. Raises
        ``ChainVerificationError`` when a block does not replay to its stored header."""
        head = store.head()
        height = -1 if head is None else head.height
        with self._lock:
            genesis = store.genesis_hash()
            if genesis != self._genesis_hash or (
                    0 <= height < len(self._records)
                    and self._records[height].hash != head.hash):
                self._reset(store, genesis)
            if height >= len(self._records):
                self._replay(store)
            return HistoryView(tuple(self._records[:height + 1]), self._genesis_pool,
                               MappingProxyType(self._by_account))

    def _reset(self, store: ChainStore, genesis: bytes) -> None:
        self._genesis_hash = genesis
        self._market = Market.from_bytes(store.genesis())
        self._genesis_pool = self._market.ledger.pool
        self._records, self._statements, self._by_account = [], set(), {}

    def _replay(self, store: ChainStore) -> None:
        registry = getattr(store, "kernel_registry", None)
        verdicts = _RecordedVerdicts()
        builder = BlockBuilder(registry() if registry else KernelRegistry(),
                               store.chain_id(), verifier=verdicts)
        for block in store.blocks(len(self._records)):
            parent = self._records[-1].hash if self._records else self._genesis_hash
            if block.header.parent_hash != parent:  # another chain under the same genesis
                self._reset(store, self._genesis_hash)
                return self._replay(store)
            verdicts.invalid = frozenset(r.index for r in block.rejected
                                        if r.reason is RejectReason.INVALID_PROOF)
            built = builder.build(parent, self._market, block.received(),
                                  block.received_operations(), block.header.timestamp,
                                  self._statements.__contains__,
                                  aggregates=block.aggregates)  # verify_chain checks them
            if built.block.header != block.header:
                raise ChainVerificationError(block.height, "the block does not replay to "
                                             "its stored header (run `zkcx block verify`)")
            record = BlockRecord.of(block, built.outcome)
            self._market = built.market
            self._statements.update(c.statement_hash for c in block.accepted)
            self._records.append(record)
            for account in record.accounts():
                self._by_account.setdefault(account, []).append(record.height)
        return None
