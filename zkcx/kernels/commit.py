# SPDX-License-Identifier: MIT
"""Commitments to tensors, out of the circuit: what a verifier compares with the
commitment a proof carries as a public signal."""

from __future__ import annotations

from typing import Any

import numpy as np

from zkcx.errors import ArgumentTypeError
from zkcx.kernels.quantize import quantize
from zkcx.kernels.spec import KernelSpec, TensorSpec


def commit(tensor: Any, spec: TensorSpec | KernelSpec, name: str | None = None) -> int:
    """The Poseidon commitment (``zkcx.gadgets.commitment.commit_values``) of a tensor,
    with its shape and bound B (both bound into the commitment): the value the kernel's
    circuit computes for a committed tensor. ``spec`` is the tensor's ``TensorSpec``, or
    a ``KernelSpec`` with the tensor's ``name``. Floats are quantized with the kernel's f
    when a KernelSpec is given; integers are taken as quantized; shape and bound are
    checked."""
    from zkcx.gadgets.commitment import commit_values

    frac_bits = 0
    if isinstance(spec, KernelSpec):
        if name is None:
            raise ArgumentTypeError("commit(tensor, kernel_spec) needs the tensor's name: "
                                    "commit(tensor, kernel_spec, name)")
        frac_bits, spec = spec.frac_bits, spec[name]
    elif np.asarray(tensor).dtype.kind == "f":
        raise ArgumentTypeError("give integers (quantized) with a TensorSpec, or a KernelSpec "
                                "and the tensor's name to quantize floats")
    values = quantize(tensor, frac_bits, spec)
    return int(commit_values(values, spec.bound_bits))
