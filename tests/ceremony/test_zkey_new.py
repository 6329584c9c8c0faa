# SPDX-License-Identifier: MIT
"""new_zkey makes the key ``snarkjs groth16 setup`` makes from the same r1cs and ptau,
byte for byte (the vectors' circuit_0000.zkey, and snarkjs run here on other pairs)."""

from __future__ import annotations

import dataclasses

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from tests.ceremony._zkey_circuits import chain_r1cs, random_prepared_ptau
from tests.ceremony._zkey_node import snarkjs  # noqa: F401 (fixture)
from tests.ceremony._zkey_ptau import NAMES, VECTORS, vector_ptau
from zkcx.ceremony.zkey_new import _wasm_sub_affine, new_zkey, write_new_zkey
from zkcx.ceremony.zkey_transcript import read_transcript
from zkcx.curve import G1
from zkcx.curve.encoding import g1_to_evm
from zkcx.errors import PtauTooSmallError, UnpreparedPtauError
from zkcx.field import Fr
from zkcx.groth16.setup import domain_size_for
from zkcx.groth16.zkey import zkey_bytes
from zkcx.params import FR_MODULUS
from zkcx.r1cs import read_r1cs, write_r1cs


@pytest.mark.parametrize("name", NAMES)
def test_the_key_is_snarkjss_setup_byte_for_byte(name: str) -> None:
    pk = new_zkey(read_r1cs(VECTORS / name / "circuit.r1cs"), vector_ptau(name))
    assert zkey_bytes(pk) == (VECTORS / name / "circuit_0000.zkey").read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_writing_while_hashing_gives_the_same_file_and_key(name: str, tmp_path) -> None:
    # write_new_zkey writes sections 1-9 before the circuit hash is done
    target = tmp_path / "new.zkey"
    pk = write_new_zkey(read_r1cs(VECTORS / name / "circuit.r1cs"), vector_ptau(name), target)
    expected = (VECTORS / name / "circuit_0000.zkey").read_bytes()
    assert target.read_bytes() == expected
    assert zkey_bytes(pk) == expected


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch) -> None:
    import zkcx.ceremony.zkey_new as module

    def broken(*args, **kwargs):
        raise RuntimeError("hash thread failed")

    monkeypatch.setattr(module, "_h_hash_points", broken)
    target = tmp_path / "new.zkey"
    with pytest.raises(RuntimeError, match="hash thread failed"):
        write_new_zkey(read_r1cs(VECTORS / "multiplier" / "circuit.r1cs"),
                       vector_ptau("multiplier"), target)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError, match="hash thread failed"):
        new_zkey(read_r1cs(VECTORS / "multiplier" / "circuit.r1cs"), vector_ptau("multiplier"))


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


@settings(max_examples=30, deadline=None)
@given(st.integers(1, FR_MODULUS - 1), st.integers(1, FR_MODULUS - 1))
def test_the_replayed_wasm_subtraction_is_subtraction_on_reduced_points(a: int, b: int) -> None:
    p, q = G1.generator() * Fr(a), G1.generator() * Fr(b)
    if p == q or p == -q:
        return
    assert _wasm_sub_affine(p.montgomery_limbs(), q.montgomery_limbs()) == g1_to_evm(p - q)


@pytest.mark.slow
def test_a_circuit_using_the_ptaus_full_power_matches_snarkjs(snarkjs, tmp_path) -> None:  # noqa: F811
    # n = N = 2^15: snarkjs's circuit hash reads one point past tau·G1 (zkey_new.py)
    ptau_module = pytest.importorskip("zkcx.ceremony.ptau")
    read_ptau, write_ptau = ptau_module.read_ptau, ptau_module.write_ptau
    ptau = random_prepared_ptau(vector_ptau("multiplier"), 15)
    r1cs = chain_r1cs(16400)
    assert domain_size_for(r1cs) == 1 << 15
    ptau_path, r1cs_path, out = tmp_path / "p.ptau", tmp_path / "c.r1cs", tmp_path / "s.zkey"
    write_ptau(ptau, ptau_path)
    write_r1cs(r1cs, r1cs_path)
    snarkjs("groth16", "setup", r1cs_path, ptau_path, out)
    assert zkey_bytes(new_zkey(r1cs, read_ptau(ptau_path))) == out.read_bytes()
