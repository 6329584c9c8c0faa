# SPDX-License-Identifier: MIT
"""Damage to a chain file: bits flipped at byte offsets of a small chain (four blocks
with accepted and rejected claims, operations and a model's versions). Each damaged file
must either be refused (a ``ZkcxError`` from opening it read-only, from
``check_integrity`` or from ``verify_chain``) or hold exactly the records of the original:
every table row read with plain SQLite, and every answer the store gives (genesis, head,
blocks, state, index rows, lookups by statement and by claim). Zero undetected changes
of meaning.

``verify_chain`` starts with ``check_integrity``; a file whose checks pass and whose
records are all the original's would replay like the original, so the proofs are
re-verified only for files whose records differ (none should get that far unrefused)."""

from __future__ import annotations

import os
import pathlib
import random
import sqlite3
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rollup.conftest import Kit, SigningChain, new_market
from tests.rollup.test_chain import _grow
from zkcx.errors import ZkcxError
from zkcx.rollup import SQLiteChainStore, verify_chain

_TABLES = ("meta", "blocks", "claims", "state")


@pytest.fixture(scope="module")
def chain_file(kernels_kit, tmp_path_factory) -> tuple[pathlib.Path, bytes, tuple]:
    path = tmp_path_factory.mktemp("corrupt") / "chain.db"
    kit = Kit(kernels_kit)
    with SQLiteChainStore.create(path, new_market()) as store:
        _grow(kit, SigningChain(store, kit.kernels, kit=kit))
    assert sorted(os.listdir(path.parent)) == ["chain.db"]  # at rest: no WAL
    with SQLiteChainStore.open(path, read_only=True) as store:
        assert verify_chain(store, kit.kernels).blocks == 5
        records = _records(store)
    return path, path.read_bytes(), (records, _raw_rows(path))


def _records(store: SQLiteChainStore) -> tuple:
    """Everything the store answers, read in one snapshot."""
    with store.snapshot():
        head = store.head()
        blocks = [b.to_bytes() for b in store.blocks()]
        market = store.load_state()
        index = list(store.claim_index())
        lookups = ([store.has_statement(s) for s, _c, _h in index]
                   + [store.claim_height(c) for _s, c, _h in index]
                   + [store.block(h).hash for h in range(len(blocks))])
        return (store.genesis(), head, blocks, market.to_bytes(), index, lookups)


def _raw_rows(path: pathlib.Path) -> list:
    """Every row of every table, with plain SQLite (read-only)."""
    conn = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)
    conn.text_factory = bytes  # texts exactly as stored
    try:
        return [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in _TABLES]
    finally:
        conn.close()


def _judge(kit, path: pathlib.Path, original: tuple) -> str:
    """'refused', 'same' (records unchanged) or 'UNDETECTED' for the file at path."""
    try:
        with SQLiteChainStore.open(path, read_only=True) as store:
            store.check_integrity()
            records = _records(store)
    except ZkcxError:
        return "refused"
    try:
        raw = _raw_rows(path)
    except sqlite3.Error:
        raw = None
    if (records, raw) == original:
        return "same"
    try:
        with SQLiteChainStore.open(path, read_only=True) as store:
            verify_chain(store, kit.kernels)
    except ZkcxError:
        return "refused"
    return "UNDETECTED"


def _flip_and_judge(kit, chain_file, work: pathlib.Path, offsets, seed: int) -> dict:
    path, data, original = chain_file
    rng = random.Random(seed)
    damaged = work / "damaged.db"
    outcome: dict[str, list[int]] = {"refused": [], "same": [], "UNDETECTED": []}
    for offset in offsets:
        for leftover in work.iterdir():  # a header flipped to WAL mode makes -wal/-shm
            leftover.unlink()
        forged = bytearray(data)
        forged[offset] ^= rng.randrange(1, 256)
        damaged.write_bytes(forged)
        outcome[_judge(kit, damaged, original)].append(offset)
    return outcome


def test_the_undamaged_file_is_judged_the_same(kit, chain_file, tmp_path):
    path, data, original = chain_file
    copy = tmp_path / "copy.db"
    copy.write_bytes(data)
    assert _judge(kit, copy, original) == "same"


def test_every_damaged_byte_that_changes_meaning_is_detected_sampled(kit, chain_file,
                                                                    tmp_path):
    """1000 offsets of the file's non-zero bytes (the pages' contents: about 8300 of
    40960 bytes) and 500 of its zero bytes (free space mostly, but also parts of
    integers and lengths). The exhaustive variant below (slow) takes every offset."""
    path, data, _ = chain_file
    rng = random.Random(7)
    nonzero = [k for k, b in enumerate(data) if b]
    zero = [k for k, b in enumerate(data) if not b]
    offsets = rng.sample(nonzero, min(1000, len(nonzero))) + rng.sample(zero, 500)
    outcome = _flip_and_judge(kit, chain_file, tmp_path, offsets, seed=11)
    assert outcome["UNDETECTED"] == []
    assert len(outcome["refused"]) > len(offsets) // 2  # the data really was hit


@pytest.mark.slow
def test_every_damaged_byte_that_changes_meaning_is_detected_exhaustive(kit, chain_file,
                                                                       tmp_path):
    """Every byte offset of the file, one random flip each (a few minutes; of 40960
    flips, about 9200 are refused and the rest change nothing)."""
    path, data, _ = chain_file
    outcome = _flip_and_judge(kit, chain_file, tmp_path, range(len(data)), seed=12)
    assert outcome["UNDETECTED"] == []


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_torn_and_misdirected_writes_are_detected(kit, chain_file, tmp_path, data):
    """Runs of bytes overwritten (zeros, 0xff, random: a torn sector) and whole pages
    replaced by another page of the file (a misdirected write)."""
    path, original_bytes, original = chain_file
    page, n_pages = 4096, len(original_bytes) // 4096
    forged = bytearray(original_bytes)
    kind = data.draw(st.sampled_from(["zeros", "ones", "random", "page"]))
    if kind == "page":
        src, dst = data.draw(st.lists(st.integers(0, n_pages - 1), min_size=2, max_size=2,
                                      unique=True))
        forged[dst * page:(dst + 1) * page] = original_bytes[src * page:(src + 1) * page]
    else:
        start = data.draw(st.integers(0, len(forged) - 1))
        size = data.draw(st.integers(1, 600))
        end = min(start + size, len(forged))
        fill = {"zeros": bytes(end - start), "ones": b"\xff" * (end - start)}.get(kind) \
            or data.draw(st.binary(min_size=end - start, max_size=end - start))
        forged[start:end] = fill
    work = pathlib.Path(tempfile.mkdtemp(dir=tmp_path))
    (work / "damaged.db").write_bytes(forged)
    assert _judge(kit, work / "damaged.db", original) != "UNDETECTED"
