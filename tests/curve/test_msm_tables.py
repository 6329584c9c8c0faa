# SPDX-License-Identifier: MIT
"""Fixed-base MSM tables (``MsmTables``): the rows against scalar multiplications by
2^(c j), and the MSM from them against the plain MSM and the naive sum, on every
kernel (threads, SIMD), for G1 and G2."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.curve.test_msm import _every_kernel, instance, naive
from zkcx._lib import ffi
from zkcx.curve import G1, G2, G1Vec, G2Vec, MsmTables, msm
from zkcx.errors import ArgumentTypeError, LengthMismatchError
from zkcx.field import Fr, FrVec
from zkcx.params import FR_MODULUS

GROUPS = [(G1, G1Vec), (G2, G2Vec)]


def rows(tables: MsmTables, vec_type):
    """The tables' points, row by row: a list of n lists of K points."""
    words = np.frombuffer(ffi.buffer(tables._tables, tables.nbytes), dtype=np.uint64)
    flat = list(vec_type.from_montgomery(words.reshape(-1, vec_type.words).copy()))
    return [flat[i * tables.count : (i + 1) * tables.count] for i in range(tables.n)]


@pytest.mark.parametrize("G,Vec", GROUPS)
@pytest.mark.parametrize("window", [4, 11, 16])
def test_rows_are_the_base_times_powers_of_two(G, Vec, window):
    """Row i holds [2^(c j)] P_i for j < ceil(255/c), for every kernel (the IFMA doubling
    chains run eight points a time: 11 points leave three lanes idle), the identity
    giving identities."""
    rng = random.Random(window)
    points = [G.generator() * rng.randrange(1, FR_MODULUS) for _ in range(11)]
    points[4] = G.identity()
    vec = Vec.from_points(points)
    expected = [[p * pow(2, window * j, FR_MODULUS) for j in range(-(-255 // window))]
                for p in points]
    with _every_kernel() as kernels:
        for threads, simd in kernels:
            tables = MsmTables(vec, window)
            assert tables.count == -(-255 // window)
            assert tables.nbytes == tables.count * len(points) * Vec.words * 8
            assert rows(tables, Vec) == expected, (threads, simd)


@pytest.mark.parametrize("G,Vec", GROUPS)
@pytest.mark.parametrize("n", [0, 1, 3, 17, 300])
def test_msm_from_tables_equals_the_naive_sum(G, Vec, n):
    """The identity, P and -P, repeated points and the scalars 0, 1, r - 1 (instance)."""
    points, scalars = instance(G, n, n + 11)
    vec = Vec.from_points(points) if n else Vec.identities(0)
    expected = naive(points, [Fr(s) for s in scalars]) if n else G.identity()
    for window in (4, 9, 15):
        assert MsmTables(vec, window).msm(FrVec.from_ints(scalars)) == expected


@pytest.mark.parametrize("G,Vec", GROUPS)
def test_msm_from_tables_is_independent_of_threads_and_simd(G, Vec):
    """Over 4,096 points the MSM splits the points into one task a thread; every kernel
    gives the plain MSM's sum."""
    rng = random.Random(4)
    base = Vec.from_points([G.generator() * rng.randrange(1, FR_MODULUS) for _ in range(64)])
    n = 4160 if G is G1 else 4100
    vec = Vec.concatenate([base] * (n // 64 + 1))[:n]
    scalars = FrVec.random(n, seed=5)
    expected = msm(vec, scalars)
    with _every_kernel() as kernels:
        for threads, simd in kernels:
            assert MsmTables(vec).msm(scalars) == expected, (threads, simd)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, FR_MODULUS - 1), min_size=1, max_size=40),
       st.integers(4, 16), st.randoms(use_true_random=False))
def test_msm_from_tables_property(scalars, window, rng):
    """For any scalars and window: the tables' MSM equals the plain MSM."""
    points = G1Vec.from_points([G1.generator() * rng.randrange(1, FR_MODULUS)
                                for _ in scalars])
    values = FrVec.from_ints(scalars)
    assert MsmTables(points, window).msm(values) == msm(points, values)


def test_tables_refuse_bad_arguments():
    points = G1Vec.from_points([G1.generator()] * 3)
    for window in (3, 17, 0, 2.0, "8"):
        with pytest.raises(ArgumentTypeError, match="window"):
            MsmTables(points, window)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="G1Vec or G2Vec"):
        MsmTables([G1.generator()])  # type: ignore[arg-type]
    tables = MsmTables(points, 8)
    with pytest.raises(LengthMismatchError, match="3 points but 2 scalars"):
        tables.msm(FrVec.ones(2))
    with pytest.raises(ArgumentTypeError, match="FrVec"):
        tables.msm([1, 2, 3])  # type: ignore[arg-type]
