# SPDX-License-Identifier: MIT
"""G2 subgroup checks by random combinations (``zkcx.curve.subgroup``) and where the
ceremony uses them: a point of the twist outside G2 is named wherever it hides among
good ones — in the worst case too, a component of order 10069 (the cofactor's smallest
prime, which random weights miss most often) — and a standalone ``zkey verify`` refuses
a ptau whose G2 Lagrange block (section 13) has such a point, naming it."""

from __future__ import annotations

import dataclasses
import functools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ceremony._zkey_ptau import VECTORS, assert_matches_rebuilt_key, vector_ptau
from tests.cli.conftest import run_main
from tests.vectors import curve_vector_generator
from zkcx.ceremony import contribute_zkey, new_zkey, verify_zkey, write_ptau
from zkcx.curve import G2, G2Vec
from zkcx.curve.subgroup import ROUNDS, first_outside_g2
from zkcx.errors import InvalidArgumentError, LagrangeSectionError
from zkcx.field import FqVec
from zkcx.groth16 import write_zkey
from zkcx.r1cs import read_r1cs

MULTIPLIER = VECTORS / "multiplier"
SMALLEST_PRIME = 10069  # of the twist's cofactor 2p - r


@functools.cache
def _gen():
    pytest.importorskip("py_ecc")
    return curve_vector_generator()


