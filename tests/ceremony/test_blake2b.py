# SPDX-License-Identifier: MIT
"""The native BLAKE2b with a resumable state: the same digests as hashlib.blake2b for any
input split into any updates, a saved state resumes to the same digest, and the saved
buffer follows snarkjs's hasher (whole blocks of an update, except its last, bypass it)."""

from __future__ import annotations

import hashlib
import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkcx.ceremony.transcript import Blake2b, blake2b, partial_hash_problem
from zkcx.errors import InvalidArgumentError

chunks = st.lists(st.binary(max_size=700), max_size=8)


@given(chunks)
def test_digest_equals_hashlib_for_any_split(parts):
    h = Blake2b()
    for part in parts:
        h.update(part)
    assert h.digest() == hashlib.blake2b(b"".join(parts), digest_size=64).digest()


@given(chunks, chunks)
def test_a_saved_state_resumes(before, after):
    h = Blake2b()
    for part in before:
        h.update(part)
    state = h.state()
    assert len(state) == 216 and partial_hash_problem(state) is None
    resumed = Blake2b.from_state(state)
    for part in after:
        resumed.update(part)
    assert resumed.digest() == hashlib.blake2b(b"".join(before + after)).digest()
    assert h.digest() == hashlib.blake2b(b"".join(before)).digest()  # digest left it intact


@given(st.lists(st.integers(0, 400), max_size=6))
def test_the_state_counts_as_snarkjs_does(sizes):
    """t + c is the length hashed; c stays in 1..128 once anything was hashed (the last
    block waits for more input), and t counts whole blocks."""
    h = Blake2b()
    total = 0
    for n in sizes:
        h.update(bytes(n))
        total += n
    t, c, f = struct.unpack_from("<QQQ", h.state(), 192)
    assert t + c == total and t % 128 == 0 and f == 0
    assert (1 <= c <= 128) if total else c == 0


def test_whole_blocks_of_an_update_bypass_the_buffer():
    h = Blake2b(b"\x01" * 100)          # buffer: 100 bytes of 01
    h.update(b"\x02" * 28 + b"\x03" * 300)  # fills the block, then 2 blocks direct, 44 left
    state = h.state()
    t, c = struct.unpack_from("<QQ", state, 192)
    assert (t, c) == (384, 44)
    # the 44 bytes left went into the buffer; beyond them the old block's bytes remain
    assert state[:44] == b"\x03" * 44 and state[44:100] == b"\x01" * 56
    assert state[100:128] == b"\x02" * 28


def test_numpy_and_memoryview_inputs():
    data = np.arange(1000, dtype=np.uint64)
    assert Blake2b(data).digest() == hashlib.blake2b(data.tobytes()).digest()
    assert Blake2b(memoryview(data.tobytes())[3:]).digest() == \
        hashlib.blake2b(data.tobytes()[3:]).digest()
    assert blake2b() == hashlib.blake2b(b"").digest()


def test_malformed_states_are_refused():
    good = Blake2b(b"abc").state()
    with pytest.raises(InvalidArgumentError, match="216 bytes"):
        Blake2b.from_state(good[:-1])
    for offset, value, message in [(192, 5, "whole number"), (200, 300, "exceeds"),
                                   (208, 1, "finalised")]:
        bad = bytearray(good)
        struct.pack_into("<Q", bad, offset, value)
        with pytest.raises(InvalidArgumentError, match=message):
            Blake2b.from_state(bytes(bad))
