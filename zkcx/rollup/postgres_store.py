# SPDX-License-Identifier: MIT
"""The chain store in a PostgreSQL database, for an operator that outgrows one SQLite
file: ``PostgresChainStore``, the same ``ChainStore`` as ``SQLiteChainStore`` (the
same tables, rows, digests and checks: ``zkcx.rollup.store``, whose module docstring
describes them), in the database a ``postgresql://`` URL names. psycopg 3 is imported
only when a store is opened (``pip install 'zkcx[postgres]'``).

    store = PostgresChainStore.create("postgresql://user:pw@host/db", market, chain_id=7)
    store = PostgresChainStore.open("postgresql://user:pw@host/db", read_only=True)

What PostgreSQL does its own way:

* **Tables.** ``meta``, ``blocks``, ``claims``, ``state``, ``pending``, ``blobs`` and
  ``txs`` in the connection's current schema (``search_path``: give the URL
  ``?options=-csearch_path%3Dname`` to keep a chain in a schema of its own), bytea for
  blobs, bigint for integers, and ``pending_seq(id = 1, seq)``, the pending pool's
  high-water mark (SQLite's AUTOINCREMENT keeps its own). ``create`` refuses a database
  that has any of these tables unless ``overwrite``.
* **Transactions.** Reads outside a snapshot are single statements (each sees one
  committed state); ``snapshot()`` is a REPEATABLE READ, READ ONLY transaction (every
  read inside sees one committed state, and never blocks a writer). Every write
  (``append``, ``submit``, ``drop_pending``, ``put_blob``, ``save_kernel_registry``)
  is one transaction that first locks the state row (``SELECT … FOR UPDATE``), so
  writers take turns like SQLite's single writer: two processes cannot both append at
  one height (the second sees the first's block and is refused: it does not extend the
  head), and the pool's count and seq are exact. A commit returns once the server has
  made it durable (``synchronous_commit`` on, the server's default).
* **Read-only mode.** ``open(url, read_only=True)`` sets the session's
  ``default_transaction_read_only``: the server refuses any write, besides the store's
  own refusals.
* **Errors.** A URL that does not parse, a server that cannot be reached or refuses the
  login, a database without a zkcx chain or of another schema version, damage found in
  a row, and every database error raise ``ChainStoreError``; messages name the URL with
  its password replaced by ``***`` (``redact_url``), never the password.
"""

from __future__ import annotations

import contextlib
import re
import urllib.parse

from zkcx.errors import ArgumentTypeError
from zkcx.market import Market
from zkcx.rollup.errors import ChainStoreError
from zkcx.rollup.signing import DEFAULT_CHAIN_ID, check_chain_id
from zkcx.rollup.sql_store import (
    _TABLES,
    SCHEMA_VERSION,
    SQLChainStore,
    meta_digest,
    state_digest,
)

#: how long a connection attempt waits for the server (s)
CONNECT_TIMEOUT = 10

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value BYTEA NOT NULL, digest BYTEA NOT NULL);
CREATE TABLE blocks (height BIGINT PRIMARY KEY, hash BYTEA NOT NULL UNIQUE,
                     parent BYTEA NOT NULL, header BYTEA NOT NULL, body BYTEA NOT NULL);
CREATE TABLE claims (statement BYTEA PRIMARY KEY, claim BYTEA NOT NULL UNIQUE,
                     height BIGINT NOT NULL, digest BYTEA NOT NULL);
CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), height BIGINT NOT NULL,
                    claims BIGINT NOT NULL, accountant BYTEA NOT NULL,
                    digest BYTEA NOT NULL);
CREATE TABLE pending (seq BIGINT PRIMARY KEY, kind TEXT NOT NULL,
                      hash BYTEA NOT NULL UNIQUE, account TEXT NOT NULL,
                      nonce BIGINT NOT NULL, raw BYTEA NOT NULL, received BIGINT NOT NULL,
                      digest BYTEA NOT NULL);
CREATE TABLE pending_seq (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL);
CREATE TABLE blobs (digest BYTEA PRIMARY KEY, data BYTEA NOT NULL);
CREATE TABLE txs (hash BYTEA PRIMARY KEY, height BIGINT NOT NULL, verdict TEXT NOT NULL,
                  reason TEXT NOT NULL, detail TEXT NOT NULL, digest BYTEA NOT NULL);
