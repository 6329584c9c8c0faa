# SPDX-License-Identifier: MIT
"""Phase-2 contributions and their verification: a beacon reproduces snarkjs's
circuit_final.zkey byte for byte, contributions verify, and tampered keys are refused
with an error naming what is wrong."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from tests.ceremony._zkey_ptau import NAMES, VECTORS, vector_ptau
from zkcx.ceremony import (
    beacon_zkey,
    check_zkey,
    contribute_zkey,
    contribution_records,
    transcript_of,
    verify_zkey,
)
from zkcx.ceremony.snarkjs_rng import beacon_stream
from zkcx.ceremony.zkey_transcript import Phase2Transcript, transcript_bytes
from zkcx.curve import G1, G2, mul_all
from zkcx.errors import (
    ContributionError,
    InvalidArgumentError,
    TranscriptError,
    UnsafeKeyError,
    ZkeyMismatchError,
)
from zkcx.field import Fr
from zkcx.groth16.zkey import read_zkey, zkey_bytes
from zkcx.r1cs import SparseMatrix, read_r1cs


def _key(name: str, which: str = "final"):
    return read_zkey(VECTORS / name / f"circuit_{which}.zkey")


def _r1cs(name: str):
    return read_r1cs(VECTORS / name / "circuit.r1cs")


def _before_beacon(final):
    """The vector's key as it was before its beacon: the beacon's secret is public, so
    its effect can be undone."""
    t = transcript_of(final)
    beacon = t.contributions[-1]
    d = beacon_stream(beacon.beacon_hash, beacon.iterations_exp).fr()
    return replace(final, delta_1=t.contributions[-2].delta_after,
                   delta_2=final.delta_2 * d.inverse(), c=mul_all(final.c, d),
                   h=mul_all(final.h, d),
                   contributions=transcript_bytes(Phase2Transcript(t.cs_hash,
                                                                   t.contributions[:-1])))


@pytest.mark.parametrize("name", NAMES)
def test_a_beacon_reproduces_snarkjss_final_key_byte_for_byte(name: str) -> None:
    final = _key(name)
    beacon = transcript_of(final).contributions[-1]
    again = beacon_zkey(_before_beacon(final), beacon.beacon_hash, beacon.iterations_exp,
                        beacon.name)
    assert zkey_bytes(again) == (VECTORS / name / "circuit_final.zkey").read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_snarkjss_final_key_verifies_and_its_record_names_the_ceremony(name: str) -> None:
    record = verify_zkey(_r1cs(name), vector_ptau(name), _key(name))
    transcript = transcript_of(_key(name))
    ptau_bytes = (VECTORS / name / "pot_final.ptau").read_bytes()
    assert record.ptau_hash == hashlib.blake2b(ptau_bytes).digest()
    assert record.circuit_hash == transcript.cs_hash
    assert [(c.name, c.kind) for c in record.contributions] == [
        ("vectors contributor", "contribution"), ("Final Beacon phase2", "beacon")]
    assert [c.hash for c in record.contributions] == [
        hashlib.blake2b(c.public_key_bytes()).digest() for c in transcript.contributions]


def test_check_zkey_returns_the_checked_transcript_the_record_is_made_of() -> None:
    """check_zkey makes verify_zkey's checks without the ptau's hash: the transcript it
    returns gives the record's circuit hash and contributions, and a tampered key is
    refused by it as by verify_zkey."""
    name = NAMES[0]
    record = verify_zkey(_r1cs(name), vector_ptau(name), _key(name))
    transcript = check_zkey(_r1cs(name), vector_ptau(name), _key(name))
    assert transcript == transcript_of(_key(name))
    assert (transcript.cs_hash, contribution_records(transcript)) == (
        record.circuit_hash, record.contributions)
    pk = _key(name)
    bad = replace(pk, delta_1=pk.delta_1 + G1.generator())
    with pytest.raises(ContributionError, match="delta_1"):
        check_zkey(_r1cs(name), vector_ptau(name), bad)


def test_a_contribution_rescales_only_delta_c_and_h_and_verifies() -> None:
    before = _key("matmul4")
    after = contribute_zkey(before, "carol", entropy="some words")
    for field in ("ic", "a", "b1", "b2"):
        assert getattr(after, field).equals(getattr(before, field))
    assert not after.c.equals(before.c) and not after.h.equals(before.h)
    record = verify_zkey(_r1cs("matmul4"), vector_ptau("matmul4"), after)
    assert [(c.name, c.kind) for c in record.contributions][-1] == ("carol", "contribution")
    assert len(record.contributions) == 3


def test_the_same_entropy_twice_gives_two_different_contributions() -> None:
    key = _key("multiplier")
    one, two = (contribute_zkey(key, "dave", entropy="same") for _ in range(2))
    assert one.delta_1 != two.delta_1


def test_a_contribution_to_a_fresh_key_makes_it_safe() -> None:
    fresh = _key("multiplier", "0000")
    with pytest.raises(UnsafeKeyError, match="no phase-2 contribution"):
        verify_zkey(_r1cs("multiplier"), vector_ptau("multiplier"), fresh)
    unsafe = verify_zkey(_r1cs("multiplier"), vector_ptau("multiplier"), fresh,
                         allow_unsafe=True)
    assert unsafe.contributions == ()
    record = verify_zkey(_r1cs("multiplier"), vector_ptau("multiplier"),
                         contribute_zkey(fresh, "erin"))
    assert [c.name for c in record.contributions] == ["erin"]


@pytest.mark.parametrize("hash_, exp, words", [(b"", 10, "1 to 255 bytes"),
                                               (b"x" * 256, 10, "1 to 255 bytes"),
                                               (b"x", 9, "10 to 63"), (b"x", 64, "10 to 63")])
def test_beacon_arguments_out_of_snarkjss_bounds_are_refused(hash_, exp, words) -> None:
    with pytest.raises(InvalidArgumentError, match=words):
        beacon_zkey(_key("multiplier"), hash_, exp, "beacon")


# -- tampered keys ----------------------------------------------------------------------
def _with_contribution(pk, index: int, **changes):
    t = transcript_of(pk)
    items = list(t.contributions)
    items[index] = replace(items[index], **changes)
    return replace(pk, contributions=transcript_bytes(Phase2Transcript(t.cs_hash,
                                                                       tuple(items))))


def _verify(pk, name: str = "multiplier", ptau: str | None = None, r1cs=None):
    return verify_zkey(r1cs or _r1cs(name), vector_ptau(ptau or name), pk)


def test_a_wrong_contribution_public_key_is_refused() -> None:
    pk = _with_contribution(_key("multiplier"), 0, g2_spx=G2.generator() * Fr(5))
    with pytest.raises(ContributionError, match=r"contribution 1 \('vectors contributor'\).*"
                                                "does not prove knowledge"):
        _verify(pk)


def test_a_delta_that_does_not_follow_the_public_key_is_refused() -> None:
    pk = _with_contribution(_key("multiplier"), 0, delta_after=G1.generator() * Fr(7))
    with pytest.raises(ContributionError, match="contribution 1.*delta after it"):
        _verify(pk)


def test_a_broken_hash_chain_is_refused() -> None:
    t = transcript_of(_key("multiplier"))
    pk = _with_contribution(_key("multiplier"), 0, transcript=bytes(64))
    with pytest.raises(TranscriptError, match="contribution 1.*hash chain is broken"):
        _verify(pk)
    swapped = replace(_key("multiplier"), contributions=transcript_bytes(
        Phase2Transcript(t.cs_hash, t.contributions[::-1])))
    with pytest.raises(TranscriptError, match="hash chain"):
        _verify(swapped)


def test_a_beacon_whose_key_is_not_its_hashs_is_refused() -> None:
    pk = _with_contribution(_key("multiplier"), 1, beacon_hash=b"another beacon")
    with pytest.raises(ContributionError, match="contribution 2.*beacon's key"):
        _verify(pk)


@pytest.mark.parametrize("first, second, words", [("a", "b1", r"section 5 \(A\)"),
                                                  ("b1", "a", r"section 5 \(A\)")])
def test_a_swapped_section_is_refused_naming_it(first, second, words) -> None:
    pk = _key("matmul4")
    swapped = replace(pk, **{first: getattr(pk, second), second: getattr(pk, first)})
    with pytest.raises(ZkeyMismatchError, match=words):
        _verify(swapped, "matmul4")


@pytest.mark.parametrize("section, words", [("c", r"section 8 \(C\)"),
                                            ("h", r"section 9 \(H\)")])
def test_a_rescaled_section_not_divided_by_delta_is_refused(section, words) -> None:
    pk = _key("matmul4")
    points = getattr(pk, section)
    changed = type(points).concatenate([points[:1], mul_all(points[1:2], Fr(2)), points[2:]])
    with pytest.raises(ContributionError, match=words):
        _verify(replace(pk, **{section: changed}), "matmul4")


def test_a_header_delta_not_the_transcripts_is_refused() -> None:
    pk = _key("multiplier")
    with pytest.raises(ContributionError, match="delta_1"):
        _verify(replace(pk, delta_1=pk.delta_1 * Fr(3)))
    with pytest.raises(ContributionError, match="delta_2"):
        _verify(replace(pk, delta_2=pk.delta_2 * Fr(3)))


def test_a_key_for_another_circuit_is_refused() -> None:
    with pytest.raises(ZkeyMismatchError, match="another circuit"):
        _verify(_key("matmul4"), "multiplier", ptau="poseidon2")
    r1cs = _r1cs("multiplier")
    coef = r1cs.c.coef.copy()
    coef[0] = coef[0] + Fr(1)
    other = replace(r1cs, c=SparseMatrix(r1cs.c.row_ptr, r1cs.c.col, coef, r1cs.c.n_cols))
    with pytest.raises(ZkeyMismatchError, match="circuit hash differs"):
        _verify(_key("multiplier"), r1cs=other)


def test_a_key_from_another_ptau_is_refused() -> None:
    with pytest.raises(ZkeyMismatchError, match="another powers-of-tau file"):
        _verify(_key("multiplier"), "multiplier", ptau="poseidon2")


@settings(max_examples=8, deadline=None)
@given(st.lists(st.one_of(st.tuples(st.just("contribution"), st.text(max_size=8)),
                          st.tuples(st.just("beacon"), st.binary(min_size=1, max_size=40))),
                min_size=1, max_size=3))
def test_any_sequence_of_contributions_and_beacons_verifies(steps) -> None:
    pk = _key("multiplier", "0000")
    for kind, arg in steps:
        pk = contribute_zkey(pk, arg) if kind == "contribution" else beacon_zkey(
            pk, arg, 10, "beacon")
    record = _verify(pk)
    assert [c.kind for c in record.contributions] == [kind for kind, _ in steps]
    assert [c.name for c in record.contributions] == [
        arg[:64] if kind == "contribution" else "beacon" for kind, arg in steps]
