# SPDX-License-Identifier: MIT
"""Circuit building blocks of kernels, over numpy arrays of variable indices (any
shape) or ``AffineVec``s, each the exact counterpart of the function of the same name in
``zkcx.kernels.reference``. Kernels (and gradient kernels) compose these; they are thin
compositions of the gadgets (``zkcx.gadgets``).

Fixed-point rules (docs/fixed-point.md): sums are exact; a product of two f-fractional values has
2f fractional bits and is brought back by ``rescale(Z) = floor(Z / 2^f)``; sums of
products (dot, matmul, dense) accumulate at full precision (an ``AffineVec`` over the
product variables, never materialised) and rescale once. Every rescaled result is
range-checked to its bound by the rescale gadget (Z = Q·2^f + R, 0 <= R < 2^f, Q within
the output bound).

Constraint costs (n outputs, K-term sums, B the output bound, f the fractional bits;
rescale costs f + B + 2 per element): ``add`` n; ``mul_rescale`` n·(1 + f + B + 2);
``dot_rescale`` n·K + rescale; ``matmul``/``dense`` m·k·n + m·n·(f + B + 2);
``normalize`` n·(1 + f + B + 2); ``relu`` n·(B + 2).
"""

from __future__ import annotations

import numpy as np

from zkcx import gadgets
from zkcx.gadgets.affine import AffineLike, AffineVec, constrain, materialize
from zkcx.r1cs import ConstraintSystem


def add(cs: ConstraintSystem, x: AffineLike, y: AffineLike) -> np.ndarray:
    """z = x + y elementwise (exact; the bound grows by one bit). One constraint each."""
    return materialize(cs, AffineVec.of(x) + AffineVec.of(y), label="add")


def rescale(cs: ConstraintSystem, z: AffineLike, frac_bits: int, out_bits: int) -> np.ndarray:
    """q = floor(z / 2^f), range-checked to ``out_bits`` (the rescale gadget)."""
    return gadgets.rescale(cs, z, frac_bits, out_bits)


def mul_rescale(cs: ConstraintSystem, x: AffineLike, y: AffineLike, frac_bits: int,
                out_bits: int) -> np.ndarray:
    """floor(x·y / 2^f) elementwise (x and y broadcast as numpy arrays do)."""
    return rescale(cs, gadgets.mul(cs, x, y), frac_bits, out_bits)


def product_sum(cs: ConstraintSystem, a: AffineLike, b: AffineLike, axis: int = -1) -> AffineVec:
    """Σ_k a_k·b_k along ``axis`` at full precision, as an AffineVec over the product
    variables (one constraint per product; the sum is free)."""
    return AffineVec.of(gadgets.mul(cs, a, b, label="products")).sum(axis=axis)


def dot_rescale(cs: ConstraintSystem, x: AffineLike, y: AffineLike, frac_bits: int,
                out_bits: int) -> np.ndarray:
    """floor(Σ_k x_k·y_k / 2^f) over the last axis."""
    return rescale(cs, product_sum(cs, x, y), frac_bits, out_bits)


def matmul(cs: ConstraintSystem, x: np.ndarray, w: np.ndarray, frac_bits: int,
           out_bits: int) -> np.ndarray:
    """Y = floor(X·W / 2^f) for X (m, k), W (k, n): m·k·n products, one rescale per
    output."""
    x, w = np.asarray(x, dtype=np.int64), np.asarray(w, dtype=np.int64)
    with cs.namespace("matmul"):
        acc = product_sum(cs, x[:, :, None], w[None, :, :], axis=1)
        return rescale(cs, acc, frac_bits, out_bits)


def dense(cs: ConstraintSystem, x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
          frac_bits: int, out_bits: int) -> np.ndarray:
    """Y = floor((X·Wᵀ + b·2^f) / 2^f) = floor(X·Wᵀ / 2^f) + b for X (batch, in),
    W (out, in), b (out,): the bias joins the full-precision sum at no cost."""
    x, w = np.asarray(x, dtype=np.int64), np.asarray(w, dtype=np.int64)
    with cs.namespace("dense"):
        acc = product_sum(cs, x[:, None, :], w[None, :, :], axis=2)
        if b is not None:
            acc = acc + AffineVec.of(np.asarray(b, dtype=np.int64)) * (1 << frac_bits)
        return rescale(cs, acc, frac_bits, out_bits)


def relu(cs: ConstraintSystem, x: AffineLike, bound_bits: int) -> np.ndarray:
    """max(x, 0) elementwise, from the sign bit of x + 2^(B-1) (the relu gadget, which
    enforces x's bound too)."""
    return gadgets.relu(cs, x, bound_bits)


def normalize(cs: ConstraintSystem, x: np.ndarray, mu: np.ndarray, s: np.ndarray,
              frac_bits: int, out_bits: int) -> np.ndarray:
    """Y = floor((X - μ)·s / 2^f), μ and s broadcast along the last axis (per feature):
    one constraint (X - μ)·s = Z per element, then the rescale."""
    x = np.asarray(x, dtype=np.int64)
    with cs.namespace("normalize"):
        centred = AffineVec.of(x) - AffineVec.of(np.asarray(mu, dtype=np.int64))
        scale = np.broadcast_to(np.asarray(s, dtype=np.int64), x.shape)
        z = gadgets.mul(cs, centred, scale, label="product")
        return rescale(cs, z, frac_bits, out_bits)


__all__ = ["add", "constrain", "dense", "dot_rescale", "materialize", "matmul",
           "mul_rescale", "normalize", "product_sum", "relu", "rescale"]
