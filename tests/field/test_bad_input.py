# SPDX-License-Identifier: MIT
"""Bad input gets a specific exception from Python before any native call."""

from __future__ import annotations

import numpy as np
import pytest

from zkcx.errors import (
    ArgumentTypeError,
    BufferLayoutError,
    EncodingError,
    FieldMismatchError,
    FieldRangeError,
    InvalidArgumentError,
    LengthMismatchError,
)
from zkcx.field import Fq, FqVec, Fr, FrVec
from zkcx.params import FQ_MODULUS, FR_MODULUS


@pytest.mark.parametrize(
    "cls,p", [(Fr, FR_MODULUS), (Fq, FQ_MODULUS)]
)
@pytest.mark.parametrize("offset", [0, 1, 2**64])
def test_scalar_at_or_above_modulus_is_refused(cls, p, offset):
    with pytest.raises(FieldRangeError, match="not a canonical"):
        cls(p + offset)
    assert int(cls.reduce(p + offset)) == offset % p


@pytest.mark.parametrize("value", [-1, 2**254, 2**256, 2**256 - 1])
def test_scalar_out_of_range_values(value):
    with pytest.raises(FieldRangeError):
        Fr(value)


def test_scalar_wrong_types():
    with pytest.raises(ArgumentTypeError):
        Fr(1.5)
    with pytest.raises(ArgumentTypeError):
        Fr("3")
    with pytest.raises(ArgumentTypeError):
        Fr(True)
    with pytest.raises(TypeError):
        Fr(1) + 1.0


def test_mixing_fields_is_refused():
    with pytest.raises(FieldMismatchError):
        Fr(1) + Fq(1)
    with pytest.raises(FieldMismatchError):
        FrVec.ones(2) * FqVec.ones(2)
    with pytest.raises(FieldMismatchError):
        FrVec.ones(2) * Fq(2)
    with pytest.raises(FieldMismatchError):
        FrVec.ones(2) @ FqVec.ones(2)
    with pytest.raises(FieldMismatchError):
        FrVec.concatenate([FrVec.ones(1), FqVec.ones(1)])


def test_mismatched_lengths():
    with pytest.raises(LengthMismatchError, match="3 and 4"):
        FrVec.ones(3) + FrVec.ones(4)
    with pytest.raises(LengthMismatchError):
        FrVec.ones(3) @ FrVec.ones(2)


def test_vector_values_at_or_above_modulus():
    with pytest.raises(FieldRangeError, match="index 1"):
        FrVec.from_ints([0, FR_MODULUS])
    with pytest.raises(FieldRangeError, match="index 0"):
        FrVec.from_ints([-5])
    with pytest.raises(FieldRangeError, match="index 2"):
        FrVec.from_ints(np.array([1, 2, -3]))
    with pytest.raises(FieldRangeError, match="index 1"):
        FrVec.from_bytes(bytes(32) + FR_MODULUS.to_bytes(32, "big"), "big")
    with pytest.raises(FieldRangeError):
        FqVec.from_bytes(b"\xff" * 32)


def test_buffer_layout_checks():
    good = FrVec.ones(4).limbs
    with pytest.raises(BufferLayoutError, match="dtype"):
        FrVec.from_montgomery(good.astype(np.int64))
    with pytest.raises(BufferLayoutError, match="shape"):
        FrVec.from_montgomery(good.reshape(2, 8))
    with pytest.raises(BufferLayoutError, match="contiguous"):
        FrVec.from_montgomery(np.asfortranarray(np.zeros((4, 4), dtype=np.uint64)))
    with pytest.raises(BufferLayoutError, match="contiguous"):
        FrVec.from_montgomery(np.zeros((8, 4), dtype=np.uint64)[::2])
    with pytest.raises(BufferLayoutError, match="numpy"):
        FrVec.from_montgomery([[0, 0, 0, 0]])
    bad = good.copy()
    bad[1] = np.array([2**64 - 1] * 4, dtype=np.uint64)
    with pytest.raises(FieldRangeError, match="index 1"):
        FrVec.from_montgomery(bad)


def test_bad_lengths_seeds_and_options():
    with pytest.raises(EncodingError, match="multiple of 32"):
        FrVec.from_bytes(b"\x00" * 33)
    with pytest.raises(InvalidArgumentError):
        FrVec.zeros(-1)
    with pytest.raises(InvalidArgumentError, match="32 bytes"):
        FrVec.random(3, seed=b"short")
    with pytest.raises(ArgumentTypeError):
        FrVec.random(3, seed=1.5)
    with pytest.raises(InvalidArgumentError):
        FrVec.ones(2).inverse(zeros="ignore")
    with pytest.raises(EncodingError):
        Fr.from_bytes(b"\x00" * 31)
    with pytest.raises(ArgumentTypeError):
        FrVec.from_ints(np.array([1.0, 2.0]))
    with pytest.raises(ArgumentTypeError, match="element 1"):
        FrVec.from_ints([1, "2"])
