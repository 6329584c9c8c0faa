# SPDX-License-Identifier: MIT
"""Edge values of a 254-bit field with 4x64-bit limbs (gnark-crypto's table, adapted)."""

from __future__ import annotations


def edge_values(p: int) -> list[int]:
    """0, 1, 2, p-1, p-2, (p-1)/2, R mod p, R^2 mod p, R^-1 mod p, limb boundaries and
    values near 2^253 / 2^254 (reduced below p when they are not)."""
    R = 1 << 256
    raw = [
        0, 1, 2, 3, p - 1, p - 2, (p - 1) // 2, (p + 1) // 2,
        R % p, R * R % p, pow(R, -1, p),
        2**64 - 1, 2**64, 2**64 + 1, 2**128 - 1, 2**128, 2**192 - 1, 2**192,
        2**253 - 1, 2**253, 2**253 + 1, p - 2**64, p - 2**192,
    ]
    raw += [(2**254 - k) % p for k in (1, 2)] + [(2**256 - k) % p for k in (1, 2)]
    seen: list[int] = []
    for v in raw:
        v %= p
        if v not in seen:
            seen.append(v)
    return seen
