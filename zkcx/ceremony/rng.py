# SPDX-License-Identifier: MIT
"""The deterministic randomness of snarkjs's ceremonies (ffjavascript's ChaCha and the
``fromRng`` of its fields and curves), so that keys derived from a hash are the ones
snarkjs derives: a beacon's secrets, and the G2 point of a proof of knowledge that is
hashed from the transcript (``hash_to_g2``).

* ``ChaChaRng(seed)``: the ChaCha20 block function keyed by eight u32 seed words, block
  counter from 0 (the nonce words carry the counter's high bits), each block read as 16
  little-endian u32 words. A hash seeds it with its first 32 bytes read as eight
  big-endian u32 (``ChaChaRng.from_hash``).
* a field element "from the rng" (Fr or Fq): four u64 (each the high u32 then the low
  one), least significant first, masked to 254 bits, redrawn until below the modulus;
  the value v is the element's Montgomery representation, so the element is v/2^256.
* a G1 point: x from the rng, then one bool (a u32's low bit), repeated until x^3 + 3 is
  a square; y is the root whose "negativity" (y > (p − 1)/2) equals the bool.
* a G2 point: x = (c0, c1) from the rng, the bool, until x^3 + b' is a square in Fq2;
  y the root whose negativity (of y.c1, or y.c0 when y.c1 = 0) equals the bool; then
  multiplied by the cofactor of the twist (2p − r) to land in G2.

Only a handful of points per contribution come from here, so plain Python integers do
the Fq and Fq2 arithmetic; nothing here runs per point of a file.
"""

from __future__ import annotations

import hashlib
import struct

from zkcx._bindings import (
    G2_BINDING,
    chacha20_block,
    new_words,
    words_bytes,
    words_from_bytes,
    words_from_int,
)
from zkcx.curve import G1, G2
from zkcx.errors import InvalidArgumentError
from zkcx.field import Fq, Fr
from zkcx.params import FQ_MODULUS, FR_MODULUS

_P = FQ_MODULUS
_MASK_254 = (1 << 254) - 1
#: the twist E'(Fq2) has r · (2p − r) points; this multiplier clears the second factor
G2_COFACTOR = 2 * FQ_MODULUS - FR_MODULUS
_Fq2 = tuple[int, int]


