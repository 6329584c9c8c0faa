# SPDX-License-Identifier: MIT
"""One error family (zkcx/errors.py's docstring): every exception zkcx raises is a
``ZkcxError``, defined in an errors module, under a name no other exception class has.
Parses the source, so a new bare ``raise ValueError(...)`` fails here, not in review."""

from __future__ import annotations

import ast
import builtins
import importlib
import pathlib

import pytest

from zkcx.errors import ZkcxError

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "zkcx"

#: The modules that define exception classes (zkcx/errors.py says why each layer's own).
ERROR_MODULES = {"zkcx.errors", "zkcx.rollup.errors", "zkcx.market.errors", "zkcx.cli.errors",
                 "zkcx.cluster.errors", "zkcx.node.errors", "zkcx.operator.errors"}

#: Builtins zkcx may raise itself: the protocols that require them (abstract methods,
#: attribute access, iteration).
ALLOWED_BUILTINS = {"NotImplementedError", "AttributeError", "StopIteration"}
BUILTIN_EXCEPTIONS = {name for name, value in vars(builtins).items()
                      if isinstance(value, type) and issubclass(value, BaseException)}


def _modules() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        out.append((".".join(rel.parts).removesuffix(".__init__"), ast.parse(path.read_text())))
    return out


MODULES = _modules()


def _raised_name(node: ast.Raise) -> str | None:
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return exc.id if isinstance(exc, ast.Name) else None


def _exception_classes() -> list[tuple[str, ast.ClassDef]]:
    """Classes named like an exception or deriving from a class that is."""
    def looks_like(name: str) -> bool:
        return name.endswith(("Error", "Exception")) or name in BUILTIN_EXCEPTIONS

    found = []
    for module, tree in MODULES:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                         for b in node.bases]
                if looks_like(node.name) or any(looks_like(b) for b in bases):
                    found.append((module, node))
    return found


CLASSES = _exception_classes()


def test_the_scan_sees_the_package():
    names = {node.name for _module, node in CLASSES}
    assert {"ZkcxError", "BoundError", "ChainStoreError", "UsageError"} <= names
    assert len(MODULES) > 100


def test_no_builtin_exception_is_raised():
    bare = [f"{module}:{node.lineno} raise {name}"
            for module, tree in MODULES for node in ast.walk(tree)
            if isinstance(node, ast.Raise) and node.exc is not None
            and (name := _raised_name(node)) in BUILTIN_EXCEPTIONS - ALLOWED_BUILTINS]
    assert not bare, ("raise a zkcx.errors class instead (InvalidArgumentError, "
                      "ArgumentTypeError, or a specific one): " + "; ".join(bare))


def test_every_exception_class_is_a_zkcx_error():
    outside = []
    for module, node in CLASSES:
        cls = getattr(importlib.import_module(module), node.name)
        assert issubclass(cls, BaseException), f"{module}.{node.name} is not an exception"
        if not node.name.startswith("_") and not issubclass(cls, ZkcxError):
            outside.append(f"{module}.{node.name}")
    assert not outside, "not ZkcxError subclasses: " + ", ".join(outside)


def test_exception_classes_live_in_errors_modules():
    """Private sentinels (a leading underscore) may live beside the code that raises and
    catches them; they must never leave their module."""
    stray = [f"{module}.{node.name}" for module, node in CLASSES
             if module not in ERROR_MODULES and not node.name.startswith("_")]
    assert not stray, "define these in an errors module: " + ", ".join(stray)


def test_no_two_exception_classes_share_a_name():
    seen: dict[str, list[str]] = {}
    for module, node in CLASSES:
        seen.setdefault(node.name, []).append(module)
    shared = {name: where for name, where in seen.items() if len(where) > 1}
    assert not shared, f"exception classes sharing a name: {shared}"


@pytest.mark.parametrize("module", sorted(ERROR_MODULES))
def test_every_error_says_what_it_means(module):
    for name, value in vars(importlib.import_module(module)).items():
        if isinstance(value, type) and issubclass(value, BaseException) \
                and value.__module__ == module:
            assert value.__doc__ and len(value.__doc__) > 30, f"{module}.{name} has no docstring"


# -- the family in use: errors that used to be bare builtins or duplicates ------------------

def test_one_bound_error_for_gadgets_and_kernels():
    from zkcx import errors, gadgets
    from zkcx.gadgets import reference

    assert gadgets.BoundError is errors.BoundError
    with pytest.raises(errors.BoundError, match="outside the 4-bit bound"):
        reference.check_bound([7, 8], 4)


def test_unknown_tensor_is_a_key_error_that_reads_cleanly():
    from zkcx import kernels
    from zkcx.errors import UnknownTensorError

    spec = kernels.get("dense", batch=2, n_in=3, n_out=4).spec
    with pytest.raises(KeyError) as info:
        spec["no_such_tensor"]
    assert isinstance(info.value, UnknownTensorError)
    assert str(info.value).startswith(f"kernel {spec.name!r} has no tensor 'no_such_tensor'")


def test_public_input_count_error_is_a_zkcx_error():
    from zkcx.errors import PublicInputCountError

    verify = importlib.import_module("zkcx.groth16.verify")  # the module, not the function
    assert issubclass(PublicInputCountError, ZkcxError)
    assert verify.PublicInputCountError is PublicInputCountError


def test_a_missing_block_is_an_unknown_block_error(tmp_path):
    from zkcx.market import Market
    from zkcx.rollup import SQLiteChainStore, UnknownBlockError

    with SQLiteChainStore.create(tmp_path / "chain.db", Market()) as store, \
            pytest.raises(UnknownBlockError, match="no block at height 3") as info:
        store.block(3)
    assert isinstance(info.value, KeyError)
    assert "chain.db" not in str(info.value)  # messages about data never name a file


def test_type_errors_say_what_was_given():
    from zkcx.errors import ArgumentTypeError
    from zkcx.groth16 import export_calldata

    with pytest.raises(ArgumentTypeError, match="needs a zkcx.groth16.Proof, got str"):
        export_calldata("proof", [1])
    assert issubclass(ArgumentTypeError, TypeError)


def test_the_cli_reports_an_internal_error_as_a_bug(monkeypatch):
    from tests.cli.conftest import run_main
    from zkcx.cli._output import EXIT_INTERNAL
    from zkcx.errors import InternalError

    def broken(args, out):
        raise InternalError("an invariant failed")

    monkeypatch.setattr(importlib.import_module("zkcx.cli.main"), "cmd_info", broken)
    run = run_main("info")
    assert run.code == EXIT_INTERNAL
    assert "internal error (a bug in zkcx" in run.stderr and "an invariant failed" in run.stderr
