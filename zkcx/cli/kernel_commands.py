# SPDX-License-Identifier: MIT
"""``zkcx compile`` (a catalogue spec to ``.r1cs`` plus a summary) and proving a kernel
from its inputs (``zkcx prove ZKEY --kernel SPEC --input ...``)."""

from __future__ import annotations

import argparse
import json
import pathlib
import time

import numpy as np

from zkcx import groth16, kernels
from zkcx.cli._output import Reporter, UsageError
from zkcx.r1cs import write_r1cs


def load_kernel(path: str) -> kernels.Kernel:
    """A kernel from a catalogue TOML file, with a usage error naming a missing file."""
    p = pathlib.Path(path)
    if not p.is_file():
        raise UsageError(f"kernel spec {path!r} does not exist or is not a file")
    return kernels.load(p)


def kernel_summary(kernel: kernels.Kernel) -> dict:
    """What a kernel is: its tensors (shape, bound, visibility), size and public signals."""
    spec = kernel.spec
    return {
        "name": spec.name,
        "kind": kernel.kind,
        "frac_bits": spec.frac_bits,
        "constraints": kernel.n_constraints,
        "tensors": [{"name": t.name, "role": t.role, "shape": list(t.shape),
                     "bound_bits": t.bound_bits, "visibility": t.visibility}
                    for t in (*spec.inputs, *spec.outputs)],
        "public_signals": len(kernel.public_inputs),
        "public_layout": [{"tensor": s.tensor, "what": s.what, "start": s.start,
                           "count": s.count} for s in kernel.public_layout],
    }


def cmd_compile(args: argparse.Namespace, out: Reporter) -> int:
    """Build a kernel's circuit and write it as circom's ``.r1cs``."""
    kernel = load_kernel(args.spec)
    start = time.perf_counter()
    with out.step(f"compiling {kernel.spec.name}"):
        r1cs = kernel.circuit()
    seconds = time.perf_counter() - start
    target = pathlib.Path(args.output or f"{kernel.spec.name}.r1cs")
    write_r1cs(r1cs, target)
    summary = kernel_summary(kernel)
    out.line(f"kernel          {summary['name']} ({summary['kind']}, f = {summary['frac_bits']})")
    out.line(f"constraints     {r1cs.n_constraints}")
    out.line(f"wires           {r1cs.n_wires}")
    out.line(f"public signals  {summary['public_signals']}")
    out.table(["tensor", "role", "shape", "bound bits", "visibility"],
              [[t["name"], t["role"], "x".join(map(str, t["shape"])) or "scalar",
                t["bound_bits"], t["visibility"]] for t in summary["tensors"]])
    out.line(f"written         {target} ({seconds:.2f} s)")
    out.set(r1cs=str(target), wires=r1cs.n_wires, compile_seconds=round(seconds, 4), **summary)
    return 0


def _read_inputs(specs: list[str]) -> dict[str, np.ndarray]:
    """Kernel inputs from ``file.json`` (an object of named nested lists) and
    ``NAME=file.npy`` arguments."""
    inputs: dict[str, np.ndarray] = {}
    for item in specs:
        if "=" in item:
            name, path = item.split("=", 1)
            if not pathlib.Path(path).is_file():
                raise UsageError(f"input file {path!r} does not exist")
            try:
                inputs[name] = np.load(path, allow_pickle=False)
            except ValueError as exc:
                raise UsageError(f"{path}: not a .npy array ({exc})") from exc
            continue
        path = pathlib.Path(item)
        if not path.is_file():
            raise UsageError(f"input file {item!r} does not exist")
        if path.suffix == ".npy":
            raise UsageError(f"name the tensor of {item}: NAME={item}")
        try:
            obj = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"{item}: not valid JSON ({exc})") from exc
        if not isinstance(obj, dict):
            raise UsageError(f"{item}: expected an object of named arrays")
        for name, value in obj.items():
            inputs[name] = np.asarray(value)
    if not inputs:
        raise UsageError("no kernel inputs: give --input inputs.json or --input NAME=x.npy")
    return inputs


def prove_kernel(args: argparse.Namespace, out: Reporter) -> int:
    """Quantize the inputs, compute the witness and prove (``zkcx prove --kernel``)."""
    from zkcx.cli.proof_commands import _existing, prove_and_write

    kernel = load_kernel(args.kernel)
    inputs = _read_inputs(args.input)
    with out.step(f"witness for {kernel.spec.name}"):
        witness = kernel.witness(**inputs)
    with out.step("loading the proving key"):
        pk = groth16.read_zkey(_existing(args.zkey, "proving key"))
    if pk.n_vars != kernel.circuit().n_wires or pk.n_public != kernel.circuit().n_public:
        raise UsageError(f"the proving key {args.zkey} is not for kernel {kernel.spec.name!r} "
                         "(its sizes differ): run `zkcx setup` on this spec")
    return prove_and_write(pk, witness, kernel.circuit(), args, out)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register compile."""
    p = sub.add_parser("compile", help="compile a kernel spec (circuits/*.toml) to .r1cs")
    p.add_argument("spec", help="kernel spec, e.g. circuits/matmul_16x16x16.toml")
    p.add_argument("-o", "--output", help="circuit to write (default NAME.r1cs)")
    p.set_defaults(run=cmd_compile)
