# SPDX-License-Identifier: MIT
"""The aggregation SRS from two independent powers-of-tau files (as Filecoin takes it):
read back from .ptau files made with zkcx's ceremony code, it aggregates and verifies;
a file of too low a power, the same ceremony twice and an unsafe local SRS's marking."""

from __future__ import annotations

import pytest

from tests.groth16._aggregate_fixtures import demo_proofs
from zkcx.ceremony.phase1 import contribute_ptau, new_ptau
from zkcx.ceremony.ptau import read_ptau, write_ptau
from zkcx.curve import G1, G2
from zkcx.errors import AggregationSRSError, ArgumentTypeError
from zkcx.groth16 import (
    aggregate,
    aggregation_srs,
    unsafe_local_aggregation_srs,
    verify_aggregate,
)


@pytest.fixture(scope="module")
def ptau_files(tmp_path_factory):
    paths = []
    for name in ("first", "second"):
        ptau = contribute_ptau(new_ptau(3), f"{name} ceremony", entropy=name.encode())
        path = tmp_path_factory.mktemp("ptau") / f"{name}.ptau"
        write_ptau(ptau, path)
        paths.append(path)
    return paths


def test_an_srs_from_two_ptau_files_aggregates_and_verifies(ptau_files):
    a, b = (read_ptau(p) for p in ptau_files)
    srs = aggregation_srs(a, b, 4)
    assert not srs.unsafe and srs.size == 4
    key = srs.verifier_key()
    assert key.g_a == a.tau_g1[1] and key.h_b == b.tau_g2[1]
    assert srs.g_a_powers[0] == G1.generator() and srs.h_b_powers[0] == G2.generator()
    vk, proofs, publics = demo_proofs(3)
    agg = aggregate(srs, vk, proofs, publics, b"block")
    assert verify_aggregate(key, vk, publics, agg, b"block")
    other = aggregation_srs(b, a, 4)           # the roles swapped: another SRS
    assert not verify_aggregate(other.verifier_key(), vk, publics, agg, b"block")


def test_a_ptau_of_too_low_a_power_is_refused(ptau_files):
    a, b = (read_ptau(p) for p in ptau_files)
    with pytest.raises(AggregationSRSError, match="serves at most 4 proofs, 8 asked"):
        aggregation_srs(a, b, 8)


def test_the_same_ceremony_twice_is_refused(ptau_files):
    a = read_ptau(ptau_files[0])
    with pytest.raises(AggregationSRSError, match="independent"):
        aggregation_srs(a, read_ptau(ptau_files[0]), 2)


def test_arguments_are_checked(ptau_files):
    a = read_ptau(ptau_files[0])
    with pytest.raises(ArgumentTypeError, match="Ptau"):
        aggregation_srs(a, "second.ptau", 2)
    with pytest.raises(AggregationSRSError, match="power of two"):
        aggregation_srs(a, a, 3)


def test_the_local_srs_is_marked_unsafe_and_seeded():
    one, two = unsafe_local_aggregation_srs(2, b"s"), unsafe_local_aggregation_srs(2, "s")
    assert one.unsafe and one.g_a_powers.equals(two.g_a_powers)
    assert not one.g_a_powers.equals(unsafe_local_aggregation_srs(2, b"t").g_a_powers)
