# SPDX-License-Identifier: MIT
"""Groth16 on BN254, interchangeable with snarkjs 0.7: keys, setup, prove, verify,
batch verify, SnarkPack aggregation (``aggregate``, ``verify_aggregate``), and the
snarkjs files (.zkey, verification_key.json, proof.json, public.json); the Solidity
verifier and its calldata for EVM verification."""

from zkcx._lazy import make_lazy

#: the package's names -> the module defining each, imported on first use (PEP 562) so
#: that importing a numpy-free module of the package (``zkcx.groth16.lean``, which
#: ``zkcx prove`` runs) does not load the rest, and numpy with it
_NAMES = {
    "AggregateProof": "zkcx.groth16._aggregate_proof",
    "AggregationSRS": "zkcx.groth16._aggregate_srs",
    "AggregationVerifierKey": "zkcx.groth16._aggregate_srs",
    "aggregation_srs": "zkcx.groth16._aggregate_srs",
    "unsafe_local_aggregation_srs": "zkcx.groth16._aggregate_srs",
    "aggregate": "zkcx.groth16.aggregate",
    "public_input_point": "zkcx.groth16.aggregate",
    "verify_aggregate": "zkcx.groth16.aggregate",
    "read_proof": "zkcx.groth16.json_files",
    "read_public": "zkcx.groth16.json_files",
    "read_verifying_key": "zkcx.groth16.json_files",
    "write_proof": "zkcx.groth16.json_files",
    "write_public": "zkcx.groth16.json_files",
    "write_verifying_key": "zkcx.groth16.json_files",
    "Coefficients": "zkcx.groth16.keys",
    "Proof": "zkcx.groth16.keys",
    "ProvingKey": "zkcx.groth16.keys",
    "VerifyingKey": "zkcx.groth16.keys",
    "prove": "zkcx.groth16.prove",
    "build_tables": "zkcx.groth16.prove",
    "prove_many": "zkcx.groth16.prove_many",
    "get_table_memory": "zkcx.groth16.native_prover",
    "set_table_memory": "zkcx.groth16.native_prover",
    "setup": "zkcx.groth16.setup",
    "export_calldata": "zkcx.groth16.solidity",
    "export_solidity": "zkcx.groth16.solidity",
    "BatchResult": "zkcx.groth16.verify",
    "PublicCheck": "zkcx.groth16.verify",
    "batch_verify": "zkcx.groth16.verify",
    "verify": "zkcx.groth16.verify",
    "read_zkey": "zkcx.groth16.zkey",
    "write_zkey": "zkcx.groth16.zkey",
    "zkey_bytes": "zkcx.groth16.zkey",
}


__getattr__, __dir__ = make_lazy(__name__, _NAMES)



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
    "build_tables",
    "export_calldata",
    "export_solidity",
    "get_table_memory",
    "prove",
    "prove_many",
    "public_input_point",
    "read_proof",
    "read_public",
    "read_verifying_key",
    "read_zkey",
    "set_table_memory",
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
