# SPDX-License-Identifier: MIT
"""The group NTTs ``fft``/``ifft`` and ``mul_all``, against independent computations:
points [t_j] G with known discrete logs t_j, transformed over Fr by ``zkcx.poly``
(whose own tests check it against a pure-Python NTT) and multiplied back onto G; tiny
transforms against py_ecc's double-and-add; the Lagrange sections of the prepared ptau
files snarkjs made (tests/vectors/*/pot_final.ptau) against the inverse transforms of
their monomial sections."""

from __future__ import annotations

import pathlib
import random
import re
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zkcx
from zkcx.curve import G1, G2, G1Vec, G2Vec, fft, fixed_base_mul, ifft, mul_all, mul_each
from zkcx.errors import ArgumentTypeError, DomainError
from zkcx.field import Fq, Fr, FrVec
from zkcx.io import binfile
from zkcx.params import BN_U, FQ_MODULUS, FR_MODULUS
from zkcx.poly import intt, ntt, root_of_unity

VECTORS = pathlib.Path(__file__).resolve().parents[1] / "vectors"
GROUPS = [(G1, G1Vec), (G2, G2Vec)]


def with_logs(G, logs: FrVec):
    """The points [t_j] G of a vector of discrete logs."""
    return fixed_base_mul(G.generator(), logs)


def random_logs(n: int, seed: int, zeros: int = 0) -> FrVec:
    """n random logs, the first `zeros` of them (shuffled in) 0: identity points."""
    rng = random.Random(seed)
    ints = [rng.randrange(FR_MODULUS) for _ in range(n)]
    for i in rng.sample(range(n), min(zeros, n)):
        ints[i] = 0
    return FrVec.from_ints(ints)


@pytest.mark.parametrize("G,Vec", GROUPS)
@pytest.mark.parametrize("log_n", [0, 1, 2, 3, 5, 9])
def test_transforms_act_on_the_discrete_logs(G, Vec, log_n):
    """ifft([t_j] G) = [intt(t)_i] G and fft([t_j] G) = [ntt(t)_i] G."""
    n = 1 << log_n
    logs = random_logs(n, seed=log_n, zeros=n // 4)
    points = with_logs(G, logs)
    inverse, forward = ifft(points), fft(points)
    assert isinstance(inverse, Vec) and isinstance(forward, Vec)
    assert inverse.equals(with_logs(G, intt(logs)))
    assert forward.equals(with_logs(G, ntt(logs)))
    assert fft(inverse).equals(points) and ifft(forward).equals(points)


@pytest.mark.parametrize("G,Vec", GROUPS)
def test_the_input_is_not_changed(G, Vec):
    points = with_logs(G, random_logs(8, seed=1))
    before = points.limbs.copy()
    ifft(points)
    fft(points)
    mul_all(points, Fr(7))
    assert np.array_equal(points.limbs, before)


@pytest.mark.parametrize("G,Vec", GROUPS)
@settings(max_examples=20, deadline=None)
@given(log_n=st.integers(0, 6), seed=st.integers(0, 2**32), zeros=st.integers(0, 64))
def test_fft_inverts_ifft(G, Vec, log_n, seed, zeros):
    points = with_logs(G, random_logs(1 << log_n, seed, zeros))
    assert fft(ifft(points)).equals(points)
    assert ifft(fft(points)).equals(points)


@pytest.mark.parametrize("G,Vec", GROUPS)
def test_identities_transform_to_identities(G, Vec):
    zero = Vec.identities(16)
    assert ifft(zero).equals(zero) and fft(zero).equals(zero)


@pytest.mark.parametrize("simd", [True, False])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("G,Vec", GROUPS)
def test_threads_and_simd_do_not_change_the_result(G, Vec, threads, simd):
    """The AVX-512 IFMA kernels and the portable code, on one or two threads."""
    logs = random_logs(1 << 10, seed=4, zeros=3)
    points = with_logs(G, logs)
    threads_before, simd_before = zkcx.get_threads(), zkcx.simd_in_use()
    try:
        zkcx.set_threads(threads)
        zkcx.set_simd(simd)
        assert ifft(points).equals(with_logs(G, intt(logs)))
        k = Fr(3**160)
        assert mul_all(points, k).equals(with_logs(G, logs * k))
    finally:
        zkcx.set_threads(threads_before)
        zkcx.set_simd(simd_before)


def _py_ecc_affine(bn, point):
    if bn.is_inf(point):
        return None
    x, y = bn.normalize(point)
    if isinstance(x, bn.FQ):
        return (int(x), int(y))
    return ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))


