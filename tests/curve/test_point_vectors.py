# SPDX-License-Identifier: MIT
"""G1Vec/G2Vec: native layout, one-call validation naming the bad point, zkey bytes."""

from __future__ import annotations

import random

import numpy as np
import pytest

from zkcx.curve import G1, G2, G1Vec, G2Vec
from zkcx.errors import BufferLayoutError, PointError, SubgroupError
from zkcx.params import FQ_MODULUS, FR_MODULUS


def g1_points(n, seed=0):
    rng = random.Random(seed)
    return [G1.generator() * rng.randrange(FR_MODULUS) for _ in range(n)] + [G1.identity()]


def test_g1vec_round_trips_and_indexing():
    pts = g1_points(300)
    v = G1Vec.from_points(pts)
    assert len(v) == 301 and v.limbs.shape == (301, 8)
    assert [v[i] for i in (0, 150, 300)] == [pts[0], pts[150], pts[300]]
    assert list(v[10:13]) == pts[10:13]
    assert list(v[::100]) == pts[::100]
    assert G1Vec.from_zkey_bytes(v.to_zkey_bytes()).equals(v)
    assert G1Vec(v.limbs.copy()).equals(v)
    assert G1Vec.concatenate([v[:2], v[5:6]]).equals(G1Vec.from_points([pts[0], pts[1], pts[5]]))
    assert G1Vec.identities(3)[1].is_identity()


def test_g1vec_validation_names_the_first_bad_point():
    v = G1Vec.from_points(g1_points(1000, 1))
    for index in (0, 513, 999):
        bad = v.limbs.copy()
        bad[index, 4] ^= 1  # y changes: off the curve
        with pytest.raises(PointError, match=f"point {index} "):
            G1Vec(bad)
    bad = v.limbs.copy()
    bad[7, 0:4] = np.array([(FQ_MODULUS >> (64 * k)) & (2**64 - 1) for k in range(4)],
                           dtype=np.uint64)
    with pytest.raises(PointError, match="point 7 "):
        G1Vec(bad)
    with pytest.raises(BufferLayoutError):
        G1Vec(v.limbs.astype(np.int64))
    with pytest.raises(BufferLayoutError):
        G1Vec(np.zeros((4, 16), dtype=np.uint64))
    with pytest.raises(PointError, match="whole number"):
        G1Vec.from_zkey_bytes(bytes(65))
    with pytest.raises(TypeError):
        G1Vec.from_points([G2.generator()])


def test_g2vec_checks_curve_and_subgroup(curve_ref):
    rng = random.Random(3)
    pts = [G2.generator() * rng.randrange(FR_MODULUS) for _ in range(20)]
    v = G2Vec.from_points(pts)
    assert list(v) == pts
    x0, x1, y0, y1 = curve_ref.random_twist_point(rng)
    twist = G2Vec.from_points([G2.identity()]).limbs.copy()
    from zkcx.field import FqVec

    twist[0] = FqVec.from_ints([x0, x1, y0, y1]).limbs.reshape(-1)
    mixed = np.concatenate([v.limbs, twist])
    with pytest.raises(SubgroupError, match="point 20 "):
        G2Vec(mixed)
    assert len(G2Vec(mixed, check_subgroup=False)) == 21
    off = v.limbs.copy()
    off[3, 9] ^= 1
    with pytest.raises(PointError, match="point 3 "):
        G2Vec(off)


@pytest.mark.parametrize(("threads", "simd"), [(1, True), (2, True), (1, False), (2, False)])
def test_validation_names_the_first_bad_point_on_every_kernel(threads, simd):
    """The IFMA path checks points a chunk at a time (128) and each thread its half:
    a bad point at a chunk's or a half's edge, a coordinate >= p, two bad points (the
    first named) and identity points in between come out as on the portable path."""
    from tests.poly.helpers import native_settings

    p_limbs = np.array([(FQ_MODULUS >> (64 * k)) & (2**64 - 1) for k in range(4)],
                       dtype=np.uint64)
    g1 = G1Vec.from_points(g1_points(699, 5)).limbs  # 700 points, the last the identity
    rng = random.Random(6)
    g2 = G2Vec.from_points([G2.generator() * rng.randrange(FR_MODULUS) for _ in range(300)]
                           + [G2.identity()] * 3).limbs
    g2 = np.concatenate([g2, g2])  # 606 points
    with native_settings(threads, simd):
        assert len(G1Vec(g1)) == 700 and len(G2Vec(g2, check_subgroup=False)) == 606
        for vec, limbs, words in ((G1Vec, g1, 8), (G2Vec, g2, 16)):
            n = len(limbs)
            for index in (0, 127, 128, n // 2 - 1, n // 2, n - 1):
                for how in ("off", "x", "y", "two"):
                    bad = limbs.copy()
                    if how == "off":
                        bad[index, words // 2] ^= 1
                    else:
                        at = 0 if how == "x" else words // 2
                        bad[index, at : at + 4] = p_limbs
                    if how == "two":
                        bad[min(index + 1, n - 1), 1] ^= 1
                    with pytest.raises(PointError, match=f"point {index} "):
                        vec(bad) if vec is G1Vec else vec(bad, check_subgroup=False)
