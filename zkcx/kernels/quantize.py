# SPDX-License-Identifier: MIT
"""From user arrays to the integers kernels compute on, with every check made before
any circuit work.

A float array is quantized as X = round(x * 2^f), with NumPy's round (half to even);
an integer array is taken as already quantized. Then -2^(B-1) <= X < 2^(B-1) must hold
for the tensor's bound B.
"""

from __future__ import annotations

import numpy as np

from zkcx.errors import BoundError, InputTypeError, NonFiniteError, ShapeError
from zkcx.kernels.spec import TensorSpec


def quantize(value: object, frac_bits: int, spec: TensorSpec) -> np.ndarray:
    """The int64 array X = round(value * 2^f) (floats) or X = value (integers), checked
    against ``spec``'s shape and bound. Raises ``InputTypeError`` (bool, complex, str,
    object arrays), ``NonFiniteError`` (NaN, inf), ``ShapeError``, ``BoundError``."""
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if kind not in "iuf":
        raise InputTypeError(
            f"tensor {spec.name!r}: dtype {arr.dtype} is not supported; give floats "
            "(quantized as round(x * 2^f)) or integers (already quantized)"
        )
    if arr.shape != spec.shape:
        raise ShapeError(f"tensor {spec.name!r}: shape {arr.shape} does not match the spec "
                         f"{spec.shape}")
    if kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            index = _first(~finite)
            raise NonFiniteError(f"tensor {spec.name!r}: element {index} is {arr[index]}; "
                                 "kernels take finite numbers only")
        scaled = np.round(arr.astype(np.float64) * float(1 << frac_bits))
        _check_bound(scaled, spec, f" (= round({{x}} * 2^{frac_bits}))", arr)
        return scaled.astype(np.int64)
    if kind == "u" and arr.size and int(arr.max()) > spec.high:
        _check_bound(arr.astype(np.float64), spec, "", arr)  # raises with the index
    out = arr.astype(np.int64)
    _check_bound(out, spec, "", arr)
    return out


def check_bound(values: np.ndarray, spec: TensorSpec) -> None:
    """Raise ``BoundError`` unless every integer lies in [-2^(B-1), 2^(B-1))."""
    _check_bound(values, spec, "", values)


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _check_bound(values: np.ndarray, spec: TensorSpec, how: str, original: np.ndarray) -> None:
    bad = (values < spec.low) | (values > spec.high)
    if bad.any():
        index = _first(bad)
        shown = how.format(x=original[index]) if how else ""
        raise BoundError(
            f"tensor {spec.name!r}: element {index} is {values[index]!r}{shown}, outside the "
            f"{spec.bound_bits}-bit bound [{spec.low}, {spec.high}]; scale the input down "
            "or raise the tensor's bound_bits"
        )
