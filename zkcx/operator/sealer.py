# SPDX-License-Identifier: MIT
"""The sealer: a worker thread that turns the pending pool into blocks.

It seals when the pool holds ``block_size`` items it has not yet found unsealable, and
every ``block_interval`` seconds (an empty block too when ``seal_empty``: task deadlines
move with the height). A block takes ``select_block``'s choice; the builder batch-verifies
its claims (on the cluster when the chain was given a cluster's verifier), and the
commit appends the block and removes what it consumed from the pool in one store
transaction: an item is in the pool or in a block, never both, never neither. Stale
items (a nonce a block already used) are dropped. ``stop`` lets the block being sealed
finish."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from zkcx.errors import ZkcxError
from zkcx.market import Market
from zkcx.operator.pool import PendingIndex, select_block
from zkcx.rollup import Block, Chain, KernelRegistry

log = logging.getLogger("zkcx.operator")


class Sealer:
    """Seals blocks of ``chain`` from the items ``index`` lists (the chain's store holds
    their bytes). After each commit, holding ``commit_lock`` (the lock submissions check
    nonces under), the sealer's market becomes the one after the block, the consumed
    items leave ``index``, and ``on_commit(block, market)`` runs."""

    def __init__(self, chain: Chain, index: PendingIndex, *, block_size: int,
                 interval: float, seal_empty: bool = True,
                 on_commit: Callable[[Block, Market], None] | None = None,
                 commit_lock: threading.Lock | None = None,
                 chain_factory: Callable[[KernelRegistry], Chain] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.chain = chain
        self._chain_factory = chain_factory or (lambda kernels: Chain(chain.store, kernels))
        self.index = index
        self.block_size, self.interval, self.seal_empty = block_size, interval, seal_empty
        self._on_commit = on_commit
        self._commit_lock = commit_lock or threading.Lock()
        self._clock = clock
        self._market = chain.market  # the state after the head; never mutated here
        self._wake = threading.Condition()
        self._stopping = False
        self._stuck = 0  # items left after the last seal (waiting for a missing nonce)
        self._thread: threading.Thread | None = None
        self.failures = 0

    @property
    def market(self) -> Market:
        """The market after the head (shared: read it, never change it)."""
        return self._market

    def start(self) -> None:
        """Start sealing in a daemon thread."""
        self._thread = threading.Thread(target=self._run, name="zkcx-sealer", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        """Something was added to the pool: wake the sealer if a block is full."""
        if len(self.index) - self._stuck >= self.block_size:
            with self._wake:
                self._wake.notify()

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the block being sealed (if any) is committed."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        deadline = self._clock() + self.interval
        while True:
            with self._wake:
                while not self._stopping:
                    full = len(self.index) - self._stuck >= self.block_size
                    left = deadline - self._clock()
                    if full or left <= 0:
                        break
                    self._wake.wait(left)
                if self._stopping:
                    return
            timed = self._clock() >= deadline
            try:
                self.seal(empty=self.seal_empty and timed)
            except Exception as exc:  # a store that refused (the pool is as it was), a bug
                self.failures += 1
                if isinstance(exc, ZkcxError):
                    log.error("sealing failed, retrying at the next interval: %s", exc)
                else:
                    log.exception("sealing failed, retrying at the next interval")
                self._stuck = len(self.index)  # no busy loop on a full pool
            if timed or self._clock() >= deadline:
                deadline = self._clock() + self.interval

    def _refresh_kernels(self) -> None:
        """Build with the kernels kept with the chain now: kernels registered while the
        operator runs (``zkcx kernel register``) count from the next block. A registry
        only grows (the store refuses to drop or change a kept kernel)."""
        registry = self.chain.store.kernel_registry()
        if len(registry) != len(self.chain.kernels):
            self.chain = self._chain_factory(registry)
            log.info("kernels reloaded: %d registered", len(registry))

    def seal(self, empty: bool = True) -> Block | None:
        """Seal one block now from what is pending (``empty``: even if nothing is);
        returns it, or None when nothing was sealed."""
        self._refresh_kernels()
        market = self._market
        entries = self.index.entries()
        selection = select_block(entries,
                                 lambda account: market.account(account).nonce,
                                 self.block_size)
        store = self.chain.store
        if selection.stale:
            stale = [e.hash for e in selection.stale]
            store.drop_pending(stale)
            self.index.remove(stale)
        claims, operations, consumed = [], [], []
        for entries, out in ((selection.operations, operations), (selection.claims, claims)):
            for e in entries:
                item = store.pending_item(e.hash)
                if item is None:  # gone from the store: forget it here too
                    self.index.remove([e.hash])
                    continue
                out.append(item.raw)
                consumed.append(e.hash)
        # what stays of this look at the pool waits for a missing nonce (or, an operation
        # after a claim, for the next block) unless the block was full
        left = len(entries) - len(selection.stale) - len(consumed)
        self._stuck = 0 if len(consumed) == self.block_size else left
        if not consumed and not empty:
            return None
        built = self.chain.build(claims, operations)
        block = self.chain.commit(built, consumed=consumed)
        with self._commit_lock:
            self._market = built.market
            self.index.remove(consumed)
            if self._on_commit is not None:
                self._on_commit(block, built.market)
        log.info("block %d sealed: %d claims accepted, %d rejected, %d operations, "
                 "%d rejected", block.height, len(block.accepted), len(block.rejected),
                 len(block.operations), len(block.rejected_operations))
        return block
