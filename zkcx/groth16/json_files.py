# SPDX-License-Identifier: MIT
"""snarkjs 0.7 JSON files (docs/formats.md, JSON): ``verification_key.json``, ``proof.json``
and ``public.json``. Written exactly as snarkjs writes them (1-space indent, stable key
order, no trailing newline); read strictly (decimal strings, canonical values,
validated points, public values below r rejected rather than reduced).

Two kinds of entry point: ``read_*`` take a file (a path or an open file; a dict or list
is also accepted and parsed as below), ``*_from_json`` take an already parsed JSON value
and never open anything: a string where an object is expected is a ``FileFormatError``.
Errors: ``FileFormatError`` (not JSON, too deep, missing fields, wrong header),
``EncodingError`` (a value of the wrong type or form), ``PointError`` (a coordinate not
below p, a point off its curve or outside its subgroup), ``InvalidKeyError`` (a
verifying key that would accept forged proofs); all ``ZkcxError``s."""

from __future__ import annotations

import os
from typing import Any, BinaryIO, TextIO

from zkcx.curve import GT, encoding
from zkcx.errors import ArgumentTypeError, EncodingError, FileFormatError, PointError
from zkcx.groth16.keys import Proof, VerifyingKey, check_verifying_key
from zkcx.io import jsontext
from zkcx.params import FR_MODULUS, MAX_PUBLIC_SIGNALS

PathOrFile = str | os.PathLike | TextIO | BinaryIO


def _is_file(source: object) -> bool:
    return hasattr(source, "read") or isinstance(source, (str, os.PathLike))


def _load(source: PathOrFile, what: str) -> Any:
    """Read and decode a JSON *file*: a path or an open file. Parsed JSON values never
    come here (they go to the ``*_from_json`` functions), so data never names a file."""
    if hasattr(source, "read"):
        text = source.read()  # type: ignore[union-attr]
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            text = fh.read()
    else:
        raise ArgumentTypeError(f"{what}: expected a path or an open file, got "
                                f"{type(source).__name__}")
    return jsontext.loads(text, what)


def _dump(obj: Any, target: PathOrFile | None) -> str:
    return jsontext.dump(obj, target)


