# SPDX-License-Identifier: MIT
"""Groth16 on BN254, interchangeable with snarkjs 0.7: keys, setup, prove, verify,
batch verify, SnarkPack aggregation (``aggregate``, ``verify_aggregate``), and the
snarkjs files (.zkey, verification_key.json, proof.json, public.json); the Solidity
verifier and its calldata for EVM verification."""

from zkcx.groth16._aggregate_proof import AggregateProof
from zkcx.groth16._aggregate_srs import (
    AggregationSRS,
    AggregationVerifierKey,
    aggregation_srs,
    unsafe_local_aggregation_srs,
)
from zkcx.groth16.aggregate import aggregate, public_input_point, verify_aggregate
from zkcx.groth16.json_files import (
    read_proof,
    read_public,
    read_verifying_key,
    write_proof,
    write_public,
    write_verifying_key,
)
from zkcx.groth16.keys import Coefficients, Proof, ProvingKey, VerifyingKey
from zkcx.groth16.prove import prove
from zkcx.groth16.prove_many import prove_many
from zkcx.groth16.setup import setup
from zkcx.groth16.solidity import export_calldata, export_solidity
from zkcx.groth16.verify import BatchResult, PublicCheck, batch_verify, verify
from zkcx.groth16.zkey import read_zkey, write_zkey, zkey_bytes

__all__ = [
    "AggregateProof",
    "AggregationSRS",
    "AggregationVerifierKey",
    "BatchResult",
    "Coefficients",
    "Proof",
    "ProvingKey",
    "PublicCheck",
    "VerifyingKey",
    "aggregate",
    "aggregation_srs",
    "batch_verify",
    "export_calldata",
    "export_solidity",
    "prove",
    "prove_many",
    "public_input_point",
    "read_proof",
    "read_public",
    "read_verifying_key",
    "read_zkey",
    "setup",
    "unsafe_local_aggregation_srs",
    "verify",
    "verify_aggregate",
    "write_proof",
    "write_public",
    "write_verifying_key",
    "write_zkey",
    "zkey_bytes",
]
