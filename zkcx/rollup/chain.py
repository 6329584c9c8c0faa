# SPDX-License-Identifier: MIT
"""``Chain``: a store, the kernel registry and the state after the head (the market),
together — what an operator calls to turn pending claims and operations into committed
blocks."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

from zkcx.accounts import Domain
from zkcx.groth16 import AggregationSRS
from zkcx.market import Market
from zkcx.rewards.accountant import Accountant
from zkcx.rollup.block import Block, BlockHeader
from zkcx.rollup.builder import BlockBuilder, BuiltBlock, Verifier
from zkcx.rollup.claim import Claim
from zkcx.rollup.errors import ChainStoreError
from zkcx.rollup.kernel_registry import KernelRegistry
from zkcx.rollup.store import ChainStore
from zkcx.rollup.transactions import SignedOperation
from zkcx.rollup.verify import ChainReport, verify_chain


class Chain:
    """Builds blocks on the store's head and appends them, checking signatures in the
    domain of the store's chain id.

    ``clock`` gives the timestamp of a block built without one (seconds, int); a
    timestamp never goes below the parent's. ``verifier`` verifies the blocks' proofs,
    for ``build`` and ``verify`` (``BlockBuilder``'s; in process when None).
    ``aggregation_srs``: the prover's SRS of a chain that keeps an aggregation key
    (``ChainStore.aggregation_key``), so that each block carries the aggregates of its
    claims; it must match the kept key (``ChainStoreError`` otherwise), and a chain that
    keeps one cannot build blocks without it."""

    def __init__(self, store: ChainStore, kernels: KernelRegistry,
                 clock: Callable[[], float] = time.time,
                 verifier: Verifier | None = None,
                 aggregation_srs: AggregationSRS | None = None) -> None:
        self.store = store
        self.kernels = kernels
        key = store.aggregation_key() if hasattr(store, "aggregation_key") else None
        if aggregation_srs is not None and key is None:
            raise ChainStoreError("the chain keeps no aggregation key: set one before "
                                  "building blocks with aggregates (`zkcx chain "
                                  "aggregation`)")
        if key is not None:
            if aggregation_srs is None:
                raise ChainStoreError("the chain keeps an aggregation key: its blocks carry "
                                      "aggregates, give the prover's aggregation SRS")
            if not isinstance(aggregation_srs, AggregationSRS) or \
                    aggregation_srs.verifier_key().digest() != key.digest():
                raise ChainStoreError("the aggregation SRS given is not the one whose key "
                                      "the chain keeps")
        self.builder = BlockBuilder(kernels, store.chain_id(), verifier, aggregation_srs)
        self._verifier = verifier
        self._clock = clock
        self._market = store.load_state()

    @property
    def chain_id(self) -> int:
        """The chain id of the store's genesis (the signing domain's)."""
        return self.builder.chain_id

    @property
    def domain(self) -> Domain:
        """The EIP-712 domain every transaction of this chain is signed in."""
        return self.builder.domain

    @property
    def head(self) -> BlockHeader | None:
        return self.store.head()

    @property
    def height(self) -> int:
        """The head's height (-1 before block 0)."""
        return self._market.height

    @property
    def market(self) -> Market:
        """A copy of the market (ledger, tasks, nodes) after the head."""
        return self._market.copy()

    @property
    def ledger(self) -> Accountant:
        """A copy of the ledger (the market's accountant) after the head."""
        return self._market.ledger.copy()

    def build(self, claims: Sequence[Claim | bytes],
              operations: Sequence[SignedOperation | bytes] = (),
              timestamp: int | None = None) -> BuiltBlock:
        """The next block, not yet appended."""
        head = self.store.head()
        parent = self.store.genesis_hash() if head is None else head.hash
        if timestamp is None:
            timestamp = max(int(self._clock()), 0 if head is None else head.timestamp)
        return self.builder.build(parent, self._market, claims, operations, timestamp,
                                  self.store.has_statement)

    def commit(self, built: BuiltBlock, consumed: Iterable[bytes] = ()) -> Block:
        """Append a block built on the current head, removing the pending items whose
        hashes are in ``consumed`` in the same transaction (``ChainStore.append``); the
        in-memory state follows only once the store has committed it."""
        self.store.append(built.block, built.market, consumed)
        self._market = built.market.copy()
        return built.block

    def produce(self, claims: Sequence[Claim | bytes],
                operations: Sequence[SignedOperation | bytes] = (),
                timestamp: int | None = None) -> Block:
        """Build the next block and append it."""
        return self.commit(self.build(claims, operations, timestamp))

    def verify(self) -> ChainReport:
        """Re-verify the whole stored chain from genesis (``verify_chain``)."""
        return verify_chain(self.store, self.kernels, verifier=self._verifier)
