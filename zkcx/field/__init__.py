# SPDX-License-Identifier: MIT
"""BN254 fields: ``Fr`` (scalar field) and ``Fq`` (base field) as native scalars, and
``FrVec``/``FqVec`` vectors over numpy buffers. ``zkcx.field.reference`` holds the
pure-Python implementation of the same surface that the tests compare against."""

from zkcx.field._domain_size import MAX_LOG_SIZE, log2_of_size
from zkcx.field._scalar import FieldElement, Fq, Fr
from zkcx.field._vector import FieldVector, FqVec, FrVec

__all__ = [
    "MAX_LOG_SIZE",
    "FieldElement",
    "FieldVector",
    "Fq",
    "FqVec",
    "Fr",
    "FrVec",
    "log2_of_size",
]
