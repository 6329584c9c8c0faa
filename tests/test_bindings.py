# SPDX-License-Identifier: MIT
"""The native boundary: only ``zkcx._bindings`` (and the loader ``zkcx._lib``) touch the
cffi library, every C function of the cdef has its one named binding, and every C
status code raises its typed error through the one table."""

from __future__ import annotations

import ast
import pathlib
import re

import numpy as np
import pytest

from zkcx import _bindings
from zkcx.errors import (
    DomainError,
    FieldZeroDivisionError,
    NativeArgumentError,
    NativeMemoryError,
    PointError,
    ZkcxError,
)
from zkcx.field import Fq, FqVec, Fr, FrVec

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "zkcx"
HEADER = ROOT / "native" / "include" / "zkcx.h"
#: the only modules that may import the cffi library
BOUNDARY = {"zkcx/_lib.py", "zkcx/_bindings.py"}
FORBIDDEN = {"zkcx._lib", "zkcx._native"}


def _cdef() -> str:
    text = HEADER.read_text()
    return text[text.index("/* cdef-begin */"):text.index("/* cdef-end */")]


def _cdef_functions() -> set[str]:
    return set(re.findall(r"\b(zkcx_\w+)\s*\(", _cdef()))


def _module_name(path: pathlib.Path, root: pathlib.Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The absolute module an ``from ... import`` names (relative ones resolved)."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports_of(path: pathlib.Path, root: pathlib.Path = ROOT) -> set[str]:
    """Every module ``path`` imports, relative and ``from zkcx import _lib`` forms and
    ``importlib.import_module("...")`` strings included."""
    module = _module_name(path, root)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node, path.name == "__init__.py")
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and re.fullmatch(r"zkcx(\.\w+)+", node.value)):
            found.add(node.value)
    return found


def test_only_the_bindings_module_imports_the_native_library():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in BOUNDARY:
            continue
        hits = sorted(m for m in _imports_of(path)
                      if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))
        if hits:
            offenders.append(f"{rel} imports {', '.join(hits)}")
    assert not offenders, "call the C library through zkcx._bindings: " + "; ".join(offenders)


def test_the_import_scan_catches_each_form(tmp_path):
    """The scan above must see absolute, relative, from-package and importlib imports."""
    pkg = tmp_path / "zkcx" / "curve"
    pkg.mkdir(parents=True)
    forms = {
        "a.py": "from zkcx._lib import lib\n",
        "b.py": "from .._lib import ffi\n",
        "c.py": "from zkcx import _native\n",
        "d.py": "import importlib\nlib = importlib.import_module('zkcx._lib').lib\n",
        "e.py": "import zkcx._native\n",
    }
    for name, source in forms.items():
        (pkg / name).write_text(source)
        hits = [m for m in _imports_of(pkg / name, tmp_path)
                if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
        assert hits, f"the scan misses {source!r}"


def _lib_attributes(path: pathlib.Path) -> set[str]:
    """Names X of every ``lib.X`` in a module."""
    return {node.attr for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "lib"}


def test_every_cdef_function_has_one_binding_and_every_binding_a_c_function():
    declared = _cdef_functions()
    bound = {n for n in _lib_attributes(PACKAGE / "_bindings.py") if n.startswith("zkcx_")}
    loader = {n for n in _lib_attributes(PACKAGE / "_lib.py") if n.startswith("zkcx_")}
    unused = set(_bindings.DELIBERATELY_UNUSED)
    assert len(declared) > 100  # the parse found the header's functions
    assert bound <= declared, f"bindings of undeclared C functions: {sorted(bound - declared)}"
    assert unused <= declared, f"unknown names in DELIBERATELY_UNUSED: {unused - declared}"
    assert not bound & unused, f"bound yet listed as unused: {sorted(bound & unused)}"
    missing = declared - bound - unused
    assert not missing, f"C functions without a binding: {sorted(missing)}"
    assert loader <= unused | bound
    source = (PACKAGE / "_bindings.py").read_text()
    assert "getattr(lib" not in source, "bind C functions by name, not with getattr"


def test_every_c_function_is_bound_exactly_once():
    """Each C name appears in one place of the bindings module (one Python caller)."""
    source = (PACKAGE / "_bindings.py").read_text()
    counts = {name: len(re.findall(rf"\blib\.{name}\b", source)) for name in _cdef_functions()}
    assert {n: c for n, c in counts.items() if c > 1} == {}


def test_every_status_code_of_the_header_maps_to_a_zkcx_error():
    codes = dict(re.findall(r"#define (ZKCX_ERR_\w+) (-?\d+)", _cdef()))
    assert codes, "no ZKCX_ERR_ codes found in the cdef"
    for name, value in codes.items():
        assert int(value) in _bindings.STATUS_ERRORS, f"{name} has no entry in STATUS_ERRORS"
    for error, meaning in _bindings.STATUS_ERRORS.values():
        assert issubclass(error, ZkcxError) and meaning


@pytest.mark.parametrize(("status", "arg_error", "expected"), [
    (_bindings.ERR_ARG, NativeArgumentError, NativeArgumentError),
    (_bindings.ERR_ARG, DomainError, DomainError),
    (_bindings.ERR_ZERO_INVERSE, PointError, FieldZeroDivisionError),
    (_bindings.ERR_NOMEM, DomainError, NativeMemoryError),
    (-99, DomainError, NativeArgumentError),
])
def test_raise_status_raises_the_tables_error_naming_the_operation(status, arg_error, expected):
    with pytest.raises(expected, match=rf"^frobnicate: .*\(code {status}\)$"):
        _bindings.raise_status(status, "frobnicate", arg_error)


def test_native_memory_error_is_still_a_memory_error():
    assert issubclass(NativeMemoryError, MemoryError)


@pytest.mark.parametrize("field", [Fr, Fq])
def test_c_status_of_a_zero_inverse_arrives_as_the_typed_error(field):
    with pytest.raises(FieldZeroDivisionError, match="zero has no inverse"):
        field(0).inverse()
    assert field(5).inverse() * 5 == 1


def test_c_refusal_of_a_transform_arrives_as_a_domain_error():
    buf = np.zeros((3, 4), dtype=np.uint64)   # 3 is not a power of two: ZKCX_ERR_ARG
    with pytest.raises(DomainError, match=r"^ntt: .*\(code -1\)"):
        _bindings.fr_ntt(_bindings.ptr(buf), 3, _bindings.new_words(4), 0)


def test_c_refusal_of_an_off_curve_point_arrives_as_a_point_error():
    off_curve = _bindings.words_from_bytes(FqVec.from_ints([1, 1]).limbs.tobytes(), 8)
    out = _bindings.new_words(8)
    with pytest.raises(PointError, match="G1 addition"):
        _bindings.G1_BINDING.add(out, off_curve, off_curve)


def test_batch_inversion_count_passes_through():
    vec = FrVec.from_ints([0, 3, 0, 7])
    out = np.empty_like(vec.limbs)
    count = _bindings.FR_BINDING.vec_batch_inv(_bindings.ptr(out), _bindings.ptr(vec.limbs), 4)
    assert count == 2


def test_chacha20_block_matches_rfc_8439_section_2_3_2():
    key = bytes(range(32))
    nonce = bytes.fromhex("000000090000004a00000000")
    block = _bindings.chacha20_block(key, 1, nonce)
    assert block[:16].hex() == "10f1e7e4d13b5915500fdd1fa32071c4"
    assert block[-4:].hex() == "a2503c4e" and len(block) == 64