"""
#: every table of the schema, and (table, column, type) as information_schema says
_ALL_TABLES = tuple(re.findall(r"CREATE TABLE (\w+)", _SCHEMA))
_TYPES = {"BYTEA": "bytea", "BIGINT": "bigint", "INTEGER": "integer", "TEXT": "text"}
_COLUMNS = sorted(
    (table, column, _TYPES[kind])
    for table, body in re.findall(r"CREATE TABLE (\w+) \((.*?)\);", _SCHEMA, re.S)
    for column, kind in re.findall(r"(?:^|,)\s*(\w+) (BYTEA|BIGINT|INTEGER|TEXT)", body))


def is_postgres_url(text: object) -> bool:
    """Whether ``text`` is a PostgreSQL URL (``postgresql://`` or ``postgres://``) rather
    than a path."""
    return isinstance(text, str) and text.split("://", 1)[0].lower() in ("postgresql",
                                                                        "postgres")


def redact_url(url: str) -> str:
    """``url`` with its password (in the user part or a ``password=`` parameter)
    replaced by ``***``: what messages show."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # say, a bracket left open: hide whatever may be a password
        return _scrub(url, url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        if ":" in user:
            user = user.split(":", 1)[0] + ":***"
        netloc = f"{user}@{host}"
    query = re.sub(r"(?i)(^|&)(password=)[^&]*", r"\1\2***", parts.query)
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))


class _Connection:
    """A psycopg connection (autocommit: the store begins its own transactions) with
    the calls ``SQLChainStore`` makes of sqlite3's: ``execute`` and ``executemany``
    with ``?`` placeholders, ``in_transaction``."""

    __slots__ = ("raw", "_sql")

    def __init__(self, raw) -> None:
        self.raw = raw
        self._sql: dict[str, str] = {}

    def _translate(self, sql: str) -> str:
        out = self._sql.get(sql)
        if out is None:
            out = self._sql[sql] = sql.replace("?", "%s")
        return out

    def execute(self, sql: str, params=()):
        return self.raw.execute(self._translate(sql), params or None)

    def executemany(self, sql: str, rows) -> None:
        rows = list(rows)
        if rows:
            with self.raw.cursor() as cur:
                cur.executemany(self._translate(sql), rows)

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


