# SPDX-License-Identifier: MIT
"""Circuit building blocks of gradient kernels (loss, backward passes, SGD), over numpy
arrays of variable indices or ``AffineVec``s; each is the exact counterpart of the
function of the same name in ``zkcx.kernels.grad_reference`` (whose docstring states the
semantics). They compose ``zkcx.kernels.ops`` and the gadgets.

Division by a constant d > 0 (``floor_divide``): Q = floor(Z / d) is proved by
Z = Q·d + R with Q signed-range-checked to its bound and 0 <= R <= d - 1 (R and
d - 1 - R both decomposed into k = bits(d - 1) bits; R = Z - Q·d is affine, so it costs
no variable). When d = 2^k this is the rescale gadget with k fractional bits.

Constraint costs (B the output bound, f the fractional bits, n elements):
``floor_divide`` n·(B + 1 + 2(k + 1)), or n·(k + B + 2) when d = 2^k;
``mse_loss`` n + one division by n·2^f; ``mse_grad`` n divisions by n;
``relu_mask`` n·(B + 1); ``relu_with_mask`` n·(B + 2); ``relu_backward`` n (given the mask);
``dense_backward`` batch·out·in products for dW and for dX, plus out·in and batch·in
rescales (f + B + 2 each), db free (an affine sum); ``sgd_update`` one rescale
(f + B + 2) per weight; ``mean`` of K arrays one division by K per element (the sum is
affine, free).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zkcx import gadgets
from zkcx.errors import InvalidArgumentError
from zkcx.gadgets import from_signed, to_signed
from zkcx.gadgets.affine import AffineLike, AffineVec
from zkcx.kernels import ops
from zkcx.r1cs import ConstraintSystem


def floor_divide(cs: ConstraintSystem, z: AffineLike, divisor: int, out_bits: int,
                 label: str | None = None) -> np.ndarray:
    """Q = floor(Z / d) elementwise for a positive integer constant d (new variables,
    shape of z), Q range-checked to ``out_bits``; see the module docstring."""
    d = int(divisor)
    if d < 1:
        raise InvalidArgumentError(f"floor_divide needs a positive integer divisor, got "
                                   f"{divisor}")
    aff = AffineVec.of(z)
    if d & (d - 1) == 0:
        return ops.rescale(cs, aff, d.bit_length() - 1, out_bits)
    k = (d - 1).bit_length()
    with cs.namespace(label or "floor_divide"):
        q = cs.new_variables(aff.size)
        inputs, evaluate = aff.evaluator()

        def quotient(values):
            return from_signed(np.asarray(to_signed(evaluate(values))) // d)

        cs.bulk_hint(quotient, [inputs], [q], label="quotient")
        q = q.reshape(aff.shape)
        gadgets.signed_range_check(cs, q, out_bits, label="quotient_bound")
        r = aff - AffineVec.of(q) * d
        gadgets.range_check(cs, r, k, label="remainder")
        gadgets.range_check(cs, (d - 1) - r, k, label="remainder_below_divisor")
    return q


def mse_loss(cs: ConstraintSystem, y: AffineLike, t: AffineLike, frac_bits: int,
             out_bits: int) -> np.ndarray:
    """L = floor(Σ (Y - T)² / (n·2^f)) (a 0-d variable array), n = Y.size: n squares
    summed at full precision, one division."""
    d = AffineVec.of(y) - AffineVec.of(t)
    with cs.namespace("mse_loss"):
        squares = gadgets.mul(cs, d, d, label="square")
        total = AffineVec.of(squares).reshape(-1).sum(axis=0)
        return floor_divide(cs, total, d.size << frac_bits, out_bits, label="mean")


def mse_grad(cs: ConstraintSystem, y: AffineLike, t: AffineLike, out_bits: int) -> np.ndarray:
    """dL/dY = floor(2·(Y - T) / n) elementwise, n = Y.size."""
    d = AffineVec.of(y) - AffineVec.of(t)
    with cs.namespace("mse_grad"):
        return floor_divide(cs, d * 2, d.size, out_bits, label="scale")


def relu_mask(cs: ConstraintSystem, z: AffineLike, bound_bits: int) -> AffineVec:
    """M = [Z >= 0] as the AffineVec 1 - s, s the sign bit of Z (which also enforces
    Z's bound). B + 1 constraints per element."""
    return 1 - AffineVec.of(gadgets.sign_bit(cs, z, bound_bits, label="relu_mask"))


def relu_with_mask(cs: ConstraintSystem, z: AffineLike,
                   bound_bits: int) -> tuple[np.ndarray, AffineVec]:
    """(H, M): H = relu(Z) = Z·M and the mask M = [Z >= 0]. B + 2 constraints per
    element, as the relu gadget; the mask is kept for the backward pass."""
    with cs.namespace("relu"):
        mask = relu_mask(cs, z, bound_bits)
        return gadgets.mul(cs, z, mask, label="select"), mask


def relu_backward(cs: ConstraintSystem, dh: AffineLike, mask: AffineLike) -> np.ndarray:
    """dZ = dH · M elementwise, M the forward pass's mask [Z >= 0]."""
    return gadgets.mul(cs, dh, mask, label="relu_backward")


def dense_backward(cs: ConstraintSystem, dy: np.ndarray, x: np.ndarray, w: np.ndarray | None,
                   frac_bits: int, dw_bits: int,
                   dx_bits: int | None = None) -> tuple[np.ndarray, AffineVec, np.ndarray | None]:
    """(dW, db, dX) for Y = X·Wᵀ + b with dY (batch, out), X (batch, in), W (out, in):
    dW = floor(dYᵀ·X / 2^f), range-checked to dw_bits; db = Σ_batch dY as an AffineVec
    (exact, free); dX = floor(dY·W / 2^f), range-checked to dx_bits (skipped, None,
    when w is None)."""
    dy, x = np.asarray(dy, dtype=np.int64), np.asarray(x, dtype=np.int64)
    with cs.namespace("dense_backward"):
        with cs.namespace("dW"):
            acc = ops.product_sum(cs, dy[:, :, None], x[:, None, :], axis=0)
            dw = ops.rescale(cs, acc, frac_bits, dw_bits)
        db = AffineVec.of(dy).sum(axis=0)
        dx = None
        if w is not None:
            with cs.namespace("dX"):
                w = np.asarray(w, dtype=np.int64)
                acc = ops.product_sum(cs, dy[:, :, None], w[None, :, :], axis=1)
                dx = ops.rescale(cs, acc, frac_bits, dx_bits if dx_bits else dw_bits)
    return dw, db, dx


def sgd_update(cs: ConstraintSystem, w: AffineLike, dw: AffineLike, lr: int, frac_bits: int,
               out_bits: int) -> np.ndarray:
    """W' = floor((W·2^f - η·dW) / 2^f) for an integer fixed-point learning rate η
    (a circuit constant): one rescale per weight, W' range-checked to out_bits."""
    with cs.namespace("sgd_update"):
        z = AffineVec.of(w) * (1 << frac_bits) - AffineVec.of(dw) * int(lr)
        return ops.rescale(cs, z, frac_bits, out_bits)


def mean(cs: ConstraintSystem, gs: Sequence[AffineLike], out_bits: int) -> np.ndarray:
    """floor(Σ_k G_k / K) elementwise over K >= 1 arrays of one shape (the sum affine,
    one ``floor_divide`` by K), range-checked to out_bits."""
    if not len(gs):
        raise InvalidArgumentError("mean needs at least one array, got none")
    total = AffineVec.of(gs[0])
    for other in gs[1:]:
        total = total + AffineVec.of(other)
    with cs.namespace("mean"):
        return floor_divide(cs, total, len(gs), out_bits, label="divide")
