# SPDX-License-Identifier: MIT
"""A fresh clone stands alone: nothing in the repository reads or cites files that
live beside it, every test vector ships in tests/vectors with its provenance, and the
documentation the sources cite is in docs/."""

from __future__ import annotations

import fnmatch
import pathlib
import re

import pytest

from tests.vectors import EVM_VECTORS, SNARKJS_VECTORS, VECTORS, curve_vector_generator

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: What is scanned: the package, the C core, tests, benchmarks, catalogue, docs, README.
SCANNED = ["zkcx", "native", "tests", "benchmarks", "circuits", "docs", "README.md"]
#: Outside references a fresh clone cannot satisfy (spelled in pieces so that this file
#: does not match itself): the sibling folder of the development machines and the
#: design notes kept there.
FORBIDDEN = ["../" + "shared", "shared/" + "vectors", "/work/" + "shared",
             "DESIGN" + ".md", "FORMATS" + ".md"]
#: Build products and caches, not sources.
SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".hypothesis", ".benchmarks"}
SKIPPED_SUFFIXES = {".so", ".o", ".pyc", ".png"}
SOURCES = VECTORS / "SOURCES.md"


def _third_party_data(path: pathlib.Path) -> bool:
    """The vector files copied byte for byte from snarkjs runs and go-ethereum: kept as
    made (expected.json's notes name the format description by its original name)."""
    rel = path.relative_to(VECTORS).parts if path.is_relative_to(VECTORS) else ()
    return len(rel) > 1 and rel[0] in (*SNARKJS_VECTORS, EVM_VECTORS.name)


def _scanned_files():
    for name in SCANNED:
        top = ROOT / name
        paths = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in paths:
            if not path.is_file() or path.suffix in SKIPPED_SUFFIXES:
                continue
            if SKIPPED_PARTS & set(path.parts) or any(p.endswith(".egg-info")
                                                      for p in path.parts):
                continue
            if _third_party_data(path):
                continue
            yield path


def test_no_file_refers_to_anything_beside_the_repository():
    offenders = []
    files = list(_scanned_files())
    assert len(files) > 100, "the scan found too few files: is ROOT right?"
    for path in files:
        data = path.read_bytes()
        for needle in FORBIDDEN:
            if needle.encode() in data:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert not offenders, "outside references: " + "; ".join(offenders)


def test_the_cited_documentation_exists():
    for name in ("architecture.md", "fixed-point.md", "formats.md", "chain.md"):
        assert (ROOT / "docs" / name).is_file(), name
    # every docs/ file a source cites is there
    cited = set()
    for path in _scanned_files():
        if path.suffix in (".py", ".c", ".h", ".md", ".circom"):
            cited.update(re.findall(r"docs/([\w.-]+\.md)", path.read_text(errors="ignore")))
    assert cited, "no source cites docs/"
    missing = sorted(c for c in cited if not (ROOT / "docs" / c).is_file())
    assert not missing, f"cited but absent: {missing}"


def _listed_paths() -> list[str]:
    """The backquoted paths in the first column of SOURCES.md's tables."""
    listed = []
    for line in SOURCES.read_text().splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            listed += re.findall(r"`([^`]+)`", first_cell)
    return listed


def _matches(token: str, folder: pathlib.Path) -> list[pathlib.Path]:
    return sorted(folder.glob(token.rstrip("/"))) if "*" in token else (
        [folder / token.rstrip("/")] if (folder / token.rstrip("/")).exists() else [])


def test_every_path_sources_lists_exists():
    listed = _listed_paths()
    assert len(listed) >= 20, listed
    for token in listed:
        top = token.split("/")[0]
        if top in (*SNARKJS_VECTORS, EVM_VECTORS.name):
            assert _matches(token, VECTORS), f"SOURCES.md lists {token}, which is absent"
        else:  # a file of every snarkjs folder
            for folder in SNARKJS_VECTORS:
                assert _matches(token, VECTORS / folder), \
                    f"SOURCES.md lists {token}, absent from {folder}/"


def test_every_vector_file_has_its_provenance_in_sources():
    listed = _listed_paths()
    per_folder = [t for t in listed if t.split("/")[0] not in
                  (*SNARKJS_VECTORS, EVM_VECTORS.name)]
    undocumented = []
    for path in sorted(VECTORS.rglob("*")):
        if not path.is_file() or not _third_party_data(path):
            continue
        rel = path.relative_to(VECTORS)
        if rel.parts[0] == EVM_VECTORS.name:
            ok = rel.as_posix() in listed
        else:
            inner = pathlib.PurePosixPath(*rel.parts[1:]).as_posix()
            ok = f"{rel.parts[0]}/" in listed and any(fnmatch.fnmatch(inner, t)
                                                      for t in per_folder)
        if not ok:
            undocumented.append(rel.as_posix())
    assert not undocumented, f"not described in SOURCES.md: {undocumented}"


def test_vector_constants_point_inside_the_repository():
    for path in (VECTORS, EVM_VECTORS, *(VECTORS / v for v in SNARKJS_VECTORS)):
        assert path.resolve().is_relative_to(ROOT), path
        assert path.is_dir(), path
    for name in ("bn256Add.json", "bn256ScalarMul.json", "bn256Pairing.json"):
        assert (EVM_VECTORS / name).is_file()


def test_the_c_harness_generator_defaults_to_the_shipped_evm_vectors():
    pytest.importorskip("py_ecc")
    assert curve_vector_generator().DEFAULT_EVM.resolve() == EVM_VECTORS.resolve()
