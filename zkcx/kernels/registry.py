# SPDX-License-Identifier: MIT
"""The kernel registry (a dict from kind to class) and the catalogue loader.

A catalogue file (``circuits/<name>.toml``) is declarative::

    kernel = "matmul"            # the registry kind
    name = "matmul_16x16x16"     # the instance name (defaults to the file's stem)
    description = "..."          # optional, ignored
    m = 16                       # every other top-level key is a constructor parameter
    k = 16
    n = 16
    frac_bits = 8
    bound_bits = 16
    [visibility]                 # optional per-tensor overrides
    W = "public"
    [bounds]
    X = 12
"""

from __future__ import annotations

import os
import pathlib
import sys
from typing import IO, Any

from zkcx.errors import KernelSpecError
from zkcx.kernels.base import Kernel

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: kind -> Kernel subclass; filled by ``register``.
REGISTRY: dict[str, type[Kernel]] = {}

_RESERVED = {"kernel", "description", "binding"}


def register(cls: type[Kernel]) -> type[Kernel]:
    """Class decorator adding a kernel class to ``REGISTRY`` under ``cls.kind``."""
    if not cls.kind:
        raise KernelSpecError(f"{cls.__name__} has no kind")
    if cls.kind in REGISTRY and REGISTRY[cls.kind] is not cls:
        raise KernelSpecError(f"kernel kind {cls.kind!r} is registered twice")
    REGISTRY[cls.kind] = cls
    return cls


def get(kind: str, **params: Any) -> Kernel:
    """The kernel of registry ``kind`` with constructor parameters ``params``."""
    try:
        cls = REGISTRY[kind]
    except KeyError:
        raise KernelSpecError(f"unknown kernel kind {kind!r}; known kinds: "
                              f"{sorted(REGISTRY)}") from None
    try:
        return cls(**params)
    except TypeError as exc:
        raise KernelSpecError(f"kernel {kind!r}: bad parameters {sorted(params)}: {exc}") from None


def load(path: str | os.PathLike[str] | IO[bytes]) -> Kernel:
    """The kernel described by a catalogue TOML file (a path or a binary file object)."""
    if hasattr(path, "read"):
        raw, stem = path.read(), "kernel"  # type: ignore[union-attr]
    else:
        p = pathlib.Path(path)
        if not p.is_file():
            raise KernelSpecError(f"no catalogue file at {p}")
        raw, stem = p.read_bytes(), p.stem
    try:
        doc = tomllib.loads(raw.decode() if isinstance(raw, bytes) else raw)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KernelSpecError(f"{stem}: not valid TOML: {exc}") from None
    if "kernel" not in doc:
        raise KernelSpecError(f"{stem}: the file names no kernel (kernel = \"matmul\", ...)")
    params = {k: v for k, v in doc.items() if k not in _RESERVED}
    params.setdefault("name", stem)
    kernel = get(doc["kernel"], **params)
    binding = doc.get("binding", False)
    if not isinstance(binding, bool):
        raise KernelSpecError(f"{stem}: binding must be true or false, got {binding!r}")
    return kernel.with_binding() if binding else kernel


def catalogue(directory: str | os.PathLike[str]) -> dict[str, Kernel]:
    """Every kernel of a catalogue directory, by instance name."""
    kernels = [load(p) for p in sorted(pathlib.Path(directory).glob("*.toml"))]
    return {k.spec.name: k for k in kernels}
