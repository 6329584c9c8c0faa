# SPDX-License-Identifier: MIT
"""Crash safety: a child process appending blocks is SIGKILLed at random moments, again
and again; after each kill the reopened store has no half block, holds every block the
child saw committed, loads its state, and the chain re-verifies from genesis."""

from __future__ import annotations

import multiprocessing
import os
import pathlib
import pickle
import random
import signal
import sqlite3
import time

import pytest

from tests.rollup import _crash_child
from tests.rollup.conftest import SigningChain, new_market
from zkcx.rollup import SQLiteChainStore, verify_chain


def _reported(report: pathlib.Path) -> list[int]:
    """Heights the last child reported committed (complete lines only)."""
    text = report.read_text() if report.exists() else ""
    lines = text.split("\n")[:-1]  # a line without its newline may be cut by the kill
    last_start = max(i for i, x in enumerate(lines) if x == "start")
    return [int(x) for x in lines[last_start + 1:]]


def _starts(report: pathlib.Path) -> int:
    return report.read_text().count("start\n") if report.exists() else 0


def _check(path: pathlib.Path, reported: list[int], old_head: int, kit, full: bool) -> int:
    # first read-only, through the WAL the killed writer left (and leaving it there)
    assert (path.parent / "chain.db-wal").exists()
    data = path.read_bytes()
    with SQLiteChainStore.open(path, read_only=True) as store:
        ro_head = store.head()
        ro_state = store.load_state()
    assert path.read_bytes() == data and (path.parent / "chain.db-wal").exists()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        heights = [h for (h,) in conn.execute("SELECT height FROM blocks ORDER BY height")]
        assert heights == list(range(len(heights))), "a gap in the block heights"
        claim_heights = conn.execute("SELECT COUNT(*), MAX(height) FROM claims").fetchone()
        state_height = conn.execute("SELECT height FROM state").fetchone()[0]
    finally:
        conn.close()
    head = len(heights) - 1
    assert state_height == head, "the state row is not the head's: a half block"
    last = max(reported, default=old_head)
    assert last <= head, "a block reported committed is missing"
    assert head - last <= 1  # at most one commit can be unreported: killed before writing
    with SQLiteChainStore.open(path) as store:
        assert store.load_state() == ro_state  # the state has the head's roots
        assert store.head() == ro_head
        accepted = sum(len(b.accepted) for b in store.blocks())
        assert claim_heights[0] == accepted, "claim rows without their block or vice versa"
        if full:
            assert verify_chain(store, kit.kernels).blocks == head + 1
    return head


def _crash_many(kit, tmp_path, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    path, report, kit_file = tmp_path / "chain.db", tmp_path / "report", tmp_path / "kit.pkl"
    claims = [kit.claim("cube", "n1", f"t{i}", 20 + i, 1) for i in range(6)]
    claims += [kit.claim("chain", "n1", "c1", 30), kit.claim("chain", "n1", "c2", 31)]
    with SQLiteChainStore.create(path, new_market()) as store:  # block 0 posts the tasks
        SigningChain(store, kit.kernels, kit=kit).setup(timestamp=0)
    kit_file.write_bytes(pickle.dumps((kit.kernels, [c.to_bytes() for c in claims])))
    # children fork from a server that has imported zkcx once: a fast start, no threads
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["zkcx.rollup", "tests.rollup._crash_child"])
    head = 0
    for k in range(kills):
        starts = _starts(report)
        child = ctx.Process(target=_crash_child.main, args=(str(path), str(kit_file),
                                                            str(report)))
        child.start()
        deadline = time.monotonic() + 60
        while _starts(report) == starts:  # wait for the child to be appending
            assert child.exitcode is None, f"the child died: exit code {child.exitcode}"
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        assert child.exitcode == -signal.SIGKILL
        new_head = _check(path, _reported(report), head, kit,
                          full=(k % 5 == 4 or k == kills - 1))
        assert new_head >= head
        head = new_head
    assert head >= kills  # the children did commit blocks between the kills


def test_killing_the_writer_mid_commit_loses_nothing_committed(kit, tmp_path):
    _crash_many(kit, tmp_path, kills=20, seed=1)


@pytest.mark.slow
def test_killing_the_writer_a_hundred_times_loses_nothing_committed(kit, tmp_path):
    _crash_many(kit, tmp_path, kills=100, seed=2)
