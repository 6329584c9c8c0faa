# SPDX-License-Identifier: MIT
"""The native core keeps the layer order of the Python package (docs/architecture.md):
a source file or header in native/src or native/include includes only files of its own
layer or of the layers before it, and no header includes itself round a cycle. C has no
compiler check for either, so this test parses every ``#include "..."`` line (system
headers in angle brackets are not the core's). The last tests feed the checker small
synthetic trees and expect each rule to fire."""

from __future__ import annotations

import fnmatch
import pathlib
import re
from collections.abc import Mapping

NATIVE = pathlib.Path(__file__).resolve().parents[1] / "native"
SEARCH = ("src", "include")  # the build's include directories (native/build_ffi.py)

# Lowest first; a file belongs to the first layer with a pattern matching its name.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # generated constants, threads and CPU switches, the ChaCha20 stream, BLAKE2b, SHA-256, the
    # public header
    ("base", ("constants.h", "runtime.*", "chacha20.*", "blake2b.*", "sha256.*", "zkcx.h")),
    ("field", ("field*", "fr.c", "fq.c", "ifma*")),  # Fr, Fq, their IFMA vector code
    ("tower", ("tower.*",)),  # Fq2, Fq6, Fq12
    ("curve", ("g1.*", "g2.*", "curve*", "point_vec.c")),  # group law, point vectors
    ("msm and pairing", ("msm*", "pairing.*", "point_sparse.c")),  # + sparse point sums
    ("ntt", ("ntt*",)),  # the poly layer: NTTs and the QAP quotient
    ("point fft", ("point_fft*",)),  # NTTs over G1/G2 (the roots of ntt, the group law)
    ("point tables", ("point_tables.c",)),  # fixed-base tables: point fft's doubling lanes
    ("r1cs", ("sparse.c", "snarkjs_records.c")),  # sparse matrix times vector; zkey coefs to CSR
    ("aggregate", ("aggregate*",)),  # SnarkPack's GT multi-exponentiation and compression
    ("groth16", ("groth16*",)),  # one Groth16 proof: matvec, quotient, MSMs, combination
]

_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)


def layer_of(name: str) -> int | None:
    """The index in LAYERS of a file name, or None if no pattern matches it."""
    for index, (_, patterns) in enumerate(LAYERS):
        if any(fnmatch.fnmatchcase(name, p) for p in patterns):
            return index
    return None


def include_graph(files: Mapping[str, str]) -> tuple[dict[str, list[str]], list[str]]:
    """(file -> the files it includes, problems) for sources keyed by their path under
    native/ (``src/g1.c``). An include is looked up beside the including file, then in
    the include directories, as the compiler does; one found nowhere is a problem."""
    graph: dict[str, list[str]] = {}
    problems = []
    for path, text in files.items():
        here = pathlib.PurePosixPath(path).parent
        targets = graph.setdefault(path, [])
        for included in _INCLUDE.findall(text):
            candidates = [here / included] + [pathlib.PurePosixPath(d) / included
                                              for d in SEARCH]
            for candidate in candidates:
                resolved = _normalise(candidate)
                if resolved in files:
                    if resolved not in targets:
                        targets.append(resolved)
                    break
            else:
                problems.append(f"{path} includes {included!r}, which is not in native/")
    return graph, problems


def _normalise(path: pathlib.PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def upward_includes(files: Mapping[str, str]) -> list[str]:
    """Includes of a later layer, files of no layer and includes found nowhere."""
    graph, problems = include_graph(files)
    for path in sorted(graph):
        own = layer_of(pathlib.PurePosixPath(path).name)
        if own is None:
            problems.append(f"{path} belongs to no layer: add it to LAYERS in "
                            "tests/test_include_order.py")
            continue
        for target in graph[path]:
            theirs = layer_of(pathlib.PurePosixPath(target).name)
            if theirs is not None and theirs > own:
                problems.append(f"{path} ({LAYERS[own][0]}) includes {target} "
                                f"({LAYERS[theirs][0]})")
    return problems


def include_cycles(files: Mapping[str, str]) -> list[list[str]]:
    """Every cycle of the include graph, once each, as a path from its smallest file
    back to it."""
    graph, _ = include_graph(files)
    cycles = []

    def walk(start: str, path: list[str]) -> None:
        for target in graph.get(path[-1], ()):
            if target == start:
                cycles.append(path + [start])
            elif target > start and target not in path:
                walk(start, path + [target])

    for start in sorted(graph):
        walk(start, [start])
    return cycles


def _native_tree() -> dict[str, str]:
    files = {}
    for directory in SEARCH:
        for path in sorted((NATIVE / directory).iterdir()):
            if path.suffix in (".c", ".h"):
                files[f"{directory}/{path.name}"] = path.read_text()
    return files


def test_native_includes_only_downward():
    problems = upward_includes(_native_tree())
    assert not problems, "native include order: " + "; ".join(problems)


def test_native_includes_have_no_cycle():
    cycles = include_cycles(_native_tree())
    assert not cycles, "include cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_every_native_file_is_seen():
    tree = _native_tree()
    assert {"src/field.h", "src/g1.c", "src/msm.c", "src/ntt.c", "include/zkcx.h"} <= set(tree)
    graph, _ = include_graph(tree)
    assert "src/field.h" in graph["src/fr.c"] and "include/zkcx.h" in graph["src/g1.c"]


# -- the checker on synthetic trees: every rule must be able to fail ----------------------

_TREE = {
    "include/zkcx.h": "int zkcx_abi_version(void);\n",
    "src/constants.h": "",
    "src/field.h": '#include "constants.h"\n',
    "src/fr.c": '#include "field.h"\n#include "../include/zkcx.h"\n#include <stdint.h>\n',
    "src/g1.h": '#include "field.h"\n',
    "src/g1.c": '#include "g1.h"\n#include "zkcx.h"\n',
    "src/msm.c": '#include "g1.h"\n',
    "src/ntt.c": '#include "field.h"\n',
}


def test_checker_passes_the_clean_synthetic_tree():
    assert upward_includes(_TREE) == []
    assert include_cycles(_TREE) == []


def test_checker_catches_an_upward_include():
    tree = {**_TREE, "src/field.h": '#include "constants.h"\n  # include "g1.h"\n'}
    assert upward_includes(tree) == ["src/field.h (field) includes src/g1.h (curve)"]
    tree = {**_TREE, "src/msm.c": '#include "g1.h"\n#if X\n#include "ntt.h"\n#endif\n',
            "src/ntt.h": ""}
    assert upward_includes(tree) == ["src/msm.c (msm and pairing) includes src/ntt.h (ntt)"]


def test_checker_catches_an_include_cycle():
    tree = {**_TREE, "src/g1.h": '#include "field.h"\n#include "g2.h"\n',
            "src/g2.h": '#include "g1.h"\n'}
    assert include_cycles(tree) == [["src/g1.h", "src/g2.h", "src/g1.h"]]
    tree = {**_TREE, "src/field.h": '#include "constants.h"\n#include "../src/fr.c"\n'}
    assert include_cycles(tree) == [["src/field.h", "src/fr.c", "src/field.h"]]


def test_checker_catches_unknown_files_and_missing_headers():
    tree = {**_TREE, "src/new_thing.c": '#include "field.h"\n'}
    assert upward_includes(tree) == ["src/new_thing.c belongs to no layer: add it to LAYERS "
                                     "in tests/test_include_order.py"]
    tree = {**_TREE, "src/fr.c": '#include "feild.h"\n'}
    assert upward_includes(tree) == ["src/fr.c includes 'feild.h', which is not in native/"]
