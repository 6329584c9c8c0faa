# SPDX-License-Identifier: MIT
"""Sparse matrix times a point vector, natively: ``sparse_sums``.

out[w] = sum over the terms t of row w of [coefs[t]] points[index[t]], the rows given
in compressed form (``start``: row w's terms are ``start[w] .. start[w+1] - 1``). A
Groth16 key made from a prepared powers-of-tau file is four such products (the circuit's
matrices times the ptau's Lagrange-basis points); small coefficients and their
negations (circom's 1, -1, small constants) cost a few additions, large ones a windowed
scalar multiplication."""

from __future__ import annotations

import numpy as np

from zkcx._bindings import int64_ptr, ptr
from zkcx.curve._vector import PointVector
from zkcx.errors import ArgumentTypeError, InvalidArgumentError, LengthMismatchError
from zkcx.field import FrVec


def sparse_sums(points: PointVector, start: np.ndarray, index: np.ndarray,
                coefs: FrVec) -> PointVector:
    """``len(start) - 1`` points of the group of ``points``: out[w] = sum_{start[w] <= t <
    start[w+1]} [coefs[t]] points[index[t]]; a row without terms gives the identity.
    ``start`` (non-decreasing from 0 to ``len(index)``) and ``index`` (each below
    ``len(points)``) are integer arrays, checked before the native call."""
    if not isinstance(points, PointVector):
        raise ArgumentTypeError(f"sparse_sums takes a G1Vec or G2Vec, got "
                                f"{type(points).__name__}")
    if not isinstance(coefs, FrVec):
        raise ArgumentTypeError(f"sparse_sums takes an FrVec of coefficients, got "
                                f"{type(coefs).__name__}")
    start = np.ascontiguousarray(start, dtype=np.int64)
    index = np.ascontiguousarray(index, dtype=np.int64)
    if start.ndim != 1 or start.size < 1 or index.ndim != 1:
        raise InvalidArgumentError("sparse_sums: start is a 1-d array of rows + 1 offsets "
                                   "and index a 1-d array")
    if len(index) != len(coefs):
        raise LengthMismatchError(f"sparse_sums: {len(index)} indices but {len(coefs)} "
                                  "coefficients")
    if start[0] != 0 or start[-1] != index.size or np.any(np.diff(start) < 0):
        raise InvalidArgumentError(f"sparse_sums: start must rise from 0 to the number of "
                                   f"terms ({index.size})")
    if index.size and (index.min() < 0 or index.max() >= len(points)):
        raise InvalidArgumentError(f"sparse_sums: an index is outside the {len(points)} "
                                   "points")
    vec_type = type(points)
    n_out = start.size - 1
    out = np.empty((n_out, vec_type.words), dtype=np.uint64)
    points.point_type.binding.sparse_sum(ptr(out), int64_ptr(start), int64_ptr(index),
                                         ptr(coefs.limbs), n_out, ptr(points.limbs))
    return vec_type._wrap(out)
