# SPDX-License-Identifier: MIT
"""Gradient kernels (Model-PoT): MSE loss, its gradient, dense-layer backward, ReLU
backward, SGD update. Semantics in ``zkcx.kernels.grad_reference``; circuits in
``zkcx.kernels.grad_ops``; the whole training step of an MLP in
``zkcx.kernels.mlp_train``.

Shapes: predictions and targets (batch, outputs); a dense layer's dY (batch, out),
X (batch, in), W (out, in). Every output is range-checked to its bound by the gadget
that makes it (rescale, division) or is exact by construction (db = Σ_batch dY, whose
bound is dY's plus bits(batch - 1)).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from zkcx.errors import KernelSpecError
from zkcx.gadgets.affine import materialize
from zkcx.kernels import grad_ops
from zkcx.kernels import grad_reference as gref
from zkcx.kernels.base import Kernel
from zkcx.kernels.registry import register
from zkcx.kernels.spec import binary_op_tensors, build_spec, check_accumulator

Overrides = Mapping[str, object] | None


def learning_rate(value: object, frac_bits: int) -> int:
    """η as a fixed-point integer: floats round(η·2^f) (half to even), ints as quantized.
    Must be positive."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise KernelSpecError(f"the learning rate must be a number, got {value!r}")
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise KernelSpecError(f"the learning rate must be finite, got {value}")
        q = int(np.round(float(value) * (1 << frac_bits)))
    else:
        q = int(value)
    if q < 1:
        raise KernelSpecError(f"the learning rate {value!r} is {q} at {frac_bits} fractional "
                              "bits; give a positive rate of at least 2^-f")
    return q


@register
class MSELoss(Kernel):
    """L = floor(Σ (Y - T)² / (n·2^f)) over a batch of predictions Y and targets T
    (batch, outputs), n = batch·outputs: the real mean squared error of the fixed-point
    values rounded down to a multiple of 2^-f (an exact floor division, proved by
    quotient and remainder). Defaults: Y, T private, L public (bound ``loss_bits``,
    default bound_bits)."""

    kind = "mse_loss"

    def __init__(self, batch: int, outputs: int = 1, frac_bits: int = 8, bound_bits: int = 16,
                 loss_bits: int | None = None, name: str | None = None,
                 visibility: Overrides = None, bounds: Overrides = None) -> None:
        super().__init__(build_spec(
            self.kind, name or f"mse_loss_{batch}" + (f"x{outputs}" if outputs > 1 else ""),
            frac_bits,
            binary_op_tensors((batch, outputs), ("Y", "T"), "L", bound_bits,
                              loss_bits or bound_bits, ()),
            bounds, visibility, {"batch": batch, "outputs": outputs}))
        s = self.spec
        diff = max(s["Y"].bound_bits, s["T"].bound_bits) + 1
        check_accumulator(s, 2 * diff - 1 + (batch * outputs - 1).bit_length(), "Σ (Y - T)²")

    def define(self, cs, t):
        return {"L": grad_ops.mse_loss(cs, t["Y"], t["T"], self.spec.frac_bits,
                                       self.spec["L"].bound_bits)}

    def compute(self, t):
        return {"L": gref.mse_loss(t["Y"], t["T"], self.spec.frac_bits)}


@register
class MSEGrad(Kernel):
    """dY = floor(2·(Y - T) / n), the gradient of the mean squared error with respect
    to the predictions, n = batch·outputs. Defaults: Y, T private, dY public."""

    kind = "mse_grad"

    def __init__(self, batch: int, outputs: int = 1, frac_bits: int = 8, bound_bits: int = 16,
                 name: str | None = None, visibility: Overrides = None,
                 bounds: Overrides = None) -> None:
        super().__init__(build_spec(
            self.kind, name or f"mse_grad_{batch}" + (f"x{outputs}" if outputs > 1 else ""),
            frac_bits,
            binary_op_tensors((batch, outputs), ("Y", "T"), "dY", bound_bits, bound_bits),
            bounds, visibility, {"batch": batch, "outputs": outputs}))

    def define(self, cs, t):
        return {"dY": grad_ops.mse_grad(cs, t["Y"], t["T"], self.spec["dY"].bound_bits)}

    def compute(self, t):
        return {"dY": gref.mse_grad(t["Y"], t["T"])}


