# SPDX-License-Identifier: MIT
"""The native functions of one field, gathered under short names, plus the numpy
checks that run before any of them is called."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from zkcx._lib import ffi, lib
from zkcx.errors import BufferLayoutError, FieldRangeError, LengthMismatchError


def modulus_limbs(modulus: int) -> np.ndarray:
    return np.array([(modulus >> (64 * k)) & (2**64 - 1) for k in range(4)], dtype=np.uint64)


@dataclass(frozen=True)
class FieldBinding:
    """Native entry points and constants of Fr or Fq."""

    name: str
    modulus: int
    prefix: str  # "fr" or "fq"

    def fn(self, verb: str) -> Any:
        return getattr(lib, f"zkcx_{self.prefix}_{verb}")

    @property
    def limbs_of_modulus(self) -> np.ndarray:
        return modulus_limbs(self.modulus)


def first_not_below(limbs: np.ndarray, modulus: int) -> int:
    """Index of the first row of canonical limbs (n, 4) that is >= modulus, or -1.

    A lexicographic comparison from the top limb down, vectorised over rows."""
    mod = modulus_limbs(modulus)
    below = np.zeros(limbs.shape[0], dtype=bool)
    equal = np.ones(limbs.shape[0], dtype=bool)
    for k in (3, 2, 1, 0):
        below |= equal & (limbs[:, k] < mod[k])
        equal &= limbs[:, k] == mod[k]
    bad = np.flatnonzero(~below)
    return int(bad[0]) if bad.size else -1


def check_canonical(limbs: np.ndarray, binding: FieldBinding, what: str = "value") -> None:
    index = first_not_below(limbs, binding.modulus)
    if index >= 0:
        value = int.from_bytes(limbs[index].tobytes(), "little")
        raise FieldRangeError(
            f"{what} at index {index} is {value}, not below the {binding.name} modulus "
            f"{binding.modulus}; reduce it first (e.g. value % modulus) if that is intended"
        )


def check_limb_buffer(array: object, what: str = "buffer") -> np.ndarray:
    """Accept only a C-contiguous uint64 array of shape (n, 4), the layout C expects."""
    if not isinstance(array, np.ndarray):
        raise BufferLayoutError(f"{what} must be a numpy array, got {type(array).__name__}")
    if array.dtype != np.uint64:
        raise BufferLayoutError(f"{what} must have dtype uint64, got {array.dtype}")
    if array.ndim != 2 or array.shape[1] != 4:
        raise BufferLayoutError(f"{what} must have shape (n, 4), got {array.shape}")
    if not array.flags.c_contiguous:
        raise BufferLayoutError(
            f"{what} must be C-contiguous; pass np.ascontiguousarray(...) to copy it"
        )
    return array


def check_same_length(a: int, b: int) -> None:
    if a != b:
        raise LengthMismatchError(f"vectors have different lengths: {a} and {b}")


def ptr(array: np.ndarray) -> Any:
    """Zero-copy pointer to a numpy buffer for a uint64_t* parameter."""
    return ffi.from_buffer("uint64_t[]", array)


def byte_ptr(data: Any) -> Any:
    return ffi.from_buffer("uint8_t[]", data)


FR_BINDING_NAME = "Fr"
FQ_BINDING_NAME = "Fq"
