# SPDX-License-Identifier: MIT
"""Multi-scalar multiplication and fixed-base batch multiplication, in C.

``msm(points, scalars)`` = sum_i [s_i] P_i by Pippenger's bucket method (signed digits,
batch-affine bucket additions, multi-threaded, GIL released); ``fixed_base_mul(P,
scalars)`` = [s_i] P for every i, from one precomputed window table of P (key
generation); ``mul_each(points, scalars)`` = [s_i] P_i for every i."""

from __future__ import annotations

import numpy as np

from zkcx._bindings import ptr
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
