# SPDX-License-Identifier: MIT
"""Kernel figures (issue 5): per catalogue kernel (circuits/*.toml) the constraint
count, compile time (building the R1CS), witness time (quantize, check, solve),
Groth16 setup, prove and verify times, and the proof size.

Proof size is given two ways: the EVM encoding of the proof (pi_a, pi_b, pi_c as
uncompressed 32-byte big-endian coordinates: 2·64 + 128 = 256 bytes, the calldata a
Solidity verifier takes) and the length of snarkjs's proof.json as zkcx writes it.
Inputs are random integers small enough that no output overflows its bound.
One run per kernel, in this process; the machine may be shared (see the load line).

With ``--circom`` a second table compares matmul 16×16×16 and 32×32×32 with the same
kernel written in circom (benchmarks/circom/matmul.circom, same semantics): circom2's
constraint count (``--O2``, per ``snarkjs r1cs info``), its compile and wasm witness
times, and ``snarkjs groth16 prove`` (wall time of the node process) against zkcx's
``prove`` on the same inputs, best of ``--repeats`` runs each, alternating. circom's
output Y is checked to equal zkcx's reference first. circom's proving key is made by
``zkcx.groth16.setup`` (default) or, with ``--circom-key snarkjs``, by snarkjs from a
powers-of-tau file it makes (powersoftau new/contribute/prepare phase2 at 2^17 runs well
over an hour on 2 shared cores); either key is cached under .ci-cache/circom, untimed,
and snarkjs's prover does the same work with either.

    python benchmarks/kernels_report.py [--only matmul_32x32x32,relu_1024] [--circom]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import zkcx.kernels as K  # noqa: E402, I001
from benchmarks.circom import matmul_runner as circom  # noqa: E402
from benchmarks.machine import describe  # noqa: E402
from zkcx.errors import BoundError  # noqa: E402
from zkcx.groth16 import prove, setup, verify, write_proof  # noqa: E402

EVM_PROOF_BYTES = 256
#: The catalogue kernels compared with their circom counterparts (``--circom``).
CIRCOM_KERNELS = ("matmul_16x16x16", "matmul_32x32x32")


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


def compare_with_circom(kernel: K.Kernel, tools: circom.Toolchain, repeats: int,
                        key: str = "snarkjs") -> dict:
    """zkcx against circom + snarkjs on one matmul kernel, from the same inputs; prove
    times alternate (zkcx, snarkjs) ``repeats`` times and the best of each is kept."""
    spec = kernel.spec
    m, k, n = (int(spec.params[p]) for p in ("m", "k", "n"))
    bound = spec["Y"].bound_bits
    if {t.bound_bits for t in spec.tensors} != {bound}:
        raise ValueError(f"{spec.name}: the circom template takes one bound for X, W and Y")
    ins = inputs_for(kernel)
    r1cs = kernel.circuit()
    t = time.perf_counter()
    witness = kernel.witness(**ins)
    zkcx_witness_s = time.perf_counter() - t
    pk = setup(r1cs)
    compiled = circom.compile_matmul(tools, m, k, n, spec.frac_bits, bound)
    wtns = compiled.r1cs.with_suffix(".wtns")
    circom_witness_s = circom.compute_witness(tools, compiled, ins["X"], ins["W"], wtns)
    expected = kernel.reference(**ins)["Y"]
    if not np.array_equal(circom.read_output(wtns, m, n), expected):
        raise RuntimeError(f"{spec.name}: circom's Y differs from zkcx's reference")
    constraints = circom.n_constraints(tools, compiled.r1cs)
    if key == "snarkjs":
        ptau = circom.powers_of_tau(tools, circom.ptau_power(constraints, m * n))
        zkey = circom.groth16_setup(tools, compiled, ptau)
    else:
        zkey = circom.zkcx_setup(compiled)
    zkcx_times, snarkjs_times = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        proof, public = prove(pk, witness, r1cs)
        zkcx_times.append(time.perf_counter() - t)
        snarkjs_times += circom.time_prove(tools, zkey, wtns, repeats=1)
    if not verify(pk.verifying_key, public, proof):
        raise RuntimeError(f"{spec.name}: the zkcx proof does not verify")
    return {"zkcx_constraints": r1cs.n_constraints, "circom_constraints": constraints,
            "circom_compile": compiled.compile_seconds, "circom_witness": circom_witness_s,
            "zkcx_witness": zkcx_witness_s, "zkcx_prove": min(zkcx_times),
            "snarkjs_prove": min(snarkjs_times), "zkcx_all": zkcx_times,
            "snarkjs_all": snarkjs_times}


def print_circom_table(repeats: int, key: str) -> None:
    print()
    try:
        tools = circom.Toolchain.find()
    except circom.ToolchainMissing as exc:
        print(f"circom comparison skipped: {exc}")
        return
    print(f"circom comparison (circom compiler {_circom_version(tools)} via the circom2 npm "
          f"package, --O2; snarkjs "
          f"{_snarkjs_version(tools)}; circom's proving key made by {key}; best of "
          f"{repeats}, alternating):")
    print()
    print("| kernel | zkcx constraints | circom constraints | circom compile s | "
          "witness s (zkcx / circom wasm) | zkcx prove s | snarkjs prove s | "
          "snarkjs / zkcx |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in CIRCOM_KERNELS:
        kernel = K.load(ROOT / "circuits" / f"{name}.toml")
        c = compare_with_circom(kernel, tools, repeats, key)
        print(f"| {name} | {c['zkcx_constraints']} | {c['circom_constraints']} | "
              f"{c['circom_compile']:.2f} | {c['zkcx_witness']:.3f} / "
              f"{c['circom_witness']:.3f} | {c['zkcx_prove']:.2f} | "
              f"{c['snarkjs_prove']:.2f} | {c['snarkjs_prove'] / c['zkcx_prove']:.1f}x |",
              flush=True)
        print(f"<!-- {name} all runs: zkcx {', '.join(f'{v:.2f}' for v in c['zkcx_all'])}; "
              f"snarkjs {', '.join(f'{v:.2f}' for v in c['snarkjs_all'])} -->", flush=True)


def _circom_version(tools: circom.Toolchain) -> str:
    out = tools.run(tools.node_modules / "circom2" / "cli.js", "--version").stdout
    return out.split()[-1] if out.split() else "?"


def _snarkjs_version(tools: circom.Toolchain) -> str:
    return json.loads((tools.node_modules / "snarkjs" / "package.json").read_text())["version"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated kernel names")
    parser.add_argument("--circom", action="store_true",
                        help="add the circom/snarkjs comparison for " + ", ".join(CIRCOM_KERNELS))
    parser.add_argument("--repeats", type=int, default=3,
                        help="prove runs per side in the circom comparison (best is kept)")
    parser.add_argument("--circom-key", choices=("snarkjs", "zkcx"), default="zkcx",
                        help="who makes the circom circuit's proving key: snarkjs (powers of "
                             "tau + groth16 setup, cached) or zkcx.groth16.setup")
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
    if args.circom:
        print_circom_table(args.repeats, args.circom_key)
    print()
    print("Load average after the run: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
