# SPDX-License-Identifier: MIT
"""Claims: canonical bytes, hashes, signatures (EIP-712 digest checked against
eth-account), and decoding that refuses every malformed part."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.accounts.eth_account_reference import eth_account_digest
from tests.rollup.conftest import DOMAIN, Kit, addr, signer
from tests.vectors import curve_vector_generator
from zkcx.accounts import SECP256K1_N, Address, Signature
from zkcx.curve import G1, G2
from zkcx.errors import SignatureError
from zkcx.groth16 import Proof
from zkcx.params import FQ_MODULUS, FR_MODULUS
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import (
    Claim,
    ClaimStatement,
    MalformedClaimError,
    chain_domain,
    claim_binding,
    raw_claim_hash,
)
from zkcx.rollup.claim import CLAIM_TYPE, encode_proof

ids = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1,
              max_size=20)
addresses = st.binary(min_size=20, max_size=20).map(lambda raw: str(Address(raw)))
_TAIL = 8 + 65  # nonce and signature after the model fields


@pytest.fixture(scope="module")
def base(kernels_kit) -> Claim:
    return Kit(kernels_kit).claim("cube", "node-a", "task-1", 3, 4)


def _proof_offset(claim: Claim) -> int:
    """Byte offset of the proof in the claim's encoding (a claim without model)."""
    return len(claim.to_bytes()) - 1 - _TAIL - 256


def test_claim_round_trips_through_bytes(base):
    again = Claim.from_bytes(base.to_bytes())
    assert again == base
    assert again.claim_hash == base.claim_hash
    assert again.statement_hash == base.statement_hash