@pytest.mark.parametrize("G,Vec", GROUPS)
@pytest.mark.parametrize("n", [2, 4])
def test_tiny_ifft_agrees_with_py_ecc(G, Vec, n, bn):
    """Q_i = sum_j [n^-1 omega^(-ij)] P_j by py_ecc's own additions and multiplications
    of the points (not of their logs), with omega from the plain-integer formula."""
    rng = random.Random(n)
    base = bn.G1 if G is G1 else bn.G2
    logs = [rng.randrange(1, FR_MODULUS) for _ in range(n)]
    ref_points = [bn.multiply(base, t) for t in logs]
    omega_inv = pow(root_of_unity(n), -1, FR_MODULUS)
    n_inv = pow(n, -1, FR_MODULUS)
    got = ifft(Vec.from_points([G.generator() * t for t in logs]))
    for i in range(n):
        want = bn.Z1 if G is G1 else bn.Z2
        for j, p in enumerate(ref_points):
            want = bn.add(want, bn.multiply(p, n_inv * pow(omega_inv, i * j, FR_MODULUS)
                                             % FR_MODULUS))
        assert got[i].to_affine() == _py_ecc_affine(bn, want)


def test_the_endomorphism_constants_of_the_g2_transform():
    """G2's kernel writes k = k1 + k2 z with z = 6u^2 = p - r, the eigenvalue of psi on
    G2, and radix-4 stages take psi^3 for the multiplication by omega_4: z^3 = omega_4."""
    z = 6 * BN_U**2
    assert z == FQ_MODULUS - FR_MODULUS
    assert pow(z, 3, FR_MODULUS) == root_of_unity(4)
    point = G2.generator() * 12345
    assert point * z == G2.generator() * (12345 * z)   # the group law agrees (sanity)


def _gls_basis(u: int) -> list[list[int]]:
    return [[u + 1, u, u, -2 * u], [2 * u + 1, -u, -u - 1, -u],
            [2 * u, 2 * u + 1, 2 * u + 1, 2 * u + 1], [u - 1, 4 * u + 2, -2 * u + 1, u - 1]]


def _det(m: list[list[int]]) -> int:
    if len(m) == 1:
        return m[0][0]
    return sum((-1) ** j * m[0][j] * _det([row[:j] + row[j + 1:] for row in m[1:]])
               for j in range(len(m)))


def test_the_g2_gls_split_constants():
    """native/src/point_fft.c's 4-dimensional split on G2: every row of B is in the
    lattice {a : sum a_j z^j = 0 mod r}, det B = -3r, the rounding constants g_i are
    round(2^256 adj(B)_0i / det B), and the parts stay below 2^66 (Babai rounding)."""
    z = 6 * BN_U**2
    basis = _gls_basis(BN_U)
    for row in basis:
        assert sum(b * pow(z, j, FR_MODULUS) for j, b in enumerate(row)) % FR_MODULUS == 0
    det = _det(basis)
    assert det == -3 * FR_MODULUS
    # adj(B)_0i = (-1)^i det(B without row i and column 0)
    adj0 = [(-1) ** i * _det([row[1:] for k, row in enumerate(basis) if k != i])
            for i in range(4)]
    g = [(2 * abs(a) * 2**256 + abs(det)) // (2 * abs(det)) * (1 if a * det > 0 else -1)
         for a in adj0]
    source = (pathlib.Path(__file__).resolve().parents[2] / "native/src/point_fft.c").read_text()
    table = source[source.index("G2_GLS_G[4] = {"):source.index("G2_GLS_G_NEG")]
    limbs = [int(x.rstrip("ULul"), 16) if x.startswith("0x") else int(x)
             for x in re.findall(r"0x[0-9a-fA-F]+ULL|\b\d+\b", table.split("=", 1)[1])]
    assert [sum(limbs[4 * i + q] << (64 * q) for q in range(4)) for i in range(4)] == \
        [abs(x) for x in g]
    signs = source[source.index("G2_GLS_G_NEG[4] = {"):].split("}", 1)[0]
    assert [int(x) for x in re.findall(r"\d+", signs.split("=", 1)[1])] == [int(x < 0) for x in g]
    rng = random.Random(16)
    for k in [rng.randrange(FR_MODULUS) for _ in range(2000)] + [1, FR_MODULUS - 1, z]:
        c = [(k * abs(gi) + 2**255) >> 256 for gi in g]
        c = [ci if gi > 0 else -ci for ci, gi in zip(c, g)]
        parts = [(k if j == 0 else 0) - sum(c[i] * basis[i][j] for i in range(4))
                 for j in range(4)]
        assert sum(a * pow(z, j, FR_MODULUS) for j, a in enumerate(parts)) % FR_MODULUS == k
        assert all(abs(a) < 2**66 for a in parts)


