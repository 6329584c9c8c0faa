# SPDX-License-Identifier: MIT
"""The chain store's SQL logic shared by its backends (``zkcx.rollup.store``'s
``SQLiteChainStore``, ``zkcx.rollup.postgres_store``'s ``PostgresChainStore``): the
records (``PendingItem``, ``TxOutcome``), the rows' digests, the checks made when a row
is read, and ``SQLChainStore``, which holds every read and write of the chain's tables.
The tables, digests and guarantees are described in ``zkcx.rollup.store``'s module
docstring; a backend supplies its connection, transactions and error messages."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from zkcx.errors import ArgumentTypeError, EncodingError, InvalidArgumentError, ZkcxError
from zkcx.groth16 import AggregationVerifierKey
from zkcx.market import Market
from zkcx.rollup._codec import Writer, tagged_hash
from zkcx.rollup.aggregation import decode_aggregation_key, encode_aggregation_key
from zkcx.rollup.block import (
    Block,
    BlockHeader,
    body_hash,
    decode_body,
    genesis_hash,
    raw_claim_hash,
)
from zkcx.rollup.errors import (
    BlobTooLargeError,
    ChainStoreError,
    PendingPoolFullError,
    UnknownBlockError,
)
from zkcx.rollup.kernel_registry import KernelRegistry
from zkcx.rollup.signing import check_chain_id
from zkcx.rollup.transactions import raw_operation_hash

SCHEMA_VERSION = 4

#: the tables every zkcx chain file has had (a file without them is not a chain; one
#: of another schema version is refused by its version)
_TABLES = ("blocks", "claims", "meta", "state")
_META_KEYS = ("chain_id", "genesis_accountant", "schema_version")
#: meta rows a chain may have besides _META_KEYS
_OPTIONAL_META_KEYS = ("kernel_registry", "aggregation_key")
_META_TAG, _CLAIM_TAG, _STATE_TAG = (b"zkcx-store-meta-v1", b"zkcx-store-claim-v1",
                                     b"zkcx-store-state-v1")
_PENDING_TAG, _TX_TAG = b"zkcx-store-pending-v1", b"zkcx-store-tx-v1"
#: the most items the pending pool holds by default (``max_pending``)
MAX_PENDING = 100_000
#: the largest blob the store keeps (bytes)
MAX_BLOB_SIZE = 16 << 20
#: what a pending item is: a claim (``Claim.to_bytes``) or a signed operation
PENDING_KINDS = ("claim", "operation")
#: what became of a transaction a block received
VERDICTS = ("accepted", "rejected", "applied")
_CLAIM_HASH = hashlib.sha256(_CLAIM_TAG + b"\x00")


def meta_digest(key: str, value: bytes) -> bytes:
    """The digest stored with a meta row (module docstring)."""
    return tagged_hash(_META_TAG, Writer().text(key).blob(value).getvalue())


def claim_digest(statement: bytes, claim: bytes, height: int) -> bytes:
    """The digest stored with an index row (module docstring); as ``tagged_hash`` with
    the hash of the tag made once (an append computes one per accepted claim)."""
    h = _CLAIM_HASH.copy()
    h.update(b"".join((len(statement).to_bytes(4, "big"), statement,
                       len(claim).to_bytes(4, "big"), claim, height.to_bytes(8, "big"))))
    return h.digest()


def state_digest(height: int, claims: int, accountant: bytes) -> bytes:
    """The digest stored with the state row (module docstring)."""
    return tagged_hash(_STATE_TAG, height.to_bytes(8, "big", signed=True),
                       claims.to_bytes(8, "big"), Writer().blob(accountant).getvalue())


def pending_digest(seq: int, kind: str, item_hash: bytes, account: str, nonce: int,
                   raw: bytes, received: int) -> bytes:
    """The digest stored with a pending row (module docstring)."""
    w = Writer().uint(seq, 8).text(kind).blob(item_hash).text(account).uint(nonce, 8)
    w.blob(raw).uint(received, 8)
    return tagged_hash(_PENDING_TAG, w.getvalue())


def tx_digest(tx_hash: bytes, height: int, verdict: str, reason: str, detail: str) -> bytes:
    """The digest stored with a row of the transactions index (module docstring)."""
    w = Writer().blob(tx_hash).uint(height, 8).text(verdict).text(reason).text(detail)
    return tagged_hash(_TX_TAG, w.getvalue())


@dataclass(frozen=True)
class PendingItem:
    """A submission waiting in the pending pool for a block: ``seq`` its arrival order
    (strictly increasing, never reused), ``kind`` "claim" or "operation", ``hash`` the
    claim hash (``raw_claim_hash``) or operation hash (``SignedOperation.hash``) of
    ``raw`` (``Claim.to_bytes`` / ``SignedOperation.to_bytes``), ``account`` the EIP-55
    address of its signer, ``nonce`` its nonce, ``received`` the unix time (s) it
    arrived."""

    seq: int
    kind: str
    hash: bytes
    account: str
    nonce: int
    raw: bytes
    received: int


class TxOutcome(NamedTuple):
    """What became of a transaction (claim or operation) in the chain's blocks: the
    ``height`` of the block, its ``verdict`` ("accepted" claim, "applied" operation, or
    "rejected"), and for a rejection the builder's ``reason`` (a ``RejectReason``
    value) and ``detail`` (None otherwise)."""

    height: int
    verdict: str
    reason: str | None
    detail: str | None


def item_hash(kind: str, raw: bytes) -> bytes:
    """The hash a pending item of ``kind`` ("claim" or "operation") has: the claim hash
    or the operation hash of ``raw``."""
    return raw_claim_hash(raw) if kind == "claim" else raw_operation_hash(raw)


def check_submission(kind: object, hash_: object, account: object, nonce: object,
                     raw: object, received: object) -> tuple:
    """The arguments of ``ChainStore.submit`` checked and normalized (bytes for
    bytes-likes); raises ``ArgumentTypeError`` or ``InvalidArgumentError`` saying
    which is wrong."""
    if kind not in PENDING_KINDS:
        raise InvalidArgumentError(f"a pending item's kind is one of {list(PENDING_KINDS)}, "
                                   f"got {kind!r}")
    for name, value in (("hash", hash_), ("raw", raw)):
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise ArgumentTypeError(f"a pending item's {name} is bytes, got "
                                    f"{type(value).__name__}")
    hash_, raw = bytes(hash_), bytes(raw)
    if hash_ != item_hash(kind, raw):
        raise InvalidArgumentError(f"the hash {hash_.hex()[:16]}… is not the {kind} hash of "
                                   "the item's bytes")
    if type(account) is not str:
        raise ArgumentTypeError(f"a pending item's account is an address text, got "
                                f"{type(account).__name__}")
    for name, value in (("nonce", nonce), ("received", received)):
        if type(value) is not int:
            raise ArgumentTypeError(f"a pending item's {name} is an int, got "
                                    f"{type(value).__name__}")
        if not 0 <= value < 1 << 63:
            raise InvalidArgumentError(f"a pending item's {name} {value} is outside "
                                       "[0, 2^63)")
    return kind, hash_, account, nonce, raw, received


def tx_outcomes(block: Block) -> dict[bytes, tuple[str, str, str]]:
    """The transactions index's rows that ``block`` writes: hash -> (verdict, reason,
    detail), reason and detail "" for an accepted claim or an applied operation. A hash
    the block holds twice (a claim received again, rejected as a duplicate) keeps its
    success, else its last rejection; ``merge_outcome`` says how a block's row meets
    an earlier block's."""
    rows: dict[bytes, tuple[str, str, str]] = {}
    for rejected, hasher in ((block.rejected, raw_claim_hash),
                             (block.rejected_operations, raw_operation_hash)):
        for r in rejected:
            rows[hasher(r.data)] = ("rejected", r.reason.value, r.detail)
    for c in block.accepted:
        rows[c.claim_hash] = ("accepted", "", "")
    for op in block.operations:
        rows[op.hash] = ("applied", "", "")
    return rows


