# SPDX-License-Identifier: MIT
"""zkcx: zero-knowledge proof-of-compute on BN254 (Groth16), a Python library with a C core."""

from zkcx import field, params
from zkcx._lib import build_info, get_threads, set_simd, set_threads, simd_in_use
from zkcx.field import Fq, FqVec, Fr, FrVec

__version__ = "0.1.0"

__all__ = [
    "Fq",
    "FqVec",
    "Fr",
    "FrVec",
    "__version__",
    "build_info",
    "field",
    "get_threads",
    "params",
    "set_simd",
    "set_threads",
    "simd_in_use",
]
