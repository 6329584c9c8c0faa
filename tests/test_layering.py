# SPDX-License-Identifier: MIT
"""Each layer imports only from the layers before it (docs/architecture.md). Python has no
compiler to enforce that, so this test parses every import of the package: absolute and
relative ``import`` statements at any depth (inside functions too), and
``importlib.import_module`` / ``__import__`` calls with a string literal. Three rules:

* no upward import: a module imports from its own layer, the layers before it and the base;
* no private module (``zkcx.a._b``) or private name (``_x``) used outside the package that
  defines it; the top-level ``zkcx._x`` modules are the package's shared infrastructure;
* no import cycle between the package's modules, counting imports inside functions (only
  imports under ``if TYPE_CHECKING:``, which never run, are left out of the cycle check).

The checker runs on source text, so the last tests feed it small synthetic trees and
expect each rule to fire: a rule that cannot fail proves nothing."""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Mapping
from dataclasses import dataclass

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "zkcx"

# Order of docs/architecture.md; the package-top modules (params, errors, _lib, ...) are the base.
LAYERS = ["field", "curve", "poly", "r1cs", "gadgets", "kernels", "groth16", "ceremony",
          "accounts",
          "rewards", "market", "rollup", "cluster", "operator", "node", "cli"]
BASE = {"params", "errors", "_config", "_lib", "_bindings", "_native", "_threads", "_lazy", "io",
        "testing"}
FRONT_DOORS = {"zkcx", "zkcx.__main__"}  # the package front door and ``python3 -m zkcx``


@dataclass(frozen=True)
class Import:
    """One import found in ``importer``: the module it loads, and the attribute it takes
    from that module when the attribute is not itself a submodule."""

    importer: str
    module: str
    name: str | None
    line: int
    type_only: bool  # under ``if TYPE_CHECKING:``

    def __str__(self) -> str:
        what = f"{self.module}.{self.name}" if self.name else self.module
        return f"{self.importer}:{self.line} imports {what}"


def module_names(files: Mapping[str, str]) -> dict[str, bool]:
    """Module name -> whether it is a package, for source files keyed by their path
    relative to the package's parent (``zkcx/gadgets/_values.py``)."""
    out = {}
    for path in files:
        parts = pathlib.PurePosixPath(path).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_package else parts)] = is_package
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute module named by a relative import in ``importer``."""
    if level == 0:
        return module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    if level - 1 >= len(base):
        raise ValueError(f"{importer}: relative import beyond the top-level package")
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _literal_import(call: ast.Call) -> tuple[str, str | None] | None:
    """(name, package) of ``importlib.import_module(name[, package])`` or
    ``__import__(name)`` with literal arguments; ("<dynamic>", None) for a non-literal
    name starting with a literal ``zkcx``; None for any other call."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if called not in ("import_module", "__import__") or not call.args:
        return None
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        package = None
        extra = list(call.args[1:2]) + [k.value for k in call.keywords if k.arg == "package"]
        if called == "import_module" and extra and isinstance(extra[0], ast.Constant):
            package = extra[0].value
        return first.value, package
    if isinstance(first, ast.JoinedStr) and first.values:
        head = first.values[0]
        if isinstance(head, ast.Constant) and str(head.value).startswith("zkcx"):
            return "<dynamic>", None
    return None


def imports_of(importer: str, source: str, modules: Mapping[str, bool]) -> list[Import]:
    """Every import of a zkcx module in one module's source (``modules``: every module of
    the tree, to tell a submodule from a name taken from a package)."""
    is_package = modules.get(importer, False)
    found: list[Import] = []

    def add(target: str, names: list[str], line: int, type_only: bool) -> None:
        if target != "zkcx" and not target.startswith("zkcx."):
            return
        if not names:
            found.append(Import(importer, target, None, line, type_only))
        for name in names:
            sub = f"{target}.{name}"
            if name == "*" or sub not in modules:
                found.append(Import(importer, target, None if name == "*" else name, line,
                                    type_only))
            else:
                found.append(Import(importer, sub, None, line, type_only))

    def visit(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_only)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, [], node.lineno, type_only)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(importer, is_package, node.level, node.module)
            add(target, [a.name for a in node.names], node.lineno, type_only)
        elif isinstance(node, ast.Call) and (literal := _literal_import(node)):
            name, package = literal
            if name == "<dynamic>":
                found.append(Import(importer, "<dynamic>", None, node.lineno, type_only))
            elif name.startswith("."):
                level = len(name) - len(name.lstrip("."))
                base = package.split(".") if package else []
                if package and level - 1 < len(base):
                    add(_resolve(".".join(base), True, level, name.lstrip(".") or None), [],
                        node.lineno, type_only)
            else:
                add(name, [], node.lineno, type_only)
        for child in ast.iter_child_nodes(node):
            visit(child, type_only)

    visit(ast.parse(source), False)
    return found


def imports_of_tree(files: Mapping[str, str]) -> list[Import]:
    """Every zkcx import in a tree of sources keyed by path (see ``module_names``)."""
    modules = module_names(files)
    found = []
    for path, source in files.items():
        parts = pathlib.PurePosixPath(path).with_suffix("").parts
        importer = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found += imports_of(importer, source, modules)
    return found


