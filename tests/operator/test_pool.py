# SPDX-License-Identifier: MIT
"""The choice of a block's items (``select_block``) and the pool's in-memory index, as
properties over random pools: what a block takes is, per account, the consecutive
nonces from the account's next one, operations never after a claim of the same
account, at most the block size, in nonce order; stale items are exactly those below."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from zkcx.operator.pool import Entry, PendingIndex, select_block

ACCOUNTS = ["0xA", "0xB", "0xC"]


def entry(seq: int, kind: str, account: str, nonce: int) -> Entry:
    return Entry(seq, kind, hashlib.sha256(f"{seq}".encode()).digest(), account, nonce)


pools = st.lists(st.tuples(st.sampled_from(["claim", "operation"]),
                           st.sampled_from(ACCOUNTS), st.integers(0, 8)),
                 max_size=30).map(lambda items: [entry(i, k, a, n)
                                                 for i, (k, a, n) in enumerate(items)])
bases = st.fixed_dictionaries({a: st.integers(0, 4) for a in ACCOUNTS})


@settings(max_examples=300, deadline=None)
@given(pools, bases, st.integers(1, 12))
def test_a_block_takes_runs_of_consecutive_nonces(entries, base, size):
    sel = select_block(entries, base.__getitem__, size)
    taken = sel.taken
    assert len(taken) <= size
    assert len({e.hash for e in taken}) == len(taken)
    assert {e.hash for e in sel.stale} == {e.hash for e in entries if e.nonce < base[e.account]}
    for account in ACCOUNTS:
        ops = [e.nonce for e in sel.operations if e.account == account]
        claims = [e.nonce for e in sel.claims if e.account == account]
        # the builder's order: the block's operations, then its claims
        assert ops + claims == list(range(base[account], base[account] + len(ops) + len(claims)))
    # a block that is not full took every run it could: nothing left is next in line
    if len(taken) < size:
        left = [e for e in entries if e.hash not in {t.hash for t in taken}]
        for account in ACCOUNTS:
            took = [e for e in taken if e.account == account]
            after = base[account] + len(took)
            had_claim = any(e.kind == "claim" for e in took)
            for e in left:
                if e.account == account and e.nonce == after:
                    assert e.kind == "operation" and had_claim


def test_an_operation_after_a_claim_waits_for_the_next_block():
    entries = [entry(0, "claim", "0xA", 0), entry(1, "operation", "0xA", 1),
               entry(2, "claim", "0xA", 2)]
    sel = select_block(entries, lambda a: 0, 10)
    assert [e.nonce for e in sel.claims] == [0] and sel.operations == []
    sel = select_block(entries[1:], lambda a: 1, 10)
    assert [e.nonce for e in sel.operations] == [1] and [e.nonce for e in sel.claims] == [2]


def test_a_gap_stops_the_run_and_low_nonces_are_stale():
    entries = [entry(0, "claim", "0xA", 5), entry(1, "claim", "0xA", 3),
               entry(2, "claim", "0xA", 2), entry(3, "claim", "0xB", 1)]
    sel = select_block(entries, {"0xA": 3, "0xB": 0}.__getitem__, 10)
    assert [(e.account, e.nonce) for e in sel.claims] == [("0xA", 3)]
    assert [e.nonce for e in sel.stale] == [2]


def test_the_index_counts_pending_nonces():
    index = PendingIndex([entry(0, "claim", "0xA", 4), entry(1, "claim", "0xA", 5),
                          entry(2, "claim", "0xA", 7)])
    assert index.next_nonce("0xA", 4) == 6 and index.next_nonce("0xA", 3) == 3
    assert index.taken("0xA", 5) == entry(1, "claim", "0xA", 5).hash
    index.remove([entry(1, "claim", "0xA", 5).hash])
    assert index.taken("0xA", 5) is None and index.next_nonce("0xA", 4) == 5
    assert len(index) == 2 and [e.seq for e in index.entries()] == [0, 2]


@settings(max_examples=200, deadline=None)
@given(pools, st.data())
def test_the_index_agrees_with_its_items_after_removals(entries, data):
    index = PendingIndex(entries)
    gone = data.draw(st.lists(st.sampled_from(entries), unique_by=lambda e: e.hash)
                     if entries else st.just([]))
    index.remove([e.hash for e in gone])
    left = [e for e in entries if e not in gone]
    assert index.entries() == sorted(left, key=lambda e: e.seq)
    for account in ACCOUNTS:
        for nonce in range(9):
            first = next((e.hash for e in left if (e.account, e.nonce) == (account, nonce)),
                         None)
            assert index.taken(account, nonce) == first
