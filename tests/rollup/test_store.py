# SPDX-License-Identifier: MIT
"""The SQLite chain store's files: what ``open`` refuses (and leaves untouched), what
read-only mode never changes, what ``create`` will not overwrite; and on both store
backends (``backend``: SQLite, PostgreSQL) the hashes checked when records are read,
and the claims index that ``verify_chain`` rebuilds from the blocks."""

from __future__ import annotations

import os
import random
import re
import sqlite3

import pytest

from tests.rollup.conftest import SigningChain, new_market
from tests.rollup.test_chain import _grow
from zkcx.rollup import (
    ChainStoreError,
    ChainVerificationError,
    SQLiteChainStore,
    raw_claim_hash,
    verify_chain,
)
from zkcx.rollup.store import claim_digest, state_digest


@pytest.fixture()
def grown(kit, tmp_path):
    """A closed chain file of five blocks (module test_chain: the setup block, then four),
    with a task "w1" for n2 posted beside the others."""
    path = tmp_path / "chain.db"
    kit.plan("cube", "n2", "w1", 5, 5)
    with SQLiteChainStore.create(path, new_market()) as store:
        blocks = _grow(kit, SigningChain(store, kit.kernels, kit=kit))
    return path, blocks


@pytest.fixture()
def grown_on(kit, backend):
    """``grown`` on each backend: (backend, blocks), the store closed."""
    kit.plan("cube", "n2", "w1", 5, 5)
    with backend.create() as store:
        blocks = _grow(kit, SigningChain(store, kit.kernels, kit=kit))
    return backend, blocks


def _listing(directory) -> list[str]:
    return sorted(os.listdir(directory))


def _sql(path, *statements) -> None:
    """Edit the file with plain SQLite, as damage or a forger would."""
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            if isinstance(statement, tuple):
                conn.execute(*statement)
            else:
                conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


# -- files that are not chains --------------------------------------------------------------
def _junk(n: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(n)


NOT_SQLITE = {
    "empty": b"",
    "one byte": b"\x00",
    "one letter": b"x",
    "text": b"this is not a database\n",
    "99 bytes": _junk(99),
    "random page": _junk(4096),
    "sqlite magic, junk header": b"SQLite format 3\x00" + _junk(4080, 2),
}


@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "writable"])
@pytest.mark.parametrize("name", list(NOT_SQLITE))
def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path, name, read_only):
    path = tmp_path / "chain.db"
    path.write_bytes(NOT_SQLITE[name])
    with pytest.raises(ChainStoreError, match=re.escape(str(path))):
        SQLiteChainStore.open(path, read_only=read_only)
    assert path.read_bytes() == NOT_SQLITE[name]
    assert _listing(tmp_path) == ["chain.db"]


def _sqlite_file(path, *statements) -> bytes:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "writable"])
def test_sqlite_files_that_are_not_zkcx_chains_are_refused_and_left_untouched(
        tmp_path, grown, read_only):
    chain_path, _ = grown
    cases = {
        "no tables": (["PRAGMA user_version = 7"], "not a zkcx chain store"),
        "other tables": (["CREATE TABLE x (y)"], "not a zkcx chain store"),
        "a table missing": (["CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB)",
                             "CREATE TABLE blocks (height INTEGER PRIMARY KEY)"],
                            "without the tables claims, state"),
        "schema version 1": (["CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB)",
                              "CREATE TABLE blocks (h)", "CREATE TABLE claims (s)",
                              "CREATE TABLE state (i)",
                              "INSERT INTO meta VALUES ('schema_version', x'31')"],
                             "schema version b'1', this zkcx reads 4"),
    }
    for name, (statements, message) in cases.items():
        directory = tmp_path / name.replace(" ", "_")
        directory.mkdir()
        path = directory / "chain.db"
        data = _sqlite_file(path, *statements)
        with pytest.raises(ChainStoreError, match=re.escape(message)) as info:
            SQLiteChainStore.open(path, read_only=read_only)
        assert str(path) in str(info.value), name
        assert path.read_bytes() == data, name
        assert _listing(directory) == ["chain.db"], name
    # a chain file whose application id was changed
    data = _sqlite_file(chain_path, "PRAGMA application_id = 1")
    with pytest.raises(ChainStoreError, match="application id 0x1"):
        SQLiteChainStore.open(chain_path, read_only=read_only)
    assert chain_path.read_bytes() == data


