# SPDX-License-Identifier: MIT
"""The beacon's iterated SHA-256 in native code (``zkcx._bindings.sha256_iterate``, with
and without the CPU's SHA extensions) equals hashlib applied round by round, and
``beacon_stream`` seeds its stream from 2^e rounds of it."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from zkcx._bindings import sha256_iterate
from zkcx.ceremony import snarkjs_rng
from zkcx.ceremony.snarkjs_rng import ChaChaStream, beacon_stream


def _hashlib_rounds(data: bytes, rounds: int) -> bytes:
    for _ in range(rounds):
        data = hashlib.sha256(data).digest()
    return data


@settings(max_examples=60, deadline=None)
@given(digest=st.binary(min_size=32, max_size=32), rounds=st.integers(0, 300),
       sha_ni=st.booleans())
def test_native_rounds_equal_hashlibs(digest, rounds, sha_ni):
    assert sha256_iterate(digest, rounds, sha_ni) == _hashlib_rounds(digest, rounds)


@settings(max_examples=20, deadline=None)
@given(beacon=st.binary(min_size=0, max_size=255), exp=st.integers(0, 12))
def test_beacon_stream_seeds_from_2_to_the_e_rounds(beacon, exp):
    expected = ChaChaStream.from_hash(_hashlib_rounds(beacon, 1 << exp))
    assert beacon_stream(beacon, exp).fr() == expected.fr()


def test_rounds_span_native_calls(monkeypatch):
    monkeypatch.setattr(snarkjs_rng, "_BEACON_CHUNK", 7)  # several calls and a remainder
    beacon = bytes(range(40))
    expected = ChaChaStream.from_hash(_hashlib_rounds(beacon, 1 << 6))
    assert beacon_stream(beacon, 6).g1() == expected.g1()
