# SPDX-License-Identifier: MIT
"""What the PostgreSQL chain store does its own way (zkcx/rollup/postgres_store.py): a
chain built on it re-verifies from genesis, two writers cannot both append at one
height, a snapshot is one committed state, ``create`` will not overwrite a database's
tables unless asked, and a bad URL, an unreachable server or a wrong password is a
``ChainStoreError`` that never shows the password. The contract shared with SQLite is
tested on both backends elsewhere (the ``backend`` fixture)."""

from __future__ import annotations

import threading
import urllib.parse

import pytest

from tests.rollup.conftest import SigningChain, new_market
from tests.rollup.test_chain import _grow
from zkcx.rollup import (
    ChainStore,
    ChainStoreError,
    PostgresChainStore,
    SQLiteChainStore,
    create_store,
    open_store,
    verify_chain,
)
from zkcx.rollup.postgres_store import redact_url


@pytest.fixture()
def grown_pg(kit, postgres_url):
    kit.plan("cube", "n2", "w1", 5, 5)
    with create_store(postgres_url, new_market()) as store:
        assert isinstance(store, PostgresChainStore) and isinstance(store, ChainStore)
        blocks = _grow(kit, SigningChain(store, kit.kernels, kit=kit))
    return postgres_url, blocks


def test_a_chain_on_postgres_reverifies_and_equals_the_same_chain_in_sqlite(kit, grown_pg,
                                                                           tmp_path):
    url, blocks = grown_pg
    with open_store(url, read_only=True) as store:
        report = verify_chain(store, kit.kernels)
        assert report.blocks == 5 and report.head_hash == blocks[-1].hash
        assert store.load_state() == report.market
        assert [b.hash for b in store.blocks()] == [b.hash for b in blocks]
    # the same blocks appended to an SQLite file make the same indexes
    with SQLiteChainStore.create(tmp_path / "copy.db", new_market()) as copy, \
            open_store(url, read_only=True) as store:
        replay = SigningChain(copy, kit.kernels)
        for block in blocks:
            built = replay.builder.build(replay.store.genesis_hash() if block.height == 0
                                         else copy.head().hash, replay.market,
                                         block.received(), block.received_operations(),
                                         block.header.timestamp, copy.has_statement)
            assert built.block == block
            replay.commit(built)
        assert list(copy.claim_index()) == list(store.claim_index())
        assert list(copy.tx_index()) == list(store.tx_index())


def test_two_writers_cannot_both_append_at_one_height(kit, grown_pg):
    url, _ = grown_pg
    first, second = open_store(url), open_store(url)
    try:
        a = SigningChain(first, kit.kernels).build([], timestamp=30)
        b = SigningChain(second, kit.kernels).build([], timestamp=31)
        assert a.block.height == b.block.height == 5
        outcomes: list[object] = []
        barrier = threading.Barrier(2)

        def append(store, built):
            barrier.wait()
            try:
                store.append(built.block, built.market)
                outcomes.append("appended")
            except ChainStoreError as exc:
                outcomes.append(exc)

        threads = [threading.Thread(target=append, args=args)
                   for args in ((first, a), (second, b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert outcomes.count("appended") == 1, outcomes
        (refused,) = [o for o in outcomes if o != "appended"]
        assert "does not extend the head" in str(refused) or "refused" in str(refused)
        assert first.head() == second.head() and first.head().height == 5
        assert verify_chain(first, kit.kernels).blocks == 6
    finally:
        first.close()
        second.close()


def test_a_snapshot_does_not_see_a_commit_made_during_it(kit, grown_pg):
    url, blocks = grown_pg
    with open_store(url, read_only=True) as reader, open_store(url) as writer:
        with reader.snapshot():
            head = reader.head()
            SigningChain(writer, kit.kernels).produce([], timestamp=30)
            writer.submit("claim", blocks[1].accepted[0].claim_hash, "0x", 0,
                          blocks[1].accepted[0].to_bytes(), 1)
            assert reader.head() == head and reader.pending_count() == 0
            assert reader.load_state().height == head.height
        assert reader.head().height == head.height + 1 and reader.pending_count() == 1


def test_a_read_only_store_is_refused_writes_by_the_server_too(grown_pg):
    url, _ = grown_pg
    with open_store(url, read_only=True) as store:
        import psycopg

        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            store._conn.execute("DELETE FROM pending")


def test_create_refuses_a_database_with_the_tables_unless_asked(postgres_url):
    create_store(postgres_url, new_market()).close()
    with pytest.raises(ChainStoreError, match="already has the tables .*overwrite=True"):
        create_store(postgres_url, new_market())
    with create_store(postgres_url, new_market(), chain_id=99, overwrite=True) as store:
        assert store.chain_id() == 99 and store.head() is None


def test_a_database_without_a_chain_is_refused(postgres_url):
    with pytest.raises(ChainStoreError, match="not a zkcx chain store .*without the tables "
                                              "blocks, claims, meta, state"):
        open_store(postgres_url)


def _with_password(url: str, password: str) -> str:
    parts = urllib.parse.urlsplit(url)
    user, host = parts.netloc.rsplit("@", 1)
    netloc = f"{user.split(':')[0]}:{password}@{host}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def test_a_wrong_password_or_an_unreachable_server_never_shows_the_password(postgres_url):
    secret = "s3cret-Do-Not-Print"
    for url in (_with_password(postgres_url, secret),
                f"postgresql://zkcx:{secret}@127.0.0.1:1/chain",
                f"postgresql://zkcx:{secret}@[::1/chain"):
        with pytest.raises(ChainStoreError) as info:
            open_store(url)
        assert secret not in str(info.value) and secret not in repr(info.value.reason)
        assert "cannot connect" in str(info.value) or "URL" in str(info.value)
    right = urllib.parse.urlsplit(postgres_url).password
    with create_store(postgres_url, new_market()) as store:
        assert right not in store.path and "***" in store.path


@pytest.mark.parametrize("url, shown", [
    ("postgresql://u:pw@h:5/db", "postgresql://u:***@h:5/db"),
    ("postgres://u:p%40w@h/db", "postgres://u:***@h/db"),
    ("postgresql://h/db?password=pw&sslmode=disable",
     "postgresql://h/db?password=***&sslmode=disable"),
    ("postgresql://u@h/db", "postgresql://u@h/db"),
])
def test_redact_url_hides_the_password(url, shown):
    assert redact_url(url) == shown
