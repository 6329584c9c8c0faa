# SPDX-License-Identifier: MIT
"""The operator behind the HTTP routes: the chain store, the sealer, the submission
checks, and the read views, without any HTTP (``zkcx.operator.app`` maps requests onto
these methods and ``OperatorRequestError`` onto answers).

Threads. The sealer writes blocks through the operator's one writable store; requests
submit through it too (the store serializes its calls). Reads go through read-only
stores, one per thread (``reader``), each read inside a short ``snapshot()``: a reader
never blocks the writer nor sees half a commit. The market after a head is cached by
head hash (the sealer puts each new one there), so reads of accounts and tasks do not
decode the state per request.

Submissions. Before a claim or operation is acknowledged it is decoded, checked for
size, its signature must recover its acting account in the chain's domain, its nonce
must not be below the account's and must not be taken by another pending item of the
account, and the account's and the client's rate limits must allow it; then
``store.submit`` makes it durable, and only then is it acknowledged (202). The same
bytes again are answered with the same item (a retry after a lost answer is safe)."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import pathlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from zkcx.errors import SignatureError, ZkcxError
from zkcx.market import Market
from zkcx.operator.config import OperatorConfig
from zkcx.operator.errors import OperatorRequestError
from zkcx.operator.limits import RateLimiter
from zkcx.operator.pool import PendingIndex
from zkcx.operator.sealer import Sealer
from zkcx.rewards.params import SUPPLY
from zkcx.rollup import (
    Block,
    BlockHeader,
    Chain,
    ChainVerificationError,
    Claim,
    MalformedClaimError,
    MalformedOperationError,
    PendingItem,
    PendingPoolFullError,
    SignedOperation,
    chain_domain,
    verify_chain,
)
from zkcx.rollup.claim import MAX_CLAIM_BYTES
from zkcx.rollup.signing import account_address
from zkcx.rollup.store import open_store
from zkcx.rollup.transactions import MAX_OPERATION_BYTES

log = logging.getLogger("zkcx.operator")

#: market states kept by head hash (the newest few: a reader may lag a block)
_STATES_KEPT = 4


@dataclass(frozen=True)
class PoolRecord:
    """One block's mark on the pool: its timestamp, emission and the pool after it."""

    timestamp: int
    emission: int
    pool: int


@dataclass(frozen=True)
class KernelFiles:
    """A kernel's spec and proving key files (from ``--kernels DIR``)."""

    spec: pathlib.Path
    zkey: pathlib.Path


def index_kernel_files(folder: str | os.PathLike | None) -> dict[str, KernelFiles]:
    """Kernel id (the digest of the key's verifying key) -> files, for every
    ``<name>.zkey`` in ``folder`` with a ``<name>.toml`` beside it. A key that does not
    read is skipped with a warning (the operator serves what it can)."""
    if folder is None:
        return {}
    from zkcx.groth16.zkey import read_zkey

    out = {}
    for zkey in sorted(pathlib.Path(folder).glob("*.zkey")):
        spec = zkey.with_suffix(".toml")
        if not spec.is_file():
            continue
        try:
            kernel_id = read_zkey(str(zkey), zkey.name).verifying_key.digest()
        except (ZkcxError, OSError) as exc:
            log.warning("kernel files %s skipped: %s", zkey.name, exc)
            continue
        out[kernel_id] = KernelFiles(spec, zkey)
    return out


