# SPDX-License-Identifier: MIT
"""Transforms of point vectors, in C: the number-theoretic transform over G1 or G2, and
one scalar times every point.

For n = 2^k points P_0 .. P_(n-1) (1 <= n <= 2^28) and snarkjs's root of unity
omega = omega_n = 5^((r-1)/n) (the root of ``zkcx.poly.Domain(n)``):

* ``fft(points)``: Q_i = sum_j [omega^(ij)] P_j,
* ``ifft(points)``: Q_i = sum_j [n^-1 omega^(-ij)] P_j, so ``fft(ifft(P)) == P``,

natural order in and out, identity points allowed. When P_j = [tau^j] G,
``ifft(P)_i = [L_i(tau)] G`` with L_i the Lagrange polynomial of the domain (1 at
omega^i, 0 at the other n-th roots): a prepared ptau's Lagrange block.

``mul_all(points, s)`` = [s] P_i for every i (one scalar for all points)."""

from __future__ import annotations

import numpy as np

from zkcx._bindings import ptr
from zkcx.curve._vector import G1Vec, G2Vec, PointVector
from zkcx.errors import ArgumentTypeError
from zkcx.field import Fr, log2_of_size


def _check_points(name: str, points: object) -> PointVector:
    if not isinstance(points, (G1Vec, G2Vec)):
        raise ArgumentTypeError(f"{name} takes a G1Vec or G2Vec, got {type(points).__name__}")
    return points


def _transform(name: str, points: object, inverse: bool) -> PointVector:
    vec = _check_points(name, points)
    log2_of_size(len(vec))   # DomainError unless a power of two up to 2^28
    out = vec.limbs.copy()
    vec.point_type.binding.fft(ptr(out), len(vec), 1 if inverse else 0)
    return type(vec)._wrap(out)


def fft(points: PointVector) -> PointVector:
    """Q_i = sum_j [omega_n^(ij)] P_j for a G1Vec or G2Vec of n = 2^k points (k <= 28):
    the group analogue of ``zkcx.poly.ntt``. DomainError for any other length."""
    return _transform("fft", points, inverse=False)


def ifft(points: PointVector) -> PointVector:
    """Q_i = n^-1 sum_j [omega_n^(-ij)] P_j for a G1Vec or G2Vec of n = 2^k points
    (k <= 28), the inverse of ``fft`` (the group analogue of ``zkcx.poly.intt``):
    from [tau^j] G to the Lagrange points [L_i(tau)] G."""
    return _transform("ifft", points, inverse=True)


def mul_all(points: PointVector, scalar: Fr) -> PointVector:
    """[scalar] P_i for every point, as a vector of the same group."""
    vec = _check_points("mul_all", points)
    if not isinstance(scalar, Fr):
        raise ArgumentTypeError(f"mul_all takes an Fr scalar, got {type(scalar).__name__}")
    out = np.empty_like(vec.limbs)
    vec.point_type.binding.mul_all(ptr(out), ptr(vec.limbs), scalar._c, len(vec))
    return type(vec)._wrap(out)
