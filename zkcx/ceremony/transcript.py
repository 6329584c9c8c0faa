# SPDX-License-Identifier: MIT
"""The hashes that chain a powers-of-tau ceremony, as snarkjs 0.7 computes them
(docs/formats.md, .ptau, "the transcript"), over a BLAKE2b-512 whose state can be saved
and resumed (``Blake2b``, in C: native/src/blake2b.c).

* The first challenge of a ceremony of power p (N = 2^p) hashes BLAKE2b("") and then the
  uncompressed encodings of the points of a new file: 2N − 1 times G1, N times G2, 2N
  times G1, once G2.
* A contribution answering challenge c writes its new points and hashes, as its
  response: c, the compressed encodings of sections 2–6 (in snarkjs's chunks), then the
  uncompressed public key. The state before the public key is the 216-byte partial hash
  stored in the contribution's record, so a verifier can finish the response hash.
* The next challenge hashes the response hash and the uncompressed sections 2–6.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from zkcx._bindings import BLAKE2B_STATE_BYTES, blake2b_final, blake2b_init, blake2b_update
from zkcx.curve import G1, G2, G1Vec, G2Vec, PointVector
from zkcx.curve.encoding import g1_to_evm, g2_to_evm, points_to_evm, to_compressed
from zkcx.errors import InvalidArgumentError

Progress = Callable[[int, int, str], None]

#: points per update of a response hash: snarkjs hashes each 1 MiB block of a section
#: it read (2^20 / 64 G1, 2^20 / 128 G2); the boundaries decide which bytes a saved
#: state's buffer holds, so they are kept exactly.
_RESPONSE_CHUNK = {G1Vec: (1 << 20) // 64, G2Vec: (1 << 20) // 128}
#: points converted at a time for the digests whose chunking does not matter
_DIGEST_CHUNK = 1 << 16


class Blake2b:
    """BLAKE2b-512 (unkeyed) whose whole state is 216 bytes in blake2b-wasm's layout,
    the partial hash snarkjs stores in a ptau contribution: ``state()`` saves it and
    ``Blake2b.from_state`` resumes it. ``update`` takes any contiguous buffer (bytes, a
    memoryview, a numpy array) without copying it and releases the GIL."""

    __slots__ = ("_state",)

    def __init__(self, data: Any = None) -> None:
        self._state = bytearray(BLAKE2B_STATE_BYTES)
        blake2b_init(self._state)
        if data is not None:
            self.update(data)

    @classmethod
    def from_state(cls, state: bytes) -> Blake2b:
        """Resume a saved state (``InvalidArgumentError`` if it is not a well-formed
        216-byte hashing state, see ``partial_hash_problem``)."""
        if len(state) != BLAKE2B_STATE_BYTES:
            raise InvalidArgumentError(f"a BLAKE2b state is {BLAKE2B_STATE_BYTES} bytes, "
                                       f"got {len(state)}")
        problem = partial_hash_problem(bytes(state))
        if problem:
            raise InvalidArgumentError(f"not a BLAKE2b hashing state: {problem}")
        out = cls()
        out._state[:] = state
        return out

    def update(self, data: Any) -> Blake2b:
        blake2b_update(self._state, data)
        return self

    def state(self) -> bytes:
        """The 216-byte state (the block buffer, h, t, c, f; native/src/blake2b.h)."""
        return bytes(self._state)

    def copy(self) -> Blake2b:
        out = Blake2b()
        out._state[:] = self._state
        return out

    def digest(self) -> bytes:
        """The 64-byte digest of everything hashed so far (the state is unchanged)."""
        return blake2b_final(self._state)


def partial_hash_problem(state: bytes) -> str | None:
    """What is wrong with a 216-byte BLAKE2b state (None when it is well formed): the
    byte counter t a multiple of the 128-byte block, the buffer fill c at most 128, the
    finalisation flag f zero."""
    t, c, flag = struct.unpack_from("<QQQ", state, 192)
    if t % 128:
        return f"{t} bytes compressed is not a whole number of 128-byte blocks"
    if c > 128:
        return f"buffer fill {c} exceeds the 128-byte block"
    if flag:
        return "the state is finalised"
    return None


def blake2b(data: bytes = b"") -> bytes:
    """BLAKE2b-512 of some bytes."""
    return Blake2b(data).digest()


def first_challenge(power: int, progress: Progress | None = None) -> bytes:
    """The challenge a new ceremony of this power starts from (what ``snarkjs
    powersoftau new`` prints as the "First Contribution Hash")."""
    n = 1 << power
    h = Blake2b(blake2b())
    g1 = np.frombuffer(g1_to_evm(G1.generator()), dtype=np.uint8)
    g2 = np.frombuffer(g2_to_evm(G2.generator()), dtype=np.uint8)
    total = 4 * n
    done = 0
    for point, count in ((g1, 2 * n - 1), (g2, n), (g1, 2 * n)):
        block = np.tile(point, min(count, _DIGEST_CHUNK))
        for start in range(0, count, _DIGEST_CHUNK):
            h.update(block[: point.size * min(_DIGEST_CHUNK, count - start)])
            done += min(_DIGEST_CHUNK, count - start)
            if progress:
                progress(done, total, "first challenge")
    h.update(g2)
    return h.digest()


def hash_response_points(h: Blake2b, sections: Iterable[PointVector]) -> None:
    """Hash sections 2–6 into a response hash: compressed encodings, one update per
    snarkjs block of each section."""
    for points in sections:
        chunk = _RESPONSE_CHUNK[type(points)]
        for start in range(0, len(points), chunk):
            h.update(to_compressed(points[start : start + chunk]))


def hash_uncompressed(h: Blake2b, sections: Iterable[PointVector],
                      progress: Progress | None = None, what: str = "hashing") -> None:
    """Hash whole point vectors in snarkjs's uncompressed encoding."""
    items = list(sections)
    total = sum(len(v) for v in items)
    done = 0
    for points in items:
        for start in range(0, len(points), _DIGEST_CHUNK):
            part = points[start : start + _DIGEST_CHUNK]
            h.update(points_to_evm(part))
            done += len(part)
            if progress:
                progress(done, total, what)


def public_key_bytes(keys: Iterable[Any]) -> bytes:
    """The uncompressed public key of a contribution as its response hash ends: the six
    G1 points (g1_s, g1_sx of tau, alpha, beta) then the three g2_spx."""
    keys = list(keys)
    g1 = G1Vec.from_points([p for k in keys for p in (k.g1_s, k.g1_sx)])
    g2 = G2Vec.from_points([k.g2_spx for k in keys])
    return points_to_evm(g1) + points_to_evm(g2)


def response_hash(partial_hash: bytes, keys: Iterable[Any]) -> bytes:
    """A contribution's response hash (snarkjs's contribution hash): its saved partial
    state finished with its public key."""
    return Blake2b.from_state(partial_hash).update(public_key_bytes(keys)).digest()


def next_challenge(response: bytes, sections: Iterable[PointVector],
                   progress: Progress | None = None) -> bytes:
    """The challenge a contribution leaves: its response hash and the uncompressed
    points of sections 2–6 after it."""
    h = Blake2b(response)
    hash_uncompressed(h, sections, progress, "next challenge")
    return h.digest()
