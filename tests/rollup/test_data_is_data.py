# SPDX-License-Identifier: MIT
"""A claim or kernels.json never names a file: a string or number where a proof,
public-signal list or verifying key object belongs is refused without opening anything."""

from __future__ import annotations

import builtins
import io
import os

import pytest

from tests.rollup.conftest import Kit
from zkcx import groth16
from zkcx.errors import FileFormatError
from zkcx.io import jsontext
from zkcx.params import FQ_MODULUS, FR_MODULUS
from zkcx.rollup import Claim, KernelRegistry, KernelRegistryError, MalformedClaimError


@pytest.fixture
def no_files(monkeypatch):
    """Fail the test if anything opens a file or a descriptor."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a decoder opened {args[:1]}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    monkeypatch.setattr(os, "fdopen", refuse)


@pytest.fixture(scope="module")
def claim_json(kernels_kit, tmp_path_factory):
    kit = Kit(kernels_kit)
    claim = kit.claim("cube", "node-a", "task-a", 3, 4)
    folder = tmp_path_factory.mktemp("files")
    groth16.write_proof(claim.proof, folder / "proof.json")
    groth16.write_public(list(claim.public_inputs), folder / "public.json")
    groth16.write_verifying_key(kit.kernels.get(claim.kernel_id).vk, folder / "vk.json")
    return claim.to_json(), folder


@pytest.mark.parametrize("value", [0, 1, 2, "/dev/zero", "/dev/stdin", "proof.json", 1.5,
                                   None, True, ["pi_a"]])
def test_a_claim_proof_that_is_not_an_object_is_refused(claim_json, no_files, value):
    obj, folder = claim_json
    value = str(folder / value) if value == "proof.json" else value
    with pytest.raises(MalformedClaimError, match="proof"):
        Claim.from_json(dict(obj, proof=value))


def test_a_path_to_a_valid_proof_is_refused(claim_json):
    """The path names a proof that verifies for this claim; it is still not a proof."""
    obj, folder = claim_json
    assert groth16.read_proof(folder / "proof.json") == Claim.from_json(obj).proof
    for key, name in (("proof", "proof.json"), ("public", "public.json")):
        with pytest.raises(MalformedClaimError, match=key):
            Claim.from_json(dict(obj, **{key: str(folder / name)}))


@pytest.mark.parametrize("value", [0, 1, "/dev/zero", "vk.json", None])
def test_a_kernels_json_verifying_key_that_is_not_an_object_is_refused(kit, claim_json,
                                                                       value):
    obj, folder = claim_json
    value = str(folder / value) if value == "vk.json" else value
    data = kit.kernels.to_json()
    data["kernels"][0]["verifying_key"] = value
    with pytest.raises(KernelRegistryError, match="verifying_key"):
        KernelRegistry.from_json(data)


def test_claim_text_fields_and_numbers_raise_only_claim_errors(claim_json):
    obj, _ = claim_json
    bad = [dict(obj, task_id="t\ud800"), dict(obj, node_id="\udfff"),
           dict(obj, public=["1" * 5000]), dict(obj, public=[-1]),
           dict(obj, public=[str(FR_MODULUS)]),
           dict(obj, model_id="m", model_version=1 << 64), dict(obj, kind=["compute"])]
    z = obj["proof"]["pi_a"]
    p = str(FQ_MODULUS)
    bad.append(dict(obj, proof=dict(obj["proof"], pi_a=[z[0], z[1], "-" + p])))
    bad.append(dict(obj, proof=dict(obj["proof"], pi_a=[z[0], z[1], -int(p)])))
    for item in bad:
        with pytest.raises(MalformedClaimError):
            Claim.from_json(item)


def test_claim_json_text_with_deep_nesting_or_huge_numbers_is_refused():
    for text in ("[" * 100_000 + "]" * 100_000, '{"a": ' + "1" * 5000 + "}"):
        with pytest.raises(FileFormatError):
            jsontext.loads(text, "claim")