@given(node=addresses, task=ids, kind=st.sampled_from(list(ClaimKind)),
       public=st.lists(st.integers(0, FR_MODULUS - 1), max_size=5),
       model=st.none() | st.tuples(ids, st.integers(0, 2**64 - 1)),
       nonce=st.integers(0, 2**64 - 1),
       signature=st.none() | st.tuples(st.integers(1, SECP256K1_N - 1),
                                       st.integers(1, SECP256K1_N // 2), st.integers(0, 1)))
def test_any_valid_claim_round_trips_and_hashes_its_encoding(base, node, task, kind, public,
                                                              model, nonce, signature):
    mid, mver = model if model else (None, None)
    sig = None if signature is None else Signature(*signature)
    claim = Claim(node, task, base.kernel_id, tuple(public), base.proof, kind, mid, mver,
                  nonce, sig)
    assert claim.to_bytes()[-_TAIL:] == nonce.to_bytes(8, "big") + (
        bytes(65) if sig is None else bytes(sig))
    data = claim.to_bytes()
    assert Claim.from_bytes(data) == claim
    # an independent computation of the documented hash
    assert claim.claim_hash == hashlib.sha256(b"zkcx-claim-v1\x00" + data).digest()
    assert raw_claim_hash(data) == claim.claim_hash


def test_claim_hash_covers_every_field_and_statement_hash_only_the_statement(base):
    signed = base.signed(signer("node-a"), DOMAIN)
    variants = [replace(base, node_id=addr("node-b")), replace(base, task_id="task-2"),
                replace(base, kind=ClaimKind.INFERENCE),
                replace(base, model_id="m", model_version=0),
                replace(base, proof=Proof(base.proof.a, base.proof.b, base.proof.a)),
                replace(base, nonce=1), signed, base.signed(signer("node-a"), DOMAIN, 1)]
    hashes = {v.claim_hash for v in variants} | {base.claim_hash}
    assert len(hashes) == len(variants) + 1
    assert {v.statement_hash for v in variants} == {base.statement_hash}
    changed = replace(base, public_inputs=(base.public_inputs[0], 5))
    assert changed.statement_hash != base.statement_hash


def test_statement_hash_is_the_documented_sha256(base):
    expect = hashlib.sha256(b"zkcx-statement-v1\x00" + bytes.fromhex(base.kernel_id)
                            + len(base.public_inputs).to_bytes(4, "big")
                            + b"".join(v.to_bytes(32, "big") for v in base.public_inputs))
    assert base.statement_hash == expect.digest()


def test_statement_commitment_covers_the_statement_and_nothing_of_the_proof(base):
    # every statement field changes it; proof, nonce and signature do not
    statement_changes = [replace(base, node_id=addr("node-b")), replace(base, task_id="t2"),
                         replace(base, kind=ClaimKind.INFERENCE),
                         replace(base, public_inputs=(base.public_inputs[0], 5)),
                         replace(base, public_inputs=base.public_inputs[:1]),
                         replace(base, model_id="m", model_version=0),
                         replace(base, model_id="m", model_version=1),
                         replace(base, model_id="n", model_version=0)]
    commitments = {c.statement.commitment for c in statement_changes}
    assert len(commitments | {base.statement.commitment}) == len(statement_changes) + 1
    same = [replace(base, proof=Proof(base.proof.a, base.proof.b, base.proof.a)),
            replace(base, nonce=9), base.signed(signer("node-a"), DOMAIN, 3)]
    assert {c.statement.commitment for c in same} == {base.statement.commitment}
    assert "proof" not in str(base.statement.to_json())


def test_statement_commitment_is_the_documented_sha256(base):
    def text(s: str) -> bytes:
        raw = s.encode()
        return len(raw).to_bytes(2, "big") + raw

    for claim in (base, replace(base, model_id="m-é", model_version=7)):
        model = b"\x00" if claim.model_id is None else (
            b"\x01" + text(claim.model_id) + claim.model_version.to_bytes(8, "big"))
        raw = (text(claim.node_id) + text(claim.task_id) + bytes.fromhex(claim.kernel_id)
               + text(claim.kind.value) + len(claim.public_inputs).to_bytes(4, "big")
               + b"".join(v.to_bytes(32, "big") for v in claim.public_inputs) + model)
        expect = hashlib.sha256(b"zkcx-claim-statement-v1\x00" + raw).digest()
        assert claim.statement.commitment == expect


def test_statement_json_round_trips_and_refuses_bad_fields(base):
    statement = replace(base, model_id="m", model_version=2).statement
    assert ClaimStatement.from_json(statement.to_json()) == statement
    good = statement.to_json()
    for bad in (None, [], {**good, "public_inputs": "1,2"},
                {**good, "public_inputs": [str(FR_MODULUS)]}, {**good, "kind": "mining"},
                {**good, "kernel_id": "ab"}, {**good, "node_id": "0x12"},
                {**good, "model_version": None},
                {k: v for k, v in good.items() if k != "task_id"}):
        with pytest.raises(MalformedClaimError):
            ClaimStatement.from_json(bad)


def test_claim_binding_is_sha256_of_node_and_task_mod_r():
    raw = b"\x00\x01n\x00\x01t"
    expect = int.from_bytes(hashlib.sha256(b"zkcx-claim-binding-v1\x00" + raw).digest(),
                            "big") % FR_MODULUS
    assert claim_binding("n", "t") == expect
    assert claim_binding("n", "t") != claim_binding("t", "n")


@pytest.mark.parametrize("cut", [0, 1, 10, 60, -1])
def test_truncated_bytes_are_refused_with_the_field_named(base, cut):
    data = base.to_bytes()
    with pytest.raises(MalformedClaimError, match="truncated|version"):
        Claim.from_bytes(data[:cut] if cut >= 0 else data[:-1])


def test_trailing_bytes_are_refused(base):
    with pytest.raises(MalformedClaimError, match="trailing"):
        Claim.from_bytes(base.to_bytes() + b"\x00")


def test_a_proof_point_off_the_curve_is_refused(base):
    data = bytearray(base.to_bytes())
    off = _proof_offset(base)
    data[off + 63] ^= 1  # A.y
    with pytest.raises(MalformedClaimError, match="proof point"):
        Claim.from_bytes(bytes(data))


def test_a_coordinate_not_below_p_is_refused(base):
    data = bytearray(base.to_bytes())
    off = _proof_offset(base)
    data[off:off + 32] = FQ_MODULUS.to_bytes(32, "big")
    with pytest.raises(MalformedClaimError, match="not below p"):
        Claim.from_bytes(bytes(data))


def test_a_b_point_outside_the_subgroup_is_refused(base):
    import random

    pytest.importorskip("py_ecc")
    ref = curve_vector_generator()
    x0, x1, y0, y1 = ref.random_twist_point(random.Random(7))
    data = bytearray(base.to_bytes())
    off = _proof_offset(base) + 64
    data[off:off + 128] = b"".join(c.to_bytes(32, "big") for c in (x1, x0, y1, y0))
    with pytest.raises(MalformedClaimError, match="subgroup"):
        Claim.from_bytes(bytes(data))


def test_a_public_input_not_below_r_is_refused(base):
    data = bytearray(base.to_bytes())
    start = _proof_offset(base) - 32
    data[start:start + 32] = FR_MODULUS.to_bytes(32, "big")
    last = len(base.public_inputs) - 1  # the last public input, just before the proof
    with pytest.raises(MalformedClaimError, match=rf"public input {last} .*\[0, r\)"):
        Claim.from_bytes(bytes(data))


@pytest.mark.parametrize("field,value,match", [
    ("node_id", "", "account address"), ("node_id", "node-a", "account address"),
    ("task_id", "", "non-empty"), ("nonce", -1, "nonce"), ("nonce", 2**64, "nonce"),
    ("signature", b"\x01" * 65, "Signature"),
    ("kernel_id", "ab", "digest"), ("kernel_id", "G" * 64, "digest"),
    ("kind", "mining", "unknown claim kind"), ("public_inputs", (-1,), r"\[0, r\)"),
    ("public_inputs", (True,), r"\[0, r\)"), ("model_version", 3, "go together"),
    ("proof", "not a proof", "groth16.Proof"),
])
def test_construction_refuses_bad_fields(base, field, value, match):
    with pytest.raises(MalformedClaimError, match=match):
        replace(base, **{field: value})


def test_unknown_kind_in_bytes_is_refused(base):
    data = base.to_bytes().replace(b"\x00\x07compute", b"\x00\x07complex")
    with pytest.raises(MalformedClaimError, match="unknown claim kind"):
        Claim.from_bytes(data)


def test_a_bad_model_flag_is_refused(base):
    data = base.to_bytes()[:-1 - _TAIL] + b"\x02" + base.to_bytes()[-_TAIL:]
    with pytest.raises(MalformedClaimError, match="model flag"):
        Claim.from_bytes(data)


def test_identity_points_encode_and_decode(base):
    claim = replace(base, proof=Proof(G1.identity(), G2.identity(), G1.identity()))
    assert Claim.from_bytes(claim.to_bytes()) == claim


def test_claims_round_trip_through_json(kit, base):
    import json
    trained = kit.claim("train", "n1", "t1", 5, 3, 2, model=("m", 0))
    for claim in (base, trained, trained.signed(signer("n1"), DOMAIN, 7)):
        obj = json.loads(json.dumps(claim.to_json()))
        assert Claim.from_json(obj) == claim
        assert obj["proof"]["protocol"] == "groth16"


@pytest.mark.parametrize("change,match", [
    ({"format": "other"}, "zkcx-claim-v2"), ({"signature": "0x00"}, "65 bytes"),
    ({"signature": "01" * 65}, "0x"), ({"signature": "0x" + "ff" * 65}, "signature"),
    ({"nonce": -1}, "nonce"), ({"public": [str(FR_MODULUS), "1"]}, "r"),
    ({"proof": {"pi_a": ["1", "3", "1"]}}, "missing field"), ({"kind": "x"}, "unknown claim kind"),
    ({"proof": "off-curve"}, "curve"),
])
def test_malformed_json_claims_are_refused(base, change, match):
    obj = {**base.to_json(), **change}
    if obj["proof"] == "off-curve":
        obj["proof"] = {**base.to_json()["proof"], "pi_a": ["1", "3", "1"]}
    with pytest.raises(MalformedClaimError, match=match):
        Claim.from_json(obj)
    del obj["node_id"]
    with pytest.raises(MalformedClaimError):
        Claim.from_json(obj)


def test_kernel_registries_round_trip_through_json(kit):
    import json

    from zkcx.rollup import KernelRegistry
    again = KernelRegistry.from_json(json.loads(json.dumps(kit.kernels.to_json())))
    assert list(again) == list(kit.kernels)
    data = kit.kernels.to_json()
    data["kernels"][0]["kernel_id"] = "00" * 32
    with pytest.raises(ValueError, match="not the digest"):
        KernelRegistry.from_json(data)


# -- signatures --------------------------------------------------------------------------

def test_the_signed_digest_equals_eth_accounts_eip712(kit):
    claim = kit.claim("train", "n1", "t1", 5, 3, 2, model=("m", 4)).signed(
        signer("n1"), DOMAIN, 9)
    for c, model in ((claim, ("m", 4)), (replace(claim, model_id=None, model_version=None),
                                         ("", 0))):
        message = {"node": c.node_id, "task": c.task_id,
                   "kernel": bytes.fromhex(c.kernel_id), "kind": c.kind.value,
                   "publicInputs": list(c.public_inputs),
                   "proof": encode_proof(c.proof), "hasModel": c.model_id is not None,
                   "modelId": model[0], "modelVersion": model[1], "nonce": c.nonce}
        assert c.digest(DOMAIN) == eth_account_digest("Claim", CLAIM_TYPE.fields, message,
                                                      DOMAIN.chain_id)
    assert claim.signer(DOMAIN) == signer("n1").address


def test_a_signature_is_bound_to_its_claim_and_its_chain(base):
    signed = base.signed(signer("node-a"), DOMAIN, 3)
    again = Claim.from_bytes(signed.to_bytes())
    assert again == signed and again.signer(DOMAIN) == signer("node-a").address
    assert again.nonce == 3
    # any change of a signed field, or another chain, recovers someone else (or no one)
    for other, domain in [(replace(signed, task_id="t2"), DOMAIN),
                          (replace(signed, nonce=4), DOMAIN),
                          (replace(signed, public_inputs=(1, 2)), DOMAIN),
                          (signed, chain_domain(DOMAIN.chain_id + 1))]:
        with contextlib.suppress(SignatureError):
            assert other.signer(domain) != signer("node-a").address


def test_only_the_node_signs_its_claim(base):
    with pytest.raises(SignatureError, match="another account"):
        base.signed(signer("mallory"), DOMAIN)
    with pytest.raises(SignatureError, match="unsigned"):
        base.signer(DOMAIN)


def test_a_high_s_twin_of_a_signature_is_malformed(base):
    signed = base.signed(signer("node-a"), DOMAIN)
    sig = signed.signature
    twin = sig.r.to_bytes(32, "big") + (SECP256K1_N - sig.s).to_bytes(32, "big") \
        + bytes([1 - sig.v])
    data = signed.to_bytes()[:-65] + twin
    with pytest.raises(MalformedClaimError, match="high-s|n/2"):
        Claim.from_bytes(data)
    for bad in (bytes(64) + b"\x01", b"\x01" * 64 + b"\x02"):  # r = 0; v = 2
        with pytest.raises(MalformedClaimError, match="signature"):
            Claim.from_bytes(signed.to_bytes()[:-65] + bad)


def test_an_unsigned_claim_encodes_with_a_zero_signature(base):
    assert base.signature is None and base.to_bytes()[-65:] == bytes(65)
    assert Claim.from_bytes(base.to_bytes()).signature is None


def test_only_the_checksummed_spelling_of_an_address_names_a_node(base):
    lower = addr("node-a").lower()
    with pytest.raises(MalformedClaimError, match="EIP-55"):
        replace(base, node_id=lower)
    data = base.to_bytes().replace(addr("node-a").encode(), lower.encode())
    with pytest.raises(MalformedClaimError, match="EIP-55"):
        Claim.from_bytes(data)
