# SPDX-License-Identifier: MIT
"""``zkcx setup``, ``prove``, ``verify`` and ``export``: the Groth16 commands, one to one
onto ``zkcx.groth16`` calls, with snarkjs's argument order where snarkjs has the
command (``verify vk public proof``; ``export calldata public proof``). ``prove`` takes
a circom witness or a kernel spec and its inputs (``--kernel SPEC --input ...
[--node N --task T]``); several witnesses (``prove KEY W1.wtns W2.wtns ...``) are proved
together by ``groth16.prove_many``."""

from __future__ import annotations

import argparse
import pathlib

from zkcx import groth16
from zkcx.cli._files import output_path
from zkcx.cli._output import Reporter
from zkcx.cli._proof_files import (
    read_circuit,
    read_lean_witness,
    read_lean_zkey,
    read_proof,
    read_public,
    read_vk,
    read_witness,
    read_zkey,
)
from zkcx.cli._startup import work_starts
from zkcx.cli.errors import UsageError


def cmd_setup(args: argparse.Namespace, out: Reporter) -> int:
    """Circuit-specific Groth16 setup from fresh randomness (``secrets``), for a
    ``.r1cs`` file or a kernel spec (``.toml``, compiled first)."""
    if args.r1cs.endswith(".toml"):
        from zkcx.cli.kernel_commands import load_kernel

        work_starts()
        r1cs = load_kernel(args.r1cs).circuit()
    else:
        work_starts()
        r1cs = read_circuit(args.r1cs)
    with out.step(f"setup of {r1cs.n_constraints} constraints") as progress:
        pk = groth16.setup(r1cs, progress=progress)
    zkey = output_path(args.zkey, "proving key")
    vk_path = output_path(args.vk or zkey.with_name("verification_key.json"), "verifying key")
    groth16.write_zkey(pk, zkey)
    groth16.write_verifying_key(pk.verifying_key, vk_path)
    out.line(f"proving key     {zkey}")
    out.line(f"verifying key   {vk_path}")
    out.line(f"kernel id       {pk.verifying_key.digest()}")
    out.set(zkey=str(zkey), verification_key=str(vk_path), kernel_id=pk.verifying_key.digest(),
            constraints=r1cs.n_constraints, public_inputs=r1cs.n_public)
    return 0


def prove_and_write(pk: groth16.ProvingKey, witness, r1cs, args: argparse.Namespace,
                    out: Reporter) -> int:
    """Prove, write proof.json and public.json where the arguments say, and report."""
    output_path(args.proof, "proof")
    output_path(args.public, "public signals")
    with out.step("proving") as progress:
        proof, public = groth16.prove(pk, witness, r1cs, progress=progress)
    groth16.write_proof(proof, args.proof)
    groth16.write_public(public, args.public)
    out.line(f"proof           {args.proof}")
    out.line(f"public signals  {args.public} ({len(public)} values)")
    out.set(proof=str(args.proof), public=str(args.public), n_public=len(public))
    return 0


def cmd_prove_wtns(args: argparse.Namespace, out: Reporter) -> int:
    """Prove from a circom/snarkjs ``.zkey`` and ``.wtns`` (as ``snarkjs groth16 prove``).
    Without ``--r1cs`` through the numpy-free prover (``groth16.lean``: the same checks,
    proof and files as ``groth16.prove``, with only the native core loaded)."""
    if not args.r1cs:
        return prove_wtns_lean(args, out)
    work_starts()
    with out.step("loading the proving key"):
        pk = read_zkey(args.zkey)
    witness = read_witness(args.wtns)
    if len(witness) != pk.n_wires:
        raise UsageError(f"the witness has {len(witness)} values but the proving key expects "
                         f"{pk.n_wires}: they are not from the same circuit")
    r1cs = read_circuit(args.r1cs) if args.r1cs else None
    return prove_and_write(pk, witness, r1cs, args, out)