@register
class DenseBackward(Kernel):
    """The backward pass of a dense layer Y = X·Wᵀ + b over a batch: from dY (batch,
    out), X (batch, in) and W (out, in), dW = floor(dYᵀ·X / 2^f), db = Σ_batch dY
    (exact), dX = floor(dY·W / 2^f), each accumulated at full precision and rescaled
    once. db's bound is dY's + bits(batch - 1). Defaults: inputs private, outputs public."""

    kind = "dense_backward"

    def __init__(self, batch: int, n_in: int, n_out: int, frac_bits: int = 8,
                 bound_bits: int = 16, name: str | None = None, visibility: Overrides = None,
                 bounds: Overrides = None) -> None:
        grow = (batch - 1).bit_length()
        dy_bits = int((bounds or {}).get("dY", bound_bits))
        super().__init__(build_spec(
            self.kind, name or f"dense_backward_{batch}x{n_in}x{n_out}", frac_bits,
            [("dY", (batch, n_out), "input", bound_bits, "private"),
             ("X", (batch, n_in), "input", bound_bits, "private"),
             ("W", (n_out, n_in), "input", bound_bits, "private"),
             ("dW", (n_out, n_in), "output", bound_bits, "public"),
             ("db", (n_out,), "output", dy_bits + grow, "public"),
             ("dX", (batch, n_in), "output", bound_bits, "public")],
            bounds, visibility, {"batch": batch, "n_in": n_in, "n_out": n_out}))
        s = self.spec
        if s["db"].bound_bits < s["dY"].bound_bits + grow:
            raise KernelSpecError(f"db needs {s['dY'].bound_bits + grow} bits to hold a sum of "
                                  f"{batch} values of dY; got {s['db'].bound_bits}")
        check_accumulator(s, s["dY"].bound_bits + s["X"].bound_bits - 1 + grow, "dYᵀ·X")
        check_accumulator(s, s["dY"].bound_bits + s["W"].bound_bits - 1
                          + (n_out - 1).bit_length(), "dY·W")

    def define(self, cs, t):
        s = self.spec
        dw, db, dx = grad_ops.dense_backward(cs, t["dY"], t["X"], t["W"], s.frac_bits,
                                             s["dW"].bound_bits, s["dX"].bound_bits)
        return {"dW": dw, "db": materialize(cs, db, label="db"), "dX": dx}

    def compute(self, t):
        dw, db, dx = gref.dense_backward(t["dY"], t["X"], t["W"], self.spec.frac_bits)
        return {"dW": dw, "db": db, "dX": dx}


@register
class ReluBackward(Kernel):
    """dZ = dH · [Z >= 0]: the gradient through a ReLU, masked by the sign of the
    forward pass's pre-activation Z (relu'(0) taken as 1, as the relu gadget's select
    bit). Z's bound is enforced by its sign bit. Defaults: dH, Z private, dZ public."""

    kind = "relu_backward"
    self_bounded = frozenset({"Z"})

    def __init__(self, n: int, frac_bits: int = 8, bound_bits: int = 16, name: str | None = None,
                 visibility: Overrides = None, bounds: Overrides = None) -> None:
        super().__init__(build_spec(
            self.kind, name or f"relu_backward_{n}", frac_bits,
            binary_op_tensors((n,), ("dH", "Z"), "dZ", bound_bits, bound_bits),
            bounds, visibility, {"n": n}))
        s = self.spec
        if s["dZ"].bound_bits < s["dH"].bound_bits:
            raise KernelSpecError("dZ's bound must be at least dH's (dZ is dH or 0)")

    def define(self, cs, t):
        mask = grad_ops.relu_mask(cs, t["Z"], self.spec["Z"].bound_bits)
        return {"dZ": grad_ops.relu_backward(cs, t["dH"], mask)}

    def compute(self, t):
        return {"dZ": gref.relu_backward(t["dH"], t["Z"])}


@register
class SGDUpdate(Kernel):
    """W' = floor((W·2^f - η·dW) / 2^f): one SGD step on a weight tensor of any shape
    (``shape``), η a fixed-point constant of the circuit (``lr``: a float is quantized
    as round(η·2^f), an int taken as quantized). W' has W's bound (so the next step
    takes it as input). Defaults: W, dW private, W' (``W_next``) public."""

    kind = "sgd_update"

    def __init__(self, shape: tuple[int, ...] | list[int] | int, lr: float | int = 0.0625,
                 frac_bits: int = 8, bound_bits: int = 16, name: str | None = None,
                 visibility: Overrides = None, bounds: Overrides = None) -> None:
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(map(int, shape))
        self.lr = learning_rate(lr, frac_bits)
        w_bits = int((bounds or {}).get("W", bound_bits))
        super().__init__(build_spec(
            self.kind, name or f"sgd_update_{'x'.join(map(str, shape))}", frac_bits,
            binary_op_tensors(shape, ("W", "dW"), "W_next", bound_bits, w_bits),
            bounds, visibility, {"shape": list(shape), "lr": lr}))
        s = self.spec
        if s["W_next"].bound_bits != s["W"].bound_bits:
            raise KernelSpecError("W_next must have W's bound (it is the next step's W)")
        bits = max(s["W"].bound_bits + frac_bits,
                   s["dW"].bound_bits + self.lr.bit_length()) + 1
        check_accumulator(s, bits, "W·2^f - η·dW")

    def define(self, cs, t):
        s = self.spec
        return {"W_next": grad_ops.sgd_update(cs, t["W"], t["dW"], self.lr, s.frac_bits,
                                              s["W_next"].bound_bits)}

    def compute(self, t):
        return {"W_next": gref.sgd_update(t["W"], t["dW"], self.lr, self.spec.frac_bits)}
