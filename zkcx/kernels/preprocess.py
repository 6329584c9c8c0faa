# SPDX-License-Identifier: MIT
"""Preprocessing kernels: per-feature normalization and min-max scaling."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from zkcx import gadgets
from zkcx.gadgets import from_signed, to_signed
from zkcx.gadgets.affine import AffineVec, constrain
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


def minmax_reference(x: np.ndarray, frac_bits: int) -> np.ndarray:
    """Y = floor((X - lo)·2^f / max(hi - lo, 1)) with lo, hi the per-feature (column)
    minimum and maximum of X: values in [0, 2^f]."""
    x = np.asarray(x, dtype=np.int64)
    lo, hi = x.min(axis=0), x.max(axis=0)
    return ((x - lo) << frac_bits) // np.maximum(hi - lo, 1)


def _attained(cs, x: np.ndarray, m: np.ndarray, label: str) -> None:
    """Π_i (x_ij - m_j) = 0 for every column j: m_j equals one of the x_ij."""
    with cs.namespace(label):
        acc = AffineVec.of(x[0]) - AffineVec.of(m)
        for i in range(1, x.shape[0]):
            acc = AffineVec.of(gadgets.mul(cs, acc, AffineVec.of(x[i]) - AffineVec.of(m)))
        constrain(cs, acc, 1, None, label="zero")


@register
class MinMax(Kernel):
    """Min-max scaling of each feature (column) of X (batch, features) into [0, 1]:
    Y = floor((X - lo)·2^f / max(hi - lo, 1)), lo and hi the column's minimum and
    maximum, proved in the circuit (lo <= X <= hi by range checks, lo and hi attained
    by a zero product), the division by Y·d + R = (X - lo)·2^f with 0 <= R < d.
    Y's bound is f + 2 bits. Defaults: X private, Y public. About 4B + f + 7
    constraints per element."""

    kind = "minmax"

    def __init__(self, batch: int, features: int, frac_bits: int = 8, bound_bits: int = 16,
                 name: str | None = None, visibility: Overrides = None,
                 bounds: Overrides = None) -> None:
        super().__init__(build_spec(
            self.kind, name or f"minmax_{batch}x{features}", frac_bits,
            [("X", (batch, features), "input", bound_bits, "private"),
             ("Y", (batch, features), "output", frac_bits + 2, "public")],
            bounds, visibility, {"batch": batch, "features": features}))
        check_accumulator(self.spec, self.spec["X"].bound_bits + frac_bits + 1,
                          "(X - lo)·2^f")

    def define(self, cs, t):
        x = np.asarray(t["X"], dtype=np.int64)
        b, f = self.spec["X"].bound_bits, self.spec.frac_bits
        batch, features = x.shape
        with cs.namespace("minmax"):
            lo, hi = cs.new_variables(features), cs.new_variables(features)
            zero, inv = cs.new_variables(features), cs.new_variables(features)
            y, r = cs.new_variables(x.size).reshape(x.shape), cs.new_variables(x.size)

            def hint(xv):
                xs = to_signed(xv).reshape(batch, features)
                lo_v, hi_v = xs.min(axis=0), xs.max(axis=0)
                d = hi_v - lo_v
                z = (d == 0).astype(np.int64)
                inv_v = from_signed(d + z).inverse() * from_signed(1 - z)
                num = (xs - lo_v) << f
                dd = np.maximum(d, 1)
                return (from_signed(lo_v), from_signed(hi_v), from_signed(z), inv_v,
                        from_signed(num // dd), from_signed((num % dd).reshape(-1)))

            cs.bulk_hint(hint, [x.reshape(-1)], [lo, hi, zero, inv, y.reshape(-1), r],
                         label="minmax")
            ax, alo, ahi = AffineVec.of(x), AffineVec.of(lo), AffineVec.of(hi)
            gadgets.range_check(cs, ax - alo, b, label="above_min")
            gadgets.range_check(cs, ahi - ax, b, label="below_max")
            _attained(cs, x, lo, "min_attained")
            _attained(cs, x, hi, "max_attained")
            d = ahi - alo
            constrain(cs, d, inv, 1 - AffineVec.of(zero), label="is_zero")
            constrain(cs, d, zero, None, label="zero_or_nonzero")
            constrain(cs, zero, inv, None, label="pinned_inverse")  # inv = 0 when d = 0
            d_safe = d + AffineVec.of(zero)
            remainder = AffineVec.of(r.reshape(x.shape))
            constrain(cs, y, d_safe, (ax - alo) * (1 << f) - remainder, label="divide")
            gadgets.range_check(cs, remainder, b, label="remainder")
            gadgets.range_check(cs, d_safe - 1 - remainder, b, label="remainder_below_d")
            gadgets.range_check(cs, y, f + 1, label="quotient")
        return {"Y": y}

    def compute(self, t):
        return {"Y": minmax_reference(t["X"], self.spec.frac_bits)}
