# SPDX-License-Identifier: MIT
"""The claims root against an independent recursive reference of the documented tree."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkcx.errors import EncodingError
from zkcx.rollup import merkle_root

hashes = st.lists(st.binary(min_size=32, max_size=32), max_size=40)


def _h(tag: bytes, data: bytes) -> bytes:
    return hashlib.sha256(tag + b"\x00" + data).digest()


def _reference(leaves: list[bytes]) -> bytes:
    """Split at the largest power of two below n — the same tree as carrying the odd node
    of each level up unchanged."""

    def top(items: list[bytes]) -> bytes:
        if len(items) == 1:
            return _h(b"zkcx-merkle-leaf-v1", items[0])
        k = 1
        while 2 * k < len(items):
            k *= 2
        return _h(b"zkcx-merkle-node-v1", top(items[:k]) + top(items[k:]))

    t = top(leaves) if leaves else bytes(32)
    return _h(b"zkcx-merkle-root-v1", len(leaves).to_bytes(8, "big") + t)


@given(hashes)
def test_root_matches_the_reference_tree(leaves):
    assert merkle_root(leaves) == _reference(leaves)


@given(hashes, hashes)
def test_different_lists_have_different_roots(a, b):
    if a != b:
        assert merkle_root(a) != merkle_root(b)


def test_root_depends_on_order_and_count_and_never_duplicates_the_odd_leaf():
    a, b, c = (bytes([i]) * 32 for i in range(3))
    assert merkle_root([a, b]) != merkle_root([b, a])
    assert merkle_root([a, b, c]) != merkle_root([a, b, c, c])
    assert merkle_root([]) != merkle_root([bytes(32)])


def test_leaves_must_be_32_bytes():
    with pytest.raises(EncodingError):
        merkle_root([b"short"])
