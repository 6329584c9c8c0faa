# SPDX-License-Identifier: MIT
"""FrVec/FqVec against the reference, Python integers and galois."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import zkcx.field as native
import zkcx.field.reference as reference
from zkcx.params import FQ_MODULUS, FR_MODULUS

from .edge_values import edge_values

MODULI = {"Fr": FR_MODULUS, "Fq": FQ_MODULUS}
# Sizes on both sides of the native multi-threading threshold (4096).
SIZES = [0, 1, 2, 7, 33, 4095, 4096, 10007]


def vec_classes(name: str):
    return getattr(native, name + "Vec"), getattr(reference, name + "Vec")


def values(p: int, n: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    table = edge_values(p)
    out = [int.from_bytes(rng.bytes(32), "little") % p for _ in range(n)]
    for i in range(min(n, len(table))):
        out[(i * 7919) % n] = table[i]
    return out


@pytest.mark.parametrize("n", SIZES)
def test_elementwise_ops_match_reference(field_name, n):
    Vec, Ref = vec_classes(field_name)
    p = MODULI[field_name]
    a, b = values(p, n, 1), values(p, n, 2)
    va, vb = Vec.from_ints(a), Vec.from_ints(b)
    ra, rb = Ref.from_ints(a), Ref.from_ints(b)
    assert (va + vb).to_ints() == (ra + rb).to_ints() == [(x + y) % p for x, y in zip(a, b)]
    assert (va - vb).to_ints() == (ra - rb).to_ints()
    assert (va * vb).to_ints() == (ra * rb).to_ints() == [x * y % p for x, y in zip(a, b)]
    assert (-va).to_ints() == (-ra).to_ints()
    assert va.square().to_ints() == [x * x % p for x in a]
    s = Vec.scalar_type(b[0] if n else 5)
    assert (va * s).to_ints() == (s * va).to_ints() == [x * int(s) % p for x in a]
    assert (va + s).to_ints() == [(x + int(s)) % p for x in a]
    assert (va - s).to_ints() == [(x - int(s)) % p for x in a]
    assert (3 - va).to_ints() == [(3 - x) % p for x in a]
    assert int(va @ vb) == int(ra @ rb) == sum(x * y for x, y in zip(a, b)) % p
    assert int(va.sum()) == sum(a) % p


@pytest.mark.parametrize("n", SIZES)
def test_batch_inverse_equals_single_inverses(field_name, n):
    Vec, _ = vec_classes(field_name)
    p = MODULI[field_name]
    a = [v or 1 for v in values(p, n, 3)]
    inv = Vec.from_ints(a).inverse()
    assert inv.to_ints() == [pow(x, -1, p) for x in a]
    assert [int(Vec.scalar_type(x).inverse()) for x in a[:50]] == inv.to_ints()[:50]


def test_batch_inverse_with_zeros(field_name):
    Vec, Ref = vec_classes(field_name)
    p = MODULI[field_name]
    a = values(p, 5000, 4)
    for i in (0, 17, 2500, 4999):
        a[i] = 0
    v = Vec.from_ints(a)
    with pytest.raises(ZeroDivisionError, match="index 0"):
        v.inverse()
    got = v.inverse(zeros="zero").to_ints()
    assert got == Ref.from_ints(a).inverse(zeros="zero").to_ints()
    assert got == [pow(x, -1, p) if x else 0 for x in a]
    assert Vec.zeros(3).inverse(zeros="zero").to_ints() == [0, 0, 0]


def test_batch_inverse_against_galois(field_name, galois_field):
    Vec, _ = vec_classes(field_name)
    p = MODULI[field_name]
    GF = galois_field(p)
    a = [v or 1 for v in values(p, 300, 5)]
    expected = np.reciprocal(GF(a))
    assert Vec.from_ints(a).inverse().to_ints() == [int(x) for x in expected]
    b = values(p, 300, 6)
    assert (Vec.from_ints(a) * Vec.from_ints(b)).to_ints() == [int(x) for x in GF(a) * GF(b)]


@pytest.mark.parametrize("n", [0, 1, 2, 100, 5000])
def test_powers(field_name, n):
    Vec, Ref = vec_classes(field_name)
    p = MODULI[field_name]
    x = values(p, 1, 7)[0]
    assert Vec.powers(Vec.scalar_type(x), n).to_ints() == Ref.powers(x, n).to_ints()
    assert Vec.powers(Vec.scalar_type(x), n).to_ints() == [pow(x, i, p) for i in range(n)]


def test_random_is_reproducible_and_matches_chacha20(field_name):
    ciphers = pytest.importorskip("cryptography.hazmat.primitives.ciphers")
    Vec, Ref = vec_classes(field_name)
    p = MODULI[field_name]
    key = bytes(range(32))
    n = 5000
    # Independent reference: the keystream of the cryptography package's ChaCha20
    # (16-byte nonce = 32-bit little-endian counter 0 || 96-bit nonce 0).
    stream = ciphers.Cipher(ciphers.algorithms.ChaCha20(key, bytes(16)), mode=None)
    ks = stream.encryptor().update(bytes(64 * n))
    expected = [int.from_bytes(ks[64 * i : 64 * i + 64], "little") % p for i in range(n)]
    assert Vec.random(n, seed=key).to_ints() == expected
    assert Ref.random(100, seed=key).to_ints() == expected[:100]
    assert Vec.random(10, seed=7).equals(Vec.random(10, seed=7))
    assert not Vec.random(10).equals(Vec.random(10))


@given(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=50))
def test_from_int64_embeds_signed_values(ints):
    for name in ("Fr", "Fq"):
        Vec, _ = vec_classes(name)
        p = MODULI[name]
        arr = np.array(ints, dtype=np.int64)
        assert Vec.from_int64(arr).to_ints() == [v % p for v in ints]


def test_from_ints_accepts_numpy_arrays(field_name):
    Vec, _ = vec_classes(field_name)
    assert Vec.from_ints(np.arange(5, dtype=np.int32)).to_ints() == [0, 1, 2, 3, 4]
    big = np.array([2**64 - 1, 0], dtype=np.uint64)
    assert Vec.from_ints(big).to_ints() == [2**64 - 1, 0]


@pytest.mark.parametrize("byteorder", ["little", "big"])
@given(data=st.data())
def test_bytes_and_ints_round_trip(byteorder, data):
    for name in ("Fr", "Fq"):
        Vec, _ = vec_classes(name)
        p = MODULI[name]
        ints = data.draw(st.lists(st.integers(0, p - 1), max_size=20))
        v = Vec.from_ints(ints)
        raw = v.to_bytes(byteorder)
        assert raw == b"".join(x.to_bytes(32, byteorder) for x in ints)
        assert Vec.from_bytes(raw, byteorder).to_ints() == ints
        limbs = v.to_canonical_limbs()
        assert Vec.from_canonical_limbs(limbs).equals(v)
        assert Vec.from_montgomery(v.limbs.copy()).equals(v)
        for x in ints[:3]:
            s = Vec.scalar_type(x)
            assert Vec.scalar_type.from_bytes(s.to_bytes(byteorder), byteorder) == s
            assert int.from_bytes(s.montgomery_bytes(), "little") == x * 2**256 % p


def test_montgomery_layout_is_x_times_r(field_name):
    Vec, _ = vec_classes(field_name)
    p = MODULI[field_name]
    ints = values(p, 40, 8)
    limbs = Vec.from_ints(ints).limbs
    got = [int.from_bytes(row.tobytes(), "little") for row in limbs]
    assert got == [x * 2**256 % p for x in ints]


def test_indexing_slicing_and_concatenation(field_name):
    Vec, _ = vec_classes(field_name)
    ints = list(range(100, 120))
    v = Vec.from_ints(ints)
    assert int(v[3]) == 103 and int(v[-1]) == 119
    assert v[2:5].to_ints() == ints[2:5]
    assert v[::3].to_ints() == ints[::3]
    assert v[np.array([4, 0, 4])].to_ints() == [104, 100, 104]
    assert v[np.arange(20) % 2 == 0].to_ints() == ints[::2]
    assert Vec.concatenate([v[:3], v[10:12]]).to_ints() == ints[:3] + ints[10:12]
    assert [int(x) for x in v] == ints
    w = v.copy()
    w[0] = 7
    w[1:3] = Vec.from_ints([8, 9])
    assert w.to_ints()[:4] == [7, 8, 9, 103] and v.to_ints() == ints
    view = v[5:10]
    assert np.shares_memory(view.limbs, v.limbs)
    assert list(v[:4] == Vec.from_ints([100, 0, 102, 0])) == [True, False, True, False]
    assert len(Vec.zeros(0)) == 0 and Vec.ones(3).to_ints() == [1, 1, 1]
    assert Vec.full(2, 9).to_ints() == [9, 9]


@pytest.mark.parametrize("n", [1, 7, 8, 15, 16, 17, 511, 512, 1000, 4095, 4096, 4097, 33333])
def test_simd_and_portable_kernels_agree(field_name, n):
    """The AVX-512 IFMA kernels (where the CPU has them) and the portable C loops give
    identical results, zeros in a batch inversion included."""
    import zkcx

    Vec, _ = vec_classes(field_name)
    p = MODULI[field_name]
    a = values(p, n, 9)
    a[n // 2] = 0
    b = values(p, n, 10)
    va, vb = Vec.from_ints(a), Vec.from_ints(b)
    s = Vec.scalar_type(b[0])
    results = {}
    try:
        for simd in (True, False):
            zkcx.set_simd(simd)
            results[simd] = (
                (va * vb).to_ints(), (va * s).to_ints(), va.square().to_ints(),
                va.inverse(zeros="zero").to_ints(), int(va @ vb),
            )
    finally:
        zkcx.set_simd(True)
    assert results[True] == results[False]
    assert results[True][0] == [x * y % p for x, y in zip(a, b)]
    assert results[True][3] == [pow(x, -1, p) if x else 0 for x in a]


def test_in_place_operators_write_into_the_buffer(field_name):
    Vec, _ = vec_classes(field_name)
    p = MODULI[field_name]
    a, b = values(p, 5000, 11), values(p, 5000, 12)
    v = Vec.from_ints(a)
    view = v[10:20]
    buffer = v.limbs
    v *= Vec.from_ints(b)
    assert v.limbs is buffer and v.to_ints() == [x * y % p for x, y in zip(a, b)]
    assert view.to_ints() == v.to_ints()[10:20]
    v += 3
    v -= Vec.ones(5000)
    v *= Vec.scalar_type(2)
    assert v.to_ints() == [(x * y + 2) * 2 % p for x, y in zip(a, b)]
    with pytest.raises(Exception, match="lengths"):
        v *= Vec.ones(3)
