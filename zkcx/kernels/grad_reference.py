# SPDX-License-Identifier: MIT
"""The exact integer semantics of the gradient building blocks: one function per block
of ``zkcx.kernels.grad_ops``, same name, integer arrays in place of variables (f is the
kernels' fractional bits; every value carries f fractional bits)::

    floor_divide(Z, d)   = floor(Z / d)                               (toward -inf)
    mse_loss(Y, T)       = floor(Σ (Y - T)² / (n·2^f))                n = Y.size
    mse_grad(Y, T)       = floor(2·(Y - T) / n)
    relu_mask(Z)         = [Z >= 0]                                   (relu'(0) = 1)
    relu_backward(dH, Z) = dH · [Z >= 0]
    dense_backward(dY, X, W) = (floor(dYᵀ·X / 2^f), Σ_batch dY, floor(dY·W / 2^f))
    sgd_update(W, dW, η) = floor((W·2^f - η·dW) / 2^f)
    mean(G_1, .., G_K)   = floor(Σ_k G_k / K)                         (elementwise)

Both divisions are exact floors of the real quotient: the loss is the real mean squared
error of the fixed-point values, rounded down to a multiple of 2^-f, and so is the
gradient 2(y - t)/n. The SGD update computes W - η·dW at full precision (2f fractional
bits) and rescales once, so W' is the real update of the fixed-point values rounded down.
The mean of K gradients (data-parallel training's aggregation) is their exact sum
floored once, the real mean rounded down to a multiple of 2^-f.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zkcx.errors import InvalidArgumentError
from zkcx.gadgets import reference as g
from zkcx.kernels import reference as ref


def floor_divide(z: np.ndarray, divisor: int) -> np.ndarray:
    """floor(Z / d) for a positive integer constant d, toward -inf."""
    if int(divisor) < 1:
        raise InvalidArgumentError(f"floor_divide needs a positive integer divisor, got "
                                   f"{divisor}")
    out = g.exact(z) // int(divisor)
    if out.dtype == object and all(abs(int(v)) < 1 << 62 for v in out.reshape(-1)):
        return out.astype(np.int64)
    return out


def mse_loss(y: np.ndarray, t: np.ndarray, frac_bits: int) -> np.ndarray:
    """floor(Σ (Y - T)² / (n·2^f)), a 0-d array; n = Y.size."""
    d = g.add(y, -g.exact(t))
    total = g.exact(g.mul(d, d).reshape(-1).sum())
    return floor_divide(total, d.size << frac_bits)


def mse_grad(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """floor(2·(Y - T) / n) elementwise; n = Y.size."""
    d = g.add(y, -g.exact(t))
    return floor_divide(d * 2, d.size)


def relu_mask(z: np.ndarray) -> np.ndarray:
    """1 where Z >= 0, else 0 (the derivative of relu, taken as 1 at 0)."""
    return (g.exact(z) >= 0).astype(np.int64)


def relu_backward(dh: np.ndarray, z: np.ndarray) -> np.ndarray:
    """dZ = dH · [Z >= 0]."""
    return g.mul(dh, relu_mask(z))


def dense_backward(dy: np.ndarray, x: np.ndarray, w: np.ndarray, frac_bits: int,
                   need_dx: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(dW, db, dX) for Y = X·Wᵀ + b: dW = floor(dYᵀ·X / 2^f) (out, in), db = Σ_batch dY
    (out,) exact, dX = floor(dY·W / 2^f) (batch, in); dX is None unless ``need_dx``."""
    dy = g.exact(dy)
    dw = ref.matmul(dy.T, x, frac_bits)
    db = g.exact(dy.sum(axis=0))
    dx = ref.matmul(dy, w, frac_bits) if need_dx else None
    return dw, db, dx


def sgd_update(w: np.ndarray, dw: np.ndarray, lr: int, frac_bits: int) -> np.ndarray:
    """W' = floor((W·2^f - η·dW) / 2^f), η the fixed-point learning rate (an integer
    with f fractional bits)."""
    return ref.rescale(g.add(g.mul(w, 1 << frac_bits), -g.mul(dw, int(lr))), frac_bits)


def mean(gs: Sequence[np.ndarray]) -> np.ndarray:
    """floor(Σ_k G_k / K) elementwise over K >= 1 arrays of one shape."""
    if not len(gs):
        raise InvalidArgumentError("mean needs at least one array, got none")
    total = g.exact(gs[0])
    for other in gs[1:]:
        total = g.add(total, other)
    return floor_divide(total, len(gs))
