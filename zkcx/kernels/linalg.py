# SPDX-License-Identifier: MIT
"""Linear-algebra kernels: dot product, matrix product, dense layer. Each accumulates
at full precision and rescales once (docs/fixed-point.md)."""

from __future__ import annotations

from collections.abc import Mapping

from zkcx.kernels import ops
from zkcx.kernels import reference as ref
from zkcx.kernels.base import Kernel
from zkcx.kernels.registry import register
from zkcx.kernels.spec import binary_op_tensors, build_spec, check_accumulator

Overrides = Mapping[str, object] | None


def _sum_bits(a_bits: int, b_bits: int, terms: int) -> int:
    """Signed bits of a sum of ``terms`` products of an a_bits- and a b_bits-bit value."""
    return a_bits + b_bits - 1 + max(terms - 1, 0).bit_length()


@register
class Dot(Kernel):
    """z = floor(Σ_i x_i·y_i / 2^f) for vectors of length n; z has shape (). Defaults:
    x, y private, z public. n products + one rescale."""

    kind = "dot"

    def __init__(self, n: int, frac_bits: int = 8, bound_bits: int = 16, name: str | None = None,
                 visibility: Overrides = None, bounds: Overrides = None) -> None:
        super().__init__(build_spec(
            self.kind, name or f"dot_{n}", frac_bits,
            binary_op_tensors((n,), ("x", "y"), "z", bound_bits, bound_bits, ()),
            bounds, visibility, {"n": n}))
        s = self.spec
        check_accumulator(s, _sum_bits(s["x"].bound_bits, s["y"].bound_bits, n), "Σ x·y")

    def define(self, cs, t):
        return {"z": ops.dot_rescale(cs, t["x"], t["y"], self.spec.frac_bits,
                                     self.spec["z"].bound_bits)}

    def compute(self, t):
        return {"z": ref.dot_rescale(t["x"], t["y"], self.spec.frac_bits)}


@register
class Matmul(Kernel):
    """Y = floor(X·W / 2^f) for X (m, k), W (k, n). Defaults: X, W private, Y public.
    m·k·n products + m·n rescales."""

    kind = "matmul"

    def __init__(self, m: int, k: int, n: int, frac_bits: int = 8, bound_bits: int = 16,
                 name: str | None = None, visibility: Overrides = None,
                 bounds: Overrides = None) -> None:
        super().__init__(build_spec(
            self.kind, name or f"matmul_{m}x{k}x{n}", frac_bits,
            [("X", (m, k), "input", bound_bits, "private"),
             ("W", (k, n), "input", bound_bits, "private"),
             ("Y", (m, n), "output", bound_bits, "public")],
            bounds, visibility, {"m": m, "k": k, "n": n}))
        s = self.spec
        check_accumulator(s, _sum_bits(s["X"].bound_bits, s["W"].bound_bits, k), "X·W")

    def define(self, cs, t):
        return {"Y": ops.matmul(cs, t["X"], t["W"], self.spec.frac_bits,
                                self.spec["Y"].bound_bits)}

    def compute(self, t):
        return {"Y": ref.matmul(t["X"], t["W"], self.spec.frac_bits)}


@register
class Dense(Kernel):
    """Y = floor((X·Wᵀ + b·2^f) / 2^f) for a batch X (batch, in), W (out, in),
    b (out,). Defaults: X private, W and b private, Y public (make W, b committed to
    prove against a published model). batch·in·out products + batch·out rescales."""

    kind = "dense"

    def __init__(self, batch: int, n_in: int, n_out: int, frac_bits: int = 8,
                 bound_bits: int = 16, name: str | None = None, visibility: Overrides = None,
                 bounds: Overrides = None) -> None:
        super().__init__(build_spec(
            self.kind, name or f"dense_{batch}x{n_in}x{n_out}", frac_bits,
            [("X", (batch, n_in), "input", bound_bits, "private"),
             ("W", (n_out, n_in), "input", bound_bits, "private"),
             ("b", (n_out,), "input", bound_bits, "private"),
             ("Y", (batch, n_out), "output", bound_bits, "public")],
            bounds, visibility, {"batch": batch, "n_in": n_in, "n_out": n_out}))
        s = self.spec
        bits = max(_sum_bits(s["X"].bound_bits, s["W"].bound_bits, n_in),
                   s["b"].bound_bits + frac_bits) + 1
        check_accumulator(s, bits, "X·Wᵀ + b·2^f")

    def define(self, cs, t):
        return {"Y": ops.dense(cs, t["X"], t["W"], t["b"], self.spec.frac_bits,
                               self.spec["Y"].bound_bits)}

    def compute(self, t):
        return {"Y": ref.dense(t["X"], t["W"], t["b"], self.spec.frac_bits)}
