# SPDX-License-Identifier: MIT
"""sparse_sums: each row's sum equals an msm over its terms (and a sum of single
multiplications), for coefficients small, negated-small and large, in G1 and G2."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from zkcx.curve import G1, G2, G1Vec, G2Vec, msm, sparse_sums, sparse_sums_by_output
from zkcx.errors import InvalidArgumentError, LengthMismatchError
from zkcx.field import Fr, FrVec
from zkcx.params import FR_MODULUS

R = FR_MODULUS
coefficients = st.one_of(st.integers(0, 5), st.integers(R - 5, R - 1),
                         st.integers(0, 1 << 47), st.integers(R - (1 << 50), R - 1),
                         st.integers(0, R - 1))


def _points(group, n: int):
    g = group.generator()
    vec = G1Vec if group is G1 else G2Vec
    return vec.from_points([g * Fr(3 * i + 2) if i % 5 else g * Fr(0) for i in range(n)])


@settings(max_examples=25, deadline=None)
@given(group=st.sampled_from([G1, G2]),
       rows=st.lists(st.lists(st.tuples(st.integers(0, 6), coefficients), max_size=5),
                     min_size=1, max_size=70))
def test_each_row_is_the_msm_of_its_terms(group, rows) -> None:
    points = _points(group, 7)
    start = np.cumsum([0] + [len(r) for r in rows])
    index = np.array([i for r in rows for i, _ in r], dtype=np.int64)
    coefs = FrVec.from_ints([c for r in rows for _, c in r])
    out = sparse_sums(points, start, index, coefs)
    for w, row in enumerate(rows):
        if row:
            sub = type(points).from_points([points[i] for i, _ in row])
            expected = msm(sub, FrVec.from_ints([c for _, c in row]))
        else:
            expected = group.generator() * Fr(0)
        assert out[w] == expected


def test_bad_offsets_and_indices_are_refused() -> None:
    points = _points(G1, 3)
    with pytest.raises(InvalidArgumentError, match="start"):
        sparse_sums(points, np.array([0, 2, 1]), np.array([0, 1]), FrVec.ones(2))
    with pytest.raises(InvalidArgumentError, match="outside"):
        sparse_sums(points, np.array([0, 1]), np.array([3]), FrVec.ones(1))
    with pytest.raises(LengthMismatchError):
        sparse_sums(points, np.array([0, 1]), np.array([0]), FrVec.ones(2))


def test_rows_with_many_terms_and_many_rows_match_msm() -> None:
    # a row of 300 terms takes the gathered-MSM path; 200 small rows span several blocks
    rng = np.random.default_rng(7)
    points = _points(G1, 50)
    sizes = [300] + [int(s) for s in rng.integers(0, 4, 200)] + [256, 255]
    start = np.cumsum([0] + sizes)
    index = rng.integers(0, 50, int(start[-1]))
    values = [int(v) for v in rng.integers(0, 1 << 62, int(start[-1]))]
    values[::3] = [R - 1] * len(values[::3])
    values[1::7] = [R - 1 - v for v in values[1::7]]
    coefs = FrVec.from_ints(values)
    out = sparse_sums(points, start, index, coefs)
    for w in (0, 1, 50, 150, len(sizes) - 2, len(sizes) - 1):
        lo, hi = int(start[w]), int(start[w + 1])
        if hi == lo:
            assert out[w].is_identity()
            continue
        sub = G1Vec.from_points([points[int(i)] for i in index[lo:hi]])
        assert out[w] == msm(sub, coefs[lo:hi])


@settings(max_examples=25, deadline=None)
@given(group=st.sampled_from([G1, G2]),
       rows=st.lists(st.lists(st.tuples(st.integers(0, 6), st.sampled_from([0, 1, R - 1])),
                              max_size=20),
                     min_size=1, max_size=40))
def test_rows_of_plus_and_minus_one_match_msm(group, rows) -> None:
    # rows of +-1 (and 0) coefficients take the copy and batch-affine path: repeated
    # points (doublings), P - P, identity points and rows past the unit-row limit
    points = _points(group, 7)
    start = np.cumsum([0] + [len(r) for r in rows])
    index = np.array([i for r in rows for i, _ in r], dtype=np.int64)
    coefs = FrVec.from_ints([c for r in rows for _, c in r])
    out = sparse_sums(points, start, index, coefs)
    for w, row in enumerate(rows):
        expected = group.generator() * Fr(0)
        for i, c in row:
            expected = expected + points[i] * Fr(c)
        assert out[w] == expected


def test_many_unit_rows_across_blocks_match_single_sums() -> None:
    # thousands of rows (several blocks of outputs) of one to three +-1 terms, mixed with
    # rows of other coefficients
    rng = np.random.default_rng(11)
    points = _points(G1, 64)
    sizes = rng.integers(0, 4, 3000)
    start = np.cumsum(np.concatenate([[0], sizes]))
    index = rng.integers(0, 64, int(start[-1]))
    values = rng.choice([1, R - 1, 2, R - 3, 0], int(start[-1]), p=[.45, .45, .04, .04, .02])
    coefs = FrVec.from_ints([int(v) for v in values])
    out = sparse_sums(points, start, index, coefs)
    for w in range(0, len(sizes), 7):
        lo, hi = int(start[w]), int(start[w + 1])
        expected = G1.generator() * Fr(0)
        for t in range(lo, hi):
            expected = expected + points[int(index[t])] * Fr(int(values[t]))
        assert out[w] == expected


def test_several_point_vectors_are_read_as_their_concatenation() -> None:
    rng = np.random.default_rng(5)
    parts = [_points(G2, 8), _points(G2, 16)[8:], _points(G2, 24)[16:]]
    # a view 4 bytes off an 8-byte boundary (as a mapped ptau section can be)
    raw = bytearray(4) + parts[1].limbs.tobytes()
    shifted = np.frombuffer(raw, dtype=np.uint64, offset=4).reshape(parts[1].limbs.shape)
    assert shifted.ctypes.data % 8 == 4
    parts[1] = G2Vec._wrap(shifted)
    start = np.arange(0, 61, 3)
    index = rng.integers(0, 24, 60)
    coefs = FrVec.from_ints([int(v) for v in rng.choice([1, R - 1, 7, R - 2], 60)])
    joined = G2Vec.concatenate(parts)
    assert list(sparse_sums(parts, start, index, coefs)) == list(
        sparse_sums(joined, start, index, coefs))
    with pytest.raises(InvalidArgumentError, match="one length"):
        sparse_sums([parts[0], joined], start, index, coefs)
    with pytest.raises(InvalidArgumentError, match="outside"):
        sparse_sums(parts[:2], start, index + 8, coefs)


@settings(max_examples=20, deadline=None)
@given(group=st.sampled_from([G1, G2]),
       terms=st.lists(st.tuples(st.integers(-1, 9), st.integers(0, 13), coefficients),
                      max_size=60))
def test_terms_by_output_in_any_order_match_the_rows(group, terms) -> None:
    # out[w] sums the terms of wire w wherever they stand; wire -1 terms are left out
    points = [_points(group, 7), _points(group, 14)[7:]]
    wires = np.array([w for w, _, _ in terms], dtype=np.int64)
    index = np.array([i for _, i, _ in terms], dtype=np.int64)
    coefs = FrVec.from_ints([c for _, _, c in terms])
    out = sparse_sums_by_output(points, wires, index, coefs, 10)
    joined = type(points[0]).concatenate(points)
    for w in range(10):
        expected = group.generator() * Fr(0)
        for tw, i, c in terms:
            if tw == w:
                expected = expected + joined[i] * Fr(c)
        assert out[w] == expected


def test_terms_by_output_refuse_bad_wires_and_indices() -> None:
    points = _points(G1, 3)
    with pytest.raises(InvalidArgumentError, match="wire"):
        sparse_sums_by_output(points, np.array([2]), np.array([0]), FrVec.ones(1), 2)
    with pytest.raises(InvalidArgumentError, match="outside"):
        sparse_sums_by_output(points, np.array([0]), np.array([3]), FrVec.ones(1), 2)
    with pytest.raises(LengthMismatchError):
        sparse_sums_by_output(points, np.array([0, 1]), np.array([0]), FrVec.ones(1), 2)
