# SPDX-License-Identifier: MIT
"""Prove and verify: snarkjs's vectors (its proofs verify, its negative cases fail, our
proofs from its zkey and wtns verify, r = s = 0 reproduces its deterministic proof),
zkcx's own setup, tampering, zero knowledge and batch verification."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.groth16.conftest import demo_circuit
from zkcx.curve import G1, G2
from zkcx.errors import UnsatisfiedConstraintError
from zkcx.field import Fr
from zkcx.groth16 import Proof, batch_verify, prove, read_zkey, setup, verify
from zkcx.groth16.json_files import (
    proof_json,
    read_proof,
    read_public,
    read_verifying_key,
)
from zkcx.groth16.prove import UnsatisfiedWitnessError
from zkcx.groth16.verify import PublicInputCountError
from zkcx.params import FR_MODULUS
from zkcx.r1cs import read_r1cs, read_wtns


def test_snarkjs_proofs_verify_and_negative_cases_fail(vector):
    vk = read_verifying_key(vector / "verification_key.json")
    public = read_public(vector / "public.json")
    proof = read_proof(vector / "proof.json")
    assert verify(vk, public, proof)
    expected = json.loads((vector / "expected.json").read_text())
    for case in expected["negative"]:
        proof_file, public_file = vector / case["proof"], vector / case["public"]
        try:
            bad_proof, bad_public = read_proof(proof_file), read_public(public_file)
        except ValueError:
            continue  # refused while parsing: off-curve point or value >= r
        assert not verify(vk, bad_public, bad_proof), case


def test_zkcx_reproduces_snarkjs_deterministic_proof(vector):
    pk = read_zkey(vector / "circuit_final.zkey")
    w = read_wtns(vector / "witness.wtns")
    proof, public = prove(pk, w, blinding=(0, 0))
    assert proof_json(proof) == json.loads(
        (vector / "deterministic" / "proof_r0_s0.json").read_text())
    assert public == read_public(vector / "public.json")


def test_zkcx_proves_from_snarkjs_zkey_and_wtns(vector):
    pk = read_zkey(vector / "circuit_final.zkey")
    w = read_wtns(vector / "witness.wtns")
    r1cs = read_r1cs(vector / "circuit.r1cs")
    vk = read_verifying_key(vector / "verification_key.json")
    proof, public = prove(pk, w, r1cs)
    assert verify(vk, public, proof)
    other, _ = prove(pk, w)
    assert other != proof  # fresh blinding every time
    bad = w.copy()
    bad[len(bad) - 1] = bad[len(bad) - 1] + Fr(1)
    with pytest.raises(UnsatisfiedConstraintError):
        prove(pk, bad, r1cs)
    with pytest.raises(UnsatisfiedWitnessError):
        prove(pk, bad)


@pytest.fixture(scope="module")
def keyed():
    r1cs, variables = demo_circuit()
    return r1cs, variables, setup(r1cs)


def test_setup_prove_verify_round_trip(keyed):
    r1cs, (x, y, k, out), pk = keyed
    w = r1cs.solve({x: 3, y: 4, k: 5, out: 3 * 4 * 5 + 3})
    proof, public = prove(pk, w, r1cs)
    assert public == [63, 5]
    vk = pk.verifying_key
    assert verify(vk, public, proof)
    assert not verify(vk, [63, 6], proof)
    assert not verify(vk, [63 + FR_MODULUS, 5], proof)
    with pytest.raises(PublicInputCountError):
        verify(vk, [63], proof)


def test_tampering_any_coordinate_or_input_fails(keyed):
    r1cs, (x, y, k, out), pk = keyed
    vk = pk.verifying_key
    w = r1cs.solve({x: 7, y: 9, k: 2, out: 7 * 9 * 2 + 7})
    proof, public = prove(pk, w, r1cs)
    g1, g2 = G1.generator(), G2.generator()
    assert not verify(vk, public, Proof(proof.a + g1, proof.b, proof.c))
    assert not verify(vk, public, Proof(proof.a, proof.b + g2, proof.c))
    assert not verify(vk, public, Proof(proof.a, proof.b, proof.c + g1))
    assert not verify(vk, public, Proof(proof.c, proof.b, proof.a))
    for i in range(len(public)):
        changed = list(public)
        changed[i] = (changed[i] + 1) % FR_MODULUS
        assert not verify(vk, changed, proof)


@settings(max_examples=4, deadline=None)
@given(st.integers(0, FR_MODULUS - 1), st.integers(0, FR_MODULUS - 1),
       st.integers(0, FR_MODULUS - 1))
def test_random_statements_prove_and_verify(keyed, xv, yv, kv):
    r1cs, (x, y, k, out), pk = keyed
    w = r1cs.solve({x: xv, y: yv, k: kv, out: (xv * yv * kv + xv) % FR_MODULUS})
    proof, public = prove(pk, w, r1cs)
    assert verify(pk.verifying_key, public, proof)


def test_two_proofs_of_one_statement_differ(keyed):
    r1cs, (x, y, k, out), pk = keyed
    w = r1cs.solve({x: 1, y: 2, k: 3, out: 7})
    (p1, _), (p2, _) = prove(pk, w, r1cs), prove(pk, w, r1cs)
    assert p1.a != p2.a and p1.b != p2.b and p1.c != p2.c


def test_batch_verification_finds_the_bad_proofs(keyed, vector):
    r1cs, (x, y, k, out), pk = keyed
    vk = pk.verifying_key
    items = []
    rng = random.Random(4)
    for _ in range(6):
        xv, yv, kv = (rng.randrange(FR_MODULUS) for _ in range(3))
        w = r1cs.solve({x: xv, y: yv, k: kv, out: (xv * yv * kv + xv) % FR_MODULUS})
        proof, public = prove(pk, w, r1cs)
        items.append((vk, public, proof))
    # a second key: the snarkjs vector's
    svk = read_verifying_key(vector / "verification_key.json")
    items.append((svk, read_public(vector / "public.json"), read_proof(vector / "proof.json")))
    assert batch_verify(items).ok
    assert batch_verify(items, seed=b"block 7").ok
    tampered = list(items)
    v0, p0, pr0 = tampered[2]
    tampered[2] = (v0, p0, Proof(pr0.a, pr0.b, pr0.c + G1.generator()))
    v1, p1, pr1 = tampered[6]
    tampered[6] = (v1, [(p1[0] + 1) % FR_MODULUS, *p1[1:]], pr1)
    v2, p2, pr2 = tampered[4]
    tampered[4] = (v2, [p2[0] + FR_MODULUS, *p2[1:]], pr2)  # not below r
    result = batch_verify(tampered)
    assert not result.ok and result.failed == (2, 4, 6)
    assert batch_verify([]).ok


def test_corrupt_proving_key_is_caught(vector, curve_twist_point):
    """A B2 point outside G2: refused at load when asked, and by prove() otherwise."""
    import dataclasses

    import numpy as np

    from zkcx.curve import G2Vec
    from zkcx.errors import FileFormatError
    from zkcx.field import FqVec
    from zkcx.groth16 import zkey_bytes
    from zkcx.groth16.prove import InconsistentKeyError

    pk = read_zkey(vector / "circuit_final.zkey")
    limbs = pk.b2.limbs.copy()
    wire = int(np.flatnonzero(limbs.any(axis=1))[-1])
    limbs[wire] = FqVec.from_ints(list(curve_twist_point)).limbs.reshape(-1)
    bad = dataclasses.replace(pk, b2=G2Vec(limbs, check_subgroup=False))
    data = zkey_bytes(bad)
    with pytest.raises(FileFormatError, match="subgroup"):
        read_zkey(data, check_b2_subgroup=True)
    loaded = read_zkey(data)
    w = read_wtns(vector / "witness.wtns")
    with pytest.raises(InconsistentKeyError):
        prove(loaded, w, read_r1cs(vector / "circuit.r1cs"))


def test_batch_weights_are_distinct_glv_short_and_reproducible_from_a_seed(keyed):
    """Each weight is a + b lambda with a odd and a, b < 2^64 (Babai rounding with the
    GLV basis recovers them, so the weighting of A_i costs 64 doublings), a seed gives
    the same weights again, and fresh weights differ."""
    from zkcx.groth16.verify import _weights
    from zkcx.params import G1_GLV_BASIS, G1_GLV_LAMBDA

    r1cs, (x, y, k, out), pk = keyed
    w = r1cs.solve({x: 2, y: 3, k: 4, out: 2 * 3 * 4 + 2})
    proof, public = prove(pk, w, r1cs)
    items = [(pk.verifying_key, public, proof)] * 50
    (a1, b1), (a2, b2) = G1_GLV_BASIS
    for weights in (_weights(items, None), _weights(items, b"block 9")):
        assert len(set(weights)) == len(weights)
        for wt in weights:
            c1 = (b2 * wt * 2 + FR_MODULUS) // (2 * FR_MODULUS)
            c2 = (-b1 * wt * 2 + FR_MODULUS) // (2 * FR_MODULUS)
            a, b = wt - c1 * a1 - c2 * a2, -c1 * b1 - c2 * b2
            assert (a + b * G1_GLV_LAMBDA - wt) % FR_MODULUS == 0
            assert 0 < a < 2**64 and a % 2 == 1 and 0 <= b < 2**64
    assert _weights(items, b"block 9") == _weights(items, b"block 9")
    assert _weights(items, b"block 9") != _weights(items, b"block 10")