def merge_outcome(earlier: str | None, later: str) -> bool:
    """Whether a later block's verdict on a hash replaces the index's ``earlier`` one
    (None: none yet): a success stays (a replay rejected later does not undo it), a
    rejection gives way to what follows (a claim rejected for its nonce and received
    again)."""
    return earlier is None or earlier == "rejected"


class SQLChainStore:
    """The ``ChainStore`` logic shared by the SQL databases (``SQLiteChainStore``, and
    ``zkcx.rollup.postgres_store.PostgresChainStore``): the same tables, rows, digests
    and checks; a subclass says how to connect, begin a read or a write transaction,
    allocate a pending seq, check the database's own structure, and explain its errors.
    Queries use ``?`` placeholders (a subclass's connection translates them)."""

    #: the database's exceptions, and those of a constraint violation among them
    _errors: tuple[type[BaseException], ...] = ()
    _integrity_errors: tuple[type[BaseException], ...] = ()
    #: what a damaged record is said to be in
    _container = "file"

    def __init__(self, conn, path: str, read_only: bool = False) -> None:
        self._conn = conn
        self.path = path
        self.read_only = read_only
        self._lock = threading.RLock()
        self._depth = 0  # nesting of snapshot()
        self._closed = False
        self._genesis: bytes | None = None
        self._chain_id: int | None = None
        self._one_read = _OneRead(self)
        #: the most items the pending pool takes (``submit`` refuses more)
        self.max_pending = MAX_PENDING

    def __enter__(self) -> SQLChainStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- snapshots and errors --------------------------------------------------------------
    @contextlib.contextmanager
    def snapshot(self) -> Iterator[SQLChainStore]:
        """Every read in the ``with`` block sees the same committed state of the file (a
        read transaction); snapshots nest. Holds the store's lock, so other threads using
        this store object wait; the writer (another store) does not. Appending inside a
        snapshot is refused."""
        with self._lock:
            outer = self._depth == 0
            with self._db_errors():
                if outer:
                    self._begin_read()
            self._depth += 1
            try:
                with self._db_errors():
                    yield self
            finally:
                self._depth -= 1
                if outer:
                    self._rollback()  # a read transaction: nothing to keep

    @contextlib.contextmanager
    def _db_errors(self) -> Iterator[None]:
        try:
            yield
        except self._errors as exc:
            reason = self._explain(exc)
            raise ChainStoreError(f"{self.path}: {reason}", path=self.path,
                                  reason=reason) from exc
        except UnicodeDecodeError as exc:  # a driver decoding a TEXT value
            raise self._damaged(f"a text in the file is not UTF-8 ({exc.reason})") from exc

    def _rollback(self) -> None:
        """Roll back an open transaction, quietly (it runs while another error is
        raised)."""
        with contextlib.suppress(*self._errors):
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")

    def _damaged(self, what: str) -> ChainStoreError:
        reason = f"{what} (the {self._container} is damaged or was edited)"
        return ChainStoreError(f"{self.path}: {reason}", path=self.path, reason=reason)

    # -- checks ------------------------------------------------------------------------------
    def _check_version(self) -> None:
        """Refuse a chain of another schema version, saying what to do."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                                 ).fetchone()
        if row is not None and type(row[0]) is not bytes:
            row = (bytes(row[0]),)
        if row is None or row[0] != str(SCHEMA_VERSION).encode():
            hint = ""
            if row in ((b"1",), (b"2",)):
                hint = (" (a chain of block version 2 or older, made before the header's "
                        "models root became the market's: make the chain again from "
                        "genesis, zkcx chain init)")
            elif row == (b"3",):
                hint = (" (a chain file made before the pending pool, the blob store and "
                        "the transactions index: make the chain again from genesis, "
                        "zkcx chain init, and submit its transactions to it)")
            raise ChainStoreError(f"{self.path}: schema version {row and row[0]!r}, "
                                  f"this zkcx reads {SCHEMA_VERSION}{hint}",
                                  path=self.path)

    def _check_structure(self) -> None:
        """Schema, meta rows, state row, head row, counts (inside a snapshot)."""
        conn = self._conn
        self._check_schema()
        self._genesis = self._read_meta()
        height, claims = self._read_state()[:2]
        head = self._head_row()
        head_height = -1 if head is None else head.height
        if height != head_height:
            raise self._damaged(f"the state is at height {height}, the head at {head_height}")
        n_blocks, low = conn.execute("SELECT COUNT(*), MIN(height) FROM blocks").fetchone()
        if n_blocks != head_height + 1 or (n_blocks and low != 0):
            raise self._damaged(f"{n_blocks} block rows for heights 0 to {head_height}")
        n_claims = conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
        if n_claims != claims:
            raise self._damaged(f"the claims index has {n_claims} rows, the state records "
                                f"{claims}")

    def check_integrity(self) -> None:
        """Check the whole file (module docstring: integrity): ``PRAGMA
        integrity_check``, the schema, every row's hash, the blocks' parent links from the
        genesis hash, and that every index row names a block. Raises
        ``ChainStoreError``."""
        with self.snapshot():
            self._check_database()
            self._check_structure()
            head = self.head()
            parent = self.genesis_hash()
            for height in range(0 if head is None else head.height + 1):
                header, body = self._block_row(height)
                _check_body(self, header, body)
                if header.parent_hash != parent:
                    raise self._damaged(f"block {height}'s parent is not block "
                                        f"{height - 1}")
                parent = header.hash
            for _statement, _claim, height in self.claim_index():
                if head is None or height > head.height:
                    raise self._damaged(f"an index row names block {height}, past the head")
            for _hash, height, *_ in self.tx_index():
                if head is None or height > head.height:
                    raise self._damaged(f"a transactions index row names block {height}, "
                                        "past the head")
            self._check_pending()
            self._check_blobs()

    def _check_pending(self, chunk: int = 4096) -> None:
        """Every pending row against its digest, ``chunk`` rows at a time."""
        after = 0
        while True:
            rows = self._conn.execute(_PENDING_SELECT + " WHERE seq > ? ORDER BY seq "
                                      "LIMIT ?", (after, chunk)).fetchall()
            for row in rows:
                self._pending_row(row)
            if len(rows) < chunk:
                return
            after = rows[-1][0]

    def _check_blobs(self, chunk: int = 64) -> None:
        """Every blob re-hashed, ``chunk`` at a time (blobs may be large)."""
        after = b""
        while True:
            digests = [d for (d,) in self._conn.execute(
                "SELECT digest FROM blobs WHERE digest > ? ORDER BY digest LIMIT ?",
                (after, chunk))]
            for digest in digests:
                if type(digest) is not bytes or self.blob(digest) is None:
                    raise self._damaged("a blob row's digest is not a SHA-256")
            if len(digests) < chunk:
                return
            after = digests[-1]

    # -- reading -----------------------------------------------------------------------------
    def _read_meta(self) -> bytes:
        rows = self._conn.execute("SELECT key, value, digest FROM meta").fetchall()
        found = {}
        for key, value, digest in rows:
            if type(key) is not str or type(value) is not bytes \
                    or digest != meta_digest(key, value):
                raise self._damaged(f"meta row {key!r} does not match its digest")
            found[key] = value
        required = sorted(k for k in found if k not in _OPTIONAL_META_KEYS)
        if required != sorted(_META_KEYS) or len(rows) != len(found):
            raise self._damaged(f"meta rows {sorted(found)}, expected {list(_META_KEYS)} "
                                f"and optionally {list(_OPTIONAL_META_KEYS)}")
        try:
            self._chain_id = check_chain_id(int(found["chain_id"].decode("ascii")))
        except (ValueError, UnicodeDecodeError):
            raise self._damaged(f"the chain id {found['chain_id'][:30]!r} is not an int in "
                                "[1, 2^64)") from None
        return found["genesis_accountant"]

    def _read_state(self) -> tuple[int, int, bytes]:
        rows = self._conn.execute(
            "SELECT id, height, claims, accountant, digest FROM state").fetchall()
        if len(rows) != 1 or rows[0][0] != 1:
            raise self._damaged(f"{len(rows)} state rows")
        _id, height, claims, acc, digest = rows[0]
        if type(height) is not int or type(claims) is not int or type(acc) is not bytes \
                or not -1 <= height < 1 << 63 or not 0 <= claims < 1 << 64 \
                or digest != state_digest(height, claims, acc):
            raise self._damaged("the state row does not match its digest")
        return height, claims, acc

    def _head_row(self) -> BlockHeader | None:
        row = self._conn.execute("SELECT height, hash, parent, header FROM blocks "
                                 "ORDER BY height DESC LIMIT 1").fetchone()
        return None if row is None else _check_header(self, row)

    def _block_row(self, height: int) -> tuple[BlockHeader, bytes]:
        row = self._conn.execute("SELECT height, hash, parent, header, body FROM blocks "
                                 "WHERE height = ?", (height,)).fetchone()
        if row is None:
            raise UnknownBlockError(f"no block at height {height}: a chain holds blocks 0 to "
                                    "its height (ChainStore.height())")
        return _check_header(self, row[:4]), row[4]

    def genesis(self) -> bytes:
        if self._genesis is None:
            with self.snapshot():
                self._genesis = self._read_meta()
        return self._genesis

    def genesis_hash(self) -> bytes:
        return genesis_hash(self.genesis(), self.chain_id())

    def chain_id(self) -> int:
        if self._chain_id is None:
            with self.snapshot():
                self._genesis = self._read_meta()
        return self._chain_id

    def head(self) -> BlockHeader | None:
        with self._one_read:
            return self._head_row()

    def height(self) -> int:
        """The head's height, -1 before block 0."""
        with self._one_read:
            row = self._conn.execute("SELECT MAX(height) FROM blocks").fetchone()
        return -1 if row[0] is None else row[0]

    def block(self, height: int) -> Block:
        with self._one_read:
            header, body = self._block_row(height)
        return _decode_block(self, header, body)

    def blocks(self, start: int = 0) -> Iterator[Block]:
        """Blocks from ``start`` to the head seen at the first read (or the snapshot's
        head, inside ``snapshot()``), each checked against its header."""
        last = self.height()
        for height in range(max(start, 0), last + 1):
            with self._one_read:
                try:
                    header, body = self._block_row(height)
                except KeyError:
                    raise self._damaged(f"block {height} is missing (head {last})") from None
            yield _decode_block(self, header, body)

    def has_statement(self, statement_hash: bytes) -> bool:
        return self._claim_row("statement", statement_hash) is not None

    def has_claim(self, claim_hash: bytes) -> bool:
        """Whether a block of the chain accepted this claim hash."""
        return self.claim_height(claim_hash) is not None

    def claim_height(self, claim_hash: bytes) -> int | None:
        """The height of the block that accepted this claim hash, or None."""
        row = self._claim_row("claim", claim_hash)
        return None if row is None else row[2]

    def claim_index(self, chunk: int = 4096) -> Iterator[tuple[bytes, bytes, int]]:
        """Every index row (statement hash, claim hash, height), by statement hash, each
        checked against its digest. Read ``chunk`` rows at a time: call it inside
        ``snapshot()`` for rows consistent with other reads."""
        after = b""
        while True:
            with self._one_read:
                rows = self._conn.execute(
                    "SELECT statement, claim, height, digest FROM claims WHERE statement > ? "
                    "ORDER BY statement LIMIT ?", (after, chunk)).fetchall()
            for statement, claim, height, digest in rows:
                self._check_claim_row(statement, claim, height, digest)
                yield statement, claim, height
            if len(rows) < chunk:
                return
            after = rows[-1][0]

    def _claim_row(self, column: str, key: bytes) -> tuple[bytes, bytes, int] | None:
        """The index row (statement, claim, height) whose ``column`` ("statement" or
        "claim") is ``key``, checked against its digest; None when there is none."""
        query = {"statement": "SELECT statement, claim, height, digest FROM claims "
                              "WHERE statement = ?",
                 "claim": "SELECT statement, claim, height, digest FROM claims "
                          "WHERE claim = ?"}[column]
        with self._one_read:
            row = self._conn.execute(query, (bytes(key),)).fetchone()
        if row is None:
            return None
        self._check_claim_row(*row)
        return row[:3]

    def _check_claim_row(self, statement, claim, height, digest) -> None:
        if type(statement) is not bytes or type(claim) is not bytes \
                or type(height) is not int or not 0 <= height < 1 << 64 \
                or digest != claim_digest(statement, claim, height):
            shown = statement.hex()[:16] if type(statement) is bytes else repr(statement)
            raise self._damaged(f"the index row of statement {shown}… does not match its "
                                "digest")

    def load_state(self) -> Market:
        """The market after the head."""
        with self.snapshot():
            height, _claims, market_bytes = self._read_state()
            head = self._head_row()
        market = Market.from_bytes(market_bytes)
        if height != (-1 if head is None else head.height) or market.height != height:
            raise self._damaged(f"the stored state is at height {height}, not the head's")
        if head is not None and (market.state_root() != head.state_root
                                 or market.models_root() != head.models_root):
            raise self._damaged("the stored state does not have the head's roots")
        return market

    # -- writing -------------------------------------------------------------------------
    def append(self, block: Block, market: Market, consumed: Iterable[bytes] = ()) -> None:
        """Add ``block`` (the next height, on the head's hash) with the state after it,
        its rows of the claims and transactions indexes, and remove the pending items
        whose hash is in ``consumed`` (those the block received), in one transaction.
        Raises ``ChainStoreError`` and leaves the store as it was (pending items
        included) when the block does not extend the head, the state does not have its
        roots, a statement is already in the chain, or the store is read-only."""
        h = block.header
        if self.read_only:
            raise ChainStoreError(f"{self.path} is open read-only; block {h.height} refused")
        hashes = _index_rows(block)
        txs = _tx_rows(block)
        gone = _hash_list(consumed, "consumed")
        row = (h.height, h.hash, h.parent_hash, h.to_bytes(), block.body_bytes())
        acc_bytes = market.to_bytes()

        def refused(exc: BaseException) -> ChainStoreError:
            if isinstance(exc, self._integrity_errors):
                return ChainStoreError(f"block {h.height} refused, nothing written: {exc}")
            return ChainStoreError(f"{self.path}: block {h.height} not written: "
                                   f"{self._explain(exc)}")

        with self._write_transaction("append", refused) as conn:
            # read the head and the index size in the write transaction: no other
            # writer can move them before COMMIT (open checked the state row's digest)
            claims = conn.execute("SELECT claims FROM state").fetchone()[0]
            if type(claims) is not int:
                raise self._damaged("the state row's count of index rows is not a number")
            head = self._head_row()
            want_height = 0 if head is None else head.height + 1
            want_parent = self.genesis_hash() if head is None else head.hash
            if h.height != want_height or h.parent_hash != want_parent:
                raise ChainStoreError(
                    f"block {h.height} does not extend the head (expected height "
                    f"{want_height} on {want_parent.hex()[:16]}…)")
            if market.height != h.height or market.state_root() != h.state_root:
                raise ChainStoreError(f"block {h.height}: the market state does not have "
                                      "the header's state root")
            if market.models_root() != h.models_root:
                raise ChainStoreError(f"block {h.height}: the market's models do not "
                                      "have the header's models root")
            claims += len(hashes)
            state = (h.height, claims, acc_bytes,
                     state_digest(h.height, claims, acc_bytes))
            conn.execute("INSERT INTO blocks VALUES (?, ?, ?, ?, ?)", row)
            conn.executemany("INSERT INTO claims VALUES (?, ?, ?, ?)", hashes)
            conn.executemany(_TX_UPSERT, txs)
            conn.executemany("DELETE FROM pending WHERE hash = ?", [(g,) for g in gone])
            conn.execute("UPDATE state SET height = ?, claims = ?, accountant = ?, "
                         "digest = ? WHERE id = 1", state)

    @contextlib.contextmanager
    def _write_transaction(self, what: str, error: Callable[[BaseException], ChainStoreError]
                           ) -> Iterator:
        """``with self._write_transaction(what, error) as conn:`` one write transaction
        (BEGIN IMMEDIATE … COMMIT) under the store's lock, rolled back on any exception;
        an SQLite error raises ``error(exc)``. ``what``: the operation, refused inside a
        ``snapshot()``."""
        with self._lock:
            if self._depth:
                raise ChainStoreError(f"{what} inside a snapshot() of the same store")
            conn = self._conn
            try:
                self._begin_write()
                yield conn
                conn.execute("COMMIT")
            except self._errors as exc:
                self._rollback()
                raise error(exc) from exc
            except BaseException:
                self._rollback()
                raise

    # -- the kernel registry kept with the chain -------------------------------------------
    def kernel_registry(self) -> KernelRegistry:
        """The kernel registry kept with this chain (empty when none was saved)."""
        with self._one_read:
            row = self._conn.execute("SELECT value, digest FROM meta WHERE key = "
                                     "'kernel_registry'").fetchone()
        if row is None:
            return KernelRegistry()
        value, digest = row
        if type(value) is not bytes or digest != meta_digest("kernel_registry", value):
            raise self._damaged("meta row 'kernel_registry' does not match its digest")
        try:
            return KernelRegistry.from_json(json.loads(value.decode("utf-8")))
        except (ZkcxError, ValueError, TypeError, KeyError) as exc:
            raise self._damaged(f"the kept kernel registry does not decode: {exc}") from exc

    def save_kernel_registry(self, registry: KernelRegistry) -> None:
        """Keep ``registry`` with the chain, replacing the kept one, which it must extend:
        a kernel kept before (blocks may have been verified against it) is neither
        dropped nor changed."""
        if self.read_only:
            raise ChainStoreError(f"{self.path} is open read-only; kernels not saved",
                                  path=self.path, reason="open read-only; kernels not saved")
        new = {item["kernel_id"]: item for item in registry.to_json()["kernels"]}
        value = json.dumps(registry.to_json(), sort_keys=True).encode("utf-8")

        def not_saved(exc: BaseException) -> ChainStoreError:
            return ChainStoreError(f"{self.path}: kernels not saved: {self._explain(exc)}",
                                   path=self.path, reason=self._explain(exc))

        with self._write_transaction("save_kernel_registry", not_saved) as conn:
            for item in self.kernel_registry().to_json()["kernels"]:
                if new.get(item["kernel_id"]) != item:
                    raise ChainStoreError(f"kernel {item['kernel_id']} is kept with the "
                                          "chain and may not be dropped or changed")
            conn.execute("INSERT INTO meta VALUES ('kernel_registry', ?, ?) ON CONFLICT (key) "
                         "DO UPDATE SET value = excluded.value, digest = excluded.digest",
                         (value, meta_digest("kernel_registry", value)))


    # -- the aggregation verifier key kept with the chain --------------------------------------
    def aggregation_key(self) -> AggregationVerifierKey | None:
        """The SnarkPack verifier key whose aggregates this chain's blocks carry
        (``zkcx.rollup.aggregation``), or None for a chain without aggregates."""
        with self._one_read:
            row = self._conn.execute("SELECT value, digest FROM meta WHERE key = "
                                     "'aggregation_key'").fetchone()
        if row is None:
            return None
        value, digest = row
        if type(value) is not bytes or digest != meta_digest("aggregation_key", value):
            raise self._damaged("meta row 'aggregation_key' does not match its digest")
        try:
            return decode_aggregation_key(value)
        except EncodingError as exc:
            raise self._damaged(f"the kept aggregation key does not decode: {exc}") from exc

    def save_aggregation_key(self, key: AggregationVerifierKey) -> None:
        """Keep ``key`` with the chain: from then on every block carries the aggregates of
        its accepted claims. Only before block 0 (earlier blocks would carry none), and
        never changed once kept (the same key again is a no-op)."""
        if self.read_only:
            raise ChainStoreError(f"{self.path} is open read-only; aggregation key not saved",
                                  path=self.path,
                                  reason="open read-only; aggregation key not saved")
        value = encode_aggregation_key(key)

        def not_saved(exc: BaseException) -> ChainStoreError:
            return ChainStoreError(f"{self.path}: aggregation key not saved: "
                                   f"{self._explain(exc)}", path=self.path,
                                   reason=self._explain(exc))

        with self._write_transaction("save_aggregation_key", not_saved) as conn:
            kept = self.aggregation_key()
            if kept is not None:
                if encode_aggregation_key(kept) == value:
                    return
                raise ChainStoreError("the chain keeps another aggregation key: it is set "
                                      "once, before block 0, and never changed")
            if self.head() is not None:
                raise ChainStoreError("the chain has blocks without aggregates: an "
                                      "aggregation key is set before block 0 (make the chain "
                                      "again with `zkcx chain init`)")
            conn.execute("INSERT INTO meta VALUES ('aggregation_key', ?, ?)",
                         (value, meta_digest("aggregation_key", value)))

    # -- the pending pool ----------------------------------------------------------------------
    def submit(self, kind: str, hash: bytes, account: str, nonce: int, raw: bytes,  # noqa: A002
               received: int) -> PendingItem:
        """Add an item to the pending pool (``PendingItem``: ``hash`` must be the claim
        or operation hash of ``raw``), committed before this returns (``synchronous=
        FULL``: it survives a crash or a power cut). The same hash again returns the
        item already pending, unchanged (a retry after a lost answer is safe). Raises
        ``PendingPoolFullError`` when ``max_pending`` items are pending,
        ``ChainStoreError`` on a read-only store."""
        fields = check_submission(kind, hash, account, nonce, raw, received)
        if self.read_only:
            raise ChainStoreError(f"{self.path} is open read-only; submission refused",
                                  path=self.path, reason="open read-only; submission refused")
        with self._write_transaction("submit", self._not_written("submission")) as conn:
            row = conn.execute(_PENDING_SELECT + " WHERE hash = ?", (fields[1],)).fetchone()
            if row is not None:
                return self._pending_row(row)
            count = conn.execute("SELECT COUNT(*) FROM pending").fetchone()[0]
            if count >= self.max_pending:
                raise PendingPoolFullError(f"the pending pool holds {count} items, its "
                                           f"maximum ({self.max_pending}): try again after "
                                           "the next block")
            item = PendingItem(self._next_seq(conn), *fields)
            conn.execute("INSERT INTO pending VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (*_pending_values(item), _digest_of(item)))
        return item

    def pending(self, limit: int | None = None) -> list[PendingItem]:
        """The pending items by arrival order (``seq``), the first ``limit`` of them
        (all: None), each checked against its digest."""
        if limit is not None and (type(limit) is not int or limit < 0):
            raise InvalidArgumentError(f"limit is None or an int >= 0, got {limit!r}")
        query, args = _PENDING_SELECT + " ORDER BY seq", ()
        if limit is not None:
            query, args = query + " LIMIT ?", (limit,)
        with self._one_read:
            rows = self._conn.execute(query, args).fetchall()
        return [self._pending_row(row) for row in rows]

    def pending_item(self, hash: bytes) -> PendingItem | None:  # noqa: A002
        """The pending item of this hash (checked), or None."""
        key = _hash_list([hash], "hash")[0]
        with self._one_read:
            row = self._conn.execute(_PENDING_SELECT + " WHERE hash = ?", (key,)).fetchone()
        return None if row is None else self._pending_row(row)

    def pending_count(self) -> int:
        """How many items are pending."""
        with self._one_read:
            return self._conn.execute("SELECT COUNT(*) FROM pending").fetchone()[0]

    def drop_pending(self, hashes: Iterable[bytes]) -> int:
        """Remove the pending items of these hashes (stale ones: a nonce the chain has
        passed); hashes not pending are ignored. The number of items removed."""
        gone = _hash_list(hashes, "hashes")
        if self.read_only:
            raise ChainStoreError(f"{self.path} is open read-only; nothing dropped",
                                  path=self.path, reason="open read-only; nothing dropped")
        with self._write_transaction("drop_pending", self._not_written("drop")) as conn:
            return sum(conn.execute("DELETE FROM pending WHERE hash = ?", (g,)).rowcount
                       for g in gone)

    def _pending_row(self, row: tuple) -> PendingItem:
        item = _pending_item(row)
        if item is None:
            shown = row[2].hex()[:16] if type(row[2]) is bytes else repr(row[2])
            raise self._damaged(f"the pending row of hash {shown}… does not match its digest")
        return item

    # -- blobs ---------------------------------------------------------------------------------
    def put_blob(self, data: bytes) -> bytes:
        """Keep ``data`` (at most ``MAX_BLOB_SIZE`` bytes, else ``BlobTooLargeError``),
        committed when this returns; its SHA-256, under which ``blob`` returns it. The
        same data again changes nothing."""
        data, digest = check_blob(data)
        if self.read_only:
            raise ChainStoreError(f"{self.path} is open read-only; blob not kept",
                                  path=self.path, reason="open read-only; blob not kept")
        with self._write_transaction("put_blob", self._not_written("blob")) as conn:
            conn.execute("INSERT INTO blobs VALUES (?, ?) ON CONFLICT (digest) DO NOTHING",
                         (digest, data))
        return digest

    def blob(self, digest: bytes) -> bytes | None:
        """The blob whose SHA-256 is ``digest`` (re-hashed: damage raises
        ``ChainStoreError``), or None when the store has none."""
        key = _hash_list([digest], "digest")[0]
        with self._one_read:
            row = self._conn.execute("SELECT data FROM blobs WHERE digest = ?",
                                     (key,)).fetchone()
        if row is None:
            return None
        if type(row[0]) is not bytes or hashlib.sha256(row[0]).digest() != key:
            raise self._damaged(f"the blob {key.hex()[:16]}… does not have its SHA-256")
        return row[0]

    # -- the transactions index ------------------------------------------------------------------
    def submission(self, hash: bytes) -> PendingItem | TxOutcome | None:  # noqa: A002
        """Where the transaction (claim or operation) of this hash is: its
        ``PendingItem`` while pending, the ``TxOutcome`` of the block that received it
        (its success, else its last rejection), or None when the store knows nothing
        of it."""
        with self.snapshot():
            item = self.pending_item(hash)
            if item is not None:
                return item
            key = _hash_list([hash], "hash")[0]
            row = self._conn.execute(_TX_SELECT + " WHERE hash = ?", (key,)).fetchone()
        return None if row is None else self._tx_outcome(row)[1]

    def tx_index(self, chunk: int = 4096) -> Iterator[tuple[bytes, int, str, str, str]]:
        """Every row of the transactions index (hash, height, verdict, reason, detail),
        by hash, each checked against its digest; ``chunk`` rows at a time (call it
        inside ``snapshot()`` for rows consistent with other reads)."""
        after = b""
        while True:
            with self._one_read:
                rows = self._conn.execute(_TX_SELECT + " WHERE hash > ? ORDER BY hash "
                                          "LIMIT ?", (after, chunk)).fetchall()
            for row in rows:
                self._tx_outcome(row)
                yield row[:5]
            if len(rows) < chunk:
                return
            after = rows[-1][0]

    def _tx_outcome(self, row: tuple) -> tuple[bytes, TxOutcome]:
        outcome = _tx_outcome(row)
        if outcome is None:
            shown = row[0].hex()[:16] if type(row[0]) is bytes else repr(row[0])
            raise self._damaged(f"the transactions index row of {shown}… does not match "
                                "its digest")
        return row[0], outcome

    def _not_written(self, what: str) -> Callable[[BaseException], ChainStoreError]:
        def error(exc: BaseException) -> ChainStoreError:
            reason = f"{what} not written: {self._explain(exc)}"
            return ChainStoreError(f"{self.path}: {reason}", path=self.path, reason=reason)
        return error


# -- rows of the pending pool and the transactions index (shared with other stores) -------------
_PENDING_SELECT = ("SELECT seq, kind, hash, account, nonce, raw, received, digest "
                   "FROM pending")
_TX_SELECT = "SELECT hash, height, verdict, reason, detail, digest FROM txs"
#: a block's row of the transactions index: a success stays, a rejection gives way
#: (``merge_outcome``)
_TX_UPSERT = ("INSERT INTO txs VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO "
              "UPDATE SET height = excluded.height, verdict = excluded.verdict, "
              "reason = excluded.reason, detail = excluded.detail, digest = excluded.digest "
              "WHERE txs.verdict = 'rejected'")


def _pending_values(item: PendingItem) -> tuple:
    return (item.seq, item.kind, item.hash, item.account, item.nonce, item.raw,
            item.received)


def _digest_of(item: PendingItem) -> bytes:
    return pending_digest(*_pending_values(item))


def _pending_item(row: tuple) -> PendingItem | None:
    """The item of a pending row (seq, kind, hash, account, nonce, raw, received,
    digest), or None when the row does not match its digest."""
    seq, kind, hash_, account, nonce, raw, received, digest = row
    if type(seq) is not int or type(kind) is not str or type(hash_) is not bytes \
            or type(account) is not str or type(nonce) is not int \
            or type(raw) is not bytes or type(received) is not int \
            or not all(0 <= v < 1 << 63 for v in (seq, nonce, received)):
        return None
    item = PendingItem(seq, kind, hash_, account, nonce, raw, received)
    if digest != _digest_of(item) or kind not in PENDING_KINDS:
        return None
    return item


def _tx_outcome(row: tuple) -> TxOutcome | None:
    """The outcome of an index row (hash, height, verdict, reason, detail, digest), or
    None when the row does not match its digest."""
    tx_hash, height, verdict, reason, detail, digest = row
    if type(tx_hash) is not bytes or type(height) is not int or not 0 <= height < 1 << 63 \
            or not all(type(v) is str for v in (verdict, reason, detail)) \
            or verdict not in VERDICTS \
            or digest != tx_digest(tx_hash, height, verdict, reason, detail):
        return None
    if verdict == "rejected":
        return TxOutcome(height, verdict, reason, detail)
    return TxOutcome(height, verdict, None, None)


def _tx_rows(block: Block) -> list[tuple[bytes, int, str, str, str, bytes]]:
    """The transactions index rows of ``block`` with their digests (``tx_outcomes``)."""
    height = block.header.height
    return [(h, height, verdict, reason, detail,
             tx_digest(h, height, verdict, reason, detail))
            for h, (verdict, reason, detail) in tx_outcomes(block).items()]


def _hash_list(hashes: Iterable[bytes], name: str) -> list[bytes]:
    """``hashes`` as a list of bytes (bytes-likes accepted); ``ArgumentTypeError`` for
    anything else (a lone bytes value is refused: it would iterate as ints)."""
    if isinstance(hashes, (bytes, bytearray, memoryview, str)):
        raise ArgumentTypeError(f"{name} is an iterable of hashes (bytes), got one "
                                f"{type(hashes).__name__}")
    out = []
    for h in hashes:
        if not isinstance(h, (bytes, bytearray, memoryview)):
            raise ArgumentTypeError(f"{name}: a hash is bytes, got {type(h).__name__}")
        out.append(bytes(h))
    return out


def check_blob(data: object) -> tuple[bytes, bytes]:
    """(data as bytes, its SHA-256) for ``put_blob``: ``ArgumentTypeError`` for a
    non-bytes-like, ``BlobTooLargeError`` above ``MAX_BLOB_SIZE``."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ArgumentTypeError(f"a blob is bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_BLOB_SIZE:
        raise BlobTooLargeError(f"a blob of {len(data)} bytes: the store keeps blobs of at "
                                f"most {MAX_BLOB_SIZE} bytes (16 MiB)")
    return data, hashlib.sha256(data).digest()


# -- helpers ----------------------------------------------------------------------------------
class _OneRead:
    """``with store._one_read:`` around a single SQL statement, which reads one snapshot
    by itself: the lock and the error translation of ``snapshot`` without its
    transaction (a plain class: lookups run once per pending claim)."""

    __slots__ = ("_store",)

    def __init__(self, store: SQLChainStore) -> None:
        self._store = store

    def __enter__(self) -> None:
        self._store._lock.acquire()

    def __exit__(self, kind, exc, tb) -> None:
        self._store._lock.release()
        if isinstance(exc, (*self._store._errors, UnicodeDecodeError)):
            with self._store._db_errors():
                raise exc


def _index_rows(block: Block) -> list[tuple[bytes, bytes, int, bytes]]:
    """(statement, claim, height, digest) of each accepted claim: ``claim_digest`` for
    32-byte hashes, unrolled (a block may accept thousands)."""
    height = block.header.height
    tail, size, base = height.to_bytes(8, "big"), (32).to_bytes(4, "big"), _CLAIM_HASH
    rows = []
    for c in block.accepted:
        statement, claim = c.statement_hash, c.claim_hash
        h = base.copy()
        h.update(b"".join((size, statement, size, claim, tail)))
        rows.append((statement, claim, height, h.digest()))
    return rows


def _check_header(store: SQLChainStore, row: tuple) -> BlockHeader:
    """The header of a block row (height, hash, parent, header bytes), checked against
    the row's other columns."""
    height, block_hash, parent, data = row
    try:
        if type(data) is not bytes:
            raise ChainStoreError("not bytes")
        header = BlockHeader.from_bytes(data)
    except ZkcxError as exc:
        raise store._damaged(f"block {height}'s header does not decode: {exc}") from None
    if header.hash != block_hash or header.height != height or header.parent_hash != parent:
        raise store._damaged(f"block {height}'s row does not match its header's hash")
    return header


def _check_body(store: SQLChainStore, header: BlockHeader, body: object) -> None:
    if type(body) is not bytes or body_hash(body) != header.body_hash:
        raise store._damaged(f"block {header.height}'s body does not have its header's "
                             "body hash")


def _decode_block(store: SQLChainStore, header: BlockHeader, body: object) -> Block:
    _check_body(store, header, body)
    return Block(header, *decode_body(body))
