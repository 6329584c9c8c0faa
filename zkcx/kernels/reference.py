# SPDX-License-Identifier: MIT
"""The exact integer NumPy semantics of the kernel building blocks: one function per
block of ``zkcx.kernels.ops``, same name, arrays of integer values in place of arrays
of variables. Kernels' ``compute`` methods compose these; they rest on the gadgets'
reference (``zkcx.gadgets.reference``) so each rule lives in one place.

    rescale(Z)   = floor(Z / 2^f)                        (toward -inf)
    add          = X + Y
    mul_rescale  = rescale(X * Y)
    dot_rescale  = rescale(Σ_k X_k Y_k)                  (full precision, one rescale)
    matmul       = rescale(X @ W)
    dense        = rescale(X @ Wᵀ + b·2^f) = rescale(X @ Wᵀ) + b
    relu         = max(X, 0)
    normalize    = rescale((X - μ) * s)
"""

from __future__ import annotations

import numpy as np

from zkcx.gadgets import reference as g


def rescale(z: np.ndarray, frac_bits: int) -> np.ndarray:
    """floor(z / 2^f), toward -inf."""
    return g.rescale(z, frac_bits)


def add(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return g.add(x, y)


def mul_rescale(x: np.ndarray, y: np.ndarray, frac_bits: int) -> np.ndarray:
    return rescale(g.mul(x, y), frac_bits)


def product_sum(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    """Σ_k a_k·b_k along ``axis``, exact."""
    return g.mul(a, b).sum(axis=axis)


def dot_rescale(x: np.ndarray, y: np.ndarray, frac_bits: int) -> np.ndarray:
    return rescale(product_sum(x, y), frac_bits)


def matmul(x: np.ndarray, w: np.ndarray, frac_bits: int) -> np.ndarray:
    return rescale(g.matmul(x, w), frac_bits)


def dense(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, frac_bits: int) -> np.ndarray:
    z = g.matmul(x, g.exact(w).T)
    if b is not None:
        z = g.add(z, g.exact(b) * (1 << frac_bits))
    return rescale(z, frac_bits)


def relu(x: np.ndarray) -> np.ndarray:
    return g.relu(x)


def normalize(x: np.ndarray, mu: np.ndarray, s: np.ndarray, frac_bits: int) -> np.ndarray:
    return rescale(g.mul(g.add(x, -g.exact(mu)), s), frac_bits)
