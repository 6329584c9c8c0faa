# SPDX-License-Identifier: MIT
"""new_zkey makes the key ``snarkjs groth16 setup`` makes from the same r1cs and ptau,
byte for byte (the vectors' circuit_0000.zkey, and snarkjs run here on other pairs)."""

from __future__ import annotations

import dataclasses

import pytest

from tests.ceremony._zkey_node import snarkjs  # noqa: F401 (fixture)
from tests.ceremony._zkey_ptau import NAMES, VECTORS, vector_ptau
from zkcx.ceremony.zkey_new import new_zkey
from zkcx.ceremony.zkey_transcript import read_transcript
from zkcx.errors import PtauTooSmallError, UnpreparedPtauError
from zkcx.groth16.zkey import zkey_bytes
from zkcx.r1cs import read_r1cs


@pytest.mark.parametrize("name", NAMES)
def test_the_key_is_snarkjss_setup_byte_for_byte(name: str) -> None:
    pk = new_zkey(read_r1cs(VECTORS / name / "circuit.r1cs"), vector_ptau(name))
    assert zkey_bytes(pk) == (VECTORS / name / "circuit_0000.zkey").read_bytes()


def test_a_fresh_key_has_no_contribution_and_generator_delta() -> None:
    pk = new_zkey(read_r1cs(VECTORS / "multiplier" / "circuit.r1cs"), vector_ptau("multiplier"))
    assert read_transcript(pk.contributions).contributions == ()
    assert pk.delta_1 == pk.delta_1.generator() and pk.delta_2 == pk.delta_2.generator()


def test_a_ptau_too_small_for_the_circuit_is_refused_naming_both_powers() -> None:
    with pytest.raises(PtauTooSmallError, match=r"2\^7.*power 2"):
        new_zkey(read_r1cs(VECTORS / "matmul4" / "circuit.r1cs"), vector_ptau("multiplier"))


def test_an_unprepared_ptau_is_refused() -> None:
    ptau = dataclasses.replace(vector_ptau("multiplier"), lagrange_g1=None, lagrange_g2=None,
                               lagrange_alpha_g1=None, lagrange_beta_g1=None)
    with pytest.raises(UnpreparedPtauError, match="ptau prepare"):
        new_zkey(read_r1cs(VECTORS / "multiplier" / "circuit.r1cs"), ptau)


@pytest.mark.parametrize("circuit, ptau", [("multiplier", "poseidon2"),
                                           ("matmul4", "poseidon2")])
def test_a_smaller_circuit_on_a_larger_ptau_matches_snarkjs(snarkjs, tmp_path, circuit,  # noqa: F811
                                                            ptau) -> None:
    out = tmp_path / "setup.zkey"
    snarkjs("groth16", "setup", VECTORS / circuit / "circuit.r1cs",
            VECTORS / ptau / "pot_final.ptau", out)
    pk = new_zkey(read_r1cs(VECTORS / circuit / "circuit.r1cs"), vector_ptau(ptau))
    assert zkey_bytes(pk) == out.read_bytes()
