# SPDX-License-Identifier: MIT
"""The integer semantics of the gadgets, in plain NumPy (docs/fixed-point.md,
"Operations"). Kernels' references call these so the semantics live in one place.

Arrays are int64 where every value provably fits, else numpy object arrays of Python
ints: products and sums check their worst case before using int64 and never wrap.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zkcx.errors import ArgumentTypeError, BoundError, InvalidArgumentError

_INT64_SAFE = 1 << 62


def exact(x: Any) -> np.ndarray:
    """x as an exact integer array: int64 (any integer dtype that fits) or object."""
    arr = np.asarray(x)
    if arr.dtype == object:
        return arr
    if arr.dtype.kind == "u" and arr.size and int(arr.max()) >= 1 << 63:
        return arr.astype(object)
    if arr.dtype.kind not in "iub":
        raise ArgumentTypeError(f"fixed-point values are integers, got dtype {arr.dtype}: "
                                "quantize floats first (zkcx.kernels.quantize)")
    return arr.astype(np.int64)


def _peak(arr: np.ndarray) -> int:
    """max |x| as a Python int (np.abs would wrap -2^63 around)."""
    return max(abs(int(arr.max())), abs(int(arr.min()))) if arr.size else 0


def _narrow(arr: np.ndarray) -> np.ndarray:
    """An object array back to int64 when every value fits."""
    if arr.dtype == object and _peak(arr) < _INT64_SAFE:
        return arr.astype(np.int64)
    return arr


def in_bound(x: Any, bound_bits: int) -> np.ndarray:
    """-2^(B-1) <= X < 2^(B-1), elementwise."""
    arr = exact(x)
    half = 1 << (bound_bits - 1)
    return (arr >= -half) & (arr < half)


def check_bound(x: Any, bound_bits: int, what: str = "value") -> np.ndarray:
    """Return x (exact) or raise ``BoundError`` naming the first value out of bound."""
    arr = exact(x)
    ok = np.asarray(in_bound(arr, bound_bits))
    if not ok.all():
        pos = np.unravel_index(int(np.flatnonzero(~ok.reshape(-1))[0]), arr.shape)
        raise BoundError(
            f"{what}[{', '.join(map(str, pos))}] = {arr[pos]} is outside the {bound_bits}-bit "
            f"bound [-2^{bound_bits - 1}, 2^{bound_bits - 1}); widen the bound or rescale first"
        )
    return arr


def quantize(x: Any, frac_bits: int) -> np.ndarray:
    """X = round(x · 2^f), NumPy's round (half to even), as int64."""
    return np.round(np.asarray(x, dtype=np.float64) * float(1 << frac_bits)).astype(np.int64)


def dequantize(x: Any, frac_bits: int) -> np.ndarray:
    """x = X / 2^f as float64 (for display only: proved values stay integers)."""
    return exact(x).astype(np.float64) / float(1 << frac_bits)


def mul(a: Any, b: Any) -> np.ndarray:
    """Exact elementwise products (2f fractional bits for two f-bit operands)."""
    x, y = exact(a), exact(b)
    if x.dtype != object and y.dtype != object and _peak(x) * _peak(y) < _INT64_SAFE:
        return x * y
    return _narrow(x.astype(object) * y.astype(object))


def add(a: Any, b: Any) -> np.ndarray:
    """Exact elementwise sums."""
    x, y = exact(a), exact(b)
    if x.dtype != object and y.dtype != object and _peak(x) + _peak(y) < _INT64_SAFE:
        return x + y
    return _narrow(x.astype(object) + y.astype(object))


def matmul(a: Any, b: Any) -> np.ndarray:
    """Exact a @ b at full precision (accumulate first, rescale once afterwards)."""
    x, y = exact(a), exact(b)
    k = x.shape[-1] if x.ndim else 1
    if x.dtype != object and y.dtype != object and _peak(x) * _peak(y) * max(k, 1) < _INT64_SAFE:
        return x @ y
    return _narrow(np.matmul(x.astype(object), y.astype(object)))


def rescale(z: Any, frac_bits: int, out_bound_bits: int | None = None) -> np.ndarray:
    """floor(Z / 2^f) (toward −∞); with out_bound_bits, refuse a quotient out of bound
    (the circuit cannot prove it)."""
    arr = exact(z)
    q = arr >> frac_bits if arr.dtype != object else _narrow(arr // (1 << frac_bits))
    if out_bound_bits is not None:
        check_bound(q, out_bound_bits, "rescaled value")
    return q


def remainder(z: Any, frac_bits: int) -> np.ndarray:
    """R = Z - floor(Z / 2^f)·2^f, in [0, 2^f)."""
    arr = exact(z)
    return arr & ((1 << frac_bits) - 1) if arr.dtype != object else arr % (1 << frac_bits)


def relu(x: Any) -> np.ndarray:
    """max(X, 0)."""
    arr = exact(x)
    return np.where(arr > 0, arr, 0).astype(arr.dtype)


def clamp(x: Any, lo: int, hi: int) -> np.ndarray:
    """min(max(X, lo), hi)."""
    if lo > hi:
        raise InvalidArgumentError(f"clamp needs lo <= hi, got lo={lo}, hi={hi}")
    arr = exact(x)
    return np.where(arr < lo, lo, np.where(arr > hi, hi, arr)).astype(arr.dtype)


def sign_bit(x: Any) -> np.ndarray:
    """1 where X < 0, else 0 (int64)."""
    return (exact(x) < 0).astype(np.int64)


def less_than(a: Any, b: Any) -> np.ndarray:
    """1 where a < b, else 0 (int64)."""
    return (exact(a) < exact(b)).astype(np.int64)


def to_bits(x: Any, n_bits: int) -> np.ndarray:
    """Bits of non-negative X < 2^n_bits, LSB first: shape x.shape + (n_bits,), int64."""
    arr = exact(x)
    if arr.size and (np.min(arr) < 0 or np.max(arr) >= 1 << n_bits):
        raise BoundError(f"to_bits needs 0 <= X < 2^{n_bits}")
    shifts = np.arange(n_bits)
    if arr.dtype != object and n_bits <= 63:
        return (arr[..., None] >> shifts) & 1
    obj = arr.astype(object)[..., None]
    return ((obj >> shifts.astype(object)) & 1).astype(np.int64)
