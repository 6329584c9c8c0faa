# SPDX-License-Identifier: MIT
"""``zkcx compile`` (a catalogue spec to ``.r1cs`` plus a summary) and ``zkcx input
template`` (a sample input file for a spec); ``load_kernel``, the kernel spec argument
of every command that takes one."""

from __future__ import annotations

import argparse
import json
import time

from zkcx import kernels
from zkcx.cli._files import MAX_TOML_BYTES, decode, output_path, read_bytes
from zkcx.cli._inputs import sample_inputs
from zkcx.cli._output import Reporter
from zkcx.cli._startup import work_starts
from zkcx.r1cs import write_r1cs


def load_kernel(path: str) -> kernels.Kernel:
    """A kernel from a catalogue TOML file; a usage error names a bad or missing file."""
    read_bytes(path, "kernel spec", max_bytes=MAX_TOML_BYTES)  # a file, readable, small
    return decode(path, "kernel spec", kernels.load, path)


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
    work_starts()
    kernel = load_kernel(args.spec)
    target = output_path(args.output or f"{kernel.spec.name}.r1cs", "circuit")
    start = time.perf_counter()
    with out.step(f"compiling {kernel.spec.name}"):
        r1cs = kernel.circuit()
    seconds = time.perf_counter() - start
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


def cmd_input_template(args: argparse.Namespace, out: Reporter) -> int:
    """Write a sample input file for a kernel: every input tensor, as reals."""
    work_starts()
    kernel = load_kernel(args.spec)
    values = sample_inputs(kernel, args.seed, zeros=args.zeros)
    target = output_path(args.output, "input file")
    target.write_text(json.dumps(values))
    out.line(f"input file      {target}")
    out.table(["tensor", "shape", "bound bits"],
              [[t.name, "x".join(map(str, t.shape)) or "scalar", t.bound_bits]
               for t in kernel.spec.inputs])
    out.line(f"values are reals, quantized at proving as round(x * 2^{kernel.spec.frac_bits})")
    out.set(input=str(target), tensors={t.name: list(t.shape) for t in kernel.spec.inputs},
            frac_bits=kernel.spec.frac_bits)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register compile."""
    p = sub.add_parser("compile", help="compile a kernel spec (circuits/*.toml) to .r1cs")
    p.add_argument("spec", help="kernel spec, e.g. circuits/matmul_16x16x16.toml")
    p.add_argument("-o", "--output", help="circuit to write (default NAME.r1cs)")
    p.set_defaults(run=cmd_compile)

    p = sub.add_parser("input", help="write a sample input file for a kernel")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{template}")
    q = verbs.add_parser(
        "template", help="a JSON object of the kernel's input tensors (reals)",
        description="Write a JSON object mapping each input tensor of the kernel to nested "
                    "lists of reals (random values within the bounds, on the fixed-point "
                    "grid), to edit and give to `zkcx prove --input`.")
    q.add_argument("spec", help="kernel spec (.toml)")
    q.add_argument("-o", "--output", default="in.json", help="file to write (default in.json)")
    q.add_argument("--seed", type=int, default=1, help="seed of the random values")
    q.add_argument("--zeros", action="store_true", help="all zeros instead of random values")
    q.set_defaults(run=cmd_input_template)
