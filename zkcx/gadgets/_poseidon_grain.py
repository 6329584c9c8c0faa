# SPDX-License-Identifier: MIT
"""Poseidon's standard parameters, derived from scratch as the Poseidon paper's reference
script ``generate_parameters_grain.sage`` does (Grassi et al., eprint 2019/458, App. F).

The generator is the Grain LFSR: an 80-bit register b_0 .. b_79 stepped by

    b_{k+80} = b_{k+62} ^ b_{k+51} ^ b_{k+38} ^ b_{k+23} ^ b_{k+13} ^ b_k,

seeded with the bits of (field = 1 → 2 bits, S-box = 0 → 4 bits, n = 254 → 12 bits,
t → 12 bits, R_F → 10 bits, R_P → 10 bits, thirty ones), most significant bit first,
and run 160 steps before any output. Output bits are taken in pairs (x, y): y is kept
when x = 1, dropped otherwise. Round constants are consecutive 254-bit big-endian
chunks of the kept bits, a chunk >= r being discarded (rejection sampling), until
(R_F + R_P)·t are accepted. The MDS matrix continues the same stream: 2t chunks x_0 ..
x_{t-1}, y_0 .. y_{t-1} (reduced mod r) and M[i][j] = 1 / (x_i + y_j), a Cauchy matrix.

For t = 2 .. 17 with circomlib's round numbers, the first Cauchy matrix drawn is the one
circomlib uses (the test suite checks every constant against circomlib's
``poseidon_constants.circom``), so the script's extra subspace-trail checks, which only
ever reject a matrix, need not be re-implemented here.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from zkcx.errors import InternalError, InvalidArgumentError
from zkcx.params import FR_MODULUS

#: Field size in bits as the reference script is called for BN254's Fr.
FIELD_BITS = 254
#: Full rounds (all t), and circomlib's partial rounds for t = 2 .. 17 (index t - 2).
FULL_ROUNDS = 8
PARTIAL_ROUNDS = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)
MIN_WIDTH, MAX_WIDTH = 2, 2 + len(PARTIAL_ROUNDS) - 1

_MASK13 = (1 << 13) - 1


def partial_rounds(t: int) -> int:
    """circomlib's number of partial rounds R_P for state width t (2 <= t <= 17)."""
    if not MIN_WIDTH <= t <= MAX_WIDTH:
        raise InvalidArgumentError(f"Poseidon state width t must be in [{MIN_WIDTH}, {MAX_WIDTH}] "
                                   f"(1 to {MAX_WIDTH - 1} inputs), got {t}")
    return PARTIAL_ROUNDS[t - MIN_WIDTH]


def _seed_bits(t: int, r_f: int, r_p: int) -> list[int]:
    fields = [(1, 2), (0, 4), (FIELD_BITS, 12), (t, 12), (r_f, 10), (r_p, 10)]
    bits = [int(c) for value, width in fields for c in format(value, f"0{width}b")]
    return bits + [1] * 30


def _raw_bits(t: int, r_f: int, r_p: int, count: int) -> np.ndarray:
    """The first ``count`` Grain output bits after the 160 discarded steps (uint8 array).

    The register is an int whose bit i is b_i; since the smallest tap is 13, the next 13
    bits depend only on bits already in the register and come out of one XOR of shifts."""
    reg = 0
    for i, b in enumerate(_seed_bits(t, r_f, r_p)):
        reg |= b << i
    words = []
    for _ in range((count + 160) // 13 + 1):
        new = ((reg >> 62) ^ (reg >> 51) ^ (reg >> 38) ^ (reg >> 23) ^ (reg >> 13) ^ reg) & _MASK13
        reg = (reg >> 13) | (new << 67)
        words.append(new)
    w = np.array(words, dtype=np.uint16)
    bits = ((w[:, None] >> np.arange(13, dtype=np.uint16)) & 1).astype(np.uint8).reshape(-1)
    return bits[160:160 + count]


def _field_chunks(t: int, r_f: int, r_p: int, count: int) -> list[int]:
    """The first ``count`` 254-bit big-endian chunks of the kept bits: raw bits in pairs
    (x, y), y kept when x = 1."""
    raw_count = 4 * FIELD_BITS * count + 4096
    while True:
        raw = _raw_bits(t, r_f, r_p, raw_count)
        kept = raw[1::2][raw[0::2] == 1]
        if kept.size >= FIELD_BITS * count:
            break
        raw_count *= 2  # pragma: no cover - the first guess has a wide margin
    rows = kept[: FIELD_BITS * count].reshape(count, FIELD_BITS)
    padded = np.zeros((count, 256), dtype=np.uint8)
    padded[:, 256 - FIELD_BITS:] = rows
    packed = np.packbits(padded, axis=1)
    return [int.from_bytes(row.tobytes(), "big") for row in packed]


@cache
def standard_parameters(t: int) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """(round constants, MDS matrix) of Poseidon over BN254's Fr for width t.

    The constants are the (R_F + R_P)·t values added before the S-boxes of each round,
    round after round (round k adds c[k·t + i] to state element i); the matrix M is
    applied as state'_i = sum_j M[i][j]·state_j. Derived as the module docstring says."""
    r_p = partial_rounds(t)
    need = (FULL_ROUNDS + r_p) * t
    # about 1/0.76 draws per accepted constant (r / 2^254 ~ 0.76); ask for plenty
    chunks = _field_chunks(t, FULL_ROUNDS, r_p, 2 * need + 2 * t + 64)
    accepted = np.cumsum([c < FR_MODULUS for c in chunks])
    used = int(np.searchsorted(accepted, need)) + 1  # chunks consumed by the constants
    constants = [c for c in chunks[:used] if c < FR_MODULUS]
    points = [c % FR_MODULUS for c in chunks[used:used + 2 * t]]
    if len(set(points)) != 2 * t:  # pragma: no cover - never happens for t <= 17
        raise InternalError(f"repeated Cauchy points for t = {t}; the script would redraw")
    xs, ys = points[:t], points[t:]
    mds = tuple(tuple(pow(x + y, -1, FR_MODULUS) for y in ys) for x in xs)
    return tuple(constants), mds
