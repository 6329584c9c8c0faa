# SPDX-License-Identifier: MIT
"""Chain stores: the ``ChainStore`` protocol, its SQLite implementation, and
``open_store``/``create_store``, which take a file's path or a ``postgresql://`` URL
(``zkcx.rollup.postgres_store``: the same tables, digests and guarantees in a
PostgreSQL database). The logic both share is ``zkcx.rollup.sql_store.SQLChainStore``.

The SQLite store is one file, schema version 4 (application id 0x7a6b6378, "zkcx"):

    meta(key TEXT PRIMARY KEY, value BLOB, digest BLOB)   schema_version, genesis_accountant
                                                          (the genesis market state),
                                                          chain_id (decimal), and
                                                          kernel_registry
                                                          (KernelRegistry.to_json, UTF-8
                                                          JSON) once kernels are registered,
                                                          aggregation_key (zkcx.rollup.
                                                          aggregation's encoding) when the
                                                          blocks carry aggregates
    blocks(height INTEGER PRIMARY KEY, hash BLOB UNIQUE, parent BLOB, header BLOB,
           body BLOB)
    claims(statement BLOB PRIMARY KEY, claim BLOB UNIQUE, height INTEGER, digest BLOB)
           WITHOUT ROWID      the index of accepted claims: statement hash, claim hash, block
    state(id = 1, height, claims, accountant BLOB, digest BLOB)
                              the state after the head (``accountant``: the market state,
                              ``Market.to_bytes``, whose ledger is the accountant, its models
                              included), and the number of index rows
    pending(seq INTEGER PRIMARY KEY AUTOINCREMENT, kind, hash BLOB UNIQUE, account, nonce,
            raw BLOB, received, digest BLOB)
                              the pending pool: submissions acknowledged and not yet in a
                              block (``PendingItem``), by arrival order
    blobs(digest BLOB PRIMARY KEY, data BLOB)   content-addressed data (task inputs):
                              ``digest`` = SHA-256(data), at most 16 MiB each
    txs(hash BLOB PRIMARY KEY, height, verdict, reason, detail, digest BLOB) WITHOUT ROWID
                              the transactions index: what the blocks did with each claim
                              and operation they received (``tx_outcomes``; a success
                              stays, a rejection gives way to a later verdict)

The pending pool and the blobs live in the chain's database so that a block and the
removal of what it consumed are one transaction: ``append(block, market, consumed)``
deletes the pending rows of ``consumed`` in the block's transaction, so an acknowledged
submission is either pending or in a block, never lost and never in two blocks.
``submit`` and ``put_blob`` commit (``synchronous=FULL``) before they return.

Guarantees:

* **Atomic appends.** ``append`` writes a block, its index rows and the new state in one
  transaction (BEGIN IMMEDIATE … COMMIT, ``synchronous=FULL``): a block is there whole or
  not at all, and a failure anywhere (a block that does not extend the head, a replayed
  statement violating the primary key, a crash, a kill) leaves the file as it was.
* **Consistent reads.** Every method reads one snapshot of the file (one SQL statement,
  or a read transaction around several: in WAL mode a reader sees the last commit
  before its first read and never blocks the writer, nor the writer it).
  ``snapshot()`` groups several calls into one snapshot; ``verify_chain`` reads the
  blocks, the index and the state after the head inside one.
  ``blocks()`` outside a snapshot yields the blocks up to the head it saw first (blocks
  never change once written). One store object may be shared by threads: a lock
  serializes its calls, and an open snapshot holds it; readers that should run in
  parallel open a store each (per thread or per process).
* **Integrity.** Every stored record is covered by the block headers' hash chain or by a
  hash checked whenever it is read:

  - a block row: ``hash`` is the block hash of ``header`` (SHA-256 over the header
    bytes), ``height`` and ``parent`` are the header's, and SHA-256 of ``body`` is the
    header's body hash; headers chain by parent hash from the genesis hash, which
    commits the genesis rows;
  - an index row: ``digest`` = H("zkcx-store-claim-v1", blob statement, blob claim, u64
    height); the number of rows is in the state row, and ``verify_chain`` checks that
    the rows are exactly the accepted claims of the blocks (the index is derived data:
    it is rebuilt from the blocks and compared, not committed in the headers);
  - the state row: ``digest`` = H("zkcx-store-state-v1", i64 height, u64 index rows,
    blob accountant), and the state must have the head's state and models roots;
  - a meta row: ``digest`` = H("zkcx-store-meta-v1", text key, blob value);
  - a pending row: ``digest`` = H("zkcx-store-pending-v1", u64 seq, text kind, blob
    hash, text account, u64 nonce, blob raw, u64 received);
  - a transactions index row: ``digest`` = H("zkcx-store-tx-v1", blob hash, u64 height,
    text verdict, text reason, text detail); like the claims index it is derived data,
    rebuilt from the blocks by ``verify_chain`` and compared;
  - a blob: its key is the SHA-256 of its data, re-hashed on every read;
  - the schema: the SQL in ``sqlite_master`` must be exactly this module's.

  H is the rollup's tagged SHA-256 (``zkcx.rollup._codec.tagged_hash``). ``open`` checks
  the file's SQLite header, runs ``PRAGMA quick_check`` (the structure of every page,
  several times cheaper than ``integrity_check``; both grow with the file, and an open
  happens on every command; benchmarks/RESULTS.md has times), and checks
  the schema, the meta and state rows, the head's row and the counts of blocks and
  index rows. ``check_integrity`` (called by ``verify_chain``, so by ``zkcx block
  verify``) runs ``PRAGMA integrity_check`` (indexes against their tables too) and
  checks every row. Any damage raises ``ChainStoreError``. These hashes detect damage
  (a flipped bit, a torn copy, a deleted or edited row); they are not a signature:
  whoever can write the file can recompute them. What proves a chain is
  ``verify_chain``, which replays it from genesis against the headers' roots.
* **Read-only mode.** ``open(path, read_only=True)`` opens the file with SQLite's
  ``mode=ro``: it never creates, changes or converts a file; ``append`` refuses. A
  writer switches the file to WAL mode when it opens and back to a rollback journal when
  it closes last, so a file at rest is read without any ``-wal`` or ``-shm`` file being
  made. While a writer has the file open (or after a crash) its ``-wal`` and ``-shm``
  files exist, and a read-only store reads through them. (A file left in WAL mode
  without them, say copied from under a running writer, gets them made by SQLite, which
  cannot read a WAL-mode file without them.) The price of a file at rest without a WAL:
  a long read of it (``verify_chain`` holds one snapshot) keeps a writer from switching
  it to WAL mode until the read ends; the writer waits up to 10 s, then
  ``open`` raises ``ChainStoreError``. Once a writer has the file, readers and the
  writer no longer wait for each other.
* **Errors.** A missing path, a directory, an unreadable file, a file that is not SQLite
  (empty files included), an SQLite file that is not a zkcx chain or of another schema
  version, and every SQLite error while using the file raise ``ChainStoreError`` naming
  the file and what is wrong.
* **Older files.** Schema version 4 goes with block version 3 (``zkcx.rollup.block``).
  A file of schema 3 (before the pending pool, blobs and transactions index) is refused
  on open, saying to make the chain again; a file of schema 2 or 1 (the rollup's former
  model registry beside the market, blocks of version 2 or older) is refused on open
  with the versions and what to do (make the chain again from genesis); it cannot be
  converted, since its headers commit a models
  root that nothing computes any more.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pathlib
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

from zkcx.errors import ArgumentTypeError
from zkcx.market import Market
from zkcx.rollup.block import Block, BlockHeader
from zkcx.rollup.errors import ChainStoreError
from zkcx.rollup.postgres_store import PostgresChainStore, is_postgres_url
from zkcx.rollup.signing import DEFAULT_CHAIN_ID, check_chain_id
from zkcx.rollup.sql_store import (  # noqa: F401  (re-exported: the store's public names)
    _TABLES,
    MAX_BLOB_SIZE,
    MAX_PENDING,
    PENDING_KINDS,
    SCHEMA_VERSION,
    VERDICTS,
    PendingItem,
    SQLChainStore,
    TxOutcome,
    check_blob,
    check_submission,
    claim_digest,
    item_hash,
    merge_outcome,
    meta_digest,
    pending_digest,
    state_digest,
    tx_digest,
    tx_outcomes,
)

APPLICATION_ID = 0x7A6B6378  # "zkcx": PRAGMA application_id of a chain file

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL, digest BLOB NOT NULL);
CREATE TABLE blocks (height INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,
                     parent BLOB NOT NULL, header BLOB NOT NULL, body BLOB NOT NULL);
CREATE TABLE claims (statement BLOB PRIMARY KEY, claim BLOB NOT NULL UNIQUE,
                     height INTEGER NOT NULL, digest BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), height INTEGER NOT NULL,
                    claims INTEGER NOT NULL, accountant BLOB NOT NULL,
                    digest BLOB NOT NULL);
CREATE TABLE pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
                      hash BLOB NOT NULL UNIQUE, account TEXT NOT NULL,
                      nonce INTEGER NOT NULL, raw BLOB NOT NULL, received INTEGER NOT NULL,
                      digest BLOB NOT NULL);
CREATE TABLE blobs (digest BLOB PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE txs (hash BLOB PRIMARY KEY, height INTEGER NOT NULL, verdict TEXT NOT NULL,
                  reason TEXT NOT NULL, detail TEXT NOT NULL, digest BLOB NOT NULL)
                  WITHOUT ROWID;
"""
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SQLITE_HEADER = 100  # bytes: the smallest SQLite file is one page, at least this long