@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "writable"])
def test_missing_paths_and_directories_are_refused_without_creating_anything(tmp_path,
                                                                              read_only):
    with pytest.raises(ChainStoreError, match="does not exist"):
        SQLiteChainStore.open(tmp_path / "none.db", read_only=read_only)
    with pytest.raises(ChainStoreError, match="is a directory"):
        SQLiteChainStore.open(tmp_path, read_only=read_only)
    assert _listing(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="file modes and /proc are POSIX/Linux")
@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "writable"])
def test_an_unreadable_file_is_refused(tmp_path, grown, read_only):
    path, _ = grown
    if os.geteuid() != 0:
        path.chmod(0)
    else:
        # root reads any mode: a path whose reads fail (EIO) stands in for it
        path.unlink()
        path.symlink_to("/proc/self/mem")
    try:
        with pytest.raises(ChainStoreError, match="cannot be read"):
            SQLiteChainStore.open(path, read_only=read_only)
    finally:
        if not path.is_symlink():
            path.chmod(0o644)


# -- read-only mode -------------------------------------------------------------------------
def test_read_only_use_never_changes_or_creates_a_file(kit, grown):
    path, blocks = grown
    data, listing = path.read_bytes(), _listing(path.parent)
    stat = path.stat()
    with SQLiteChainStore.open(path, read_only=True) as store:
        assert store.read_only
        assert verify_chain(store, kit.kernels).blocks == 5
        assert store.head() == blocks[-1].header
        store.load_state()
        store.check_integrity()
        assert _listing(path.parent) == listing
        with pytest.raises(ChainStoreError, match="read-only"):
            store.append(blocks[0], new_market())
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert _listing(path.parent) == listing == ["chain.db"]


def test_read_only_stores_read_through_a_live_writers_wal(kit, grown):
    path, blocks = grown
    with SQLiteChainStore.open(path) as writer:
        chain = SigningChain(writer, kit.kernels)
        chain.produce([kit.claim("cube", "n2", "w1", 5, 5)], timestamp=40)
        assert (path.parent / "chain.db-wal").exists()  # the new block is in the WAL
        with SQLiteChainStore.open(path, read_only=True) as reader:
            assert reader.head() == writer.head()
            assert reader.load_state() == chain.market
            chain.produce([], timestamp=41)
            assert reader.head().height == 6  # the next read sees the next commit
            assert verify_chain(reader, kit.kernels).blocks == 7
    # the writer closed last: the file is back at rest, with no WAL left behind
    assert _listing(path.parent) == ["chain.db"]
    data = path.read_bytes()
    with SQLiteChainStore.open(path, read_only=True) as reader:
        assert reader.head().height == 6
    assert path.read_bytes() == data and _listing(path.parent) == ["chain.db"]


# -- create -----------------------------------------------------------------------------------
def test_create_refuses_an_existing_file_unless_asked(tmp_path, grown):
    path, _ = grown
    data = path.read_bytes()
    with pytest.raises(ChainStoreError, match="exists.*overwrite=True"):
        SQLiteChainStore.create(path)
    assert path.read_bytes() == data
    other = tmp_path / "notes.txt"
    other.write_text("keep me")
    with pytest.raises(ChainStoreError, match="exists"):
        SQLiteChainStore.create(other)
    assert other.read_text() == "keep me"
    with SQLiteChainStore.create(path, overwrite=True) as store:
        assert store.head() is None
    empty = tmp_path / "empty.db"
    empty.touch()
    SQLiteChainStore.create(empty).close()  # an empty file is not a chain yet
    (tmp_path / "gone.db-wal").write_bytes(b"an earlier file's WAL")
    with pytest.raises(ChainStoreError, match="gone.db-wal exists"):
        SQLiteChainStore.create(tmp_path / "gone.db")
    SQLiteChainStore.create(tmp_path / "gone.db", overwrite=True).close()
    assert not (tmp_path / "gone.db-wal").exists()
    with pytest.raises(ChainStoreError, match="is a directory"):
        SQLiteChainStore.create(tmp_path)
    with pytest.raises(ChainStoreError, match="cannot create"):
        SQLiteChainStore.create(tmp_path / "no" / "such" / "dir.db")