def layer_of(module: str) -> int:
    """The layer's index in LAYERS; -1 for the base, len(LAYERS) for anything else (a
    top-level tool sits above every layer)."""
    parts = module.split(".")
    if parts[0] != "zkcx" or len(parts) == 1:
        return -1
    name = parts[1]
    if name in LAYERS:
        return LAYERS.index(name)
    return -1 if name in BASE else len(LAYERS)


def upward_imports(found: list[Import]) -> list[str]:
    """Imports of a later layer, and dynamic imports of zkcx modules the test cannot read."""
    problems = []
    for imp in found:
        if imp.importer in FRONT_DOORS:
            continue  # the front doors may import any layer
        if imp.module == "<dynamic>":
            problems.append(f"{imp.importer}:{imp.line} imports a zkcx module named at run "
                            "time (write the name as a literal)")
        elif layer_of(imp.module) > layer_of(imp.importer):
            problems.append(str(imp))
    return problems


def _private_owner(imp: Import, modules: Mapping[str, bool]) -> str | None:
    """The package that defines the private module or name ``imp`` uses, or None."""
    parts = imp.module.split(".")
    for i, part in enumerate(parts[1:], start=1):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    if imp.name and imp.name.startswith("_") and not imp.name.startswith("__"):
        return imp.module if modules.get(imp.module, False) else ".".join(parts[:-1])
    return None


def private_imports(found: list[Import], modules: Mapping[str, bool]) -> list[str]:
    """Private modules and names used outside the package that defines them."""
    problems = []
    for imp in found:
        owner = _private_owner(imp, modules)
        if owner is not None and imp.importer != owner and not imp.importer.startswith(
                owner + "."):
            problems.append(f"{imp} (private to {owner})")
    return problems


