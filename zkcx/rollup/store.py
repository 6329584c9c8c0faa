# SPDX-License-Identifier: MIT
"""Chain stores: the ``ChainStore`` protocol and its SQLite implementation.

The SQLite store is one file in WAL mode (``synchronous=FULL``), schema version 1:

    meta(key TEXT PRIMARY KEY, value BLOB)       schema_version, genesis_accountant,
                                                 genesis_models, and kernel_registry
                                                 (KernelRegistry.to_json as UTF-8 JSON)
                                                 once kernels are kept with the chain
    blocks(height INTEGER PRIMARY KEY, hash BLOB UNIQUE, parent BLOB, header BLOB,
           body BLOB)
    claims(statement BLOB PRIMARY KEY, claim BLOB, height INTEGER) WITHOUT ROWID
                                 statement and claim hashes of the accepted claims
    state(id = 1, height, accountant BLOB, models BLOB)           the state after the head

``append`` writes a block, its accepted claim hashes and the new state in one
transaction (BEGIN IMMEDIATE … COMMIT): a block is there whole or not at all, and a
failure anywhere (a replayed statement violating the primary key, a crash) rolls back.
Opening checks the schema version and that the stored state has the head's roots.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from zkcx.errors import ZkcxError
from zkcx.rewards.accountant import Accountant
from zkcx.rollup.block import Block, BlockHeader, decode_body, genesis_hash
from zkcx.rollup.errors import ChainStoreError
from zkcx.rollup.kernel_registry import KernelRegistry
from zkcx.rollup.models import ModelRegistry

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE blocks (height INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,
                     parent BLOB NOT NULL, header BLOB NOT NULL, body BLOB NOT NULL);
CREATE TABLE claims (statement BLOB PRIMARY KEY, claim BLOB NOT NULL UNIQUE,
                     height INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), height INTEGER NOT NULL,
                    accountant BLOB NOT NULL, models BLOB NOT NULL);
"""


@runtime_checkable
class ChainStore(Protocol):
    """What a chain needs from storage; a server database can implement it too."""

    def genesis(self) -> tuple[bytes, bytes]:
        """(accountant bytes, model registry bytes) at genesis."""

    def genesis_hash(self) -> bytes:
        """Block 0's parent hash."""

    def head(self) -> BlockHeader | None:
        """The newest block's header (None before block 0)."""

    def block(self, height: int) -> Block:
        """The block at ``height`` (KeyError when absent)."""

    def blocks(self, start: int = 0) -> Iterator[Block]:
        """Blocks from ``start`` to the head, in order."""

    def has_statement(self, statement_hash: bytes) -> bool:
        """Whether a block of the chain accepted a claim of this statement hash."""

    def append(self, block: Block, accountant: Accountant, models: ModelRegistry) -> None:
        """Add the next block with the states after it, atomically."""

    def load_state(self) -> tuple[Accountant, ModelRegistry]:
        """The accountant and model registry after the head."""


