# SPDX-License-Identifier: MIT
"""Elementwise kernels: vector add, elementwise multiply, scale, ReLU."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from zkcx.errors import KernelSpecError
from zkcx.gadgets.affine import AffineVec
from zkcx.kernels import ops
from zkcx.kernels import reference as ref
from zkcx.kernels.base import Kernel
from zkcx.kernels.registry import register
from zkcx.kernels.spec import binary_op_tensors, build_spec, check_accumulator
from zkcx.r1cs import ConstraintSystem

Overrides = Mapping[str, object] | None


@register
class VectorAdd(Kernel):
    """Z = X + Y for vectors of length n; exact, so Z's bound is B + 1. Defaults: X, Y
    private, Z public. n constraints (+ range checks of private inputs)."""

    kind = "vector_add"

    def __init__(self, n: int, frac_bits: int = 8, bound_bits: int = 16, name: str | None = None,
                 visibility: Overrides = None, bounds: Overrides = None) -> None:
        super().__init__(build_spec(
            self.kind, name or f"vector_add_{n}", frac_bits,
            binary_op_tensors((n,), ("X", "Y"), "Z", bound_bits, bound_bits + 1),
            bounds, visibility, {"n": n}))

    def define(self, cs: ConstraintSystem, t):
        return {"Z": ops.add(cs, t["X"], t["Y"])}

    def compute(self, t):
        return {"Z": ref.add(t["X"], t["Y"])}


@register
class ElementwiseMul(Kernel):
    """Z = floor(X·Y / 2^f) elementwise; Z's bound defaults to B (an overflowing product
    is refused before proving). Defaults: X, Y private, Z public."""

    kind = "elementwise_mul"

    def __init__(self, n: int, frac_bits: int = 8, bound_bits: int = 16, name: str | None = None,
                 visibility: Overrides = None, bounds: Overrides = None) -> None:
        super().__init__(build_spec(
            self.kind, name or f"elementwise_mul_{n}", frac_bits,
            binary_op_tensors((n,), ("X", "Y"), "Z", bound_bits, bound_bits),
            bounds, visibility, {"n": n}))
        s = self.spec
        check_accumulator(s, s["X"].bound_bits + s["Y"].bound_bits - 1, "the product X·Y")

    def define(self, cs, t):
        return {"Z": ops.mul_rescale(cs, t["X"], t["Y"], self.spec.frac_bits,
                                     self.spec["Z"].bound_bits)}

    def compute(self, t):
        return {"Z": ref.mul_rescale(t["X"], t["Y"], self.spec.frac_bits)}


def _constant(value: object, frac_bits: int) -> int:
    """A constant scalar as a fixed-point integer: floats round(v·2^f), ints as given."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise KernelSpecError(f"scalar must be a number, got {value!r}")
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise KernelSpecError(f"scalar must be finite, got {value}")
        return int(np.round(float(value) * (1 << frac_bits)))
    return int(value)


@register
class Scale(Kernel):
    """Y = floor(s·X / 2^f) for a vector X and a fixed-point scalar s: a constant baked
    into the circuit (``scalar=0.5``: floats are quantized as round(s·2^f), ints taken
    as quantized) or, with ``scalar=None``, a public input tensor ``s`` of shape ()."""

    kind = "scale"

    def __init__(self, n: int, scalar: float | int | None = None, frac_bits: int = 8,
                 bound_bits: int = 16, name: str | None = None, visibility: Overrides = None,
                 bounds: Overrides = None) -> None:
        declared = [("X", (n,), "input", bound_bits, "private")]
        if scalar is None:
            declared.append(("s", (), "input", bound_bits, "public"))
        declared.append(("Y", (n,), "output", bound_bits, "public"))
        super().__init__(build_spec(self.kind, name or f"scale_{n}", frac_bits, declared,
                                    bounds, visibility, {"n": n, "scalar": scalar}))
        self.constant = None if scalar is None else _constant(scalar, frac_bits)
        s = self.spec
        s_bits = (s["s"].bound_bits if scalar is None
                  else max(abs(self.constant).bit_length() + 1, 2))
        check_accumulator(s, s["X"].bound_bits + s_bits - 1, "the product s·X")

    def define(self, cs, t):
        f, out = self.spec.frac_bits, self.spec["Y"].bound_bits
        if self.constant is None:
            return {"Y": ops.mul_rescale(cs, t["X"], t["s"], f, out)}
        with cs.namespace("scale"):
            return {"Y": ops.rescale(cs, AffineVec.of(t["X"]) * self.constant, f, out)}

    def compute(self, t):
        s = t["s"] if self.constant is None else np.int64(self.constant)
        return {"Y": ref.mul_rescale(t["X"], s, self.spec.frac_bits)}


@register
class Relu(Kernel):
    """Y = max(X, 0) elementwise, from the sign bit of X + 2^(B-1) (which also enforces
    X's bound, so X needs no separate range check). Defaults: X private, Y public."""

    kind = "relu"
    self_bounded = frozenset({"X"})

    def __init__(self, n: int, frac_bits: int = 8, bound_bits: int = 16, name: str | None = None,
                 visibility: Overrides = None, bounds: Overrides = None) -> None:
        super().__init__(build_spec(
            self.kind, name or f"relu_{n}", frac_bits,
            [("X", (n,), "input", bound_bits, "private"),
             ("Y", (n,), "output", bound_bits, "public")],
            bounds, visibility, {"n": n}))

    def define(self, cs, t):
        return {"Y": ops.relu(cs, t["X"], self.spec["X"].bound_bits)}

    def compute(self, t):
        return {"Y": ref.relu(t["X"])}
