# SPDX-License-Identifier: MIT
"""Phase 1 without node: new files, contributions and beacons that verify, prepare
byte-identical to the prepared vectors snarkjs made, and tampered transcripts refused
with a message naming what is wrong."""

from __future__ import annotations

import dataclasses
import random

import pytest

from tests.vectors import SNARKJS_VECTORS, VECTORS, curve_vector_generator
from zkcx.ceremony.phase1 import beacon_ptau, contribute_ptau, last_challenge, new_ptau
from zkcx.ceremony.phase1_prepare import prepare_ptau
from zkcx.ceremony.phase1_verify import verify_ptau
from zkcx.ceremony.ptau import PtauKey, ptau_bytes, read_ptau
from zkcx.ceremony.transcript import first_challenge, next_challenge
from zkcx.curve import G1, G2, G1Vec, G2Vec
from zkcx.errors import (
    ArgumentTypeError,
    CeremonyError,
    ContributionError,
    InvalidArgumentError,
    TranscriptError,
)
from zkcx.field import FqVec

BEACON = bytes(range(1, 32))


def unprepared(ptau):
    return dataclasses.replace(ptau, lagrange_g1=None, lagrange_g2=None,
                               lagrange_alpha_g1=None, lagrange_beta_g1=None)


@pytest.fixture(scope="module")
def ceremony():
    """A power-3 ceremony: two contributions and a beacon, prepared."""
    p = contribute_ptau(new_ptau(3), "first", entropy=b"some words")
    p = contribute_ptau(p, "second")
    return prepare_ptau(beacon_ptau(p, BEACON, 10, "final beacon"))


def test_a_new_ptau_is_all_generators():
    p = new_ptau(2)
    assert (p.power, p.ceremony_power, p.contributions) == (2, 2, ())
    assert all(q == G1.generator() for q in p.tau_g1) and len(p.tau_g1) == 7
    assert all(q == G2.generator() for q in p.tau_g2) and p.beta_g2 == G2.generator()
    assert read_ptau(ptau_bytes(p)) == p
    assert last_challenge(p) == first_challenge(2)
    for bad in (0, 29, 2.0, True):
        with pytest.raises(InvalidArgumentError, match="1..28"):
            new_ptau(bad)


def test_a_ceremony_verifies(ceremony):
    transcript = verify_ptau(ceremony)
    assert transcript.prepared and transcript.power == 3
    assert [(c.index, c.name, c.kind) for c in transcript.contributions] == [
        (1, "first", "contribution"), (2, "second", "contribution"),
        (3, "final beacon", "beacon")]
    first, second, beacon = transcript.contributions
    assert first.challenge == transcript.first_challenge == first_challenge(3)
    assert second.challenge == first.next_challenge
    assert beacon.challenge == second.next_challenge
    assert (beacon.beacon_hash, beacon.iterations_exp) == (BEACON, 10)
    assert read_ptau(ptau_bytes(ceremony)) == ceremony  # its file reads back


def test_contributions_are_random_and_a_beacon_is_not(ceremony):
    base = unprepared(ceremony)
    a, b = contribute_ptau(base, "x"), contribute_ptau(base, "x")
    assert a.tau_g1[1] != b.tau_g1[1]
    assert ptau_bytes(beacon_ptau(base, b"\x07", 10, "b")) == \
        ptau_bytes(beacon_ptau(base, b"\x07", 10, "b"))
    assert contribute_ptau(base, "").contributions[-1].name is None
    assert contribute_ptau(base, "n" * 100).contributions[-1].name == "n" * 64


def test_bad_arguments_are_refused(ceremony):
    with pytest.raises(InvalidArgumentError, match="10..63"):
        beacon_ptau(ceremony, BEACON, 9, "b")
    with pytest.raises(InvalidArgumentError, match="1 to 255 bytes"):
        beacon_ptau(ceremony, b"", 10, "b")
    with pytest.raises(ArgumentTypeError, match="name is a str"):
        contribute_ptau(ceremony, None)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="entropy is bytes"):
        contribute_ptau(ceremony, "x", entropy="text")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="expected a Ptau"):
        verify_ptau("file.ptau")  # type: ignore[arg-type]
    truncated = dataclasses.replace(new_ptau(2), ceremony_power=3)
    with pytest.raises(ContributionError, match="truncated from power 3 to 2"):
        contribute_ptau(truncated, "x")


@pytest.mark.parametrize("name", SNARKJS_VECTORS)
def test_prepare_is_byte_identical_to_snarkjs(name):
    path = VECTORS / name / "pot_final.ptau"
    assert ptau_bytes(prepare_ptau(unprepared(read_ptau(path)))) == path.read_bytes()


@pytest.mark.parametrize("name", SNARKJS_VECTORS)
def test_snarkjs_files_verify(name):
    transcript = verify_ptau(read_ptau(VECTORS / name / "pot_final.ptau"))
    assert [c.kind for c in transcript.contributions] == ["contribution", "beacon"]


# -- tampering ---------------------------------------------------------------------------


def with_contribution(ptau, index, **changes):
    records = list(ptau.contributions)
    records[index] = dataclasses.replace(records[index], **changes)
    return dataclasses.replace(ptau, contributions=tuple(records))