@functools.cache
def torsion_point(order: int, seed: int = 7):
    """A point of the twist of exactly ``order`` (a prime factor of the cofactor), as
    py_ecc's Jacobian triple."""
    g = _gen()
    twist_order = g.R * (2 * g.P - g.R)
    assert twist_order % order == 0
    rng = random.Random(seed)
    while True:
        x0, x1, y0, y1 = g.random_twist_point(rng)
        q = g.bn.multiply(g.g2_from_aff((x0, x1, y0, y1)), twist_order // order)
        if not g.bn.is_inf(q):
            assert g.bn.is_inf(g.bn.multiply(q, order))
            return q


@pytest.fixture(scope="module", autouse=True)
def _torsion_points():
    """Made before any test runs (py_ecc's recursion would upset hypothesis)."""
    for order in (SMALLEST_PRIME, 5864401):
        torsion_point(order)


def shifted(point: G2, torsion, k: int) -> bytes:
    """``point`` + [k] ``torsion`` (computed by py_ecc), in the file's layout."""
    g = _gen()
    (x0, x1), (y0, y1) = point.to_affine()
    total = g.bn.add(g.g2_from_aff((x0, x1, y0, y1)), g.bn.multiply(torsion, k))
    return FqVec.from_ints(list(g.g2_aff(total))).limbs.tobytes()


def _vector(points: list[bytes]) -> G2Vec:
    return G2Vec.from_zkey_bytes(b"".join(points), check_subgroup=False)


@settings(max_examples=8, deadline=None)
@given(n=st.integers(6, 40), data=st.data())
def test_a_bad_point_is_named_wherever_it_is(n, data):
    bad = data.draw(st.integers(0, n - 1))
    order = data.draw(st.sampled_from([SMALLEST_PRIME, 5864401]))
    good = [G2.generator() * (i + 2) for i in range(n)]
    points = [p.montgomery_limbs() for p in good]
    assert first_outside_g2(_vector(points)) is None
    points[bad] = shifted(good[bad], torsion_point(order), 1)
    assert first_outside_g2(_vector(points)) == bad


def test_small_vectors_and_the_identity():
    assert first_outside_g2(G2Vec.from_points([])) is None
    assert first_outside_g2(G2Vec.from_points([G2.identity()] * 9)) is None
    few = [G2.generator().montgomery_limbs(), shifted(G2.generator(), torsion_point(10069), 3)]
    assert first_outside_g2(_vector(few)) == 1


def forged_ptau(ptau, index: int, order: int = SMALLEST_PRIME):
    """``ptau`` with point ``index`` of section 13 moved by a point of ``order``."""
    lagrange = [p.montgomery_limbs() for p in ptau.lagrange_g2]
    lagrange[index] = shifted(ptau.lagrange_g2[index], torsion_point(order), 1)
    return dataclasses.replace(ptau, lagrange_g2=_vector(lagrange))


def test_zkey_verify_refuses_a_g2_lagrange_block_outside_g2(tmp_path):
    r1cs = read_r1cs(MULTIPLIER / "circuit.r1cs")
    ptau = vector_ptau("multiplier")
    n = new_zkey(r1cs, ptau).domain_size
    bad = n - 1 + 2  # the third point of the block of size n
    forged = forged_ptau(ptau, bad)
    pk = contribute_zkey(new_zkey(r1cs, forged), "alice", b"alice's entropy")
    with pytest.raises(LagrangeSectionError,
                       match=rf"section 13 \(Lagrange tauG2\): point {bad} .*subgroup G2"):
        verify_zkey(r1cs, forged, pk)
    write_ptau(forged, tmp_path / "forged.ptau")
    write_zkey(pk, tmp_path / "k.zkey")
    run = run_main("--json", "zkey", "verify", MULTIPLIER / "circuit.r1cs",
                   tmp_path / "forged.ptau", tmp_path / "k.zkey")
    assert run.code == 1 and run.json()["error"] == "LagrangeSectionError", run.stderr
    assert f"point {bad} " in run.json()["message"] and "subgroup G2" in run.json()["message"]
    assert_matches_rebuilt_key(r1cs, forged, pk)  # the key matches the forged ptau otherwise


def test_a_point_outside_the_block_used_is_not_read(tmp_path):
    """zkey verify checks the block the key uses: a bad point elsewhere in section 13
    (a larger block) is not its business (``ptau verify`` checks every block)."""
    r1cs = read_r1cs(VECTORS / "multiplier" / "circuit.r1cs")
    ptau = vector_ptau("poseidon2")  # a larger ptau: n < N
    pk = contribute_zkey(new_zkey(r1cs, ptau), "alice", b"words")
    n = pk.domain_size
    assert 2 * n <= ptau.size
    forged = forged_ptau(ptau, 2 * n - 1 + 1)  # in the block of size 2n
    assert verify_zkey(r1cs, forged, pk).circuit_hash


def test_the_weights_are_fewer_than_the_cofactors_smallest_prime():
    """The bound a round (2^-WEIGHT_BITS) needs each residue class modulo 10069 to hold
    at most one weight: every weight below 2^WEIGHT_BITS <= 10069, and all of them
    drawn (the top bit set somewhere among many)."""
    from zkcx.curve.subgroup import WEIGHT_BITS, _weights

    assert 2**WEIGHT_BITS <= SMALLEST_PRIME
    weights = [int(w) for w in _weights(4096)]
    assert max(weights) < 2**WEIGHT_BITS
    assert max(weights) >= 2 ** (WEIGHT_BITS - 1)


def test_rounds_is_how_many_combinations_and_must_be_positive(monkeypatch):
    import zkcx.curve.subgroup as subgroup

    calls = []
    real_msm = subgroup.msm
    monkeypatch.setattr(subgroup, "msm", lambda p, s: calls.append(1) or real_msm(p, s))
    good = [G2.generator() * (i + 2) for i in range(12)]
    points = [p.montgomery_limbs() for p in good]
    points[7] = shifted(good[7], torsion_point(SMALLEST_PRIME), 1)
    assert first_outside_g2(_vector(points), 2) == 7
    assert len(calls) == 2
    for rounds in (0, -1, 1.0, True):
        with pytest.raises(InvalidArgumentError, match="rounds"):
            first_outside_g2(_vector(points), rounds)


def test_zkey_verifys_check_of_z_is_the_last_round_of_block_13s(monkeypatch):
    """A point of block 13 outside G2 that slips through the rounds zkey verify runs
    before its random identity (simulated: they report nothing) is caught by the
    identity's check of Z, and then named by the full check."""
    from zkcx.ceremony import zkey_verify

    real = zkey_verify.first_outside_g2
    skipped = []

    def rounds_that_miss(points, rounds=ROUNDS):
        if rounds < ROUNDS:
            skipped.append(rounds)
            return None
        return real(points, rounds)

    monkeypatch.setattr(zkey_verify, "first_outside_g2", rounds_that_miss)
    r1cs = read_r1cs(MULTIPLIER / "circuit.r1cs")
    ptau = vector_ptau("multiplier")
    n = new_zkey(r1cs, ptau).domain_size
    bad = n - 1 + 1
    forged = forged_ptau(ptau, bad)
    pk = contribute_zkey(new_zkey(r1cs, forged), "alice", b"alice's entropy")
    assert not zkey_verify._key_identity_holds(r1cs, forged, pk, n)
    with pytest.raises(LagrangeSectionError, match=rf"section 13 .*point {bad} "):
        verify_zkey(r1cs, forged, pk)
    assert skipped == [ROUNDS - 1]