def prove_wtns_lean(args: argparse.Namespace, out: Reporter) -> int:
    """``zkcx prove KEY WTNS``: one proof by ``groth16.lean.prove_lean``, proof.json and
    public.json written as ``groth16.write_proof``/``write_public`` write them."""
    from zkcx.groth16.lean import prove_lean

    work_starts()
    with out.step("loading the proving key"):
        key = read_lean_zkey(args.zkey)
    witness = read_lean_witness(args.wtns)
    if witness.n != key.n_wires:
        raise UsageError(f"the witness has {witness.n} values but the proving key expects "
                         f"{key.n_wires}: they are not from the same circuit")
    output_path(args.proof, "proof")
    output_path(args.public, "public signals")
    with out.step("proving"):
        proof = prove_lean(key, witness)
    proof.write(args.proof, args.public)
    public = proof.public
    out.line(f"proof           {args.proof}")
    out.line(f"public signals  {args.public} ({len(public)} values)")
    out.set(proof=str(args.proof), public=str(args.public), n_public=len(public))
    return 0


def witness_files(args: argparse.Namespace) -> list[str]:
    """The witness files of a ``prove`` command: ``--wtns`` first, then the positional
    ones."""
    return ([args.wtns] if args.wtns else []) + list(args.witnesses)


def prove_witness_files(args: argparse.Namespace, out: Reporter) -> int:
    """``zkcx prove KEY W1.wtns W2.wtns ...``: every witness proved under one key by
    ``groth16.prove_many`` (one proof per core, one batch verification); proof k (from
    1, in argument order) written to ``OUT_DIR/proof_k.json`` and ``public_k.json``
    (``--out-dir``, default the current folder, created if missing). Every witness is read
    and size-checked before any proving; a bad file (unreadable, not a witness, of the
    wrong size, unsatisfied) stops the run with exit code 2 and a message naming it, and
    no proof is written."""
    from zkcx.errors import ZkcxError

    files = witness_files(args)
    if args.proof != "proof.json" or args.public != "public.json":
        raise UsageError(f"--proof and --public name one proof's files, but {len(files)} "
                         "witnesses were given: their proofs go to --out-dir as "
                         "proof_1.json, public_1.json, ...")
    folder = pathlib.Path(args.out_dir or ".")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out-dir {str(folder)!r} is not a folder")
    work_starts()
    with out.step("loading the proving key"):
        pk = read_zkey(args.zkey)
    witnesses = []
    for path in files:
        witness = read_witness(path)
        if len(witness) != pk.n_wires:
            raise UsageError(f"witness {path!r} has {len(witness)} values but the proving key "
                             f"expects {pk.n_wires}: they are not from the same circuit")
        witnesses.append(witness)
    r1cs = read_circuit(args.r1cs) if args.r1cs else None
    try:
        with out.step(f"proving {len(files)} witnesses") as progress:
            results = groth16.prove_many(pk, witnesses, r1cs, progress=progress)
    except ZkcxError as exc:
        index = getattr(exc, "witness_index", None)
        if index is None:
            raise
        detail = str(exc).split(": ", 1)[-1]
        raise UsageError(f"witness {files[index]!r}: {type(exc).__name__}: {detail}") from None
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for k, (proof, public) in enumerate(results, start=1):
        proof_path, public_path = folder / f"proof_{k}.json", folder / f"public_{k}.json"
        groth16.write_proof(proof, proof_path)
        groth16.write_public(public, public_path)
        written.append({"proof": str(proof_path), "public": str(public_path),
                        "n_public": len(public)})
    out.line(f"proofs          {folder / 'proof_1.json'} .. proof_{len(results)}.json")
    out.line(f"public signals  {folder / 'public_1.json'} .. public_{len(results)}.json")
    out.set(proofs=written, count=len(results))
    return 0


def prove_kernel(args: argparse.Namespace, out: Reporter) -> int:
    """Quantize the inputs, compute the witness and prove (``zkcx prove --kernel``). A
    kernel with a claim binding is proved for ``--node`` and ``--task``."""
    from zkcx.cli._inputs import BINDING, read_kernel_inputs
    from zkcx.cli.kernel_commands import load_kernel
    from zkcx.errors import KernelInputError

    if args.node and args.task:  # a bound kernel's claim: the rollup says how it binds
        from zkcx.rollup import claim_binding
    work_starts()
    kernel = load_kernel(args.kernel)
    bound = kernel.binding_position is not None
    if bound and not (args.node and args.task):
        raise UsageError(f"kernel {kernel.spec.name!r} binds its proofs to a claim: give "
                         "--node NODE --task TASK (the claim's ids)")
    if not bound and (args.node or args.task):
        raise UsageError(f"kernel {kernel.spec.name!r} has no claim binding, so --node and "
                         "--task would not be proved (add `binding = true` to its spec)")
    inputs = read_kernel_inputs(args.input, quantized=args.quantized)
    if bound:
        inputs[BINDING] = claim_binding(args.node, args.task)
    try:
        with out.step(f"witness for {kernel.spec.name}"):
            witness = kernel.witness(**inputs)
    except KernelInputError as exc:  # names, shapes, bounds: the input files' fault
        sources = ", ".join(repr(item) for item in args.input)
        raise UsageError(f"--input {sources}: {type(exc).__name__}: {exc}") from None
    with out.step("loading the proving key"):
        pk = read_zkey(args.zkey)
    if pk.n_wires != kernel.circuit().n_wires or pk.n_public != kernel.circuit().n_public:
        raise UsageError(f"the proving key {args.zkey} is not for kernel {kernel.spec.name!r} "
                         "(its sizes differ): run `zkcx setup` on this spec")
    return prove_and_write(pk, witness, kernel.circuit(), args, out)