# -- hashes checked when read ---------------------------------------------------------------
def test_records_edited_without_their_hashes_are_refused_when_read(kit, grown_on):
    backend, blocks = grown_on
    with backend.open() as store:  # opened before the edits
        backend.sql(("UPDATE blocks SET header = ? WHERE height = 1",
                     (blocks[2].header.to_bytes(),)))
        with pytest.raises(ChainStoreError, match="block 1's row does not match"):
            store.block(1)
        body = bytearray(blocks[2].body_bytes())
        body[-1] ^= 1
        backend.sql(("UPDATE blocks SET header = ?, body = ? WHERE height = 1",
                     (blocks[1].header.to_bytes(), bytes(body))))
        with pytest.raises(ChainStoreError, match="block 1's body does not have"):
            store.block(1)
        with pytest.raises(ChainVerificationError, match="block 1's body") as info:
            verify_chain(store, kit.kernels)
        assert info.value.height is None  # found by the integrity check, before replaying
        assert backend.location not in str(info.value)  # a verdict names no file
        statement = blocks[1].accepted[0].statement_hash
        backend.sql(("UPDATE claims SET height = 3 WHERE statement = ?", (statement,)))
        with pytest.raises(ChainStoreError, match="index row .* does not match its digest"):
            store.has_statement(statement)
        backend.sql(("UPDATE meta SET value = ? WHERE key = 'genesis_accountant'",
                     (b"\x00",)))
    for read_only in (True, False):
        with pytest.raises(ChainStoreError, match="meta row 'genesis_accountant'"):
            backend.open(read_only=read_only)


def test_a_missing_block_row_or_a_changed_schema_is_refused_on_open(grown):
    path, _ = grown
    data = path.read_bytes()
    _sql(path, "ALTER TABLE claims ADD COLUMN note TEXT")
    with pytest.raises(ChainStoreError, match="schema is not zkcx's"):
        SQLiteChainStore.open(path, read_only=True)
    path.write_bytes(data)
    _sql(path, "DELETE FROM blocks WHERE height = 1")
    with pytest.raises(ChainStoreError, match="4 block rows for heights 0 to 4"):
        SQLiteChainStore.open(path, read_only=True)
    _sql(path, "DELETE FROM blocks WHERE height = 4")
    with pytest.raises(ChainStoreError, match="state is at height 4, the head at 3"):
        SQLiteChainStore.open(path, read_only=True)


# -- the claims index -------------------------------------------------------------------------
def _index_row(blocks, height: int, k: int = 0) -> tuple[bytes, bytes]:
    claim = blocks[height].accepted[k]
    return claim.statement_hash, claim.claim_hash


def _set_index_count(backend, delta: int) -> None:
    """Move the state row's count of index rows by ``delta``, digest included."""
    (_id, height, claims, acc, _digest), = backend.dump()["state"]
    claims += delta
    backend.sql(("UPDATE state SET claims = ?, digest = ?",
                 (claims, state_digest(height, claims, acc))))