class ChaChaRng:
    """ffjavascript's ChaCha random generator (snarkjs's ``ChaCha``)."""

    __slots__ = ("_key", "_block", "_words", "_index")

    def __init__(self, seed: tuple[int, ...] | list[int]) -> None:
        if len(seed) != 8 or not all(isinstance(w, int) and 0 <= w < 2**32 for w in seed):
            raise InvalidArgumentError("a ChaCha seed is eight integers in [0, 2^32)")
        self._key = struct.pack("<8I", *seed)
        self._block = 0
        self._words: tuple[int, ...] = ()
        self._index = 16

    @classmethod
    def from_hash(cls, digest: bytes) -> ChaChaRng:
        """Seeded by the first 32 bytes of a hash, as eight big-endian u32."""
        if len(digest) < 32:
            raise InvalidArgumentError(f"a ChaCha seed hash has at least 32 bytes, got "
                                       f"{len(digest)}")
        return cls(list(struct.unpack(">8I", bytes(digest[:32]))))

    def next_u32(self) -> int:
        if self._index == 16:
            counter = self._block
            nonce = (counter >> 32).to_bytes(12, "little")
            self._words = struct.unpack("<16I", chacha20_block(self._key, counter & 0xFFFFFFFF,
                                                               nonce))
            self._block += 1
            self._index = 0
        word = self._words[self._index]
        self._index += 1
        return word

    def next_u64(self) -> int:
        high = self.next_u32()
        return (high << 32) | self.next_u32()

    def next_bool(self) -> bool:
        return bool(self.next_u32() & 1)

    def field_montgomery(self, modulus: int) -> int:
        """The Montgomery representation v of a field element drawn as ffjavascript does."""
        while True:
            v = 0
            for i in range(4):
                v |= self.next_u64() << (64 * i)
            v &= _MASK_254
            if v < modulus:
                return v

    def fr(self) -> Fr:
        """An Fr element (a private key: snarkjs's ``Fr.fromRng``)."""
        return Fr.from_montgomery_bytes(self.field_montgomery(FR_MODULUS).to_bytes(32, "little"))

    def _fq(self) -> int:
        return int(Fq.from_montgomery_bytes(self.field_montgomery(_P).to_bytes(32, "little")))

    def g1(self) -> G1:
        """A G1 point (snarkjs's ``G1.fromRng``)."""
        while True:
            x = self._fq()
            greatest = self.next_bool()
            rhs = (x * x * x + 3) % _P
            if _fq_is_square(rhs):
                break
        y = pow(rhs, (_P + 1) // 4, _P)
        if _fq_is_negative(y) != greatest:
            y = _P - y
        return G1(x, y)

    def g2(self) -> G2:
        """A G2 point (snarkjs's ``G2.fromRng``, the cofactor cleared)."""
        while True:
            x = (self._fq(), self._fq())
            greatest = self.next_bool()
            rhs = _fq2_add(_fq2_mul(_fq2_mul(x, x), x), _TWIST_B)
            if _fq2_is_square(rhs):
                break
        y = _fq2_sqrt(rhs)
        if _fq2_is_negative(y) != greatest:
            y = ((-y[0]) % _P, (-y[1]) % _P)
        return _clear_cofactor(x, y)


def hash_to_g2(digest: bytes) -> G2:
    """snarkjs's ``hashToG2``: the G2 point of a ChaCha generator seeded by the hash."""
    return ChaChaRng.from_hash(digest).g2()


def beacon_rng(beacon_hash: bytes, iterations_exp: int) -> ChaChaRng:
    """The generator of a beacon: SHA-256 applied 2^iterations_exp times to the beacon
    hash, whose result seeds ChaCha (snarkjs's ``rngFromBeaconParams``)."""
    if not isinstance(iterations_exp, int) or not 0 <= iterations_exp <= 63:
        raise InvalidArgumentError(f"iterations_exp is an integer in 0..63, got "
                                   f"{iterations_exp!r}")
    current = bytes(beacon_hash)
    for _ in range(1 << iterations_exp):
        current = hashlib.sha256(current).digest()
    return ChaChaRng.from_hash(current)


# -- Fq and Fq2 on Python integers (a few operations per derived point) ----------------


def _fq_is_square(a: int) -> bool:
    return a == 0 or pow(a, (_P - 1) // 2, _P) == 1


def _fq_is_negative(a: int) -> bool:
    return a > (_P - 1) // 2


def _fq2_add(a: _Fq2, b: _Fq2) -> _Fq2:
    return (a[0] + b[0]) % _P, (a[1] + b[1]) % _P


def _fq2_mul(a: _Fq2, b: _Fq2) -> _Fq2:
    return (a[0] * b[0] - a[1] * b[1]) % _P, (a[0] * b[1] + a[1] * b[0]) % _P


def _fq2_pow(a: _Fq2, e: int) -> _Fq2:
    out = (1, 0)
    for bit in bin(e)[2:]:
        out = _fq2_mul(out, out)
        if bit == "1":
            out = _fq2_mul(out, a)
    return out


def _fq2_inv(a: _Fq2) -> _Fq2:
    norm_inv = pow(a[0] * a[0] + a[1] * a[1], -1, _P)
    return a[0] * norm_inv % _P, (-a[1]) * norm_inv % _P


_TWIST_B = _fq2_mul((3, 0), _fq2_inv((9, 1)))


def _fq2_is_square(a: _Fq2) -> bool:
    """a is a square in Fq2 iff its norm a0^2 + a1^2 is a square in Fq."""
    return _fq_is_square((a[0] * a[0] + a[1] * a[1]) % _P)


def _fq2_is_negative(a: _Fq2) -> bool:
    return _fq_is_negative(a[1]) if a[1] else _fq_is_negative(a[0])


def _fq2_sqrt(a: _Fq2) -> _Fq2:
    """A square root of a square of Fq2 (p = 3 mod 4: Adj and Rodríguez-Henríquez,
    "Square root computation over even extension fields", algorithm 9)."""
    a1 = _fq2_pow(a, (_P - 3) // 4)
    alpha = _fq2_mul(a1, _fq2_mul(a1, a))
    x0 = _fq2_mul(a1, a)
    if alpha == (_P - 1, 0):
        return (-x0[1]) % _P, x0[0]  # i · x0
    b = _fq2_pow(((1 + alpha[0]) % _P, alpha[1]), (_P - 1) // 2)
    return _fq2_mul(b, x0)


def _clear_cofactor(x: _Fq2, y: _Fq2) -> G2:
    """[2p − r](x, y) for a point of the twist curve, as a (subgroup-checked) G2. The
    native multiplication takes the full 254-bit multiplier (reducing it mod r, as
    ``G2.__mul__`` does, would be wrong outside the subgroup)."""
    raw = b"".join(Fq(c).montgomery_bytes() for c in (*x, *y))
    out = new_words(16)
    G2_BINDING.mul(out, words_from_bytes(raw, 16), words_from_int(G2_COFACTOR))
    return G2.from_montgomery_limbs(words_bytes(out))
