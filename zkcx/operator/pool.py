# SPDX-License-Identifier: MIT
"""The operator's view of the pending pool, and the choice of what a block takes.

The pool itself lives in the chain store (``store.submit``/``pending``/``append(...,
consumed=...)``: durable, and emptied by the block commit that consumes it). The
operator is its only writer, so it keeps the items' metadata in memory
(``PendingIndex``: no raw bytes) to answer "is this nonce taken?" and "what is this
account's next nonce?" without a query per request, and to choose blocks
(``select_block``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One pending item's metadata (``zkcx.rollup.PendingItem`` without its bytes)."""

    seq: int
    kind: str  # "claim" | "operation"
    hash: bytes
    account: str
    nonce: int

    @classmethod
    def of(cls, item) -> Entry:
        """The entry of a ``PendingItem``."""
        return cls(item.seq, item.kind, bytes(item.hash), item.account, item.nonce)


class PendingIndex:
    """The pending items by hash and by (account, nonce); thread-safe."""

    def __init__(self, items: Iterable = ()) -> None:
        self._lock = threading.Lock()
        self._by_hash: dict[bytes, Entry] = {}
        # account -> nonce -> hashes of its items of that nonce, first come first
        # (more than one only in a pool written by someone else)
        self._by_account: dict[str, dict[int, list[bytes]]] = {}
        for item in items:
            self.add(item)

    def __len__(self) -> int:
        return len(self._by_hash)

    def add(self, item) -> Entry:
        """Record a pending item (a ``PendingItem`` or an ``Entry``)."""
        entry = item if isinstance(item, Entry) else Entry.of(item)
        with self._lock:
            if entry.hash in self._by_hash:
                return self._by_hash[entry.hash]
            self._by_hash[entry.hash] = entry
            self._by_account.setdefault(entry.account, {}).setdefault(
                entry.nonce, []).append(entry.hash)
        return entry

    def remove(self, hashes: Iterable[bytes]) -> None:
        """Forget items (consumed by a block, or dropped)."""
        with self._lock:
            for h in hashes:
                entry = self._by_hash.pop(bytes(h), None)
                if entry is None:
                    continue
                nonces = self._by_account[entry.account]
                hashes = nonces[entry.nonce]
                hashes.remove(entry.hash)
                if not hashes:
                    del nonces[entry.nonce]
                    if not nonces:
                        del self._by_account[entry.account]

    def get(self, item_hash: bytes) -> Entry | None:
        """The pending item of this hash, if any."""
        return self._by_hash.get(bytes(item_hash))

    def taken(self, account: str, nonce: int) -> bytes | None:
        """The hash of the pending item of ``account`` with ``nonce``, if any."""
        with self._lock:
            hashes = self._by_account.get(account, {}).get(nonce)
            return hashes[0] if hashes else None

    def next_nonce(self, account: str, start: int) -> int:
        """The first nonce from ``start`` (the account's on-chain nonce) that no pending
        item of ``account`` takes: the nonce its next transaction signs."""
        with self._lock:
            nonces = self._by_account.get(account, {})
            n = start
            while n in nonces:
                n += 1
            return n

    def entries(self) -> list[Entry]:
        """Every item, in arrival order."""
        with self._lock:
            return sorted(self._by_hash.values(), key=lambda e: e.seq)


@dataclass(frozen=True)
class Selection:
    """What the next block takes (operations and claims, each in the order the block
    lists them) and the stale items to drop (nonces below their account's)."""

    operations: list[Entry]
    claims: list[Entry]
    stale: list[Entry]

    @property
    def taken(self) -> list[Entry]:
        return [*self.operations, *self.claims]


def select_block(entries: Iterable[Entry], account_nonce: Callable[[str], int],
                 block_size: int) -> Selection:
    """The items of the next block, at most ``block_size``.

    Per account (accounts in the order of their first arrival): the run of consecutive
    nonces from the account's on-chain nonce ``account_nonce(account)``; a gap ends it
    (the later ones wait for the missing nonce). The builder applies a block's
    operations before its claims, so an operation that follows a claim of the same
    account in the run ends it too: it waits for the next block. Items whose nonce is
    below the account's are stale (a block already used that nonce). Within the block
    each account's operations and claims are in nonce order."""
    by_account: dict[str, list[Entry]] = {}
    for e in sorted(entries, key=lambda e: e.seq):
        by_account.setdefault(e.account, []).append(e)
    taken: list[tuple[int, Entry]] = []  # (account rank, entry)
    stale: list[Entry] = []
    room = block_size
    for rank, (account, items) in enumerate(by_account.items()):
        base = account_nonce(account)
        stale.extend(e for e in items if e.nonce < base)
        of_nonce: dict[int, list[Entry]] = {}  # items by nonce, in arrival order
        for e in items:
            of_nonce.setdefault(e.nonce, []).append(e)
        expected, after_claim = base, False
        while room > 0:
            # the first item of the next nonce that may follow (several items of one
            # nonce exist only in a pool written by someone else)
            e = next((e for e in of_nonce.get(expected, ())
                      if not (after_claim and e.kind == "operation")), None)
            if e is None:
                break
            taken.append((rank, e))
            room -= 1
            expected += 1
            after_claim = after_claim or e.kind == "claim"
    taken.sort(key=lambda pair: (pair[0], pair[1].nonce))
    return Selection([e for _, e in taken if e.kind == "operation"],
                     [e for _, e in taken if e.kind == "claim"], stale)
