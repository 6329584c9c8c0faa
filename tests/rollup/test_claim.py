# SPDX-License-Identifier: MIT
"""Claims: canonical bytes, hashes, and decoding that refuses every malformed part."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkcx.curve import G1, G2
from zkcx.groth16 import Proof
from zkcx.params import FQ_MODULUS, FR_MODULUS
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import Claim, MalformedClaimError, claim_binding, raw_claim_hash

ids = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1,
              max_size=20)


@pytest.fixture(scope="module")
def base(kit) -> Claim:
    return kit.claim("cube", "node-a", "task-1", 3, 4)


def _proof_offset(claim: Claim) -> int:
    """Byte offset of the proof in the claim's encoding."""
    return len(claim.to_bytes()) - 1 - 256


def test_claim_round_trips_through_bytes(base):
    again = Claim.from_bytes(base.to_bytes())
    assert again == base
    assert again.claim_hash == base.claim_hash
    assert again.statement_hash == base.statement_hash


@given(node=ids, task=ids, kind=st.sampled_from(list(ClaimKind)),
       public=st.lists(st.integers(0, FR_MODULUS - 1), max_size=5),
       model=st.none() | st.tuples(ids, st.integers(0, 2**64 - 1)))
def test_any_valid_claim_round_trips_and_hashes_its_encoding(base, node, task, kind, public,
                                                              model):
    mid, mver = model if model else (None, None)
    claim = Claim(node, task, base.kernel_id, tuple(public), base.proof, kind, mid, mver)
    data = claim.to_bytes()
    assert Claim.from_bytes(data) == claim
    # an independent computation of the documented hash
    assert claim.claim_hash == hashlib.sha256(b"zkcx-claim-v1\x00" + data).digest()
    assert raw_claim_hash(data) == claim.claim_hash


def test_claim_hash_covers_every_field_and_statement_hash_only_the_statement(base):
    variants = [replace(base, node_id="node-b"), replace(base, task_id="task-2"),
                replace(base, kind=ClaimKind.INFERENCE),
                replace(base, model_id="m", model_version=0),
                replace(base, proof=Proof(base.proof.a, base.proof.b, base.proof.a))]
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
    import importlib.util
    import pathlib
    import random

    pytest.importorskip("py_ecc")
    path = pathlib.Path(__file__).resolve().parents[2] / "native/tests/gen_curve_vectors.py"
    spec = importlib.util.spec_from_file_location("gen_curve_vectors", path)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
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
    with pytest.raises(MalformedClaimError, match=r"public input 1 .*\[0, r\)"):
        Claim.from_bytes(bytes(data))


@pytest.mark.parametrize("field,value,match", [
    ("node_id", "", "non-empty"), ("task_id", "", "non-empty"),
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
    data = base.to_bytes()[:-1] + b"\x02"
    with pytest.raises(MalformedClaimError, match="model flag"):
        Claim.from_bytes(data)


def test_identity_points_encode_and_decode(base):
    claim = replace(base, proof=Proof(G1.identity(), G2.identity(), G1.identity()))
    assert Claim.from_bytes(claim.to_bytes()) == claim


def test_claims_round_trip_through_json(kit, base):
    import json
    for claim in (base, kit.claim("train", "n1", "t1", 5, 3, 2, model=("m", 0))):
        obj = json.loads(json.dumps(claim.to_json()))
        assert Claim.from_json(obj) == claim
        assert obj["proof"]["protocol"] == "groth16"


@pytest.mark.parametrize("change,match", [
    ({"format": "other"}, "zkcx-claim-v1"), ({"public": [str(FR_MODULUS), "1"]}, "r"),
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
    assert [(e.kernel_id, e.work_units, e.kinds, e.model_positions, e.binding_position)
            for e in again] == [(e.kernel_id, e.work_units, e.kinds, e.model_positions,
                                 e.binding_position) for e in kit.kernels]
    items = kit.kernels.to_json()
    items[0]["kernel_id"] = "00" * 32
    with pytest.raises(ValueError, match="not the digest"):
        KernelRegistry.from_json(items)
