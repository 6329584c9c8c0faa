# SPDX-License-Identifier: MIT
"""The one Merkle tree (claims, models and state roots) against an independent recursive
reference of RFC 6962's tree."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.rewards.reference import rfc6962_root
from zkcx.errors import EncodingError
from zkcx.rewards import merkle_root

payloads = st.lists(st.binary(max_size=64), max_size=40)  # any bytes; hashes are 32


@given(payloads)
def test_root_matches_the_reference_tree(leaves):
    assert merkle_root(leaves) == rfc6962_root(leaves)


@given(payloads, payloads)
def test_different_lists_have_different_roots(a, b):
    if a != b:
        assert merkle_root(a) != merkle_root(b)


def test_root_depends_on_order_and_count_and_never_duplicates_the_odd_leaf():
    a, b, c = (bytes([i]) * 32 for i in range(3))
    assert merkle_root([a, b]) != merkle_root([b, a])
    assert merkle_root([a, b, c]) != merkle_root([a, b, c, c])
    assert merkle_root([]) != merkle_root([bytes(32)])


def test_leaves_must_be_bytes():
    for leaf in ("text", 7, None, memoryview(bytes(32))):
        with pytest.raises(EncodingError, match="Merkle leaves are bytes"):
            merkle_root([bytes(32), leaf])
    assert merkle_root([bytearray(b"short")]) == rfc6962_root([b"short"])
