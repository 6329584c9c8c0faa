# SPDX-License-Identifier: MIT
"""``zkcx prove KEY W1.wtns W2.wtns ...``: several witnesses proved in one run under one
proving key with ``groth16.prove_many`` (one proof per core, one batch verification).

Proof k (counted from 1, in the order of the arguments) is written to
``OUT_DIR/proof_k.json`` and ``OUT_DIR/public_k.json`` (``--out-dir``, default the
current folder, created if missing). Every witness is read and size-checked before any
proving; a bad file (unreadable, not a witness, of the wrong size, unsatisfied) stops
the run with exit code 2 and a message naming it, and no proof is written."""

from __future__ import annotations

import argparse
import pathlib

from zkcx.cli._output import Reporter
from zkcx.cli.errors import UsageError


def witness_files(args: argparse.Namespace) -> list[str]:
    """The witness files of a ``prove`` command: ``--wtns`` first, then the positional
    ones."""
    return ([args.wtns] if args.wtns else []) + list(args.witnesses)


def prove_witness_files(args: argparse.Namespace, out: Reporter) -> int:
    """Prove every witness file of ``args`` under ``args.zkey`` and write the numbered
    proofs (the module docstring)."""
    from zkcx import groth16
    from zkcx.cli.proof_commands import read_circuit, read_witness, read_zkey
    from zkcx.errors import ZkcxError

    files = witness_files(args)
    if args.proof != "proof.json" or args.public != "public.json":
        raise UsageError(f"--proof and --public name one proof's files, but {len(files)} "
                         "witnesses were given: their proofs go to --out-dir as "
                         "proof_1.json, public_1.json, ...")
    folder = pathlib.Path(args.out_dir or ".")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out-dir {str(folder)!r} is not a folder")
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
