# SPDX-License-Identifier: MIT
"""snarkjs 0.7 JSON files (docs/formats.md, JSON): ``verification_key.json``, ``proof.json``
and ``public.json``. Written exactly as snarkjs writes them (1-space indent, stable key
order, no trailing newline); read strictly (decimal strings, canonical values,
validated points, public values below r rejected rather than reduced)."""

from __future__ import annotations

import json
import os
from typing import Any, BinaryIO, TextIO

from zkcx.curve import GT, encoding
from zkcx.errors import EncodingError, FileFormatError, PointError
from zkcx.groth16.keys import Proof, VerifyingKey
from zkcx.params import FR_MODULUS

PathOrFile = str | os.PathLike | TextIO | BinaryIO


def _load(source: PathOrFile | dict | list, what: str) -> Any:
    if isinstance(source, (dict, list)):
        return source
    try:
        if hasattr(source, "read"):
            text = source.read()  # type: ignore[union-attr]
        else:
            with open(source, encoding="utf-8") as fh:  # type: ignore[arg-type]
                text = fh.read()
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"{what}: not valid JSON ({exc})") from exc


def _dump(obj: Any, target: PathOrFile | None) -> str:
    text = json.dumps(obj, indent=1)
    if target is None:
        return text
    if hasattr(target, "write"):
        try:
            target.write(text)  # type: ignore[union-attr]
        except TypeError:
            target.write(text.encode())  # type: ignore[union-attr]
    else:
        with open(target, "w", encoding="utf-8") as fh:  # type: ignore[arg-type]
            fh.write(text)
    return text


def _gt_json(value: GT) -> list:
    c = [str(v) for v in value.coefficients()]
    # tower order c0.c0.c0, c0.c0.c1, c0.c1.c0, ...: outer index = power of w,
    # inner = power of v, each an Fq2 [c0, c1]
    return [[[c[12 * k // 2 + 2 * j], c[12 * k // 2 + 2 * j + 1]] for j in range(3)]
            for k in range(2)]


def _field(obj: dict, key: str, what: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise FileFormatError(f"{what}: missing field {key!r}")
    return obj[key]


def _point(decoder, obj: dict, key: str, what: str):
    try:
        return decoder(_field(obj, key, what))
    except (PointError, EncodingError) as exc:
        raise type(exc)(f"{what}: {key}: {exc}") from exc


# -- verification key ------------------------------------------------------------------
def verifying_key_json(vk: VerifyingKey) -> dict:
    return {
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.n_public,
        "vk_alpha_1": encoding.g1_to_json(vk.alpha_1),
        "vk_beta_2": encoding.g2_to_json(vk.beta_2),
        "vk_gamma_2": encoding.g2_to_json(vk.gamma_2),
        "vk_delta_2": encoding.g2_to_json(vk.delta_2),
        "vk_alphabeta_12": _gt_json(vk.alphabeta()),
        "IC": [encoding.g1_to_json(p) for p in vk.ic],
    }


def write_verifying_key(vk: VerifyingKey, target: PathOrFile | None = None) -> str:
    """Write verification_key.json as ``snarkjs zkey export verificationkey`` does."""
    return _dump(verifying_key_json(vk), target)


def _check_header(obj: dict, what: str) -> None:
    if _field(obj, "protocol", what) != "groth16":
        raise FileFormatError(f"{what}: protocol {obj['protocol']!r} is not groth16")
    curve = "".join(ch for ch in str(obj.get("curve", "bn128")).upper() if ch.isalnum())
    if curve not in ("BN128", "BN254", "ALTBN128"):
        raise FileFormatError(f"{what}: curve {obj.get('curve')!r} is not BN254")


def read_verifying_key(source: PathOrFile | dict) -> VerifyingKey:
    what = "verification key"
    obj = _load(source, what)
    _check_header(obj, what)
    ic_raw = _field(obj, "IC", what)
    if not isinstance(ic_raw, list) or not ic_raw:
        raise FileFormatError(f"{what}: IC must be a non-empty list of G1 points")
    ic = tuple(_point(encoding.g1_from_json, {"IC": p}, "IC", what) for p in ic_raw)
    n_public = obj.get("nPublic", len(ic) - 1)
    if n_public != len(ic) - 1:
        raise FileFormatError(f"{what}: nPublic is {n_public} but IC has {len(ic)} points")
    return VerifyingKey(
        _point(encoding.g1_from_json, obj, "vk_alpha_1", what),
        _point(encoding.g2_from_json, obj, "vk_beta_2", what),
        _point(encoding.g2_from_json, obj, "vk_gamma_2", what),
        _point(encoding.g2_from_json, obj, "vk_delta_2", what),
        ic,
    )


# -- proof -------------------------------------------------------------------------------
def proof_json(proof: Proof) -> dict:
    return {
        "pi_a": encoding.g1_to_json(proof.a),
        "pi_b": encoding.g2_to_json(proof.b),
        "pi_c": encoding.g1_to_json(proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    }


def write_proof(proof: Proof, target: PathOrFile | None = None) -> str:
    """Write proof.json as ``snarkjs groth16 prove`` does."""
    return _dump(proof_json(proof), target)


def read_proof(source: PathOrFile | dict) -> Proof:
    """Read proof.json; points are checked (range, curve, pi_b in the subgroup)."""
    what = "proof"
    obj = _load(source, what)
    _check_header(obj, what)
    return Proof(
        _point(encoding.g1_from_json, obj, "pi_a", what),
        _point(encoding.g2_from_json, obj, "pi_b", what),
        _point(encoding.g1_from_json, obj, "pi_c", what),
    )


# -- public signals ---------------------------------------------------------------------
def write_public(signals: list[int], target: PathOrFile | None = None) -> str:
    return _dump([str(int(s)) for s in signals], target)


def read_public(source: PathOrFile | list) -> list[int]:
    """Read public.json: decimal strings, each below r (a value >= r is rejected, not
    reduced, as snarkjs and the Solidity verifier do)."""
    what = "public signals"
    obj = _load(source, what)
    if not isinstance(obj, list):
        raise FileFormatError(f"{what}: expected a JSON list of decimal strings")
    out = []
    for i, v in enumerate(obj):
        if isinstance(v, bool) or not (isinstance(v, int) or
                                       (isinstance(v, str) and v.isascii() and v.isdigit())):
            raise EncodingError(f"{what}: entry {i} is {v!r}, not a decimal string")
        value = int(v)
        if value >= FR_MODULUS:
            raise EncodingError(f"{what}: entry {i} is not below r (values are not reduced)")
        out.append(value)
    return out