class SQLiteChainStore:
    """``ChainStore`` in one SQLite file (module docstring). Use ``create`` or ``open``."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._genesis: tuple[bytes, bytes] | None = None

    # -- opening -------------------------------------------------------------------------
    @staticmethod
    def _connect(path: str) -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    @classmethod
    def create(cls, path: str | os.PathLike, accountant: Accountant | None = None,
               models: ModelRegistry | None = None) -> SQLiteChainStore:
        """A new chain file with this genesis state (default: a fresh accountant, no
        models). Refuses an existing file."""
        path = os.fspath(path)
        if path != ":memory:" and os.path.exists(path) and os.path.getsize(path) > 0:
            raise ChainStoreError(f"{path} exists; open it with SQLiteChainStore.open")
        accountant = Accountant() if accountant is None else accountant
        models = ModelRegistry() if models is None else models
        if accountant.height != -1:
            raise ChainStoreError("a genesis accountant has applied no block (height -1)")
        conn = cls._connect(path)
        acc_bytes, model_bytes = accountant.to_bytes(), models.to_bytes()
        try:
            conn.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(statement)
            conn.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("schema_version", str(SCHEMA_VERSION).encode()),
                ("genesis_accountant", acc_bytes), ("genesis_models", model_bytes)])
            conn.execute("INSERT INTO state VALUES (1, -1, ?, ?)", (acc_bytes, model_bytes))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
            raise
        return cls(conn, path)

    @classmethod
    def open(cls, path: str | os.PathLike) -> SQLiteChainStore:
        """An existing chain file; checks its schema version."""
        path = os.fspath(path)
        if not os.path.exists(path):
            raise ChainStoreError(f"{path} does not exist; make one with "
                                  "SQLiteChainStore.create")
        conn = cls._connect(path)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ChainStoreError(f"{path} is not a zkcx chain store: {exc}") from exc
        if row is None or row[0] != str(SCHEMA_VERSION).encode():
            conn.close()
            raise ChainStoreError(f"{path}: schema version {row and row[0]!r}, this zkcx "
                                  f"reads {SCHEMA_VERSION}")
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SQLiteChainStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------
    def genesis(self) -> tuple[bytes, bytes]:
        if self._genesis is None:
            rows = dict(self._conn.execute(
                "SELECT key, value FROM meta WHERE key LIKE 'genesis_%'").fetchall())
            self._genesis = (rows["genesis_accountant"], rows["genesis_models"])
        return self._genesis

    def genesis_hash(self) -> bytes:
        return genesis_hash(*self.genesis())

    def head(self) -> BlockHeader | None:
        row = self._conn.execute(
            "SELECT header FROM blocks ORDER BY height DESC LIMIT 1").fetchone()
        return None if row is None else BlockHeader.from_bytes(row[0])

    def height(self) -> int:
        """The head's height, -1 before block 0."""
        row = self._conn.execute("SELECT MAX(height) FROM blocks").fetchone()
        return -1 if row[0] is None else row[0]

    def block(self, height: int) -> Block:
        row = self._conn.execute("SELECT header, body FROM blocks WHERE height = ?",
                                 (height,)).fetchone()
        if row is None:
            raise KeyError(f"no block at height {height}")
        return _block(row)

    def blocks(self, start: int = 0) -> Iterator[Block]:
        cur = self._conn.execute(
            "SELECT header, body FROM blocks WHERE height >= ? ORDER BY height", (start,))
        for row in cur:
            yield _block(row)

    def has_statement(self, statement_hash: bytes) -> bool:
        return self._conn.execute("SELECT 1 FROM claims WHERE statement = ?",
                                  (bytes(statement_hash),)).fetchone() is not None

    def has_claim(self, claim_hash: bytes) -> bool:
        """Whether a block of the chain accepted this claim hash."""
        return self.claim_height(claim_hash) is not None

    def claim_height(self, claim_hash: bytes) -> int | None:
        """The height of the block that accepted this claim hash, or None."""
        row = self._conn.execute("SELECT height FROM claims WHERE claim = ?",
                                 (bytes(claim_hash),)).fetchone()
        return None if row is None else row[0]

    def load_state(self) -> tuple[Accountant, ModelRegistry]:
        height, acc_bytes, model_bytes = self._conn.execute(
            "SELECT height, accountant, models FROM state WHERE id = 1").fetchone()
        accountant = Accountant.from_bytes(acc_bytes)
        models = ModelRegistry.from_bytes(model_bytes)
        head = self.head()
        if height != (-1 if head is None else head.height) or accountant.height != height:
            raise ChainStoreError(f"{self.path}: the stored state is at height {height}, "
                                  "not the head's")
        if head is not None and (accountant.state_root() != head.state_root
                                 or models.root() != head.models_root):
            raise ChainStoreError(f"{self.path}: the stored state does not have the head's "
                                  "roots")
        return accountant, models

    # -- writing -------------------------------------------------------------------------
    def append(self, block: Block, accountant: Accountant, models: ModelRegistry) -> None:
        """Add ``block`` (the next height, on the head's hash) with the states after it,
        in one transaction. Raises ``ChainStoreError`` and leaves the store as it was
        when the block does not extend the head, the states do not have its roots, or a
        statement is already in the chain."""
        h = block.header
        head = self.head()
        want_height = 0 if head is None else head.height + 1
        want_parent = self.genesis_hash() if head is None else head.hash
        if h.height != want_height or h.parent_hash != want_parent:
            raise ChainStoreError(f"block {h.height} does not extend the head (expected "
                                  f"height {want_height} on {want_parent.hex()[:16]}…)")
        if accountant.height != h.height or accountant.state_root() != h.state_root:
            raise ChainStoreError(f"block {h.height}: the accountant does not have the "
                                  "header's state root")
        if models.root() != h.models_root:
            raise ChainStoreError(f"block {h.height}: the model registry does not have the "
                                  "header's models root")
        hashes = [(c.statement_hash, c.claim_hash, h.height) for c in block.accepted]
        row = (h.height, h.hash, h.parent_hash, h.to_bytes(), block.body_bytes())
        state = (h.height, accountant.to_bytes(), models.to_bytes())
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO blocks VALUES (?, ?, ?, ?, ?)", row)
            conn.executemany("INSERT INTO claims VALUES (?, ?, ?)", hashes)
            conn.execute("UPDATE state SET height = ?, accountant = ?, models = ? "
                         "WHERE id = 1", state)
            conn.execute("COMMIT")
        except sqlite3.IntegrityError as exc:
            _rollback(conn)
            raise ChainStoreError(f"block {h.height} refused, nothing written: {exc}") from exc
        except BaseException:
            _rollback(conn)
            raise


    # -- the kernel registry kept with the chain ---------------------------------------------
    def kernel_registry(self) -> KernelRegistry:
        """The kernel registry kept with this chain (empty when none was saved)."""
        row = self._conn.execute(
            "SELECT value FROM meta WHERE key = 'kernel_registry'").fetchone()
        if row is None:
            return KernelRegistry()
        try:
            return KernelRegistry.from_json(json.loads(bytes(row[0]).decode("utf-8")))
        except (ZkcxError, ValueError, TypeError, KeyError) as exc:
            raise ChainStoreError(f"{self.path}: the kept kernel registry does not decode: "
                                  f"{exc}") from exc

    def save_kernel_registry(self, registry: KernelRegistry) -> None:
        """Keep ``registry`` with the chain, replacing the kept one, which it must extend:
        a kernel kept before (blocks may have been verified against it) is neither
        dropped nor changed."""
        kept = self.kernel_registry().to_json()
        new = {item["kernel_id"]: item for item in registry.to_json()}
        for item in kept:
            if new.get(item["kernel_id"]) != item:
                raise ChainStoreError(f"kernel {item['kernel_id']} is kept with the chain "
                                      "and may not be dropped or changed")
        value = json.dumps(registry.to_json(), sort_keys=True).encode("utf-8")
        self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('kernel_registry', ?)",
                           (value,))


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _block(row: tuple[bytes, bytes]) -> Block:
    header = BlockHeader.from_bytes(row[0])
    accepted, rejected, operations = decode_body(row[1])
    return Block(header, accepted, rejected, operations)
