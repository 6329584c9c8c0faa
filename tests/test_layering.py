# SPDX-License-Identifier: MIT
"""Each layer imports only from the layers before it (docs/architecture.md). Python has no
compiler to enforce that, so this test parses every import."""

from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "zkcx"

# Order of docs/architecture.md; the package-top modules (params, errors, _lib, ...) are the base.
LAYERS = ["field", "curve", "poly", "r1cs", "gadgets", "kernels", "groth16", "accounts",
          "rewards", "market", "rollup", "cli"]
BASE = {"params", "errors", "_config", "_lib", "_bindings", "_native", "io", "testing"}


def _layer_of(module: str) -> int:
    parts = module.split(".")
    if parts[0] != "zkcx" or len(parts) == 1:
        return -1
    name = parts[1]
    if name in LAYERS:
        return LAYERS.index(name)
    return -1 if name in BASE else len(LAYERS)  # top-level tools sit above every layer


def test_layers_import_only_downward():
    problems = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        if module in ("zkcx", "zkcx.__main__"):
            continue  # the package front door and tools may import any layer
        own = _layer_of(module)
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
            for target in targets:
                if not target.startswith("zkcx"):
                    continue
                if _layer_of(target) > own:
                    problems.append(f"{module} imports {target}")
    assert not problems, "upward imports: " + "; ".join(problems)


def test_every_layer_is_an_attribute_of_the_package():
    import zkcx

    for name in LAYERS:
        assert getattr(zkcx, name).__name__ == f"zkcx.{name}"
        assert name in zkcx.__all__
