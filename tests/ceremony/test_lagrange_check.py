# SPDX-License-Identifier: MIT
"""A ptau's prepared sections must be the Lagrange transform of its powers: snarkjs's
prepared files pass, any changed block is refused naming its section and size (the
top point of section 12's truncated block included), and ``verify_zkey`` / ``zkcx zkey
verify`` refuse a key made from a ptau whose Lagrange blocks were replaced by those of
a tau someone knows — a key that otherwise matches that ptau in every section."""

from __future__ import annotations

import dataclasses
import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ceremony._zkey_ptau import VECTORS, assert_matches_rebuilt_key, vector_ptau
from tests.cli.conftest import run_main
from zkcx.ceremony import (
    contribute_ptau,
    contribute_zkey,
    new_ptau,
    new_zkey,
    prepare_ptau,
    verify_ptau,
    verify_zkey,
    write_ptau,
)
from zkcx.ceremony.lagrange_check import (
    check_lagrange_blocks,
    check_lagrange_sections,
    lagrange_sizes,
)
from zkcx.curve import G1, G1Vec, msm
from zkcx.errors import LagrangeSectionError
from zkcx.field import Fr, FrVec
from zkcx.groth16 import write_zkey
from zkcx.poly import ntt, root_of_unity
from zkcx.r1cs import read_r1cs

MULTIPLIER = VECTORS / "multiplier"
_FIELDS = {12: "lagrange_g1", 13: "lagrange_g2", 14: "lagrange_alpha_g1",
           15: "lagrange_beta_g1"}


@functools.cache
def evil_ptau(power: int):
    """A prepared ptau of a tau its maker knows (a contribution with fixed entropy)."""
    return prepare_ptau(contribute_ptau(new_ptau(power), "evil", entropy=b"known words"))


def with_block(ptau, section: int, size: int, source):
    """``ptau`` with the block of ``size`` of ``section`` taken from ``source``."""
    field = _FIELDS[section]
    limbs = getattr(ptau, field).limbs.copy()
    limbs[size - 1 : 2 * size - 1] = getattr(source, field).limbs[size - 1 : 2 * size - 1]
    vector = type(getattr(ptau, field)).from_montgomery(limbs, check_subgroup=False)
    return dataclasses.replace(ptau, **{field: vector})


def with_point_added(ptau, section: int, index: int, point):
    field = _FIELDS[section]
    points = list(getattr(ptau, field))
    points[index] = points[index] + point
    return dataclasses.replace(ptau, **{field: type(getattr(ptau, field)).from_points(points)})


@pytest.mark.parametrize("name", ["multiplier", "matmul4", "poseidon2"])
def test_snarkjs_prepared_files_pass(name):
    ptau = vector_ptau(name)
    check_lagrange_sections(ptau)
    assert lagrange_sizes(ptau, 12)[-1] == 2 * ptau.size
    assert lagrange_sizes(ptau, 13)[-1] == ptau.size


def test_a_free_top_power_in_the_truncated_block_is_refused():
    """Section 12's block of size 2N lacks tau^(2N-1): adding omega^i·P to its point i is
    putting P in that missing power's place. A check that zeroes the top coefficient of
    r never sees it; this one does."""
    ptau = vector_ptau("multiplier")
    m = 2 * ptau.size
    omegas = FrVec.powers(Fr(root_of_unity(m)), m)
    p = G1.generator() * Fr(123456789)
    block = ptau.lagrange_g1[m - 1 :]
    shifted = G1Vec.from_points([q + p * w for q, w in zip(block, omegas)])
    tampered = dataclasses.replace(
        ptau, lagrange_g1=G1Vec.concatenate([ptau.lagrange_g1[: m - 1], shifted]))
    r = FrVec.random(m)
    r[m - 1] = Fr(0)  # the blind spot of a check that drops the top power's coefficient
    assert msm(shifted, ntt(r)) == msm(block, ntt(r))
    with pytest.raises(LagrangeSectionError, match=f"section 12: the block of size {m} "):
        check_lagrange_sections(tampered)
    check_lagrange_blocks(tampered, 12, [1, 2, m // 2])  # the other blocks are fine


@settings(max_examples=30, deadline=None)
@given(section=st.sampled_from([12, 13, 14, 15]), data=st.data())
def test_any_changed_point_is_refused_naming_its_block(section, data):
    ptau = vector_ptau("multiplier")
    sizes = lagrange_sizes(ptau, section)
    size = data.draw(st.sampled_from(sizes[1:]), "size")  # size 1 is checked on reading
    index = size - 1 + data.draw(st.integers(0, size - 1), "index")
    base = getattr(ptau, _FIELDS[section])[0]
    tampered = with_point_added(ptau, section, index, base * Fr(data.draw(
        st.integers(1, 2**64), "k")))
    with pytest.raises(LagrangeSectionError,
                       match=f"section {section}: the block of size {size} is not"):
        check_lagrange_blocks(tampered, section, sizes)
    check_lagrange_blocks(tampered, section, [m for m in sizes if m != size])
    with pytest.raises(LagrangeSectionError, match=f"section {section}: the block of size "
                                                   f"{size} "):
        verify_ptau(tampered)


FORGED = [(12, 1), (12, 2), (13, 1), (14, 1), (15, 1)]  # (section, size / n)


@pytest.mark.parametrize("vector", ["multiplier", "poseidon2"])  # n = N and n < N
@pytest.mark.parametrize(("section", "factor"), FORGED)
def test_verify_zkey_refuses_a_key_from_replaced_lagrange_blocks(vector, section, factor):
    r1cs = read_r1cs(MULTIPLIER / "circuit.r1cs")
    ptau = vector_ptau(vector)
    n = new_zkey(r1cs, ptau).domain_size
    forged = with_block(ptau, section, factor * n, evil_ptau(ptau.power))
    pk = contribute_zkey(new_zkey(r1cs, forged), "alice", b"alice's entropy")
    with pytest.raises(LagrangeSectionError,
                       match=f"section {section}: the block of size {factor * n} is not"):
        verify_zkey(r1cs, forged, pk)
    assert_matches_rebuilt_key(r1cs, forged, pk)


def test_zkey_verify_command_exits_1_naming_the_block(tmp_path):
    r1cs = read_r1cs(MULTIPLIER / "circuit.r1cs")
    ptau = vector_ptau("multiplier")
    forged = with_block(ptau, 12, 2 * ptau.size, evil_ptau(ptau.power))
    write_ptau(forged, tmp_path / "forged.ptau")
    write_zkey(contribute_zkey(new_zkey(r1cs, forged), "alice", b"words"),
               tmp_path / "k.zkey")
    run = run_main("zkey", "verify", MULTIPLIER / "circuit.r1cs", tmp_path / "forged.ptau",
                   tmp_path / "k.zkey")
    assert run.code == 1, run.stderr
    assert "INVALID" in run.stdout
    assert f"section 12: the block of size {2 * ptau.size} is not the Lagrange" in run.stdout
    run = run_main("--json", "zkey", "verify", MULTIPLIER / "circuit.r1cs",
                   tmp_path / "forged.ptau", tmp_path / "k.zkey")
    assert run.code == 1 and run.json()["error"] == "LagrangeSectionError"
