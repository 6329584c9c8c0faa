# SPDX-License-Identifier: MIT
"""Preprocessing kernels: per-feature normalization."""

from __future__ import annotations

from collections.abc import Mapping

from zkcx.kernels import ops
from zkcx.kernels import reference as ref
from zkcx.kernels.base import Kernel
from zkcx.kernels.registry import register
from zkcx.kernels.spec import build_spec, check_accumulator

Overrides = Mapping[str, object] | None


@register
class Normalize(Kernel):
    """Y = floor((X - μ)·s / 2^f) per feature, for X (batch, features), μ and s
    (features,) public (e.g. a mean and an inverse standard deviation). Defaults: X
    private, Y public. One product and one rescale per element."""

    kind = "normalize"

    def __init__(self, batch: int, features: int, frac_bits: int = 8, bound_bits: int = 16,
                 name: str | None = None, visibility: Overrides = None,
                 bounds: Overrides = None) -> None:
        super().__init__(build_spec(
            self.kind, name or f"normalize_{batch}x{features}", frac_bits,
            [("X", (batch, features), "input", bound_bits, "private"),
             ("mu", (features,), "input", bound_bits, "public"),
             ("s", (features,), "input", bound_bits, "public"),
             ("Y", (batch, features), "output", bound_bits, "public")],
            bounds, visibility, {"batch": batch, "features": features}))
        s = self.spec
        centred = max(s["X"].bound_bits, s["mu"].bound_bits) + 1
        check_accumulator(s, centred + s["s"].bound_bits - 1, "(X - μ)·s")

    def define(self, cs, t):
        return {"Y": ops.normalize(cs, t["X"], t["mu"], t["s"], self.spec.frac_bits,
                                   self.spec["Y"].bound_bits)}

    def compute(self, t):
        return {"Y": ref.normalize(t["X"], t["mu"], t["s"], self.spec.frac_bits)}
