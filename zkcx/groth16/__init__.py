# SPDX-License-Identifier: MIT
"""Groth16 on BN254, interchangeable with snarkjs 0.7: keys, setup, prove, verify,
batch verify, and the snarkjs files (.zkey, verification_key.json, proof.json,
public.json)."""

from zkcx.groth16.keys import Coefficients, Proof, ProvingKey, VerifyingKey
from zkcx.groth16.zkey import read_zkey, write_zkey, zkey_bytes

__all__ = [
    "Coefficients",
    "Proof",
    "ProvingKey",
    "VerifyingKey",
    "read_zkey",
    "write_zkey",
    "zkey_bytes",
]
