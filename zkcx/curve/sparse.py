# SPDX-License-Identifier: MIT
"""Sparse matrix times a point vector, natively: ``sparse_sums``.

out[w] = sum over the terms t of row w of [coefs[t]] points[index[t]], the rows given
in compressed form (``start``: row w's terms are ``start[w] .. start[w+1] - 1``). The
points may be one vector or several of one length L, read in place (point i is point
i % L of vector i // L: blocks of a mapped file, used without joining them). A
Groth16 key made from a prepared powers-of-tau file is four such products (the circuit's
matrices times the ptau's Lagrange-basis points); small coefficients and their
negations (circom's 1, -1, small constants) cost a few additions, large ones a windowed
scalar multiplication."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zkcx._bindings import int64_ptr, ptr, ptr_table
from zkcx.curve._vector import PointVector
from zkcx.errors import ArgumentTypeError, InvalidArgumentError, LengthMismatchError
from zkcx.field import FrVec


def sparse_sums(points: PointVector | Sequence[PointVector], start: np.ndarray,
                index: np.ndarray, coefs: FrVec) -> PointVector:
    """``len(start) - 1`` points of the group of ``points``: out[w] = sum_{start[w] <= t <
    start[w+1]} [coefs[t]] points[index[t]]; a row without terms gives the identity.
    ``points`` is a G1Vec or G2Vec, or a sequence of vectors of one type and one length
    L taken as their concatenation (without copying them). ``start`` (non-decreasing from
    0 to ``len(index)``) and ``index`` (each below the number of points) are integer
    arrays, checked before the native call."""
    tables, n_points = _tables(points, coefs, "sparse_sums")
    vec_type, table_len = type(tables[0]), len(tables[0])
    start = np.ascontiguousarray(start, dtype=np.int64)
    index = np.ascontiguousarray(index, dtype=np.int64)
    if start.ndim != 1 or start.size < 1 or index.ndim != 1:
        raise InvalidArgumentError("sparse_sums: start is a 1-d array of rows + 1 offsets "
                                   "and index a 1-d array")
    if len(index) != len(coefs):
        raise LengthMismatchError(f"sparse_sums: {len(index)} indices but {len(coefs)} "
                                  "coefficients")
    if start[0] != 0 or start[-1] != index.size or np.any(start[1:] < start[:-1]):
        raise InvalidArgumentError(f"sparse_sums: start must rise from 0 to the number of "
                                   f"terms ({index.size})")
    if index.size and (index.min() < 0 or index.max() >= n_points):
        raise InvalidArgumentError(f"sparse_sums: an index is outside the {n_points} "
                                   "points")
    n_out = start.size - 1
    out = np.empty((n_out, vec_type.words), dtype=np.uint64)
    table, _handles = ptr_table([_aligned(t.limbs) for t in tables])
    vec_type.point_type.binding.sparse_sum(
        ptr(out), int64_ptr(start), int64_ptr(index), ptr(coefs.limbs), n_out, table,
        max(table_len, 1))
    return vec_type._wrap(out)


def sparse_sums_by_output(points: PointVector | Sequence[PointVector], wires: np.ndarray,
                          index: np.ndarray, coefs: FrVec, n_out: int) -> PointVector:
    """``n_out`` points: out[w] = the sum of [coefs[t]] points[index[t]] over the terms t
    with ``wires[t] == w``, the terms in any order (a negative wire leaves its term out);
    ``points`` as for ``sparse_sums``. The terms are grouped by output natively (a
    counting sort), so no sorted copy of them is made."""
    tables, n_points = _tables(points, coefs, "sparse_sums_by_output")
    vec_type, table_len = type(tables[0]), len(tables[0])
    wires = np.ascontiguousarray(wires, dtype=np.int64)
    index = np.ascontiguousarray(index, dtype=np.int64)
    if wires.ndim != 1 or index.ndim != 1:
        raise InvalidArgumentError("sparse_sums_by_output: wires and index are 1-d arrays")
    if not len(wires) == len(index) == len(coefs):
        raise LengthMismatchError(f"sparse_sums_by_output: {len(wires)} wires, {len(index)} "
                                  f"indices and {len(coefs)} coefficients")
    if not isinstance(n_out, int) or n_out < 0:
        raise InvalidArgumentError(f"sparse_sums_by_output: n_out must be an int >= 0, got "
                                   f"{n_out!r}")
    if wires.size and wires.max() >= n_out:
        raise InvalidArgumentError(f"sparse_sums_by_output: a wire is not below {n_out}")
    if index.size and (index.min() < 0 or index.max() >= n_points):
        raise InvalidArgumentError(f"sparse_sums_by_output: an index is outside the "
                                   f"{n_points} points")
    out = np.empty((n_out, vec_type.words), dtype=np.uint64)
    table, _handles = ptr_table([_aligned(t.limbs) for t in tables])
    vec_type.point_type.binding.sparse_sum_coo(
        ptr(out), int64_ptr(wires), int64_ptr(index), ptr(coefs.limbs), len(wires), n_out,
        table, max(table_len, 1))
    return vec_type._wrap(out)


def _tables(points: PointVector | Sequence[PointVector], coefs: FrVec,
            name: str) -> tuple[list[PointVector], int]:
    """The point vectors (checked: one group, one length) and their number of points;
    ``coefs`` checked to be an FrVec."""
    tables = [points] if isinstance(points, PointVector) else list(points)
    if not tables or not all(isinstance(t, PointVector) for t in tables):
        raise ArgumentTypeError(f"{name} takes a G1Vec or G2Vec, or a sequence of "
                                f"them, got {type(points).__name__}")
    if len({type(t) for t in tables}) != 1 or len({len(t) for t in tables}) != 1:
        raise InvalidArgumentError(f"{name}: the point vectors must be of one group "
                                   "and one length")
    if not isinstance(coefs, FrVec):
        raise ArgumentTypeError(f"{name} takes an FrVec of coefficients, got "
                                f"{type(coefs).__name__}")
    return tables, len(tables[0]) * len(tables)


def _aligned(limbs: np.ndarray) -> np.ndarray:
    """The limbs as a C-contiguous array on an 8-byte boundary (the native sums read
    points as words); a copy only where they are not."""
    if limbs.flags.c_contiguous and limbs.ctypes.data % 8 == 0:
        return limbs
    return np.array(limbs, order="C", copy=True)
