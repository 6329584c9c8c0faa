# SPDX-License-Identifier: MIT
"""keccak256's fast backend (safe-pysha3) and its fallback (pycryptodome) agree."""

from __future__ import annotations

import pytest
from Crypto.Hash import keccak
from hypothesis import given
from hypothesis import strategies as st

from zkcx.accounts import keccak256, keys


def test_the_empty_string_hashes_to_keccaks_known_value():
    # Keccak-256("") as Ethereum uses it (the hash of empty code), not NIST SHA3-256("")
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")


@given(st.binary(max_size=600))
def test_both_backends_give_the_same_digest(data):
    assert keccak256(data) == keccak.new(digest_bits=256, data=data).digest()


def test_the_fallback_is_used_without_the_fast_backend(monkeypatch):
    if keys._fast_keccak is None:
        pytest.skip("safe-pysha3 is not installed: the fallback is in use already")
    monkeypatch.setattr(keys, "_fast_keccak", None)
    assert keccak256(b"abc") == keccak.new(digest_bits=256, data=b"abc").digest()
