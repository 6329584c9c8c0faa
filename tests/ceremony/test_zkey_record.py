# SPDX-License-Identifier: MIT
"""CeremonyRecord and ContributionRecord: JSON round trips, value equality, strict parsing."""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import given

from zkcx.ceremony import CeremonyRecord, ContributionRecord
from zkcx.errors import CeremonyRecordError

hashes = st.binary(min_size=64, max_size=64)
contributions = st.builds(ContributionRecord, hashes, st.text(max_size=20),
                          st.sampled_from(["contribution", "beacon"]))
records = st.builds(CeremonyRecord, hashes, hashes,
                    st.lists(contributions, max_size=4).map(tuple))


@given(records)
def test_a_record_survives_its_json_round_trip(record: CeremonyRecord) -> None:
    again = CeremonyRecord.from_json(record.to_json())
    assert again == record and hash(again) == hash(record)


@given(records)
def test_the_json_holds_lowercase_hex_of_the_hashes(record: CeremonyRecord) -> None:
    data = record.to_json()
    assert bytes.fromhex(data["ptau_hash"]) == record.ptau_hash
    assert data["circuit_hash"] == record.circuit_hash.hex()
    assert [c["hash"] for c in data["contributions"]] == [
        c.hash.hex() for c in record.contributions]


def test_records_differing_in_one_contribution_are_unequal() -> None:
    one = ContributionRecord(bytes(64), "alice", "contribution")
    other = ContributionRecord(bytes(63) + b"\x01", "alice", "contribution")
    assert CeremonyRecord(bytes(64), bytes(64), (one,)) != CeremonyRecord(
        bytes(64), bytes(64), (other,))


@pytest.mark.parametrize("make, words", [
    (lambda: ContributionRecord(bytes(63), "a", "beacon"), "64-byte"),
    (lambda: ContributionRecord(bytes(64), "a", "gift"), "kind"),
    (lambda: ContributionRecord(bytes(64), 7, "beacon"), "name"),
    (lambda: CeremonyRecord(bytes(64), bytes(65), ()), "circuit hash"),
    (lambda: CeremonyRecord(b"x" * 64, bytes(64), [ContributionRecord(bytes(64), "a",
                                                                       "beacon")]), "tuple"),
])
def test_a_malformed_record_is_refused_naming_the_field(make, words) -> None:
    with pytest.raises(CeremonyRecordError, match=words):
        make()


@pytest.mark.parametrize("mutate, words", [
    (lambda d: d.pop("ptau_hash"), "exactly the keys"),
    (lambda d: d.update(extra=1), "exactly the keys"),
    (lambda d: d.update(ptau_hash="zz" * 64), "not hex"),
    (lambda d: d.update(circuit_hash="00" * 63), "128 hex"),
    (lambda d: d.update(contributions={}), "JSON list"),
    (lambda d: d["contributions"][0].update(kind="other"), "kind"),
    (lambda d: d["contributions"][0].pop("name"), "exactly the keys"),
])
def test_malformed_json_is_refused_naming_the_field(mutate, words) -> None:
    data = CeremonyRecord(bytes(64), bytes(64), (
        ContributionRecord(bytes(64), "bob", "contribution"),)).to_json()
    mutate(data)
    with pytest.raises(CeremonyRecordError, match=words):
        CeremonyRecord.from_json(data)
