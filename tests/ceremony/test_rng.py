# SPDX-License-Identifier: MIT
"""snarkjs's deterministic randomness: the same ChaCha words, field elements, G1 and G2
points as ffjavascript draws from the same seed (run in node), and hash_to_g2 landing in
G2."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkcx.ceremony.rng import ChaChaRng, beacon_rng, hash_to_g2
from zkcx.curve import G2, G2Vec
from zkcx.errors import InvalidArgumentError

SEEDS = [[0] * 8, [1, 2, 3, 4, 5, 6, 7, 8], [0xFFFFFFFF] * 8, [0xDEADBEEF, 7, 0, 1, 2, 3, 4, 5]]


def _affine(point):
    a = point.to_affine()
    return [[str(c) for c in coord] if isinstance(coord, tuple) else str(coord)
            for coord in a]


@pytest.mark.node
def test_the_same_draws_as_ffjavascript(ffjs_eval):
    theirs = ffjs_eval(f"""
        out = [];
        for (const seed of {SEEDS}) {{
            const rng = new ChaCha(seed);
            const words = []; for (let i = 0; i < 20; i++) words.push(rng.nextU32());
            const fr = curve.Fr.toString(curve.Fr.fromRng(rng));
            const g1 = curve.G1.toObject(curve.G1.toAffine(curve.G1.fromRng(rng)));
            const g2 = curve.G2.toObject(curve.G2.toAffine(curve.G2.fromRng(rng)));
            out.push([words, fr, g1.slice(0, 2).map(String),
                      g2.slice(0, 2).map(c => c.map(String))]);
        }}""")
    for seed, (words, fr, g1, g2) in zip(SEEDS, theirs):
        rng = ChaChaRng(seed)
        assert [rng.next_u32() for _ in range(20)] == words
        assert str(int(rng.fr())) == fr
        assert _affine(rng.g1()) == g1
        assert _affine(rng.g2()) == g2


@given(st.binary(min_size=32, max_size=64))
def test_hash_to_g2_is_a_deterministic_point_of_g2(digest):
    point = hash_to_g2(digest)
    assert point == hash_to_g2(digest) and not point.is_identity()
    assert G2Vec.from_points([point]).first_outside_subgroup() is None
    assert isinstance(point, G2)


def test_the_generator_crosses_block_and_counter_boundaries():
    rng = ChaChaRng([9] * 8)
    first = [rng.next_u32() for _ in range(40)]
    again = ChaChaRng([9] * 8)
    assert [again.next_u32() for _ in range(40)] == first
    assert ChaChaRng.from_hash(bytes(range(32))).next_u32() == \
        ChaChaRng([int.from_bytes(bytes(range(i, i + 4)), "big") for i in range(0, 32, 4)]
                  ).next_u32()


def test_beacon_rng_iterates_sha256():
    h = b"beacon"
    for _ in range(8):
        h = hashlib.sha256(h).digest()
    assert beacon_rng(b"beacon", 3).next_u32() == ChaChaRng.from_hash(h).next_u32()
    with pytest.raises(InvalidArgumentError, match="0..63"):
        beacon_rng(b"x", 64)
    with pytest.raises(InvalidArgumentError, match="eight integers"):
        ChaChaRng([1, 2, 3])
    with pytest.raises(InvalidArgumentError, match="at least 32 bytes"):
        ChaChaRng.from_hash(b"short")
