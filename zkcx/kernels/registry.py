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
    [ceremony]                   # optional: the trusted setup its key must come from
    ptau_hash = "…"              # (zkcx.kernels.ceremony_terms.CeremonyTerms)
    min_contributions = 2

``load`` raises ``KernelSpecError`` for every problem of a catalogue file (not UTF-8, not
TOML, larger than ``MAX_CATALOGUE_BYTES`` (1 MiB) or nested deeper than
``MAX_CATALOGUE_DEPTH`` (8), an unknown kernel, a parameter of the wrong type or out of
range, a tensor larger than ``MAX_TENSOR_ELEMENTS`` (2^24), size parameters whose product
exceeds ``MAX_CATALOGUE_SIZE`` (2^24: every integer, and every integer in a list, except
``*_bits`` and ``outputs``; it bounds the work a kernel built from a file can ask for,
such as a matmul's m·k·n, before it is built); nothing else. The limits live in
``zkcx.params``.

A ``[ceremony]`` table is not a constructor parameter: it becomes the loaded kernel's
``ceremony_terms`` (``CeremonyTerms``; None without the table), which
``KernelRegistry.register_kernel`` holds the key's verified transcript to.
"""

from __future__ import annotations

import math
import os
import pathlib
import sys
from typing import IO, Any

from zkcx.errors import KernelSpecError
from zkcx.io.jsontext import nesting_depth
from zkcx.kernels.base import Kernel
from zkcx.kernels.ceremony_terms import CeremonyTerms
from zkcx.params import (
    MAX_CATALOGUE_BITS,
    MAX_CATALOGUE_BYTES,
    MAX_CATALOGUE_DEPTH,
    MAX_CATALOGUE_REAL,
    MAX_CATALOGUE_SIZE,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: kind -> Kernel subclass; filled by ``register``.
REGISTRY: dict[str, type[Kernel]] = {}

_RESERVED = {"kernel", "description", "binding", "ceremony"}



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
    except KernelSpecError:
        raise
    except (TypeError, ValueError, OverflowError, KeyError, IndexError, ZeroDivisionError,
            AttributeError) as exc:
        # a parameter of the wrong type or value reaching the kernel's constructor
        raise KernelSpecError(f"kernel {kind!r}: bad parameters {sorted(params)}: "
                              f"{type(exc).__name__}: {_short(exc)}") from None


def _short(value: object) -> str:
    try:
        text = str(value)
    except ValueError:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 200 else text[:197] + "..."


def _size_product(params: dict[str, Any], stem: str) -> int:
    """The product of the size parameters (see ``MAX_CATALOGUE_SIZE``); a non-positive
    or non-integer size is left to the kernel's own checks."""
    product = 1
    for key, value in params.items():
        if key.endswith("bits") or key == "outputs":
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, int) and not isinstance(v, bool) and v > 1:
                product *= v
                if product > MAX_CATALOGUE_SIZE:
                    raise KernelSpecError(
                        f"{stem}: the size parameters multiply to more than "
                        f"{MAX_CATALOGUE_SIZE} (MAX_CATALOGUE_SIZE; at {key} = {_short(v)}); "
                        f"build kernels that large from Python")
    return product


def _check_scalar(stem: str, key: str, value: Any) -> None:
    """A parameter value a kernel constructor can take without unbounded work: ``*_bits``
    an int in [0, MAX_CATALOGUE_BITS], other ints within +-MAX_CATALOGUE_SIZE, reals
    finite and within +-MAX_CATALOGUE_REAL, strings and booleans as they are."""
    if isinstance(value, (str, bool)):
        return
    if key.endswith("bits"):
        if not isinstance(value, int) or not 0 <= value <= MAX_CATALOGUE_BITS:
            raise KernelSpecError(f"{stem}: {key} must be an integer in [0, "
                                  f"{MAX_CATALOGUE_BITS}], got {_short(value)}")
    elif isinstance(value, int):
        if abs(value) > MAX_CATALOGUE_SIZE:
            raise KernelSpecError(f"{stem}: {key} = {_short(value)} is beyond "
                                  f"{MAX_CATALOGUE_SIZE} (MAX_CATALOGUE_SIZE)")
    elif isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_CATALOGUE_REAL:
            raise KernelSpecError(f"{stem}: {key} must be a finite real within "
                                  f"{MAX_CATALOGUE_REAL:g}, got {_short(value)}")
    elif isinstance(value, list):
        for item in value:
            _check_scalar(stem, key, item)
    elif isinstance(value, dict):
        for name, item in value.items():
            _check_scalar(stem, f"{key}.{name}", item)
    else:  # TOML dates and times
        raise KernelSpecError(f"{stem}: {key} has an unsupported type "
                              f"{type(value).__name__}")


def load(path: str | os.PathLike[str] | IO[bytes]) -> Kernel:
    """The kernel described by a catalogue TOML file (a path or a binary file object)."""
    if hasattr(path, "read"):
        raw, stem = path.read(MAX_CATALOGUE_BYTES + 1), "kernel"  # type: ignore[union-attr]
    else:
        p = pathlib.Path(path)
        if not p.is_file():
            raise KernelSpecError(f"no catalogue file at {p}")
        if p.stat().st_size > MAX_CATALOGUE_BYTES:
            raise KernelSpecError(f"{p}: {p.stat().st_size} bytes, a catalogue file has at "
                                  f"most {MAX_CATALOGUE_BYTES}")
        raw, stem = p.read_bytes(), p.stem
    if len(raw) > MAX_CATALOGUE_BYTES:
        raise KernelSpecError(f"{stem}: a catalogue file has at most {MAX_CATALOGUE_BYTES} "
                              f"bytes")
    try:
        text = raw.decode() if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise KernelSpecError(f"{stem}: not UTF-8 text: {exc}") from None
    depth = nesting_depth(text)
    if depth > MAX_CATALOGUE_DEPTH:
        raise KernelSpecError(f"{stem}: nested {depth} levels deep, at most "
                              f"{MAX_CATALOGUE_DEPTH}")
    try:
        doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        # ValueError: an integer beyond Python's int-to-str limit
        raise KernelSpecError(f"{stem}: not valid TOML: {_short(exc)}") from None
    if "kernel" not in doc:
        raise KernelSpecError(f"{stem}: the file names no kernel (kernel = \"matmul\", ...)")
    if not isinstance(doc["kernel"], str):
        raise KernelSpecError(f"{stem}: kernel must be a string naming a kernel kind")
    params = {k: v for k, v in doc.items() if k not in _RESERVED}
    params.setdefault("name", stem)
    if not isinstance(params["name"], str):
        raise KernelSpecError(f"{stem}: name must be a string")
    for key, value in params.items():
        _check_scalar(stem, key, value)
    _size_product(params, stem)
    terms = CeremonyTerms.from_table(doc["ceremony"], stem) if "ceremony" in doc else None
    kernel = get(doc["kernel"], **params)
    binding = doc.get("binding", False)
    if not isinstance(binding, bool):
        raise KernelSpecError(f"{stem}: binding must be true or false, got {_short(binding)}")
    kernel = kernel.with_binding() if binding else kernel
    kernel.ceremony_terms = terms
    return kernel


def catalogue(directory: str | os.PathLike[str]) -> dict[str, Kernel]:
    """Every kernel of a catalogue directory, by instance name."""
    kernels = [load(p) for p in sorted(pathlib.Path(directory).glob("*.toml"))]
    return {k.spec.name: k for k in kernels}
