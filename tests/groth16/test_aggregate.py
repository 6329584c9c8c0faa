# SPDX-License-Identifier: MIT
"""SnarkPack aggregation: prove, aggregate, verify for several n (powers of two and
padded ones), the byte format, and the attacks: an invalid proof among valid ones, a
proof moved to another position, permuted public inputs, the label of another block,
an SRS too short, a tampered or malformed aggregate; each rejected."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.groth16._aggregate_fixtures import demo_proofs, demo_srs
from zkcx.curve import G1
from zkcx.errors import (
    AggregateFormatError,
    AggregationError,
    AggregationSRSError,
    ArgumentTypeError,
    PublicInputCountError,
)
from zkcx.groth16 import (
    AggregateProof,
    aggregate,
    batch_verify,
    unsafe_local_aggregation_srs,
    verify_aggregate,
)
from zkcx.groth16._aggregate_proof import encoded_size, padded_size
from zkcx.params import FR_MODULUS

LABEL = b"block 7 hash"


def _aggregate(n: int, label: bytes = LABEL, srs_size: int = 16):
    vk, proofs, publics = demo_proofs(n)
    srs = demo_srs(srs_size)
    return srs, vk, proofs, publics, aggregate(srs, vk, proofs, publics, label)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 8, 16])
def test_aggregate_verifies_and_round_trips(n):
    srs, vk, proofs, publics, agg = _aggregate(n)
    assert batch_verify([(vk, p, q) for p, q in zip(publics, proofs)])
    assert agg.count == n and agg.rounds == padded_size(n).bit_length() - 1
    assert verify_aggregate(srs.verifier_key(), vk, publics, agg, LABEL)
    data = agg.to_bytes()
    assert len(data) == agg.size_bytes == encoded_size(n)
    again = AggregateProof.from_bytes(data)
    assert again.to_bytes() == data
    assert verify_aggregate(srs.verifier_key(), vk, publics, again, LABEL)


def test_padding_is_to_the_next_power_of_two():
    assert [padded_size(k) for k in (1, 2, 3, 4, 5, 8, 9, 1000, 1024)] == \
        [2, 2, 4, 4, 8, 8, 16, 1024, 1024]


def test_size_for_1024_proofs_is_under_25_kb():
    assert encoded_size(1024) <= 25 * 1024
    assert encoded_size(1024) < 1024 * 256 / 10


def test_str_and_bytes_labels_agree():
    srs, vk, _, publics, agg = _aggregate(4, label="block 7 hash")
    assert verify_aggregate(srs.verifier_key(), vk, publics, agg, LABEL)


def test_an_invalid_proof_among_valid_ones_is_rejected():
    vk, proofs, publics = demo_proofs(8)
    bad = list(proofs)
    bad[5] = dataclasses.replace(bad[5], c=bad[5].c + G1.generator())
    srs = demo_srs(16)
    agg = aggregate(srs, vk, bad, publics, LABEL)
    assert not verify_aggregate(srs.verifier_key(), vk, publics, agg, LABEL)
    assert not verify_aggregate(srs.verifier_key(), vk, publics,
                                AggregateProof.from_bytes(agg.to_bytes()), LABEL)


def test_a_proof_swapped_between_positions_is_rejected():
    vk, proofs, publics = demo_proofs(8)
    swapped = list(proofs)
    swapped[1], swapped[6] = swapped[6], swapped[1]
    srs = demo_srs(16)
    agg = aggregate(srs, vk, swapped, publics, LABEL)
    assert not verify_aggregate(srs.verifier_key(), vk, publics, agg, LABEL)


def test_permuted_public_inputs_are_rejected():
    srs, vk, _, publics, agg = _aggregate(8)
    permuted = list(publics)
    permuted[2], permuted[3] = permuted[3], permuted[2]
    assert not verify_aggregate(srs.verifier_key(), vk, permuted, agg, LABEL)
    changed = list(publics)
    changed[0] = (changed[0][0], (changed[0][1] + 1) % FR_MODULUS)
    assert not verify_aggregate(srs.verifier_key(), vk, changed, agg, LABEL)


def test_the_label_of_another_block_is_rejected():
    srs, vk, _, publics, agg = _aggregate(4)
    assert not verify_aggregate(srs.verifier_key(), vk, publics, agg, b"block 8 hash")
    assert not verify_aggregate(srs.verifier_key(), vk, publics, agg, b"")


def test_another_srs_or_key_is_rejected():
    srs, vk, _, publics, agg = _aggregate(4)
    other = unsafe_local_aggregation_srs(16, b"another seed")
    assert not verify_aggregate(other.verifier_key(), vk, publics, agg, LABEL)


def test_an_srs_too_short_is_refused():
    vk, proofs, publics = demo_proofs(5)
    small = demo_srs(4)
    with pytest.raises(AggregationSRSError, match="at most 4"):
        aggregate(small, vk, proofs, publics, LABEL)
    srs, vk, _, publics, agg = _aggregate(5)
    with pytest.raises(AggregationSRSError, match="at most 4"):
        verify_aggregate(small.verifier_key(), vk, publics, agg, LABEL)


def test_counts_and_types_are_checked():
    srs, vk, proofs, publics, agg = _aggregate(3)
    with pytest.raises(AggregationError, match="covers 3 proofs"):
        verify_aggregate(srs.verifier_key(), vk, publics[:2], agg, LABEL)
    with pytest.raises(AggregationError, match="at least one proof"):
        aggregate(srs, vk, [], [], LABEL)
    with pytest.raises(AggregationError, match="3 proofs but 2"):
        aggregate(srs, vk, proofs, publics[:2], LABEL)
    with pytest.raises(PublicInputCountError):
        verify_aggregate(srs.verifier_key(), vk, [p[:1] for p in publics], agg, LABEL)
    with pytest.raises(ArgumentTypeError):
        verify_aggregate(srs, vk, publics, agg, LABEL)
    with pytest.raises(ArgumentTypeError):
        verify_aggregate(srs.verifier_key(), vk, publics, agg, 7)
    out_of_range = [(p[0], p[1] + FR_MODULUS) for p in publics]
    assert not verify_aggregate(srs.verifier_key(), vk, out_of_range, agg, LABEL)
    with pytest.raises(AggregationError, match="not in"):
        aggregate(srs, vk, proofs, out_of_range, LABEL)


def test_srs_sizes_are_checked():
    with pytest.raises(AggregationSRSError, match="power of two"):
        unsafe_local_aggregation_srs(6)
    with pytest.raises(AggregationSRSError, match="power of two"):
        unsafe_local_aggregation_srs(1)


def test_malformed_bytes_are_refused():
    _, _, _, _, agg = _aggregate(4)
    data = agg.to_bytes()
    for bad, match in [(data[:-1], "bytes, got"), (data + b"\0", "bytes, got"),
                       (b"", "too short"), (b"x" + data[1:], "magic"),
                       (data[:7] + b"\x02" + data[8:], "version"),
                       (data[:8] + (5).to_bytes(4, "big") + data[12:], "do not agree"),
                       (data[:8] + (0).to_bytes(4, "big") + data[12:], "do not agree")]:
        with pytest.raises(AggregateFormatError, match=match):
            AggregateProof.from_bytes(bad)
    with pytest.raises(AggregateFormatError):
        AggregateProof.from_bytes("text")
    # a coordinate >= p in a GT element and in a point
    gt_bad = data[:13] + b"\xff" * 32 + data[45:]
    with pytest.raises(AggregateFormatError, match="GT"):
        AggregateProof.from_bytes(gt_bad)
    tail_bad = data[:-128] + b"\xff" * 32 + data[-96:]
    with pytest.raises(AggregateFormatError, match="opening of v_2"):
        AggregateProof.from_bytes(tail_bad)


@pytest.fixture(scope="module")
def four():
    srs, vk, _, publics, agg = _aggregate(4)
    return srs.verifier_key(), vk, publics, agg.to_bytes()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(13, encoded_size(4) - 1), flip=st.integers(1, 255))
def test_a_tampered_byte_is_rejected(four, position, flip):
    srs_vk, vk, publics, data = four
    tampered = bytearray(data)
    tampered[position] ^= flip
    try:
        agg = AggregateProof.from_bytes(bytes(tampered))
    except AggregateFormatError:
        return
    assert not verify_aggregate(srs_vk, vk, publics, agg, LABEL)


@pytest.mark.slow
def test_one_invalid_proof_among_1024_is_rejected():
    vk, proofs, publics = demo_proofs(1024)
    srs = demo_srs(1024)
    assert verify_aggregate(srs.verifier_key(), vk, publics,
                            aggregate(srs, vk, proofs, publics, LABEL), LABEL)
    bad = list(proofs)
    bad[777] = dataclasses.replace(bad[777], a=bad[777].a + G1.generator())
    agg = aggregate(srs, vk, bad, publics, LABEL)
    assert not verify_aggregate(srs.verifier_key(), vk, publics, agg, LABEL)
