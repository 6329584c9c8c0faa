# SPDX-License-Identifier: MIT
"""Readers running while a writer appends: every ``load_state`` succeeds and every
``verify_chain`` of the valid chain says valid (zero false INVALID verdicts), with
readers in threads (a store each, or one store shared), and in processes."""

from __future__ import annotations

import multiprocessing
import pickle
import threading
import time

import pytest

from tests.rollup import _concurrency_child as child
from tests.rollup.conftest import SigningChain, new_market
from zkcx.rollup import ChainStoreError, SQLiteChainStore, verify_chain

BLOCKS = 30
READERS = 3


@pytest.fixture()
def claims(kit):
    return [kit.claim("cube", "n1", f"c{i}", 60 + i, 3) for i in range(10)]


def _fresh(tmp_path, kit):
    """A chain file whose block 0 posts the claims' tasks."""
    path = tmp_path / "chain.db"
    with SQLiteChainStore.create(path, new_market()) as store:
        SigningChain(store, kit.kernels, kit=kit).setup(timestamp=0)
    return path


def _check(results, kit, path) -> None:
    failures = [f for _loads, _verifies, fs in results for f in fs]
    assert failures == []
    assert len(results) == READERS
    for loads, verifies, _ in results:
        assert loads >= 1 and verifies >= 1
    with SQLiteChainStore.open(path, read_only=True) as store:
        assert verify_chain(store, kit.kernels).blocks == BLOCKS + 1  # and the setup


def _while_writing(threads: list[threading.Thread], write) -> None:
    """Start the reader threads, run ``write()``, then wait for every reader."""
    for t in threads:
        t.start()
    write()
    for t in threads:
        t.join()


def test_reader_threads_with_their_own_stores_never_fail_while_a_writer_appends(
        kit, claims, tmp_path):
    path, done = _fresh(tmp_path, kit), tmp_path / "done"
    results = []
    with SQLiteChainStore.open(path) as writer:

        def reader() -> None:
            with SQLiteChainStore.open(path, read_only=True) as store:
                results.append(child.read(store, kit.kernels, str(done), 4,
                                          time.monotonic() + 120))

        threads = [threading.Thread(target=reader) for _ in range(READERS)]
        _while_writing(threads, lambda: child.write(writer, kit.kernels, claims, BLOCKS,
                                                    str(done)))
    _check(results, kit, path)


def test_threads_sharing_one_store_object_never_fail_while_it_appends(kit, claims,
                                                                       tmp_path):
    path, done = _fresh(tmp_path, kit), tmp_path / "done"
    results = []
    with SQLiteChainStore.open(path) as store:
        threads = [threading.Thread(target=lambda: results.append(
            child.read(store, kit.kernels, str(done), 4, time.monotonic() + 120)))
            for _ in range(READERS)]
        _while_writing(threads, lambda: child.write(store, kit.kernels, claims, BLOCKS,
                                                    str(done)))
    _check(results, kit, path)


def test_reader_processes_never_fail_while_a_writer_process_appends(kit, claims, tmp_path):
    path, done, kit_path = _fresh(tmp_path, kit), tmp_path / "done", tmp_path / "kit.pkl"
    kit_path.write_bytes(pickle.dumps((kit.kernels, [c.to_bytes() for c in claims])))
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["zkcx.rollup", "tests.rollup._concurrency_child"])
    outs = [tmp_path / f"reader{k}.pkl" for k in range(READERS)]
    readers = [ctx.Process(target=child.reader_process,
                           args=(str(path), str(kit_path), str(done), str(out), 120.0))
               for out in outs]
    writer = ctx.Process(target=child.writer_process,
                         args=(str(path), str(kit_path), BLOCKS, str(done)))
    for p in (*readers, writer):
        p.start()
    for p in (writer, *readers):
        p.join(180)
        assert p.exitcode == 0, f"a child failed: exit code {p.exitcode}"
    _check([pickle.loads(out.read_bytes()) for out in outs], kit, path)


def test_a_snapshot_does_not_see_a_commit_made_during_it(kit, claims, tmp_path):
    path = _fresh(tmp_path, kit)
    with SQLiteChainStore.open(path) as writer, \
            SQLiteChainStore.open(path, read_only=True) as reader:
        chain = SigningChain(writer, kit.kernels)
        chain.produce([claims[0]], timestamp=1)
        with reader.snapshot():
            head = reader.head()
            chain.produce([claims[1]], timestamp=2)  # committed by another connection
            assert writer.head().height == 2
            assert reader.head() == head
            assert reader.load_state().height == 1
            assert [b.height for b in reader.blocks()] == [0, 1]
            assert not reader.has_statement(claims[1].statement_hash)
            assert verify_chain(reader, kit.kernels).blocks == 2
        assert reader.head().height == 2
        assert reader.has_statement(claims[1].statement_hash)
        with writer.snapshot(), pytest.raises(ChainStoreError, match="inside a snapshot"):
            chain.produce([], timestamp=3)
        assert chain.produce([], timestamp=3).height == 3
