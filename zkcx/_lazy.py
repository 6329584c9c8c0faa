# SPDX-License-Identifier: MIT
"""Packages whose public names load on first use (PEP 562): importing one module of such
a package (``zkcx.groth16.lean``, which ``zkcx prove`` runs, or ``zkcx.ceremony.zkey_new``)
does not load the package's other modules, and numpy with them."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping


class _LazyPackage(types.ModuleType):
    """A lazy package's module type. Importing a submodule sets it as an attribute of the
    package; where a submodule and a public name share a spelling (``zkcx.groth16.prove``,
    ``verify``, ``setup``) the package keeps the name, as an eager
    ``from zkcx.groth16.prove import prove`` did (``sys.modules`` keeps the module)."""

    def __setattr__(self, name: str, value: object) -> None:
        names = self.__dict__.get("_lazy_names", {})
        if (isinstance(value, types.ModuleType) and names.get(name) == value.__name__
                and hasattr(value, name)):
            value = getattr(value, name)
        super().__setattr__(name, value)


def make_lazy(package: str, names: Mapping[str, str]
              ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Make the package named ``package`` load each of ``names`` (public name -> the
    module defining it) on first use, and keep it once loaded. Returns the package's
    module-level ``__getattr__`` and ``__dir__`` (``dir`` lists ``__all__`` too)."""
    module = sys.modules[package]
    module.__dict__["_lazy_names"] = names
    module.__class__ = _LazyPackage

    def __getattr__(name: str) -> object:
        defining = names.get(name)
        if defining is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(defining), name)
        setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(module)) | set(getattr(module, "__all__", ())))

    return __getattr__, __dir__
