# SPDX-License-Identifier: MIT
"""``verify_zkey`` checks the ptau's blocks, the tauG2 powers and sections 8 (C) and 9
(H) in one random identity (zkcx/ceremony/zkey_verify.py): one point changed anywhere
it covers — in any section of the key, in any block of the ptau the key is made from,
in any power those blocks come from — is refused, naming the section (and the block),
and the identity alone already refuses it. A ptau whose tauG2 powers are not its tauG1
powers' twins, prepared consistently from them, is refused too (a check the rebuilt key
alone cannot make)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ceremony._zkey_ptau import VECTORS, vector_ptau
from tests.ceremony.test_lagrange_check import evil_ptau
from zkcx.ceremony import contribute_zkey, new_zkey, verify_zkey
from zkcx.ceremony import zkey_verify as zkey_verify_module
from zkcx.curve import G1, G2
from zkcx.errors import ContributionError, LagrangeSectionError, ZkeyMismatchError
from zkcx.field import Fr
from zkcx.groth16.zkey import read_zkey
from zkcx.r1cs import read_r1cs

NAME = "matmul4"  # n = N = 128: section 12's block of 2n lacks its top power
_KEY_SECTIONS = {"ic": (3, "IC", ZkeyMismatchError), "a": (5, "A", ZkeyMismatchError),
                 "b1": (6, "B1", ZkeyMismatchError), "b2": (7, "B2", ZkeyMismatchError),
                 "c": (8, "C", ContributionError), "h": (9, "H", ContributionError)}
_PTAU_FIELDS = {2: "tau_g1", 3: "tau_g2", 4: "alpha_tau_g1", 5: "beta_tau_g1",
                12: "lagrange_g1", 13: "lagrange_g2", 14: "lagrange_alpha_g1",
                15: "lagrange_beta_g1"}


def _r1cs():
    return read_r1cs(VECTORS / NAME / "circuit.r1cs")


def _key():
    return read_zkey(VECTORS / NAME / "circuit_final.zkey")


def _moved(vector, index: int, k: int):
    """``vector`` with point ``index`` moved by k times its group's generator."""
    points = list(vector)
    base = G2.generator() if isinstance(points[0], G2) else G1.generator()
    points[index] = points[index] + base * Fr(k)
    return type(vector).from_points(points)


def _identity_holds(r1cs, ptau, pk) -> bool:
    return zkey_verify_module._key_identity_holds(r1cs, ptau, pk, pk.domain_size)


def test_the_identity_holds_for_snarkjss_key():
    assert _identity_holds(_r1cs(), vector_ptau(NAME), _key())


@settings(max_examples=24, deadline=None)
@given(field=st.sampled_from(sorted(_KEY_SECTIONS)), data=st.data())
def test_one_changed_point_of_the_key_is_refused_naming_its_section(field, data):
    pk = _key()
    vector = getattr(pk, field)
    index = data.draw(st.integers(0, len(vector) - 1), "index")
    k = data.draw(st.integers(1, 2**64), "k")
    tampered = dataclasses.replace(pk, **{field: _moved(vector, index, k)})
    section, label, error = _KEY_SECTIONS[field]
    with pytest.raises(error, match=rf"section {section} \({label}\)"):
        verify_zkey(_r1cs(), vector_ptau(NAME), tampered)
    if field in ("c", "h"):  # the sections the identity covers
        assert not _identity_holds(_r1cs(), vector_ptau(NAME), tampered)


def _ptau_with(ptau, section: int, index: int, k: int):
    field = _PTAU_FIELDS[section]
    return dataclasses.replace(ptau, **{field: _moved(getattr(ptau, field), index, k)})


def _blocks_used(section: int, n: int) -> list[tuple[int, int]]:
    """(block size, first index) of the blocks of a Lagrange section a key of domain n
    is made from."""
    return [(m, m - 1) for m in ((n, 2 * n) if section == 12 else (n,))]


@settings(max_examples=24, deadline=None)
@given(section=st.sampled_from([12, 13, 14, 15]), data=st.data())
def test_one_changed_point_of_a_block_the_key_uses_is_refused_naming_it(section, data):
    """The key is made from the changed ptau, so it matches it in every section: only
    the blocks' check against the powers tells."""
    ptau, r1cs = vector_ptau(NAME), _r1cs()
    size, start = data.draw(st.sampled_from(_blocks_used(section, ptau.size)), "block")
    index = start + data.draw(st.integers(0, size - 1), "index")
    tampered = _ptau_with(ptau, section, index, data.draw(st.integers(1, 2**64), "k"))
    pk = contribute_zkey(new_zkey(r1cs, tampered), "alice", b"alice's words")
    with pytest.raises(LagrangeSectionError,
                       match=f"section {section}: the block of size {size} is not"):
        verify_zkey(r1cs, tampered, pk)
    assert not _identity_holds(r1cs, tampered, pk)


@settings(max_examples=24, deadline=None)
@given(section=st.sampled_from([2, 3, 4, 5]), data=st.data())
def test_one_changed_power_the_blocks_come_from_is_refused(section, data):
    """A power changed under unchanged blocks: snarkjs's own key no longer matches."""
    ptau = vector_ptau(NAME)
    n = ptau.size
    used = 2 * n - 1 if section == 2 else n
    index = data.draw(st.integers(1, used - 1), "index")  # tau^0 is checked on reading
    tampered = _ptau_with(ptau, section, index, data.draw(st.integers(1, 2**64), "k"))
    block = 2 * n if index >= n else n
    with pytest.raises(LagrangeSectionError,
                       match=f"section {section + 10}: the block of size {block} is not"):
        verify_zkey(_r1cs(), tampered, _key())
    assert not _identity_holds(_r1cs(), tampered, _key())


def test_tau_g2_powers_of_another_tau_prepared_consistently_are_refused():
    """Section 3 and its block 13 both taken from a ptau of another tau: every block is
    the transform of its own powers and the key matches the rebuilt one, but its B2
    points are not its B1 points' twins. Only comparing the tau powers tells."""
    ptau, r1cs = vector_ptau(NAME), _r1cs()
    evil = evil_ptau(ptau.power)
    n = ptau.size
    block = ptau.lagrange_g2.limbs.copy()
    block[n - 1 : 2 * n - 1] = evil.lagrange_g2.limbs[n - 1 : 2 * n - 1]
    mixed = dataclasses.replace(ptau, tau_g2=evil.tau_g2,
                                lagrange_g2=type(ptau.lagrange_g2).from_montgomery(block))
    pk = contribute_zkey(new_zkey(r1cs, mixed), "alice", b"alice's words")
    with pytest.raises(ContributionError, match=r"section 3 \(tauG2\).*not the G2 "
                                                "counterparts of section 2's"):
        verify_zkey(r1cs, mixed, pk)
    for section in (12, 13, 14, 15):  # the blocks are fine: they match their powers
        zkey_verify_module.check_lagrange_blocks(
            mixed, section, [b for b, _ in _blocks_used(section, n)])
