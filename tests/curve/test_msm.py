# SPDX-License-Identifier: MIT
"""MSM and fixed-base multiplication against the naive sum of scalar products."""

from __future__ import annotations

import contextlib
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zkcx
from zkcx.curve import G1, G2, G1Vec, G2Vec, fixed_base_mul, msm, mul_each
from zkcx.errors import LengthMismatchError
from zkcx.field import Fr, FrVec
from zkcx.params import FR_MODULUS


def naive(points, scalars):
    total = type(points[0]).identity() if points else None
    for p, s in zip(points, scalars):
        total = total + p * s
    return total


def instance(G, n, seed):
    """n points with repeats, the identity, P and -P, and edge scalars 0, 1, r - 1."""
    rng = random.Random(seed)
    base = [G.generator() * rng.randrange(1, FR_MODULUS) for _ in range(max(1, n // 3))]
    points = [rng.choice(base) for _ in range(n)]
    if n >= 3:
        points[0] = G.identity()
        points[1] = -points[2]
    scalars = [rng.randrange(FR_MODULUS) for _ in range(n)]
    for i, s in enumerate((0, 1, FR_MODULUS - 1)):
        if i < n:
            scalars[(7 * i + 3) % n] = s
    return points, scalars


@pytest.mark.parametrize("n", [0, 1, 2, 3, 17, 1000])
def test_g1_msm_equals_naive_sum(n):
    points, scalars = instance(G1, n, n)
    got = msm(G1Vec.from_points(points), FrVec.from_ints(scalars))
    expected = naive(points, [Fr(s) for s in scalars]) if n else G1.identity()
    assert got == expected


@pytest.mark.parametrize("n", [0, 1, 3, 40])
def test_g2_msm_equals_naive_sum(n):
    points, scalars = instance(G2, n, n + 1)
    got = msm(G2Vec.from_points(points), FrVec.from_ints(scalars))
    assert got == (naive(points, [Fr(s) for s in scalars]) if n else G2.identity())


def test_msm_special_shapes():
    g = G1.generator()
    ones = FrVec.ones(300)
    assert msm(G1Vec.from_points([g] * 300), ones) == g * 300  # all points equal
    assert msm(G1Vec.from_points([g, -g] * 150), ones) == G1.identity()
    assert msm(G1Vec.identities(50), FrVec.random(50, seed=1)) == G1.identity()
    pts = G1Vec.from_points([g * i for i in range(1, 65)])
    assert msm(pts, FrVec.zeros(64)) == G1.identity()
    with pytest.raises(LengthMismatchError):
        msm(pts, FrVec.ones(3))
    with pytest.raises(TypeError):
        msm([g], FrVec.ones(1))  # type: ignore[arg-type]


@contextlib.contextmanager
def _every_kernel():
    """Yields an iterator that sets each (threads, simd) pair of (1, 2) x (on, off) in
    turn; the thread count and SIMD are restored on leaving."""
    before = zkcx.get_threads()

    def settings():
        for threads in (1, 2):
            for simd in (True, False):
                zkcx.set_threads(threads)
                zkcx.set_simd(simd)
                yield threads, simd

    try:
        yield settings()
    finally:
        zkcx.set_threads(before)
        zkcx.set_simd(True)


def test_msm_is_independent_of_threads_and_simd():
    rng = random.Random(9)
    pts = G1Vec.from_points([G1.generator() * rng.randrange(FR_MODULUS) for _ in range(64)])
    pts = G1Vec.concatenate([pts] * 64)  # 4096 points
    scalars = FrVec.random(len(pts), seed=3)
    with _every_kernel() as kernels:
        results = {msm(pts, scalars) for _ in kernels}
    assert len(results) == 1
    # a linear relation: the 64 copies fold into one MSM over 64 points
    coeffs = FrVec.zeros(64)
    for i in range(64):
        coeffs = coeffs + scalars[i * 64 : (i + 1) * 64]
    assert results.pop() == msm(pts[:64], coeffs)


@pytest.mark.parametrize("G", [G1, G2])
def test_fixed_base_mul(G):
    rng = random.Random(5)
    base = G.generator() * rng.randrange(1, FR_MODULUS)
    ints = [0, 1, FR_MODULUS - 1, 2**128] + [rng.randrange(FR_MODULUS) for _ in range(60)]
    out = fixed_base_mul(base, FrVec.from_ints(ints))
    assert list(out) == [base * k for k in ints]
    assert len(fixed_base_mul(base, FrVec.zeros(0))) == 0


@pytest.mark.parametrize("G,Vec", [(G1, G1Vec), (G2, G2Vec)])
def test_mul_each_agrees_with_py_ecc(G, Vec, bn):
    """[k_i] P_i against py_ecc's double-and-add from the points' discrete logs, with the
    identity, a repeated point, P and -P, and the scalars 0, 1, r - 1 among them."""
    rng = random.Random(3)
    logs = [rng.randrange(1, FR_MODULUS) for _ in range(20)]
    logs[0], logs[1], logs[2] = 0, logs[5], FR_MODULUS - logs[3]
    ints = [rng.randrange(FR_MODULUS) for _ in range(20)]
    ints[4], ints[6], ints[7] = 0, 1, FR_MODULUS - 1
    got = mul_each(Vec.from_points([G.generator() * s for s in logs]), FrVec.from_ints(ints))
    base = bn.G1 if G is G1 else bn.G2
    for s, k, out in zip(logs, ints, got):
        want = bn.multiply(base, s * k % FR_MODULUS)
        if bn.is_inf(want):
            assert out.is_identity()
            continue
        x, y = bn.normalize(want)
        if G is G1:
            assert out.to_affine() == (int(x), int(y))
        else:
            assert out.to_affine() == ((int(x.coeffs[0]), int(x.coeffs[1])),
                                       (int(y.coeffs[0]), int(y.coeffs[1])))


@pytest.mark.parametrize("G,Vec", [(G1, G1Vec), (G2, G2Vec)])
@pytest.mark.parametrize("n", [0, 1, 63, 64, 65, 300])
def test_mul_each_equals_one_multiplication_per_point_on_any_threads(G, Vec, n):
    points, ints = instance(G, n, seed=n)
    vec, scalars = Vec.from_points(points), FrVec.from_ints(ints)
    want = [p * k for p, k in zip(points, ints)]
    before = zkcx.get_threads()
    try:
        for threads in (1, 2):
            zkcx.set_threads(threads)
            out = mul_each(vec, scalars)
            assert isinstance(out, Vec) and list(out) == want
    finally:
        zkcx.set_threads(before)
    assert list(vec) == points                 # the input is not touched


def test_mul_each_rejects_bad_arguments():
    pts = G1Vec.from_points([G1.generator()] * 3)
    with pytest.raises(LengthMismatchError):
        mul_each(pts, FrVec.ones(2))
    with pytest.raises(TypeError):
        mul_each([G1.generator()], FrVec.ones(1))
    with pytest.raises(TypeError):
        mul_each(pts, [1, 2, 3])


def _mixed_scalars(rng: random.Random, n: int, small_fraction: float) -> list[int]:
    """A witness-like mixture: zeros, bits, small positive and small negative values
    (r - x), values around the folding point (r - 1)/2, and full-size random ones."""
    half = (FR_MODULUS - 1) // 2
    out = []
    for _ in range(n):
        u = rng.random()
        if u < small_fraction:
            x = rng.getrandbits(rng.choice([1, 1, 8, 16, 32, 40, 64, 100]))
            out.append(x if rng.random() < 0.5 else (FR_MODULUS - x) % FR_MODULUS)
        elif u < small_fraction + (1 - small_fraction) / 4:
            out.append(half + rng.randrange(-2, 3))
        else:
            out.append(rng.randrange(FR_MODULUS))
    return out


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), n=st.integers(0, 120),
       small=st.sampled_from([0.0, 0.5, 0.9, 1.0]))
def test_g1_msm_with_witness_like_scalars_equals_naive_sum(seed, n, small):
    """Scalars above (r - 1)/2 are folded to r - k on -P and the small ones summed in a
    short pass: the sum is unchanged."""
    rng = random.Random(seed)
    points, _ = instance(G1, n, seed)
    scalars = _mixed_scalars(rng, n, small)
    want = naive(points, scalars) if n else G1.identity()
    assert msm(G1Vec.from_points(points), FrVec.from_ints(scalars)) == want


@pytest.mark.parametrize("G,Vec", [(G1, G1Vec), (G2, G2Vec)])
@pytest.mark.parametrize("small", [1.0, 0.95, 0.3])
def test_msm_split_by_scalar_size_on_thousands_of_points(G, Vec, small):
    n = 3000 if G is G1 else 800
    rng = random.Random(int(small * 100))
    points, _ = instance(G, n, seed=7)
    scalars = _mixed_scalars(rng, n, small)
    scalars[:6] = [0, 1, FR_MODULUS - 1, (FR_MODULUS - 1) // 2, (FR_MODULUS + 1) // 2, 2]
    want = naive(points, scalars)
    vec, sc = Vec.from_points(points), FrVec.from_ints(scalars)
    before = zkcx.get_threads()
    try:
        for threads in (1, 2):
            zkcx.set_threads(threads)
            assert msm(vec, sc) == want
    finally:
        zkcx.set_threads(before)


@pytest.mark.parametrize("G,Vec", [(G1, G1Vec), (G2, G2Vec)])
def test_msm_of_bits_piles_up_on_few_buckets(G, Vec):
    """A witness is mostly 0/1: thousands of points in the same bucket of a narrow
    window (the queue-and-tree path), with a few larger and negative values mixed in."""
    n = 4000 if G is G1 else 1500
    rng = random.Random(12)
    points, _ = instance(G, n, seed=12)
    for scalars in ([1] * n,
                    [rng.choice([0, 1, 1, 1, 2, 3]) for _ in range(n)],
                    [rng.choice([1, FR_MODULUS - 1, 0, 5, rng.randrange(FR_MODULUS)])
                     for _ in range(n)]):
        assert msm(Vec.from_points(points), FrVec.from_ints(scalars)) == naive(points, scalars)


@pytest.mark.parametrize("G,Vec", [(G1, G1Vec), (G2, G2Vec)])
def test_msm_of_small_scalars_split_over_threads_by_points(G, Vec):
    """Above 8192 points the short pass of small scalars is split over the threads by
    points (each part a single-threaded pass): checked against the discrete-log sum
    sum_i k_i s_i of points [s_i]G, computed with Python integers."""
    n = 12000 if G is G1 else 9000
    rng = random.Random(21)
    logs = [rng.randrange(FR_MODULUS) for _ in range(n)]
    points = fixed_base_mul(G.generator(), FrVec.from_ints(logs))
    assert isinstance(points, Vec)
    for scalars in ([1] * n, _mixed_scalars(rng, n, 0.97)):
        want = G.generator() * (sum(s * k for s, k in zip(logs, scalars)) % FR_MODULUS)
        before = zkcx.get_threads()
        try:
            for threads in (1, 2):
                zkcx.set_threads(threads)
                assert msm(points, FrVec.from_ints(scalars)) == want
        finally:
            zkcx.set_threads(before)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**32), n=st.integers(1, 3000),
       identities=st.sampled_from([0.0, 0.5, 0.95, 1.0]),
       kind=st.sampled_from(["small", "negative-small", "mixed", "zero", "full"]),
       g2=st.booleans())
