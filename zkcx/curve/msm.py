# SPDX-License-Identifier: MIT
"""Multi-scalar multiplication and fixed-base batch multiplication, in C.

``msm(points, scalars)`` = sum_i [s_i] P_i by Pippenger's bucket method (signed digits,
batch-affine bucket additions, multi-threaded, GIL released); ``MsmTables(points)``
precomputes multiples of fixed bases so that each later ``msm`` over them takes about a
fifth fewer additions (a proving key's H points); ``fixed_base_mul(P,
scalars)`` = [s_i] P for every i, from one precomputed window table of P (key
generation); ``mul_each(points, scalars)`` = [s_i] P_i for every i."""

from __future__ import annotations

import numpy as np

from zkcx._bindings import aligned_words, msm_tables_count, msm_tables_window, ptr
from zkcx.curve._point import G1, G2, CurvePoint
from zkcx.curve._vector import G1Vec, G2Vec, PointVector
from zkcx.errors import ArgumentTypeError, LengthMismatchError
from zkcx.field import FrVec


def _check_pairs(name: str, points: object, scalars: object) -> None:
    if not isinstance(points, (G1Vec, G2Vec)):
        raise ArgumentTypeError(f"{name} takes a G1Vec or G2Vec, got {type(points).__name__}")
    if not isinstance(scalars, FrVec):
        raise ArgumentTypeError(f"{name} takes an FrVec of scalars, got {type(scalars).__name__}")
    if len(points) != len(scalars):
        raise LengthMismatchError(f"{len(points)} points but {len(scalars)} scalars")


def msm(points: PointVector, scalars: FrVec) -> CurvePoint:
    """sum_i [scalars_i] points_i for a G1Vec or G2Vec and an FrVec of equal length."""
    _check_pairs("msm", points, scalars)
    point_type = points.point_type
    out = point_type._new()
    point_type.binding.msm(out, ptr(points.limbs), ptr(scalars.limbs), len(points))
    return point_type._wrap(out)


class MsmTables:
    """Fixed-base tables of a G1Vec or G2Vec for repeated MSMs over the same points:
    row i holds [2^(c j)] P_i for the K = ceil(255/c) windows j of a scalar, so that
    sum_i [s_i] P_i = sum_i sum_j [d_ij] T[i][j] (d_ij the signed c-bit digits of s_i)
    fills one set of 2^(c-1) buckets: one bucket reduction instead of K and no doubling,
    with a larger window than a plain MSM affords. Costs K points of memory a base
    (``nbytes``) and (K - 1) c doublings a base to build. ``window`` defaults to the c
    of least cost for len(points) bases on the current threads."""

    def __init__(self, points: PointVector, window: int | None = None) -> None:
        if not isinstance(points, (G1Vec, G2Vec)):
            raise ArgumentTypeError(f"MsmTables takes a G1Vec or G2Vec, got "
                                    f"{type(points).__name__}")
        c = msm_tables_window(len(points)) if window is None else window
        if not isinstance(c, int) or msm_tables_count(c) == 0:
            raise ArgumentTypeError(f"MsmTables' window must be an int in [4, 16], got {c!r}")
        self.point_type = points.point_type
        self.window, self.count, self.n = c, msm_tables_count(c), len(points)
        words = self.count * self.n * type(points).words
        self._owner, self._tables = aligned_words(max(words, 1))
        self.nbytes = 8 * words
        self.point_type.binding.msm_tables_build(self._tables, ptr(points.limbs), self.n, c)

    def msm(self, scalars: FrVec) -> CurvePoint:
        """sum_i [scalars_i] P_i over the tables' points: equal to ``msm(points, scalars)``."""
        if not isinstance(scalars, FrVec):
            raise ArgumentTypeError(f"MsmTables.msm takes an FrVec of scalars, got "
                                    f"{type(scalars).__name__}")
        if len(scalars) != self.n:
            raise LengthMismatchError(f"{self.n} points but {len(scalars)} scalars")
        out = self.point_type._new()
        self.point_type.binding.msm_tables(out, self._tables, self.window, ptr(scalars.limbs),
                                           self.n)
        return self.point_type._wrap(out)


def fixed_base_mul(base: CurvePoint, scalars: FrVec) -> PointVector:
    """[s_i] base for every scalar, as a G1Vec or G2Vec."""
    if not isinstance(scalars, FrVec):
        raise ArgumentTypeError(f"fixed_base_mul takes an FrVec of scalars, got "
                                f"{type(scalars).__name__}")
    if isinstance(base, G1):
        vec_type: type[PointVector] = G1Vec
    elif isinstance(base, G2):
        vec_type = G2Vec
    else:
        raise ArgumentTypeError(f"fixed_base_mul takes a G1 or G2 base, got {type(base).__name__}")
    out = np.empty((len(scalars), vec_type.words), dtype=np.uint64)
    base.binding.fixed_base_mul(ptr(out), base._c, ptr(scalars.limbs), len(scalars))
    return vec_type._wrap(out)


def mul_each(points: PointVector, scalars: FrVec) -> PointVector:
    """[scalars_i] points_i for every i, as a vector of the same group (one windowed
    scalar multiplication per point, threads over the points, one inversion per block
    to return affine points). For a sum of such products use ``msm``."""
    _check_pairs("mul_each", points, scalars)
    vec_type = type(points)
    out = np.empty((len(points), vec_type.words), dtype=np.uint64)
    points.point_type.binding.mul_each(ptr(out), ptr(points.limbs), ptr(scalars.limbs),
                                        len(points))
    return vec_type._wrap(out)