@pytest.mark.parametrize("n", [0, 3, 6, 12, 1000])
def test_bad_sizes_are_refused(n):
    points = G1Vec.identities(n)
    for transform in (fft, ifft):
        with pytest.raises(DomainError, match="power of two"):
            transform(points)


def test_sizes_above_two_to_the_28_are_refused():
    """The size check comes before any allocation: a view of 2^29 rows of one row's
    memory (stride 0) is never read."""
    huge = np.lib.stride_tricks.as_strided(np.zeros((1, 8), dtype=np.uint64),
                                           shape=(1 << 29, 8), strides=(0, 8))
    vec = G1Vec._wrap(huge)
    with pytest.raises(DomainError, match="at most 2\\^28"):
        ifft(vec)


@pytest.mark.parametrize("bad", [[G1.generator()], np.zeros((4, 8), dtype=np.uint64), None])
def test_non_vectors_are_refused(bad):
    for call in (fft, ifft, lambda v: mul_all(v, Fr(2))):
        with pytest.raises(ArgumentTypeError, match="G1Vec or G2Vec"):
            call(bad)


@pytest.mark.parametrize("scalar", [2, Fq(2), None])
def test_mul_all_needs_an_fr(scalar):
    with pytest.raises(ArgumentTypeError, match="Fr scalar"):
        mul_all(G1Vec.identities(2), scalar)


@pytest.mark.parametrize("G,Vec", GROUPS)
@pytest.mark.parametrize("n", [0, 1, 5, 300])
@pytest.mark.parametrize("k", [0, 1, FR_MODULUS - 1, 2**128 + 3, 0x1234567890ABCDEF << 130])
def test_mul_all_equals_mul_each_with_one_repeated_scalar(G, Vec, n, k):
    points = with_logs(G, random_logs(n, seed=n, zeros=n // 5))
    got = mul_all(points, Fr(k))
    assert isinstance(got, Vec)
    assert got.equals(mul_each(points, FrVec.from_ints([k] * n)))


@pytest.mark.parametrize("G,Vec", GROUPS)
def test_mul_all_agrees_with_py_ecc(G, Vec, bn):
    rng = random.Random(9)
    base = bn.G1 if G is G1 else bn.G2
    logs = [rng.randrange(FR_MODULUS) for _ in range(6)] + [0]
    k = rng.randrange(FR_MODULUS)
    got = mul_all(Vec.from_points([G.generator() * t for t in logs]), Fr(k))
    for t, out in zip(logs, got):
        want = _py_ecc_affine(bn, bn.multiply(bn.multiply(base, t), k)) if t else None
        assert (None if out.is_identity() else out.to_affine()) == want


# -- the prepared ptau files snarkjs made: sections 12-15 are inverse transforms -----------


def _ptau_sections(path: pathlib.Path):
    parsed = binfile.parse(path.read_bytes(), b"ptau", 1, name=path.name)
    header = parsed.section(1)
    (n8,) = struct.unpack_from("<I", header, 0)
    (power,) = struct.unpack_from("<I", header, 4 + n8)
    return power, parsed


def _blocks(section: G1Vec | G2Vec, top: int):
    """The blocks of sizes 2^0 .. 2^top of a Lagrange section, in file order."""
    for k in range(top + 1):
        size = 1 << k
        yield size, section[size - 1: 2 * size - 1]


@pytest.mark.parametrize("circuit", ["multiplier", "matmul4", "poseidon2"])
def test_ptau_lagrange_sections_are_inverse_transforms(circuit):
    power, ptau = _ptau_sections(VECTORS / circuit / "pot_final.ptau")
    n = 1 << power
    tau_g1 = G1Vec.from_zkey_bytes(ptau.section(2))
    tau_g2 = G2Vec.from_zkey_bytes(ptau.section(3))
    alpha_g1 = G1Vec.from_zkey_bytes(ptau.section(4))
    beta_g1 = G1Vec.from_zkey_bytes(ptau.section(5))
    assert (len(tau_g1), len(tau_g2), len(alpha_g1), len(beta_g1)) == (2 * n - 1, n, n, n)
    cases = [(12, G1Vec, tau_g1, power + 1), (13, G2Vec, tau_g2, power),
             (14, G1Vec, alpha_g1, power), (15, G1Vec, beta_g1, power)]
    for section_id, Vec, monomial, top in cases:
        lagrange = Vec.from_zkey_bytes(ptau.section(section_id))
        assert len(lagrange) == (2 << top) - 1
        for size, block in _blocks(lagrange, top):
            if size > len(monomial):
                # section 12's last block: tau^(2N-1) G is missing, taken as the identity
                source = Vec.concatenate([monomial, Vec.identities(size - len(monomial))])
            else:
                source = monomial[:size]
            assert ifft(source).equals(block), f"section {section_id}, block {size}"
