# SPDX-License-Identifier: MIT
"""The deterministic randomness snarkjs's ceremonies draw, reproduced exactly.

snarkjs (through ffjavascript) seeds a ChaCha20 stream with eight 32-bit words and
draws everything from it: a field element takes four 64-bit words (high 32 bits first),
masked to the modulus's bit length and redrawn while not below the modulus, and the
resulting integer v is the element's *Montgomery* representation (the element is
v / 2^256). A curve point takes an x coordinate that way and one bit for the sign of y,
redrawing x until x^3 + b is a square; G2 points are then multiplied by the twist's
cofactor. ``hash_to_g2`` seeds the stream with a transcript hash's first 32 bytes
(big-endian words): the G2 point of a proof of knowledge is bound to the transcript that
way. A beacon seeds it from its hash after 2^e rounds of SHA-256.

These functions exist so that beacons are byte-identical to snarkjs's and proofs of
knowledge check against snarkjs's transcripts; a party's secret contribution also uses
them, seeded from the operating system's randomness.
"""

from __future__ import annotations

import hashlib
import secrets
import struct

import numpy as np

from zkcx._bindings import chacha20_block, sha256_iterate
from zkcx.curve import G1, G2
from zkcx.errors import InvalidArgumentError
from zkcx.field import Fr
from zkcx.params import FQ_MODULUS, FR_MODULUS

_Q = FQ_MODULUS
_R_INV_Q = pow(1 << 256, -1, FQ_MODULUS)
_R_INV_R = pow(1 << 256, -1, FR_MODULUS)
_NONCE = bytes(12)
#: SHA-256 rounds of a beacon per native call.
_BEACON_CHUNK = 1 << 20
#: The G2 twist's cofactor, by which snarkjs multiplies a G2 point drawn from the stream.
G2_COFACTOR = 0x30644E72E131A029B85045B68181585E06CEECDA572A2489345F2299C0F9FA8D


