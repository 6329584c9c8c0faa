# SPDX-License-Identifier: MIT
"""zkcx: zero-knowledge proof-of-compute on BN254 (Groth16), a Python library with a C core."""

from zkcx import field, params
from zkcx._bindings import (
    adx_in_use,
    build_info,
    get_threads,
    set_adx,
    set_simd,
    set_threads,
    simd_in_use,
)
from zkcx.field import Fq, FqVec, Fr, FrVec

__version__ = "0.1.0"

#: the layers, importable as attributes of the package (``zkcx.groth16.prove``), loaded on
#: first use so that ``import zkcx`` stays light
_LAYERS = ("curve", "poly", "r1cs", "gadgets", "kernels", "groth16", "ceremony", "accounts",
           "rewards", "market", "rollup", "cli")


def __getattr__(name: str):
    if name in _LAYERS:
        import importlib

        return importlib.import_module(f"zkcx.{name}")
    raise AttributeError(f"module 'zkcx' has no attribute {name!r}")


__all__ = [
    "Fq",
    "FqVec",
    "Fr",
    "FrVec",
    "__version__",
    "accounts",
    "adx_in_use",
    "build_info",
    "ceremony",
    "cli",
    "curve",
    "field",
    "gadgets",
    "get_threads",
    "groth16",
    "kernels",
    "market",
    "params",
    "poly",
    "r1cs",
    "rewards",
    "rollup",
    "set_adx",
    "set_simd",
    "set_threads",
    "simd_in_use",
]