def test_a_deleted_index_row_is_reported_and_the_replay_it_lets_in_is_caught(kit, grown_on):
    backend, blocks = grown_on
    replay = kit.claim("infer", "n2", "t7", 8, model=("m", 1))
    assert replay.statement_hash == blocks[3].accepted[1].statement_hash
    with backend.open() as store:
        chain = SigningChain(store, kit.kernels)  # a writer that started before the damage
        backend.sql(("DELETE FROM claims WHERE statement = ?", (replay.statement_hash,)))
        with pytest.raises(ChainVerificationError, match="claims index has 5 rows, the "
                                                         "state records 6"):
            verify_chain(store, kit.kernels)
        _set_index_count(backend, -1)  # the count fixed too: the rebuilt index tells
        with pytest.raises(ChainVerificationError, match="claims index lacks statement") \
                as info:
            verify_chain(store, kit.kernels)
        assert info.value.height == 3
        # the running writer no longer sees the statement; the market still refuses to
        # pay its task twice (task-closed, not replayed) ...
        block = chain.produce([replay], timestamp=50)
        assert [r.reason.value for r in block.rejected] == ["task-closed"]
        # ... and verification, whose index has the statement, reports the block
        with pytest.raises(ChainVerificationError, match="rejected claims") as info:
            verify_chain(store, kit.kernels)
        assert info.value.height == 5


def test_a_deleted_index_row_stops_a_writer_from_opening_the_store(kit, grown_on):
    backend, blocks = grown_on
    statement, _ = _index_row(blocks, 1)
    backend.sql(("DELETE FROM claims WHERE statement = ?", (statement,)))
    for read_only in (True, False):
        with pytest.raises(ChainStoreError, match="claims index has 5 rows, the state "
                                                  "records 6"):
            backend.open(read_only=read_only)


def test_an_added_or_altered_index_row_is_reported(kit, grown_on):
    backend, blocks = grown_on
    fake_statement, fake_claim = bytes(range(32)), bytes(range(1, 33))
    backend.sql(("INSERT INTO claims VALUES (?, ?, 1, ?)",
                 (fake_statement, fake_claim, claim_digest(fake_statement, fake_claim, 1))))
    _set_index_count(backend, +1)
    with backend.open(read_only=True) as store, \
            pytest.raises(ChainVerificationError, match="row for statement 000102.*that no "
                                                        "block accepted"):
        verify_chain(store, kit.kernels)
    statement, claim = _index_row(blocks, 1)
    backend.sql(("DELETE FROM claims WHERE statement = ?", (fake_statement,)),
                ("UPDATE claims SET height = 3, digest = ? WHERE statement = ?",
                 (claim_digest(statement, claim, 3), statement)))
    _set_index_count(backend, -1)
    with backend.open(read_only=True) as store:
        assert store.claim_height(claim) == 3  # the lie reads back: its digest matches
        with pytest.raises(ChainVerificationError, match="index row of statement .* "
                                                         "differs") as info:
            verify_chain(store, kit.kernels)
    assert info.value.height == 1


# -- older files ---------------------------------------------------------------------------
@pytest.mark.parametrize("old", [b"1", b"2"])
def test_a_file_of_an_older_schema_is_refused_with_what_to_do(grown, tmp_path, old):
    """Schema 1 and 2 files hold blocks of version 2 or older, whose headers commit the
    rollup's former model registry: refused on open, saying so, and left as they were."""
    path, _blocks = grown
    copy = tmp_path / "old" / "chain.db"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    _sql(copy, ("UPDATE meta SET value = ? WHERE key = 'schema_version'", (old,)))
    data = copy.read_bytes()
    for read_only in (True, False):
        with pytest.raises(ChainStoreError, match=rf"schema version b'{old.decode()}', this "
                           r"zkcx reads 4 \(a chain of block version 2 or older.*chain init"):
            SQLiteChainStore.open(copy, read_only=read_only)
    assert copy.read_bytes() == data


def test_a_closed_store_raises_chain_store_errors(kit, grown_on):
    backend, blocks = grown_on
    store = backend.open()
    built = SigningChain(store, kit.kernels).build([], timestamp=60)
    store.close()
    store.close()  # twice is fine
    for use in (store.head, store.load_state, lambda: list(store.blocks()),
                lambda: store.has_statement(bytes(32)), store.check_integrity,
                lambda: store.append(built.block, built.market), store.pending_count,
                lambda: store.submit("claim", raw_claim_hash(b"x"), "0x", 0, b"x", 0)):
        with pytest.raises(ChainStoreError, match="closed"):
            use()