def cmd_verify(args: argparse.Namespace, out: Reporter) -> int:
    """Verify a proof: exit 0 if valid, 1 if not (as ``snarkjs groth16 verify``)."""
    work_starts()
    vk = read_vk(args.vk)
    public = read_public(args.public)
    proof = read_proof(args.proof)
    if len(public) != vk.n_public:
        raise UsageError(f"{args.public} has {len(public)} public signals but the verifying "
                         f"key expects {vk.n_public}")
    if args.kernel:
        problem = _out_of_bounds(args.kernel, vk, public)
        if problem:
            out.line(f"INVALID: {problem}")
            out.set(valid=False, kernel_id=vk.digest(), out_of_bounds=problem)
            return 1
    ok = groth16.verify(vk, public, proof)
    out.line("OK: the proof is valid" if ok else "INVALID: the proof does not verify")
    out.set(valid=ok, kernel_id=vk.digest())
    return 0 if ok else 1


def _out_of_bounds(spec: str, vk: groth16.VerifyingKey, public: list[int]) -> str:
    """``verify --kernel SPEC``: why ``public`` leaves the public bounds of the kernel of
    ``spec`` (then verify exits 1, before the proof is checked: a circuit does not
    range-check its public inputs, so a valid proof of an out-of-range one proves
    nothing), or "" if it does not; a usage error when the key is not that kernel's."""
    from zkcx.cli.kernel_commands import load_kernel
    from zkcx.errors import PublicBoundsError

    kernel = load_kernel(spec)
    if len(kernel.public_inputs) != vk.n_public:
        raise UsageError(f"kernel {kernel.spec.name!r} has {len(kernel.public_inputs)} public "
                         f"signals but the verifying key expects {vk.n_public}: the key is "
                         "not this kernel's")
    try:
        kernel.check_public(public)
    except PublicBoundsError as exc:
        return str(exc)
    return ""


def cmd_export_solidity(args: argparse.Namespace, out: Reporter) -> int:
    """Write a Solidity verifier contract for a verifying key."""
    work_starts()
    vk = read_vk(args.vk)
    source = groth16.export_solidity(vk)
    output_path(args.output, "contract file").write_text(source)
    out.line(f"verifier contract  {args.output}")
    out.set(contract=str(args.output), n_public=vk.n_public)
    return 0


