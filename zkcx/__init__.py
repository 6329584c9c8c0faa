# SPDX-License-Identifier: MIT
"""zkcx: zero-knowledge proof-of-compute on BN254 (Groth16), a Python library with a C core."""

from zkcx import _config, params  # noqa: F401  (_config: a bad ZKCX_* setting stops the import)

__version__ = "0.1.0"

#: the layers, importable as attributes of the package (``zkcx.groth16.prove``), loaded on
#: first use so that ``import zkcx`` stays light (``zkcx --version`` loads no numpy)
_LAYERS = ("field", "curve", "poly", "r1cs", "gadgets", "kernels", "groth16", "ceremony",
           "accounts", "rewards", "market", "rollup", "cluster", "operator", "node", "cli")
#: names the package re-exports, loaded on first use too: name -> its module
_NAMES = {
    "Fq": "zkcx.field", "FqVec": "zkcx.field", "Fr": "zkcx.field", "FrVec": "zkcx.field",
    "adx_in_use": "zkcx._bindings", "build_info": "zkcx._bindings",
    "get_threads": "zkcx._bindings", "set_adx": "zkcx._bindings",
    "set_simd": "zkcx._bindings", "set_threads": "zkcx._bindings",
    "simd_in_use": "zkcx._bindings",
}


def __getattr__(name: str):
    import importlib

    if name in _LAYERS:
        return importlib.import_module(f"zkcx.{name}")
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'zkcx' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
    "cluster",
    "curve",
    "field",
    "gadgets",
    "get_threads",
    "groth16",
    "kernels",
    "market",
    "node",
    "operator",
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