def rehashed(ptau):
    """The file with its last contribution's next challenge recomputed from its points:
    what a cheater who changed the points would do, since the hash is public."""
    last = ptau.contributions[-1]
    sections = [ptau.tau_g1, ptau.tau_g2, ptau.alpha_tau_g1, ptau.beta_tau_g1,
                G2Vec.from_points([ptau.beta_g2])]
    return with_contribution(ptau, -1, next_challenge=next_challenge(last.response_hash,
                                                                     sections))


def test_no_contribution_is_refused():
    with pytest.raises(CeremonyError, match="no contribution"):
        verify_ptau(new_ptau(2))


def test_a_wrong_public_key_is_refused(ceremony):
    key = ceremony.contributions[1].alpha_key
    wrong = PtauKey(key.g1_s, key.g1_sx + G1.generator(), key.g2_spx)
    with pytest.raises(ContributionError, match=r"contribution #2 \('second'\): the public "
                                                r"key of alpha has no valid proof"):
        verify_ptau(with_contribution(ceremony, 1, alpha_key=wrong))
    # a key that proves knowledge but of another secret than the points used
    other = contribute_ptau(new_ptau(3), "other").contributions[0].tau_key
    with pytest.raises(ContributionError, match="contribution #1 .*tau"):
        verify_ptau(with_contribution(ceremony, 0, tau_key=other))


def test_a_broken_hash_chain_is_refused(ceremony):
    with pytest.raises(ContributionError, match=r"contribution #2 .*broken hash chain"):
        verify_ptau(with_contribution(ceremony, 0, next_challenge=bytes(64)))
    with pytest.raises(TranscriptError, match="beacon #3 .* not the hash of its response"):
        verify_ptau(with_contribution(ceremony, 2, next_challenge=bytes(64)))
    state = bytearray(ceremony.contributions[2].partial_hash)
    state[5] ^= 1
    with pytest.raises(TranscriptError, match="not the hash of its response"):
        verify_ptau(with_contribution(ceremony, 2, partial_hash=bytes(state)))


def test_a_beacon_with_another_key_is_refused(ceremony):
    with pytest.raises(ContributionError, match=r"beacon #3 .*tau public key is not the one "
                                                r"the beacon hash"):
        verify_ptau(with_contribution(ceremony, 2, beacon_hash=b"\x00" + BEACON[1:]))


def test_a_contribution_that_does_not_follow_is_refused(ceremony):
    c = ceremony.contributions[0]
    with pytest.raises(ContributionError, match=r"contribution #1 .*its beta·G1 does not "
                                                r"follow"):
        verify_ptau(with_contribution(ceremony, 0, beta_g1=c.beta_g1.double()))


def test_swapped_sections_are_refused(ceremony):
    swapped = dataclasses.replace(ceremony, alpha_tau_g1=ceremony.beta_tau_g1,
                                  beta_tau_g1=ceremony.alpha_tau_g1)
    with pytest.raises(ContributionError, match=r"section 4 \(alphaTauG1\) point 0 is not "
                                                r"the one beacon #3"):
        verify_ptau(swapped)


def test_points_not_powers_of_one_tau_are_refused(ceremony):
    points = list(ceremony.tau_g1)
    points[5] = points[5].double()
    bad = rehashed(dataclasses.replace(ceremony, tau_g1=G1Vec.from_points(points)))
    with pytest.raises(ContributionError, match=r"section 2 \(tauG1\): the points are not "
                                                r"successive powers of one tau"):
        verify_ptau(bad)
    points = list(ceremony.tau_g2)
    points[7] = points[7].double()
    bad = rehashed(dataclasses.replace(ceremony, tau_g2=G2Vec.from_points(points)))
    with pytest.raises(ContributionError, match=r"section 3 \(tauG2\): the points are not"):
        verify_ptau(bad)
    points = list(ceremony.beta_tau_g1)
    points[2] = points[2] + G1.generator()
    bad = rehashed(dataclasses.replace(ceremony, beta_tau_g1=G1Vec.from_points(points)))
    with pytest.raises(ContributionError, match=r"section 5 \(betaTauG1\)"):
        verify_ptau(bad)


def test_unprepared_and_wrongly_prepared_files(ceremony):
    assert not verify_ptau(unprepared(ceremony)).prepared
    points = list(ceremony.lagrange_g2)
    points[4] = points[4].double()  # in the block of size 4 (points 3..6)
    with pytest.raises(CeremonyError, match="section 13: the block of size 4 is not the "
                                            "Lagrange basis"):
        verify_ptau(dataclasses.replace(ceremony, lagrange_g2=G2Vec.from_points(points)))
    points = list(ceremony.lagrange_g1)
    points[-1] = points[-1] + G1.generator()
    with pytest.raises(CeremonyError, match="section 12: the block of size 16"):
        verify_ptau(dataclasses.replace(ceremony, lagrange_g1=G1Vec.from_points(points)))


def test_g2_points_outside_the_subgroup_are_refused(ceremony):
    pytest.importorskip("py_ecc")
    x0, x1, y0, y1 = curve_vector_generator().random_twist_point(random.Random(11))
    limbs = ceremony.tau_g2.limbs.copy()
    limbs[6] = FqVec.from_ints([x0, x1, y0, y1]).limbs.reshape(-1)
    bad = rehashed(dataclasses.replace(
        ceremony, tau_g2=G2Vec.from_montgomery(limbs, check_subgroup=False)))
    with pytest.raises(CeremonyError, match=r"section 3 \(tauG2\): point 6 .*subgroup"):
        verify_ptau(bad)