def test_msm_skips_identity_points_with_any_scalars(seed, n, identities, kind, g2):
    """A proving key's A and B vectors are mostly identity points (wires absent from
    those matrices), which the MSM drops before windowing; the sum is unchanged, and
    checked against the discrete-log sum sum_i k_i s_i of points [s_i]G (s_i = 0 for
    the identity) computed with Python integers, on one and two threads."""
    G = G2 if g2 else G1
    if g2:
        n = min(n, 600)
    rng = random.Random(seed)
    logs = [0 if rng.random() < identities else rng.randrange(1, FR_MODULUS) for _ in range(n)]
    points = fixed_base_mul(G.generator(), FrVec.from_ints(logs))
    if kind == "small":
        scalars = [rng.getrandbits(rng.choice([1, 8, 17, 30])) for _ in range(n)]
    elif kind == "negative-small":
        scalars = [(FR_MODULUS - rng.getrandbits(rng.choice([1, 8, 17, 30]))) % FR_MODULUS
                   for _ in range(n)]
    elif kind == "mixed":
        scalars = _mixed_scalars(rng, n, 0.9)
    elif kind == "zero":
        scalars = [0] * n
    else:
        scalars = [rng.randrange(FR_MODULUS) for _ in range(n)]
    want = G.generator() * (sum(s * k for s, k in zip(logs, scalars)) % FR_MODULUS)
    before = zkcx.get_threads()
    try:
        for threads in (1, 2):
            zkcx.set_threads(threads)
            assert msm(points, FrVec.from_ints(scalars)) == want
    finally:
        zkcx.set_threads(before)


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_g2_msm_kernels_agree_on_doublings_negations_and_identities(data):
    """G2 bucket sums through both batch kernels (IFMA: each Fq2 denominator inverted as
    conj(d)/N(d) with the norms' running products in Fq; portable) on one and two
    threads, with few distinct points, so that batches are full of the special lanes:
    equal points (doublings), P + (-P), the identity; scalars 0, 1, r - 1 and random.
    Checked against [sum_i s_i e_i] G, the points being P_i = [e_i] G (Python integers)."""
    g = G2.generator()
    logs = [1, 2, 3, 5, FR_MODULUS - 1, FR_MODULUS - 2, FR_MODULUS - 3, 0]   # 0: identity
    pool = G2Vec.from_points([g * e for e in logs])
    n = data.draw(st.sampled_from([1, 2, 7, 8, 9, 16, 17, 300, 5000]))
    seed = data.draw(st.integers(0, 2**32))
    rng = random.Random(seed)
    idx = [rng.randrange(len(logs)) for _ in range(n)]
    scalars = [rng.choice([0, 1, 2, FR_MODULUS - 1, rng.randrange(FR_MODULUS)]) for _ in range(n)]
    want = g * (sum(logs[i] * s for i, s in zip(idx, scalars)) % FR_MODULUS)
    points, sc = pool[np.array(idx)], FrVec.from_ints(scalars)
    with _every_kernel() as kernels:
        for _ in kernels:
            assert msm(points, sc) == want