@runtime_checkable
class ChainStore(Protocol):
    """What a chain needs from storage; a server database can implement it too.

    A store gives consistent reads: each call sees one committed state, and the calls
    made inside ``snapshot()`` all see the same one."""

    def genesis(self) -> bytes:
        """The market state bytes at genesis."""

    def genesis_hash(self) -> bytes:
        """Block 0's parent hash."""

    def chain_id(self) -> int:
        """The chain id fixed at genesis: the domain of every signature on the chain."""

    def head(self) -> BlockHeader | None:
        """The newest block's header (None before block 0)."""

    def block(self, height: int) -> Block:
        """The block at ``height`` (KeyError when absent)."""

    def blocks(self, start: int = 0) -> Iterator[Block]:
        """Blocks from ``start`` to the head, in order."""

    def has_statement(self, statement_hash: bytes) -> bool:
        """Whether a block of the chain accepted a claim of this statement hash."""

    def claim_index(self) -> Iterator[tuple[bytes, bytes, int]]:
        """The index of accepted claims: (statement hash, claim hash, height) rows."""

    def append(self, block: Block, market: Market, consumed: Iterable[bytes] = ()) -> None:
        """Add the next block with the state after it, its rows of the claims and
        transactions indexes, and remove the pending items whose hash is in
        ``consumed``: one transaction (all of it or nothing)."""

    def load_state(self) -> Market:
        """The market after the head."""

    def snapshot(self) -> contextlib.AbstractContextManager:
        """A context in which every read sees the same committed state."""

    def check_integrity(self) -> None:
        """Raise ``ChainStoreError`` when any stored record is damaged."""

    def submit(self, kind: str, hash: bytes, account: str, nonce: int, raw: bytes,
               received: int) -> PendingItem:
        """Add an item to the pending pool, durably (committed when this returns); the
        same hash again returns the item already there. ``PendingPoolFullError`` when
        the pool holds ``max_pending`` items."""

    def pending(self, limit: int | None = None) -> list[PendingItem]:
        """The pending items in arrival order (the first ``limit`` of them)."""

    def pending_item(self, hash: bytes) -> PendingItem | None:
        """The pending item of this hash, or None."""

    def pending_count(self) -> int:
        """How many items are pending."""

    def drop_pending(self, hashes: Iterable[bytes]) -> int:
        """Remove the pending items of these hashes; the number removed."""

    def put_blob(self, data: bytes) -> bytes:
        """Keep ``data``; its SHA-256, under which ``blob`` returns it."""

    def blob(self, digest: bytes) -> bytes | None:
        """The blob whose SHA-256 is ``digest``, or None."""

    def submission(self, hash: bytes) -> PendingItem | TxOutcome | None:
        """Where a transaction is: pending, in a block (``TxOutcome``), or unknown."""

    def tx_index(self) -> Iterator[tuple[bytes, int, str, str, str]]:
        """The transactions index: (hash, height, verdict, reason, detail) rows."""

