# SPDX-License-Identifier: MIT
"""Field vectors read back as signed int64 (X mod r -> X), for ``Kernel.read``."""

from __future__ import annotations

import numpy as np

from zkcx.errors import BoundError
from zkcx.field import FrVec
from zkcx.gadgets import to_signed

_SENTINEL = np.iinfo(np.int64).min


def signed_ints(vec: FrVec, strict: bool = True) -> np.ndarray:
    """The signed integers of ``vec`` as int64. A value beyond int64 raises
    ``BoundError`` (strict) or reads as -2^63, outside every tensor bound (not strict)."""
    values = to_signed(vec)
    if values.dtype == np.int64:
        return values
    fits = np.array([-(1 << 63) <= int(v) < (1 << 63) for v in values], dtype=bool)
    if strict and not fits.all():
        index = int(np.flatnonzero(~fits)[0])
        raise BoundError(f"value at index {index} ({values[index]}) does not fit in int64")
    return np.array([int(v) if ok else _SENTINEL for v, ok in zip(values, fits)],
                    dtype=np.int64)