class ChaChaStream:
    """ffjavascript's ChaCha: ChaCha20 (RFC 8439) under the key made of the eight seed
    words (little-endian), nonce and counter starting at zero, read as 32-bit words."""

    _BLOCKS = 16  # blocks generated per refill

    def __init__(self, seed: tuple[int, ...] | list[int]) -> None:
        if len(seed) != 8 or not all(0 <= int(w) < 1 << 32 for w in seed):
            raise InvalidArgumentError("a ChaCha seed is eight 32-bit words")
        self._key = struct.pack("<8I", *seed)
        self._counter = 0
        self._words: list[int] = []
        self._pos = 0

    @classmethod
    def from_hash(cls, digest: bytes) -> ChaChaStream:
        """Seeded with the first 32 bytes of a hash, read as big-endian words."""
        return cls(struct.unpack(">8I", digest[:32]))

    def next_u32(self) -> int:
        if self._pos == len(self._words):
            blocks = b"".join(chacha20_block(self._key, self._counter + i, _NONCE)
                              for i in range(self._BLOCKS))
            self._counter += self._BLOCKS
            self._words = np.frombuffer(blocks, dtype="<u4").tolist()
            self._pos = 0
        word = self._words[self._pos]
        self._pos += 1
        return word

    def next_u64(self) -> int:
        high = self.next_u32()
        return (high << 32) | self.next_u32()

    def _montgomery_value(self, modulus: int) -> int:
        mask = (1 << modulus.bit_length()) - 1
        while True:
            v = 0
            for i in range(4):
                v |= self.next_u64() << (64 * i)
            v &= mask
            if v < modulus:
                return v

    def fr(self) -> Fr:
        """Fr.fromRng: the element whose Montgomery representation is the drawn value."""
        return Fr(self._montgomery_value(FR_MODULUS) * _R_INV_R % FR_MODULUS)

    def fq(self) -> int:
        """Fq.fromRng, as a canonical integer."""
        return self._montgomery_value(_Q) * _R_INV_Q % _Q

    def g1(self) -> G1:
        """G1.fromRng."""
        while True:
            x = self.fq()
            greatest = self.next_u32() & 1
            rhs = (x * x * x + 3) % _Q
            if pow(rhs, (_Q - 1) // 2, _Q) in (0, 1):
                break
        y = pow(rhs, (_Q + 1) // 4, _Q)
        if greatest != _fq_negative(y):
            y = (_Q - y) % _Q
        return G1(x, y)

    def g2(self) -> G2:
        """G2.fromRng: a twist point from the stream times the cofactor."""
        while True:
            x = (self.fq(), self.fq())
            greatest = self.next_u32() & 1
            rhs = _fq2_add(_fq2_mul(_fq2_mul(x, x), x), _TWIST_B)
            if _fq2_is_square(rhs):
                break
        y = _fq2_sqrt(rhs)
        if greatest != _fq2_negative(y):
            y = ((_Q - y[0]) % _Q, (_Q - y[1]) % _Q)
        return _times_cofactor(x, y)


def hash_to_g2(digest: bytes) -> G2:
    """snarkjs's hashToG2: the first G2 point of the stream seeded with ``digest``."""
    return ChaChaStream.from_hash(digest).g2()


def beacon_stream(beacon_hash: bytes, iterations_exp: int) -> ChaChaStream:
    """snarkjs's rngFromBeaconParams: SHA-256 applied 2^iterations_exp times to the
    beacon hash, whose first 32 bytes seed the stream. The rounds after the first
    (which hashes the beacon hash, of any length) run in native code, 2^20 a call."""
    digest = hashlib.sha256(beacon_hash).digest()
    left = (1 << iterations_exp) - 1
    while left:
        rounds = min(left, _BEACON_CHUNK)
        digest = sha256_iterate(digest, rounds)
        left -= rounds
    return ChaChaStream.from_hash(digest)


def entropy_stream(entropy: bytes | str | None = None) -> ChaChaStream:
    """snarkjs's getRandomRng: BLAKE2b-512 of 64 bytes from the operating system and the
    caller's entropy (text is UTF-8 encoded) seeds the stream. The OS bytes alone make it
    secret; the entropy only adds to them."""
    extra = entropy.encode() if isinstance(entropy, str) else (entropy or b"")
    return ChaChaStream.from_hash(hashlib.blake2b(secrets.token_bytes(64) + extra).digest())


# -- Fq and Fq2 in plain integers (a few operations per contribution) -------------------
def _fq_negative(a: int) -> int:
    return 1 if a > (_Q - 1) // 2 else 0


def _fq2_add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return (a[0] + b[0]) % _Q, (a[1] + b[1]) % _Q


def _fq2_mul(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return (a[0] * b[0] - a[1] * b[1]) % _Q, (a[0] * b[1] + a[1] * b[0]) % _Q


def _fq2_pow(a: tuple[int, int], e: int) -> tuple[int, int]:
    out = (1, 0)
    for bit in bin(e)[2:]:
        out = _fq2_mul(out, out)
        if bit == "1":
            out = _fq2_mul(out, a)
    return out


def _fq2_is_square(a: tuple[int, int]) -> bool:
    norm = (a[0] * a[0] + a[1] * a[1]) % _Q
    return pow(norm, (_Q - 1) // 2, _Q) in (0, 1)


def _fq2_sqrt(a: tuple[int, int]) -> tuple[int, int]:
    """A square root of a square (q = 3 mod 4; Adj and Rodriguez-Henriquez, alg. 9)."""
    if a == (0, 0):
        return a
    a1 = _fq2_pow(a, (_Q - 3) // 4)
    alpha = _fq2_mul(_fq2_mul(a1, a1), a)
    x0 = _fq2_mul(a1, a)
    if alpha == (_Q - 1, 0):
        return _fq2_mul((0, 1), x0)
    b = _fq2_pow(_fq2_add((1, 0), alpha), (_Q - 1) // 2)
    return _fq2_mul(b, x0)


def _fq2_negative(a: tuple[int, int]) -> int:
    return _fq_negative(a[0]) if a[1] == 0 else _fq_negative(a[1])


_XI_INV = _fq2_pow((9, 1), _Q * _Q - 2)
_TWIST_B = _fq2_mul((3, 0), _XI_INV)


def _times_cofactor(x: tuple[int, int], y: tuple[int, int]) -> G2:
    """[G2_COFACTOR] (x, y) for a point of the twist curve outside the subgroup, by
    double-and-add with the native group law (its scalar multiplication reduces the
    scalar mod r, which is only right inside the subgroup)."""
    c = G2._from_coordinate_ints([*x, *y])
    G2._validate(c, False)
    point = G2._wrap(c)
    acc = point
    for bit in bin(G2_COFACTOR)[3:]:
        acc = acc.double()
        if bit == "1":
            acc = acc + point
    return acc