class SQLiteChainStore(SQLChainStore):
    """``ChainStore`` in one SQLite file (module docstring). Use ``create`` or ``open``."""

    #: SQLite reports some damage as SQLITE_NOMEM (a torn page claiming a huge record), which
    #: Python raises as MemoryError: within a store call that is the file's fault too
    _errors = (sqlite3.Error, MemoryError)
    _integrity_errors = (sqlite3.IntegrityError,)

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike, market: Market | None = None, *,
               overwrite: bool = False,
               chain_id: int = DEFAULT_CHAIN_ID) -> SQLiteChainStore:
        """A new chain file with this genesis state (default: a market over a fresh
        accountant, in which nobody holds a token: ``Market.genesis(grants)`` gives the
        first requesters their balances) and chain id (every signature on
        the chain is made for it; default ``DEFAULT_CHAIN_ID``, a development chain).
        Refuses an existing non-empty file unless ``overwrite`` (then the file and its
        ``-wal``/``-shm`` files are replaced)."""
        try:
            check_chain_id(chain_id)
        except ValueError as exc:
            raise ChainStoreError(str(exc)) from None
        path = os.fspath(path)
        market = Market() if market is None else market
        if not isinstance(market, Market):
            raise ArgumentTypeError(f"a chain's genesis state is a zkcx.market.Market "
                                    f"(Market(ledger) or Market.genesis(grants)), got "
                                    f"{type(market).__name__}")
        if market.height != -1:
            raise ChainStoreError("a genesis market has applied no block (height -1)")
        if path != ":memory:":
            _prepare_new_file(path, overwrite)
        return cls._new_file(path, market.to_bytes(), chain_id)

    @classmethod
    def _new_file(cls, path: str, acc_bytes: bytes, chain_id: int) -> SQLiteChainStore:
        meta = [(key, value, meta_digest(key, value)) for key, value in (
            ("schema_version", str(SCHEMA_VERSION).encode()),
            ("genesis_accountant", acc_bytes), ("chain_id", str(chain_id).encode()))]
        conn = None
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            _write_pragmas(conn)
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            conn.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(statement)
            conn.executemany("INSERT INTO meta VALUES (?, ?, ?)", meta)
            conn.execute("INSERT INTO state VALUES (1, -1, 0, ?, ?)",
                         (acc_bytes, state_digest(-1, 0, acc_bytes)))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn is not None:
                _rollback(conn)
                conn.close()
            raise ChainStoreError(f"{path}: cannot create a chain file: {exc}") from exc
        except BaseException:
            if conn is not None:
                _rollback(conn)
                conn.close()
            raise
        store = cls(conn, path)
        store._genesis = acc_bytes
        store._chain_id = chain_id
        return store

    @classmethod
    def open(cls, path: str | os.PathLike, read_only: bool = False) -> SQLiteChainStore:
        """An existing chain file, checked (module docstring: integrity). ``read_only``:
        SQLite's ``mode=ro``, which never creates or changes a file; ``append`` refuses.
        Raises ``ChainStoreError`` naming the file and what is wrong with it."""
        path = os.fspath(path)
        _check_file(path)
        try:
            if read_only:
                uri = pathlib.Path(path).absolute().as_uri() + "?mode=ro"
                conn = sqlite3.connect(uri, uri=True, isolation_level=None,
                                       check_same_thread=False)
            else:
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=10000")
        except sqlite3.Error as exc:
            raise ChainStoreError(f"{path}: SQLite cannot open it: {exc}") from exc
        store = cls(conn, path, read_only)
        try:
            store._check_on_open()
            if not read_only:
                with store._db_errors():
                    _write_pragmas(conn)
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        """Close the file. A writer that is the file's last user switches it back to a
        rollback journal, so that read-only opens find no WAL to need."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if not self.read_only and self.path != ":memory:":
                with contextlib.suppress(sqlite3.Error):  # others have it open: stays WAL
                    _rollback(self._conn)
                    self._conn.execute("PRAGMA busy_timeout=0")
                    self._conn.execute("PRAGMA journal_mode=DELETE")
            self._conn.close()

    # -- what SQLite does its own way ----------------------------------------------------------
    def _check_on_open(self) -> None:
        with self.snapshot():
            conn = self._conn
            tables = {name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not set(_TABLES) <= tables:
                missing = ", ".join(sorted(set(_TABLES) - tables))
                raise ChainStoreError(f"{self.path} is not a zkcx chain store (SQLite file "
                                      f"without the tables {missing})")
            self._check_version()
            problems = [r for (r,) in conn.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise self._damaged("SQLite's quick_check fails: " + "; ".join(problems))
            self._check_structure()

    def _check_schema(self) -> None:
        conn = self._conn
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise self._damaged(f"application id {app_id:#x}, not zkcx's")
        master = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                              "ORDER BY name").fetchall()
        if master != _expected_master():
            raise self._damaged("the schema is not zkcx's")

    def _check_database(self) -> None:
        problems = [r for (r,) in self._conn.execute("PRAGMA integrity_check(5)")]
        if problems != ["ok"]:
            raise self._damaged("SQLite's integrity_check fails: " + "; ".join(problems))

    def _begin_read(self) -> None:
        self._conn.execute("BEGIN")

    def _begin_write(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def _next_seq(self, conn) -> int:
        # AUTOINCREMENT's high-water mark: a seq is not given twice, even once dropped
        top, mark = conn.execute("SELECT COALESCE(MAX(seq), 0), (SELECT seq FROM "
                                 "sqlite_sequence WHERE name = 'pending') FROM pending"
                                 ).fetchone()
        return max(top, mark or 0) + 1

    @staticmethod
    def _explain(exc: BaseException) -> str:
        return _explain(exc)


# -- opening a store by its location ----------------------------------------------------------
def open_store(url_or_path: str | os.PathLike, read_only: bool = False) -> SQLChainStore:
    """The chain store at ``url_or_path``: a ``postgresql://`` URL opens a
    ``PostgresChainStore`` (psycopg is imported then, not before), anything else the
    SQLite file at that path. Raises ``ChainStoreError`` saying what is wrong (a URL's
    password never shown)."""
    if is_postgres_url(url_or_path):
        return PostgresChainStore.open(url_or_path, read_only=read_only)
    return SQLiteChainStore.open(url_or_path, read_only=read_only)


def create_store(url_or_path: str | os.PathLike, market: Market | None = None, *,
                 chain_id: int = DEFAULT_CHAIN_ID, overwrite: bool = False) -> SQLChainStore:
    """A new chain store at ``url_or_path`` (a ``postgresql://`` URL or a file path) with
    this genesis market and chain id; as ``SQLiteChainStore.create`` and
    ``PostgresChainStore.create``."""
    if is_postgres_url(url_or_path):
        return PostgresChainStore.create(url_or_path, market, chain_id=chain_id,
                                         overwrite=overwrite)
    return SQLiteChainStore.create(url_or_path, market, chain_id=chain_id,
                                   overwrite=overwrite)


def _write_pragmas(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")


def _rollback(conn) -> None:
    """Roll back an open transaction; quietly, as it runs while another error is raised
    (a closed connection, a connection SQLite already rolled back)."""
    with contextlib.suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def _explain(exc: sqlite3.Error | MemoryError) -> str:
    if isinstance(exc, MemoryError):
        return ("SQLite ran out of memory reading it: the file is damaged (a torn or "
                "overwritten page can claim a huge record)")
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and (
            "malformed" in text or "not a database" in text or "corrupt" in text):
        return f"SQLite finds it damaged ({text})"
    if "locked" in text or "busy" in text:
        return (f"SQLite error: {text} (another process held a lock for more than 10 s: a "
                "writer, or a long read of the file at rest such as a verification; "
                "try again)")
    return f"SQLite error: {text}"


@functools.cache
def _expected_master() -> list[tuple]:
    """The sqlite_master rows (type, name, table, SQL) that the schema makes."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(_SCHEMA)
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                            "ORDER BY name").fetchall()
    finally:
        conn.close()