def import_cycles(found: list[Import]) -> list[list[str]]:
    """Import cycles among the modules, leaving out imports under ``if TYPE_CHECKING:``:
    per strongly connected component, shortest cycles until every member is on one."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        if not imp.type_only and imp.module not in ("<dynamic>", imp.importer):
            graph.setdefault(imp.importer, set()).add(imp.module)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    cycles = []
    for component in components:  # shortest cycles until each member is on one
        covered: set[str] = set()
        for member in component:
            if member not in covered:
                cycles.append(_cycle_through(member, component, graph))
                covered.update(cycles[-1])
    return cycles


def _cycle_through(start: str, component: list[str],
                   graph: Mapping[str, set[str]]) -> list[str]:
    """A shortest cycle from ``start`` through its component (breadth-first)."""
    members = set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ())):
            if w == start:
                return paths[v] + [start]
            if w in members and w not in paths:
                paths[w] = paths[v] + [w]
                queue.append(w)
    return component  # unreachable: a component's members reach each other


def _package_tree() -> dict[str, str]:
    return {str(p.relative_to(PACKAGE.parent).as_posix()): p.read_text()
            for p in sorted(PACKAGE.rglob("*.py"))}


def test_layers_import_only_downward():
    problems = upward_imports(imports_of_tree(_package_tree()))
    assert not problems, "upward imports: " + "; ".join(problems)


def test_private_modules_stay_inside_their_package():
    tree = _package_tree()
    problems = private_imports(imports_of_tree(tree), module_names(tree))
    assert not problems, "private imports across packages: " + "; ".join(problems)


def test_no_import_cycles():
    cycles = import_cycles(imports_of_tree(_package_tree()))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_every_layer_is_an_attribute_of_the_package():
    import zkcx

    for name in LAYERS:
        assert getattr(zkcx, name).__name__ == f"zkcx.{name}"
        assert name in zkcx.__all__


# -- the checker on synthetic trees: every rule must be able to fail ----------------------

_TREE = {
    "zkcx/__init__.py": "",
    "zkcx/_lib.py": "",
    "zkcx/field/__init__.py": "",
    "zkcx/field/_binding.py": "",
    "zkcx/field/vector.py": "from zkcx.field._binding import ptr\n",
    "zkcx/gadgets/__init__.py": "",
    "zkcx/gadgets/_values.py": "",
    "zkcx/gadgets/bits.py": "from ._values import bits_of\n",
    "zkcx/kernels/__init__.py": "",
    "zkcx/kernels/base.py": "from zkcx.gadgets import bits\nfrom zkcx import _lib\n",
    "zkcx/rewards/__init__.py": "",
    "zkcx/rewards/account.py": "from zkcx.rewards import __name__ as _n\n",
    "zkcx/rollup/__init__.py": "",
    "zkcx/rollup/block.py": "",
}


def _with(path: str, source: str) -> dict[str, str]:
    return {**_TREE, path: source}


def _upward(tree: dict[str, str]) -> list[str]:
    return upward_imports(imports_of_tree(tree))


def _private(tree: dict[str, str]) -> list[str]:
    return private_imports(imports_of_tree(tree), module_names(tree))


def test_checker_passes_the_clean_synthetic_tree():
    assert _upward(_TREE) == []
    assert _private(_TREE) == []
    assert import_cycles(imports_of_tree(_TREE)) == []


def test_checker_catches_upward_relative_imports():
    cases = [("from ..rollup import block\n", "1 imports zkcx.rollup.block"),
             ("from ..rollup.block import Block\n", "1 imports zkcx.rollup.block.Block"),
             ("from .. import rollup\n", "1 imports zkcx.rollup"),
             ("def f():\n    from ..rollup import block\n", "2 imports zkcx.rollup.block")]
    for source, problem in cases:
        assert _upward(_with("zkcx/rewards/account.py", source)) == [
            f"zkcx.rewards.account:{problem}"]
    # a package's own relative import resolves against the package itself
    assert _upward(_with("zkcx/rewards/__init__.py", "from . import account\n")) == []
    assert _upward(_with("zkcx/rewards/__init__.py", "from ..rollup import block\n"))


def test_checker_catches_absolute_upward_imports_of_a_submodule_by_name():
    # ``from zkcx import rollup`` names the package zkcx, yet loads the rollup layer
    assert _upward(_with("zkcx/rewards/account.py", "from zkcx import rollup\n")) == [
        "zkcx.rewards.account:1 imports zkcx.rollup"]
    assert _upward(_with("zkcx/rewards/account.py", "import zkcx.rollup.block as b\n")) == [
        "zkcx.rewards.account:1 imports zkcx.rollup.block"]


def test_checker_catches_importlib_strings():
    for call in ('importlib.import_module("zkcx.rollup.block")',
                 'import_module("zkcx.rollup")', '__import__("zkcx.rollup.block")',
                 'importlib.import_module(".block", package="zkcx.rollup")',
                 'importlib.import_module(f"zkcx.{name}")'):
        source = f"import importlib\n\ndef load(name):\n    return {call}\n"
        problems = _upward(_with("zkcx/rewards/account.py", source))
        assert len(problems) == 1 and problems[0].startswith("zkcx.rewards.account:4"), (
            call, problems)
    ok = 'import importlib\nimportlib.import_module("zkcx.field")\n'
    assert _upward(_with("zkcx/rewards/account.py", ok)) == []


def test_checker_catches_cross_package_private_imports():
    for source in ("from zkcx.gadgets._values import to_signed\n",
                   "from zkcx.gadgets import _values\n",
                   "import zkcx.gadgets._values\n",
                   "def f():\n    from zkcx.gadgets._values import to_signed\n",
                   "from zkcx.gadgets.bits import _helper\n",
                   "from zkcx.gadgets import _helper\n"):
        problems = _private(_with("zkcx/kernels/base.py", source))
        assert len(problems) == 1 and "(private to zkcx.gadgets)" in problems[0], (
            source, problems)
    # inside the package, and top-level zkcx._x modules, are fine
    assert _private(_with("zkcx/gadgets/bits.py", "from zkcx.gadgets._values import x\n")) == []
    assert _private(_with("zkcx/rollup/block.py", "from zkcx._lib import ffi\n")) == []


def test_checker_catches_import_cycles_including_function_level_imports():
    tree = _with("zkcx/rollup/block.py", "from zkcx.rollup import chain\n")
    tree["zkcx/rollup/chain.py"] = "def f():\n    from zkcx.rollup.block import Block\n"
    assert import_cycles(imports_of_tree(tree)) == [
        ["zkcx.rollup.block", "zkcx.rollup.chain", "zkcx.rollup.block"]]
    # a longer cycle, through a relative import and a package's __init__
    tree = _with("zkcx/rollup/block.py", "from . import chain\n")
    tree["zkcx/rollup/chain.py"] = "import zkcx.rollup\n"
    tree["zkcx/rollup/__init__.py"] = "from zkcx.rollup.block import Block\n"
    assert import_cycles(imports_of_tree(tree)) == [
        ["zkcx.rollup", "zkcx.rollup.block", "zkcx.rollup.chain", "zkcx.rollup"]]
    # two cycles sharing a module: both are named
    tree = _with("zkcx/rollup/block.py", "from zkcx.rollup import chain, store\n")
    tree["zkcx/rollup/chain.py"] = "import zkcx.rollup.block\n"
    tree["zkcx/rollup/store.py"] = "def f():\n    import zkcx.rollup.block\n"
    assert import_cycles(imports_of_tree(tree)) == [
        ["zkcx.rollup.block", "zkcx.rollup.chain", "zkcx.rollup.block"],
        ["zkcx.rollup.store", "zkcx.rollup.block", "zkcx.rollup.store"]]
    # an import under TYPE_CHECKING never runs: no cycle
    tree = _with("zkcx/rollup/block.py", "from zkcx.rollup import chain\n")
    tree["zkcx/rollup/chain.py"] = ("from typing import TYPE_CHECKING\n"
                                    "if TYPE_CHECKING:\n    from zkcx.rollup.block import B\n")
    assert import_cycles(imports_of_tree(tree)) == []