class PostgresChainStore(SQLChainStore):
    """``ChainStore`` in a PostgreSQL database (module docstring). Use ``create`` or
    ``open`` with a ``postgresql://`` URL; ``path`` is the URL without its password."""

    _container = "database"

    def __init__(self, conn, url: str, read_only: bool = False) -> None:
        import psycopg

        super().__init__(_Connection(conn), redact_url(url), read_only)
        self._errors = (psycopg.Error,)
        self._integrity_errors = (psycopg.IntegrityError,)
        self._creating = False  # create's transaction: no state row to lock yet

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(cls, url: str, market: Market | None = None, *, overwrite: bool = False,
               chain_id: int = DEFAULT_CHAIN_ID) -> PostgresChainStore:
        """A new chain in the database ``url`` names, with this genesis state and chain id
        (as ``SQLiteChainStore.create``). Refuses a database that already has any of the
        store's tables unless ``overwrite`` (then they are dropped first, in the same
        transaction)."""
        try:
            check_chain_id(chain_id)
        except ValueError as exc:
            raise ChainStoreError(str(exc)) from None
        market = Market() if market is None else market
        if not isinstance(market, Market):
            raise ArgumentTypeError(f"a chain's genesis state is a zkcx.market.Market "
                                    f"(Market(ledger) or Market.genesis(grants)), got "
                                    f"{type(market).__name__}")
        if market.height != -1:
            raise ChainStoreError("a genesis market has applied no block (height -1)")
        acc_bytes = market.to_bytes()
        store = cls(_connect(url), url)
        store._creating = True
        try:
            with store._write_transaction("create", store._not_written("chain")) as conn:
                present = store._present_tables()
                if present and not overwrite:
                    raise ChainStoreError(
                        f"{store.path} already has the tables {', '.join(sorted(present))}"
                        " (a zkcx chain?): open it, or create with overwrite=True to "
                        "replace them", path=store.path)
                for table in sorted(present):
                    conn.execute(f'DROP TABLE "{table}" CASCADE')
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    conn.execute(statement)
                conn.executemany("INSERT INTO meta VALUES (?, ?, ?)", [
                    (key, value, meta_digest(key, value)) for key, value in (
                        ("schema_version", str(SCHEMA_VERSION).encode()),
                        ("genesis_accountant", acc_bytes),
                        ("chain_id", str(chain_id).encode()))])
                conn.execute("INSERT INTO state VALUES (1, -1, 0, ?, ?)",
                             (acc_bytes, state_digest(-1, 0, acc_bytes)))
                conn.execute("INSERT INTO pending_seq VALUES (1, 0)")
        except BaseException:
            store.close()
            raise
        store._creating = False
        store._genesis, store._chain_id = acc_bytes, chain_id
        return store

    @classmethod
    def open(cls, url: str, read_only: bool = False) -> PostgresChainStore:
        """The chain in the database ``url`` names, checked as ``SQLiteChainStore.open``
        checks a file; ``read_only``: the session refuses every write."""
        conn = _connect(url)
        store = cls(conn, url, read_only)
        try:
            if read_only:
                with store._db_errors():
                    store._conn.execute("SET default_transaction_read_only = on")
            store._check_on_open()
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if not self._closed:
                self._closed = True
                with contextlib.suppress(*self._errors):
                    self._conn.close()

    # -- what PostgreSQL does its own way ---------------------------------------------------
    def _present_tables(self) -> set[str]:
        return {name for (name,) in self._conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND table_name = ANY(?)", (list(_ALL_TABLES),))}

    def _check_on_open(self) -> None:
        with self.snapshot():
            present = self._present_tables()
            if not set(_TABLES) <= present:
                missing = ", ".join(sorted(set(_TABLES) - present))
                raise ChainStoreError(f"{self.path} is not a zkcx chain store (a database "
                                      f"without the tables {missing})", path=self.path)
            self._check_version()
            self._check_structure()

    def _check_schema(self) -> None:
        columns = sorted(self._conn.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ANY(?)",
            (list(_ALL_TABLES),)).fetchall())
        if [tuple(c) for c in columns] != _COLUMNS:
            raise self._damaged("the schema is not zkcx's")
        rows = self._conn.execute("SELECT id, seq FROM pending_seq").fetchall()
        if len(rows) != 1 or rows[0][0] != 1 or type(rows[0][1]) is not int:
            raise self._damaged("the pending pool's seq row is missing or not a number")

    def _check_database(self) -> None:
        """PostgreSQL checks its own pages; the rows are checked by check_integrity."""

    def _begin_read(self) -> None:
        self._conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def _begin_write(self) -> None:
        self._conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        if not self._creating:
            # writers take turns: the state row is the chain's write lock
            self._conn.execute("SELECT id FROM state WHERE id = 1 FOR UPDATE")

    def _next_seq(self, conn) -> int:
        return conn.execute(
            "UPDATE pending_seq SET seq = GREATEST(seq, (SELECT COALESCE(MAX(seq), 0) "
            "FROM pending)) + 1 WHERE id = 1 RETURNING seq").fetchone()[0]

    def _explain(self, exc: BaseException) -> str:
        import psycopg

        text = " ".join(str(exc).split()) or type(exc).__name__
        if isinstance(exc, psycopg.OperationalError):
            text = f"the PostgreSQL server is unreachable or refused: {text}"
        else:
            text = f"PostgreSQL error: {text}"
        return text


def _connect(url: str):
    """A psycopg connection (autocommit) to ``url``; ``ChainStoreError`` naming the URL
    without its password when it is not a PostgreSQL URL, psycopg is missing, or the
    server cannot be reached or refuses the login."""
    if not is_postgres_url(url):
        raise ChainStoreError(f"{url!r} is not a postgresql:// URL")
    shown = redact_url(url)
    try:
        import psycopg
    except ImportError:
        raise ChainStoreError(f"{shown}: a PostgreSQL chain store needs psycopg: pip "
                              "install 'zkcx[postgres]'", path=shown) from None
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
    except (psycopg.Error, ValueError) as exc:
        reason = _scrub(" ".join(str(exc).split()), url)
        raise ChainStoreError(f"{shown}: cannot connect: {reason}", path=shown,
                              reason=f"cannot connect: {reason}") from None


def _scrub(text: str, url: str) -> str:
    """``text`` without the URL's password, should the driver have quoted it (the URL
    too, or part of it)."""
    passwords = set(re.findall(r"://[^:/@]*:([^@]*)@", url))
    passwords |= set(re.findall(r"(?i)password=([^&\s]*)", url))
    for password in filter(None, passwords):
        text = text.replace(password, "***").replace(urllib.parse.unquote(password), "***")
    return text
