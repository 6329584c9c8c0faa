# SPDX-License-Identifier: MIT
"""The Fiat-Shamir transcript of SnarkPack aggregation: SHA-256 chained over
length-prefixed, tagged messages under the domain tag ``zkcx-snarkpack-v1``; challenges
are derived with SHA-512 (reduced mod r, never 0) and absorbed back, so every challenge
depends on everything before it."""

from __future__ import annotations

import hashlib

from zkcx.field import Fr
from zkcx.params import FR_MODULUS

DOMAIN = b"zkcx-snarkpack-v1"


class Transcript:
    """A running hash; ``absorb`` messages, then draw ``challenge``s."""

    __slots__ = ("_state",)

    def __init__(self, label: bytes) -> None:
        self._state = hashlib.sha256(DOMAIN).digest()
        self.absorb(b"label", label)

    def absorb(self, tag: bytes, data: bytes) -> None:
        """Hash a tagged message into the state."""
        h = hashlib.sha256(self._state)
        h.update(len(tag).to_bytes(2, "big") + tag)
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
        self._state = h.digest()

    def challenge(self, tag: bytes) -> Fr:
        """A non-zero element of Fr determined by everything absorbed so far."""
        counter = 0
        while True:
            d = hashlib.sha512(self._state + b"challenge" + tag + counter.to_bytes(4, "big"))
            value = int.from_bytes(d.digest(), "big") % FR_MODULUS
            if value:
                self.absorb(b"challenge/" + tag, value.to_bytes(32, "big"))
                return Fr(value)
            counter += 1