def _check_file(path: str) -> None:
    """Refuse, without touching it, a path that cannot hold a chain: missing, not a
    regular file, unreadable, or not starting with the SQLite header."""
    if not os.path.exists(path):
        raise ChainStoreError(f"{path} does not exist; make one with "
                              "SQLiteChainStore.create")
    if os.path.isdir(path):
        raise ChainStoreError(f"{path} is a directory, not a chain file")
    if not os.path.isfile(path):
        raise ChainStoreError(f"{path} is not a regular file")
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SQLITE_HEADER)
    except OSError as exc:
        raise ChainStoreError(f"{path} cannot be read: {exc.strerror or exc}") from exc
    if len(head) < _SQLITE_HEADER or not head.startswith(_SQLITE_MAGIC):
        size = os.path.getsize(path)
        what = "is empty" if size == 0 else f"is not an SQLite file ({size} bytes"
        what += "" if size == 0 else (", too short)" if len(head) < _SQLITE_HEADER
                                      else ", no SQLite header)")
        raise ChainStoreError(f"{path} {what}: not a zkcx chain store")


def _prepare_new_file(path: str, overwrite: bool) -> None:
    if os.path.isdir(path):
        raise ChainStoreError(f"{path} is a directory, not a chain file")
    companions = [path + "-wal", path + "-shm", path + "-journal"]
    left = [p for p in companions if os.path.exists(p)]  # SQLite would replay a stale WAL
    if not overwrite and os.path.exists(path) and os.path.getsize(path) > 0:
        raise ChainStoreError(f"{path} exists ({os.path.getsize(path)} bytes); open it with "
                              "SQLiteChainStore.open, or create with overwrite=True to "
                              "replace it")
    if not overwrite and left:
        raise ChainStoreError(f"{left[0]} exists (the journal of an earlier file {path}); "
                              "create with overwrite=True to replace both")
    if overwrite:
        for p in (path, *companions):
            try:
                os.remove(p)
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise ChainStoreError(f"{p} cannot be replaced: {exc.strerror}") from exc