def _gt_json(value: GT) -> list:
    c = [str(v) for v in value.coefficients()]
    # tower order c0.c0.c0, c0.c0.c1, c0.c1.c0, ...: outer index = power of w,
    # inner = power of v, each an Fq2 [c0, c1]
    return [[[c[12 * k // 2 + 2 * j], c[12 * k // 2 + 2 * j + 1]] for j in range(3)]
            for k in range(2)]


def _object(obj: Any, what: str) -> dict:
    if not isinstance(obj, dict):
        raise FileFormatError(f"{what}: expected a JSON object, got {jsontext.short(obj)}")
    return obj


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
        raise FileFormatError(f"{what}: protocol {jsontext.short(obj['protocol'])} is not "
                              f"groth16")
    curve = obj.get("curve", "bn128")
    name = "".join(ch for ch in curve.upper() if ch.isalnum()) if isinstance(curve, str) else ""
    if name not in ("BN128", "BN254", "ALTBN128"):
        raise FileFormatError(f"{what}: curve {jsontext.short(curve)} is not BN254")


def read_verifying_key(source: PathOrFile | dict) -> VerifyingKey:
    """Read verification_key.json from a path or an open file (or a parsed dict); see
    :func:`verifying_key_from_json` for the checks and errors."""
    what = "verification key"
    return verifying_key_from_json(_load(source, what) if _is_file(source) else source)


def verifying_key_from_json(obj: Any) -> VerifyingKey:
    """A verifying key from a parsed verification_key.json object. Points are validated
    (range, curve, subgroup) and the key is refused with ``InvalidKeyError`` if alpha,
    beta, gamma, delta or an IC point is at infinity, or gamma equals beta or delta (any
    statement would verify). Never opens a file: a non-object is a ``FileFormatError``."""
    what = "verification key"
    obj = _object(obj, what)
    _check_header(obj, what)
    ic_raw = _field(obj, "IC", what)
    if not isinstance(ic_raw, list) or not ic_raw:
        raise FileFormatError(f"{what}: IC must be a non-empty list of G1 points")
    if len(ic_raw) > MAX_PUBLIC_SIGNALS + 1:
        raise FileFormatError(f"{what}: IC has {len(ic_raw)} points, at most "
                              f"{MAX_PUBLIC_SIGNALS + 1}")
    ic = tuple(_point(encoding.g1_from_json, {"IC": p}, "IC", what) for p in ic_raw)
    n_public = obj.get("nPublic", len(ic) - 1)
    if isinstance(n_public, bool) or n_public != len(ic) - 1:
        raise FileFormatError(f"{what}: nPublic is {jsontext.short(n_public)} but IC has "
                              f"{len(ic)} points")
    vk = VerifyingKey(
        _point(encoding.g1_from_json, obj, "vk_alpha_1", what),
        _point(encoding.g2_from_json, obj, "vk_beta_2", what),
        _point(encoding.g2_from_json, obj, "vk_gamma_2", what),
        _point(encoding.g2_from_json, obj, "vk_delta_2", what),
        ic,
    )
    check_verifying_key(vk, what)
    return vk


# -- proof -------------------------------------------------------------------------------
def proof_json(proof: Proof) -> dict:
    return jsontext.proof_json(proof.a.to_affine(), proof.b.to_affine(), proof.c.to_affine())


def write_proof(proof: Proof, target: PathOrFile | None = None) -> str:
    """Write proof.json as ``snarkjs groth16 prove`` does."""
    return _dump(proof_json(proof), target)


def read_proof(source: PathOrFile | dict) -> Proof:
    """Read proof.json from a path or an open file (or a parsed dict); see
    :func:`proof_from_json`."""
    return proof_from_json(_load(source, "proof") if _is_file(source) else source)


def proof_from_json(obj: Any) -> Proof:
    """A proof from a parsed proof.json object; points are checked (range, curve, pi_b in
    the subgroup). Never opens a file: a non-object is a ``FileFormatError``."""
    what = "proof"
    obj = _object(obj, what)
    _check_header(obj, what)
    return Proof(
        _point(encoding.g1_from_json, obj, "pi_a", what),
        _point(encoding.g2_from_json, obj, "pi_b", what),
        _point(encoding.g1_from_json, obj, "pi_c", what),
    )


# -- public signals ---------------------------------------------------------------------
def write_public(signals: list[int], target: PathOrFile | None = None) -> str:
    return _dump(jsontext.public_json(signals), target)


def read_public(source: PathOrFile | list) -> list[int]:
    """Read public.json from a path or an open file (or a parsed list); see
    :func:`public_from_json`."""
    what = "public signals"
    return public_from_json(_load(source, what) if _is_file(source) else source)


def public_from_json(obj: Any) -> list[int]:
    """Public signals from a parsed public.json list: decimal strings (or JSON ints) of at
    most 100 digits, each in [0, r) — a negative value or one >= r is an
    ``EncodingError`` (values are not reduced, as snarkjs and the Solidity verifier do);
    at most ``MAX_PUBLIC_SIGNALS`` entries. Never opens a file: a non-list is a
    ``FileFormatError``."""
    what = "public signals"
    if not isinstance(obj, list):
        raise FileFormatError(f"{what}: expected a JSON list of decimal strings, got "
                            f"{jsontext.short(obj)}")
    if len(obj) > MAX_PUBLIC_SIGNALS:
        raise EncodingError(f"{what}: {len(obj)} entries, at most {MAX_PUBLIC_SIGNALS}")
    return [jsontext.decimal(v, f"{what}: entry {i}", FR_MODULUS, EncodingError,
                             bound_name="r (values are not reduced)")
            for i, v in enumerate(obj)]