class Operator:
    """A running operator over the chain store ``config.chain`` (see the module
    docstring). ``start`` starts sealing; ``close`` stops it (the block being sealed is
    finished) and closes the stores."""

    def __init__(self, config: OperatorConfig) -> None:
        self.config = config
        self.store = open_store(config.chain)
        try:
            self.chain_id = self.store.chain_id()
            self.domain = chain_domain(self.chain_id)
            self.genesis_hash = self.store.genesis_hash()
            chain = self._make_chain(self.store.kernel_registry())
            self.index = PendingIndex(self.store.pending())
        except BaseException:
            self.store.close()
            raise
        self.kernel_files = index_kernel_files(config.kernels_dir)
        self.account_limit = (None if config.account_rate is None
                              else RateLimiter(config.account_rate, config.account_burst))
        self.client_limit = (None if config.client_rate is None
                             else RateLimiter(config.client_rate, config.client_burst))
        self.accepting = True
        self._submit_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list = []
        self._readers_lock = threading.Lock()
        self._states: dict[bytes | None, Market] = {}
        self._states_lock = threading.Lock()
        self.pool_records: dict[int, PoolRecord] = {}
        head = self.store.head()
        self.sealer = Sealer(chain, self.index, block_size=config.block_size,
                             interval=config.block_interval, seal_empty=config.seal_empty,
                             on_commit=self._committed, commit_lock=self._submit_lock,
                             chain_factory=self._make_chain)
        self._states[None if head is None else head.hash] = self.sealer.market
        if head is not None:
            self._record(head, self.sealer.market)
        self._verifier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zkcx-verify")
        self._verification: tuple[bytes | None, Future] | None = None
        self._verify_lock = threading.Lock()

    def _make_chain(self, kernels) -> Chain:
        """A ``Chain`` over the writable store with these kernels (and the cluster's
        verifier and the aggregation SRS when the config has them)."""
        kw = {} if self.config.verifier is None else {"verifier": self.config.verifier}
        return Chain(self.store, kernels, aggregation_srs=self.config.aggregation_srs, **kw)

    # -- life ------------------------------------------------------------------------------
    def start(self) -> None:
        """Start sealing blocks."""
        self.sealer.start()

    def close(self) -> None:
        """Stop accepting, let the sealer finish its block, close every store."""
        self.accepting = False
        self.sealer.stop()
        self._verifier.shutdown(wait=True, cancel_futures=True)
        with self._readers_lock:
            for store in self._readers:
                with contextlib.suppress(ZkcxError):
                    store.close()
            self._readers.clear()
        self.store.close()

    # -- reading ---------------------------------------------------------------------------
    def _reader_store(self):
        store = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.config.chain, read_only=True)
            self._local.store = store
            with self._readers_lock:
                self._readers.append(store)
        return store

    @contextlib.contextmanager
    def reader(self) -> Iterator:
        """``with operator.reader() as store:`` a read-only store (this thread's) inside
        one snapshot: every read sees the same committed state. Also what the explorer
        is given as ``open_reader``."""
        store = self._reader_store()
        with store.snapshot():
            yield store

    def state(self, store) -> tuple[BlockHeader | None, Market]:
        """(head header, market after it) of a snapshot (``reader``): the market from
        the cache when the head is known, else loaded from the snapshot. Shared: read
        it, never change it."""
        head = store.head()
        key = None if head is None else head.hash
        with self._states_lock:
            market = self._states.get(key)
        if market is None:
            market = store.load_state()
            self._keep_state(key, market)
        return head, market

    def _keep_state(self, key: bytes | None, market: Market) -> None:
        with self._states_lock:
            self._states[key] = market
            while len(self._states) > _STATES_KEPT:
                del self._states[next(iter(self._states))]

    def _record(self, header: BlockHeader, market: Market) -> None:
        self.pool_records[header.height] = PoolRecord(header.timestamp, header.emission,
                                                      market.ledger.pool)

    def _committed(self, block: Block, market: Market) -> None:
        """The sealer committed ``block`` (called under the submission lock)."""
        self._keep_state(block.hash, market)
        self._record(block.header, market)

    # -- submitting ------------------------------------------------------------------------
    def check_client(self, client: str) -> None:
        """The client address's rate limit (429), and 503 while shutting down."""
        if not self.accepting:
            raise OperatorRequestError(503, "shutting_down",
                                       "the operator is shutting down; retry shortly")
        if self.client_limit is not None:
            self.client_limit.check(f"client:{client}", f"client {client}")

    def submit_claim(self, document: dict) -> PendingItem:
        """Check a claim (``Claim.to_json`` form, schema-checked) and add it to the pool
        (module docstring); returns its pending item."""
        try:
            claim = Claim.from_json(document)
        except MalformedClaimError as exc:
            raise OperatorRequestError(400, "malformed_claim", str(exc)) from None
        raw = claim.to_bytes()
        if len(raw) > MAX_CLAIM_BYTES:
            raise OperatorRequestError(413, "claim_too_large",
                                       f"the claim is {len(raw):,} bytes, more than any claim "
                                       f"({MAX_CLAIM_BYTES:,})")
        if claim.kernel_id not in self.sealer.chain.kernels:
            raise OperatorRequestError(400, "unknown_kernel",
                                       f"kernel {claim.kernel_id} is not registered with "
                                       "this chain (GET /v1/kernels lists them)")
        return self._admit("claim", claim, claim.node_id, raw, claim.claim_hash)

    def submit_operation(self, chain_id: int, operation_hex: str) -> PendingItem:
        """Check a signed operation (a ``zkcx-tx-v1`` document's fields) and add it to
        the pool; returns its pending item."""
        if chain_id != self.chain_id:
            raise OperatorRequestError(403, "wrong_chain",
                                       f"the transaction is signed for chain {chain_id}; this "
                                       f"operator's chain is {self.chain_id}")
        if len(operation_hex) > 2 + 2 * MAX_OPERATION_BYTES:
            raise OperatorRequestError(413, "operation_too_large",
                                       f"the operation is more than {MAX_OPERATION_BYTES:,} "
                                       "bytes, longer than any operation")
        raw = bytes.fromhex(operation_hex[2:])
        try:
            op = SignedOperation.from_bytes(raw)
        except MalformedOperationError as exc:
            raise OperatorRequestError(400, "malformed_operation", str(exc)) from None
        return self._admit("operation", op, op.actor, raw, op.hash)

    def _admit(self, kind: str, tx, actor: str, raw: bytes, item_hash: bytes) -> PendingItem:
        known = self.index.get(item_hash)
        if known is not None:
            item = self.store.pending_item(item_hash)
            if item is not None:
                return item  # the same submission again: its item
        if not self.accepting:
            raise OperatorRequestError(503, "shutting_down",
                                       "the operator is shutting down; retry shortly")
        if tx.signature is None:
            raise OperatorRequestError(401, "unsigned", f"the {kind} is not signed by "
                                       f"{actor}")
        try:
            signer = tx.signer(self.domain)
        except SignatureError as exc:
            raise OperatorRequestError(401, "bad_signature", str(exc)) from None
        if str(signer) != actor:
            raise OperatorRequestError(403, "wrong_signer",
                                       f"the {kind} of {actor} is signed by {signer} in this "
                                       f"chain's domain (chain id {self.chain_id}): another "
                                       "key, or a signature for another chain")
        if self.account_limit is not None:
            self.account_limit.check(f"account:{actor}", f"account {actor}")
        with self._submit_lock:
            base = self.sealer.market.account(actor).nonce
            if tx.nonce < base:
                outcome = self.store.submission(item_hash)
                if outcome is not None and not isinstance(outcome, PendingItem):
                    raise OperatorRequestError(
                        409, "already_included",
                        f"this {kind} is in block {outcome.height} ({outcome.verdict})",
                        hash=item_hash.hex(), height=outcome.height)
                raise OperatorRequestError(409, "stale_nonce",
                                           f"nonce {tx.nonce} of {actor} is used; its next "
                                           f"nonce is {self.index.next_nonce(actor, base)}")
            if tx.nonce >= base + self.config.max_nonce_ahead:
                raise OperatorRequestError(409, "nonce_too_far",
                                           f"nonce {tx.nonce} of {actor} is more than "
                                           f"{self.config.max_nonce_ahead} past its next "
                                           f"nonce {base}")
            other = self.index.taken(actor, tx.nonce)
            if other is not None and other != item_hash:
                raise OperatorRequestError(409, "nonce_taken",
                                           f"nonce {tx.nonce} of {actor} is taken by pending "
                                           f"item {other.hex()}; sign with nonce "
                                           f"{self.index.next_nonce(actor, base)}")
            try:
                item = self.store.submit(kind, item_hash, actor, tx.nonce, raw,
                                         int(time.time()))
            except PendingPoolFullError as exc:
                raise OperatorRequestError(503, "pool_full", str(exc),
                                           headers={"Retry-After": "5"}) from None
            self.index.add(item)
        self.sealer.notify()
        return item

    # -- views -----------------------------------------------------------------------------
    def account_view(self, address: str) -> dict:
        """What ``GET /v1/accounts/{address}`` answers."""
        account_address(address, _bad_address, "address")
        with self.reader() as store:
            head, market = self.state(store)
        acc = market.account(address)
        node = market.nodes.get(address)
        return {
            "address": address, "height": market.height, "balance": str(acc.balance),
            "stake": str(acc.stake), "held": str(acc.held),
            "unbonding": [(str(a), h) for a, h in acc.unbonding], "nonce": acc.nonce,
            "pending_nonce": self.index.next_nonce(address, acc.nonce),
            "reputation": acc.reputation, "tier": market.ledger.tier_of(address).name,
            "earnings": {"earned_total": str(acc.earned_total),
                         "claims_accepted": acc.claims_accepted,
                         "proofs_invalid": acc.proofs_invalid,
                         "slashed_total": str(acc.slashed_total)},
            "node": None if node is None else node.to_dict(),
        }

    def verification(self, wait: float) -> dict:
        """``verify_chain`` of the head, cached per head hash, run in a worker thread;
        waits up to ``wait`` seconds for it (``status`` "running" after that)."""
        with self.reader() as store:
            head = store.head()
        key = None if head is None else head.hash
        with self._verify_lock:
            current = self._verification
            if current is None or (current[1].done() and (
                    current[0] != key or current[1].exception() is not None)):
                current = (key, self._verifier.submit(self._verify))
                self._verification = current
        future = current[1]
        try:
            return future.result(timeout=wait)
        except FutureTimeout:
            return {"status": "running", "height": -1 if head is None else head.height,
                    "head_hash": None if key is None else key.hex()}

    def _verify(self) -> dict:
        store = open_store(self.config.chain, read_only=True)
        try:
            with store.snapshot():
                head = store.head()
                kernels = store.kernel_registry()
                out = {"height": -1 if head is None else head.height,
                       "head_hash": None if head is None else head.hash.hex()}
                try:
                    report = verify_chain(store, kernels,
                                          observe=lambda b, m: self._record(b.header, m),
                                          verifier=self.config.verifier)
                except ChainVerificationError as exc:
                    return {**out, "status": "failed",
                            "failure": {"height": exc.height, "reason": exc.reason}}
            return {**out, "status": "ok", "blocks": report.blocks,
                    "accepted_claims": report.accepted_claims,
                    "rejected_claims": report.rejected_claims,
                    "state_root": report.state_root.hex()}
        finally:
            store.close()

    def pool_history(self, wait: float) -> dict:
        """The pool's release over the blocks; blocks this operator did not seal are
        filled in by a verification (``verification``) when missing."""
        with self.reader() as store:
            head = store.head()
        height = -1 if head is None else head.height
        if any(h not in self.pool_records for h in range(height + 1)):
            self.verification(wait)
        points, released = [], 0
        for h in range(height + 1):
            record = self.pool_records.get(h)
            if record is None:
                break
            released += record.emission
            points.append({"height": h, "timestamp": record.timestamp,
                           "emission": str(record.emission), "released": str(released),
                           "pool": str(record.pool)})
        return {"supply": str(SUPPLY), "points": points}


def _bad_address(message: str) -> OperatorRequestError:
    return OperatorRequestError(400, "bad_address", message)


def explorer_router(operator: Operator):
    """The explorer's router (``zkcx.operator.explorer.router(open_reader)``), or None
    while that module is absent."""
    if importlib.util.find_spec("zkcx.operator.explorer") is None:
        return None
    explorer = importlib.import_module("zkcx.operator.explorer")
    return explorer.router(operator.reader)
