# SPDX-License-Identifier: MIT
"""Kernel figures (issue 5): per catalogue kernel (circuits/*.toml) the constraint
count, compile time (building the R1CS), witness time (quantize, check, solve),
Groth16 setup, prove and verify times, and the proof size.

Proof size is given two ways: the EVM encoding of the proof (pi_a, pi_b, pi_c as
uncompressed 32-byte big-endian coordinates: 2·64 + 128 = 256 bytes, the calldata a
Solidity verifier takes) and the length of snarkjs's proof.json as zkcx writes it.
Inputs are random integers small enough that no output overflows its bound.
One run per kernel, in this process; the machine may be shared (see the load line).

    python benchmarks/kernels_report.py [--only matmul_32x32x32,relu_1024]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import zkcx.kernels as K  # noqa: E402, I001
from benchmarks.machine import describe  # noqa: E402
from zkcx.errors import BoundError  # noqa: E402
from zkcx.groth16 import prove, setup, verify, write_proof  # noqa: E402

EVM_PROOF_BYTES = 256


def inputs_for(kernel: K.Kernel, seed: int = 1) -> dict:
    """Random integer inputs, halving their magnitude until every output fits."""
    rng = np.random.default_rng(seed)
    magnitude = 1 << 14
    while True:
        ins = {t.name: rng.integers(-min(magnitude, t.high), min(magnitude, t.high) + 1,
                                    size=t.shape, dtype=np.int64)
               for t in kernel.spec.inputs}
        try:
            kernel.reference(**ins)
            return ins
        except BoundError:
            magnitude //= 2


def measure(kernel: K.Kernel) -> dict:
    t = time.perf_counter()
    r1cs = kernel.circuit()
    compile_s = time.perf_counter() - t
    ins = inputs_for(kernel)
    t = time.perf_counter()
    witness = kernel.witness(**ins)
    witness_s = time.perf_counter() - t
    t = time.perf_counter()
    pk = setup(r1cs)
    setup_s = time.perf_counter() - t
    t = time.perf_counter()
    proof, public = prove(pk, witness, r1cs)
    prove_s = time.perf_counter() - t
    t = time.perf_counter()
    ok = verify(pk.verifying_key, public, proof)
    verify_s = time.perf_counter() - t
    if not ok:
        raise RuntimeError(f"{kernel.spec.name}: the proof does not verify")
    return {"constraints": r1cs.n_constraints, "public": r1cs.n_public,
            "compile": compile_s, "witness": witness_s, "setup": setup_s, "prove": prove_s,
            "verify": verify_s, "json": len(write_proof(proof).encode())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated kernel names")
    args = parser.parse_args()
    only = {s for s in args.only.split(",") if s}
    print(describe())
    print()
    print("| kernel | constraints | public | compile s | witness s | setup s | prove s | "
          "verify s | proof bytes (EVM / proof.json) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for path in sorted((ROOT / "circuits").glob("*.toml")):
        if only and path.stem not in only:
            continue
        kernel = K.load(path)
        try:
            m = measure(kernel)
        except ImportError as exc:  # a gadget (e.g. the commitment) not there yet
            print(f"| {path.stem} | skipped: {exc} |")
            continue
        print(f"| {path.stem} | {m['constraints']} | {m['public']} | {m['compile']:.3f} | "
              f"{m['witness']:.3f} | {m['setup']:.2f} | {m['prove']:.2f} | "
              f"{m['verify']:.3f} | {EVM_PROOF_BYTES} / {m['json']} |", flush=True)


if __name__ == "__main__":
    main()
