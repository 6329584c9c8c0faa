# SPDX-License-Identifier: MIT
"""Subgroup membership of many G2 points at the cost of a few MSMs.

A point of the twist E'(Fp2) is in G2 when its component outside the order-r subgroup
(in the cofactor's part of the group) is zero. A sum of G2 points stays in G2; a sum
with random weights of points one of which has a nonzero cofactor component Q lands in
G2 only when that point's weight hits one residue class modulo the order of Q, whose
smallest possible prime factor is the cofactor's smallest, 10069. With weights of
``WEIGHT_BITS`` bits (13: 2^13 = 8192 < 10069, so a residue class holds at most one of
them) that is at most 1/8192 = 2^-13 a round, so ``ROUNDS`` independent rounds let a bad
point through with probability at most 2^-65. 13 bits is the fewest with that bound a
round; more bits buy nothing below 10069's 2^-13.3, and cost more: the native MSM sums
13-bit weights in one window of buckets, 16-bit ones in two (65,536 G2 points: ~9.5 ms
against ~18 ms on one core).
Each round is one native G2 MSM over small scalars; only when a round fails are the
points checked one by one (a scalar multiplication each), to name the bad one.
"""

from __future__ import annotations

import secrets

import numpy as np

from zkcx.curve._vector import G2Vec
from zkcx.curve.msm import msm
from zkcx.errors import ArgumentTypeError, InvalidArgumentError
from zkcx.field import FrVec

#: Bits of each random weight: 2^WEIGHT_BITS below 10069, the cofactor's smallest prime
#: (module docstring).
WEIGHT_BITS = 13
#: Independent rounds: (2^-13)^5 = 2^-65 < 2^-64.
ROUNDS = 5


def _weights(n: int) -> FrVec:
    limbs = np.zeros((n, 4), dtype=np.uint64)
    raw = np.frombuffer(secrets.token_bytes(2 * n), dtype="<u2")
    limbs[:, 0] = raw & np.uint16((1 << WEIGHT_BITS) - 1)
    return FrVec.from_canonical_limbs(limbs)


def first_outside_g2(points: G2Vec, rounds: int = ROUNDS) -> int | None:
    """The index of the first point of ``points`` (on the twist curve, as every G2Vec's
    are) outside the order-r subgroup G2, or None when all are in G2 — decided by
    ``rounds`` random combinations (module docstring; a bad point passes each with
    probability at most 2^-13), then point by point only if one of them is outside G2.
    Fewer than ``ROUNDS`` rounds fall short of 2^-64: only for a caller that makes the
    remaining rounds' worth of checks itself (``zkcx.ceremony.zkey_verify``)."""
    if not isinstance(points, G2Vec):
        raise ArgumentTypeError(f"first_outside_g2 takes a G2Vec, got {type(points).__name__}")
    if not isinstance(rounds, int) or isinstance(rounds, bool) or rounds < 1:
        raise InvalidArgumentError(f"first_outside_g2: rounds must be a positive integer, "
                                   f"got {rounds!r}")
    n = len(points)
    if n == 0:
        return None
    if n <= rounds:
        return points.first_outside_subgroup()
    sums = G2Vec.from_points([msm(points, _weights(n)) for _ in range(rounds)])
    if sums.first_outside_subgroup() is None:
        return None
    return points.first_outside_subgroup()
