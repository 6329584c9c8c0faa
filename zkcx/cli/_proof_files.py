# SPDX-License-Identifier: MIT
"""The Groth16 files the commands take as arguments (``.zkey``, ``.r1cs``, ``.wtns``,
verification_key.json, public.json, proof.json), each read through ``_files`` so that a
bad one is a usage error naming the argument and the file. Shared by ``prove`` (one
witness or several), ``zkey``, ``kernel register`` and the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkcx import groth16
from zkcx.cli._files import decode, mappable_path, read_json

if TYPE_CHECKING:
    from zkcx.groth16 import lean


def read_lean_zkey(path: str) -> lean.LeanKey:
    """A proving key argument for the numpy-free prover (``groth16.lean``), mapped and
    checked as ``read_zkey`` checks it."""
    from zkcx.groth16 import lean

    return decode(path, "proving key", lean.read_key,
                  mappable_path(path, "proving key", b"zkey"), path)


def read_lean_witness(path: str) -> lean.LeanWitness:
    """A witness (.wtns) argument for the numpy-free prover, read as ``read_witness``."""
    from zkcx.groth16 import lean

    return decode(path, "witness", lean.read_witness,
                  mappable_path(path, "witness", b"wtns"), path)


def read_zkey(path: str) -> groth16.ProvingKey:
    """A proving key (.zkey) argument, mapped (its points used in place)."""
    return decode(path, "proving key", groth16.read_zkey,
                  mappable_path(path, "proving key", b"zkey"), path)


def read_circuit(path: str):
    """A circuit (.r1cs) argument (mapped, its terms copied straight into the matrices)."""
    from zkcx.r1cs import read_r1cs

    return decode(path, "circuit", read_r1cs, mappable_path(path, "circuit", b"r1cs"), path)


def read_witness(path: str):
    """A witness (.wtns) argument (mapped, its values converted in place)."""
    from zkcx.r1cs import read_wtns

    return decode(path, "witness", read_wtns, mappable_path(path, "witness", b"wtns"), path)


def read_vk(path: str) -> groth16.VerifyingKey:
    """A verification_key.json argument."""
    return decode(path, "verifying key", groth16.read_verifying_key,
                  read_json(path, "verifying key"))


def read_public(path: str) -> list[int]:
    """A public.json argument."""
    return decode(path, "public signals", groth16.read_public,
                  read_json(path, "public signals"))


def read_proof(path: str) -> groth16.Proof:
    """A proof.json argument."""
    return decode(path, "proof", groth16.read_proof, read_json(path, "proof"))
