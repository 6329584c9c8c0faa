# SPDX-License-Identifier: MIT
"""Conversions between Fr vectors and signed integers, for witness hints.

A signed integer X is embedded in Fr as X mod r; read back, a field value v is taken as
v when v <= (r - 1)/2 and as v - r otherwise. Values with |X| < 2^63 travel through
numpy int64 vector operations (no per-element Python); larger ones fall back to a numpy
object array of Python ints.
"""

from __future__ import annotations

import numpy as np

from zkcx.field import Fr, FrVec
from zkcx.params import FR_MODULUS

_HALF = (FR_MODULUS - 1) // 2
_TOP = np.uint64(1 << 63)
_ONE_LIMBS = FrVec.ones(1).limbs[0].copy()


def _limbs_less(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows of a that are smaller than the rows of b, as 256-bit little-endian numbers."""
    less = np.zeros(a.shape[0], dtype=bool)
    decided = np.zeros(a.shape[0], dtype=bool)
    for limb in (3, 2, 1, 0):
        lt, gt = a[:, limb] < b[:, limb], a[:, limb] > b[:, limb]
        less |= ~decided & lt
        decided |= lt | gt
    return less


def signed_magnitudes(vec: FrVec) -> tuple[np.ndarray, np.ndarray]:
    """(negative, magnitude limbs): the sign and |X| (canonical limbs, (n, 4) uint64) of
    each value read as a signed integer."""
    pos = vec.to_canonical_limbs()
    neg = (-vec).to_canonical_limbs()
    negative = _limbs_less(neg, pos)
    return negative, np.where(negative[:, None], neg, pos)


def to_signed(vec: FrVec) -> np.ndarray:
    """Signed integers of an Fr vector: int64 if every |X| < 2^63, else an object array."""
    negative, mag = signed_magnitudes(vec)
    low = mag[:, 0]
    small = ~mag[:, 1:].any(axis=1) & ((low < _TOP) | (negative & (low == _TOP)))
    if small.all():  # two's complement: -|X| is 2^64 - |X| read as int64
        return np.where(negative, np.uint64(0) - low, low).view(np.int64)
    return np.array([v - FR_MODULUS if v > _HALF else v for v in vec.to_ints()], dtype=object)


def from_signed(values: np.ndarray) -> FrVec:
    """Embed signed integers (an int64 or object array, any shape, read flat) in Fr."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu" and arr.dtype != np.uint64:
        return FrVec.from_int64(arr.astype(np.int64).reshape(-1))
    return FrVec.from_ints([int(v) % FR_MODULUS for v in arr.reshape(-1)])


def bits_of(vec: FrVec, n_bits: int) -> FrVec:
    """The n_bits low bits of each canonical value, LSB first, as an Fr vector of 0/1
    (flat, element-major: value i's bits are entries i*n_bits .. i*n_bits + n_bits - 1)."""
    canon = np.ascontiguousarray(vec.to_canonical_limbs())
    bits = np.unpackbits(canon.view(np.uint8), axis=1, bitorder="little")[:, :n_bits]
    limbs = bits.reshape(-1, 1).astype(np.uint64) * _ONE_LIMBS
    return FrVec.from_montgomery(limbs)


def low_bits(vec: FrVec, n_bits: int) -> FrVec:
    """Each canonical value mod 2^n_bits (n_bits <= 256), as an Fr vector."""
    canon = vec.to_canonical_limbs()
    mask = np.zeros(4, dtype=np.uint64)
    for limb in range(4):
        keep = min(max(n_bits - 64 * limb, 0), 64)
        mask[limb] = np.uint64((1 << keep) - 1)
    return FrVec.from_canonical_limbs(np.ascontiguousarray(canon & mask))


def inverse_power_of_two(k: int) -> Fr:
    """2^-k in Fr."""
    return Fr(pow(2, -k, FR_MODULUS)) if k else Fr(1)