def cmd_export_calldata(args: argparse.Namespace, out: Reporter) -> int:
    """Print the verifier call's arguments (as ``snarkjs zkey export soliditycalldata``)."""
    work_starts()
    public = read_public(args.public)
    proof = read_proof(args.proof)
    calldata = groth16.export_calldata(proof, public)
    if out.as_json:
        out.set(calldata=calldata)
    else:
        print(calldata)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register setup, prove, verify and export."""
    p = sub.add_parser("setup", help="Groth16 setup of a circuit (.r1cs) into a .zkey")
    p.add_argument("r1cs", help="circuit .r1cs (circom's or `zkcx compile`'s) or a kernel "
                                "spec .toml")
    p.add_argument("zkey", help="proving key to write (.zkey, snarkjs's format)")
    p.add_argument("--vk", help="verifying key JSON to write "
                                "(default: verification_key.json beside the .zkey)")
    p.set_defaults(run=cmd_setup)

    p = sub.add_parser("prove", help="prove from a .zkey and a witness (.wtns) or kernel inputs",
                       description="Prove from a proving key and either a circom witness "
                                   "(--wtns) or a kernel spec and its inputs (--kernel, "
                                   "--input). A kernel with a claim binding (`binding = "
                                   "true` in its spec) is proved for one node and task "
                                   "(--node, --task), as its claim will name them. Several "
                                   "witnesses (`zkcx prove KEY W1.wtns W2.wtns ...`, "
                                   "--wtns counting as the first) are proved in one run, "
                                   "one proof per core, and proof k (from 1, in argument "
                                   "order) is written to OUT_DIR/proof_k.json and "
                                   "OUT_DIR/public_k.json; a bad witness file stops the "
                                   "run (exit 2, naming it) before any proof is written.")
    p.add_argument("zkey", help="proving key (.zkey)")
    p.add_argument("witnesses", nargs="*", metavar="WTNS",
                   help="witness files (.wtns) to prove together (see above)")
    p.add_argument("--wtns", help="circom/snarkjs witness file (.wtns)")
    p.add_argument("--out-dir", help="several witnesses: the folder for proof_k.json and "
                                     "public_k.json (default: the current folder; created "
                                     "if missing)")
    p.add_argument("--r1cs", help="circuit (.r1cs): check the witness first and name a "
                                  "failing constraint")
    p.add_argument("--kernel", help="kernel spec (circuits/*.toml) to compute the witness from "
                                    "--input")
    p.add_argument("--input", action="append", default=[],
                   help="kernel inputs (repeatable): in.json, an object mapping tensor "
                        "names to nested lists of numbers (`zkcx input template SPEC` "
                        "writes one), or NAME=file.npy. Every number is a real, integers "
                        "too (1 is 1.0), quantized as round(x * 2^frac_bits)")
    p.add_argument("--quantized", action="store_true",
                   help="the inputs are already fixed-point integers (X = round(x * "
                        "2^frac_bits) done by you); non-integers are refused")
    p.add_argument("--node", help="kernels with a claim binding: the claiming node's id")
    p.add_argument("--task", help="kernels with a claim binding: the claim's task id")
    p.add_argument("--proof", default="proof.json", help="proof to write (default proof.json)")
    p.add_argument("--public", default="public.json",
                   help="public signals to write (default public.json)")
    p.set_defaults(run=cmd_prove)

    p = sub.add_parser("verify", help="verify a proof (exit 1 if invalid)")
    p.add_argument("vk", help="verification_key.json")
    p.add_argument("public", help="public.json")
    p.add_argument("proof", help="proof.json")
    p.add_argument("--kernel", help="the kernel's spec (circuits/*.toml): refuse public "
                                    "signals outside its declared bounds (exit 1)")
    p.set_defaults(run=cmd_verify)

    p = sub.add_parser("export", help="export a Solidity verifier or its calldata")
    ex = p.add_subparsers(dest="what", required=True, metavar="{solidity,calldata}")
    q = ex.add_parser("solidity", help="a verifier contract for a verifying key")
    q.add_argument("vk", help="verification_key.json")
    q.add_argument("output", nargs="?", default="Verifier.sol",
                   help="contract file to write (default Verifier.sol)")
    q.set_defaults(run=cmd_export_solidity)
    q = ex.add_parser("calldata", help="the verifyProof call's arguments")
    q.add_argument("public", help="public.json")
    q.add_argument("proof", help="proof.json")
    q.set_defaults(run=cmd_export_calldata)


def cmd_prove(args: argparse.Namespace, out: Reporter) -> int:
    """Dispatch ``prove`` to the witness-file or the kernel-input path."""
    witnesses = bool(args.wtns or args.witnesses)
    if witnesses and (args.kernel or args.input):
        raise UsageError("give either witness files or --kernel with --input, not both")
    if not args.kernel and (args.input or args.quantized or args.node or args.task):
        raise UsageError("--input, --quantized, --node and --task go with --kernel SPEC")
    if args.out_dir is not None and len(args.witnesses) + bool(args.wtns) < 2:
        raise UsageError("--out-dir goes with several witness files (one proof is written "
                         "to --proof and --public)")
    if args.witnesses and (len(args.witnesses) > 1 or args.wtns):
        return prove_witness_files(args, out)
    if args.witnesses:
        args.wtns = args.witnesses[0]
    if args.wtns:
        return cmd_prove_wtns(args, out)
    if args.kernel:
        return prove_kernel(args, out)
    raise UsageError("nothing to prove from: give --wtns WITNESS (or several WTNS files) or "
                     "--kernel SPEC --input ...")
