# SPDX-License-Identifier: MIT
"""Comments that stay true: every repository file a comment or docstring names (``tests/
rollup/test_store.py``, ``benchmarks/RESULTS.md``, ``native/src/msm.c``, ...) exists, in
zkcx/, native/, tests/ and benchmarks/. (Only sources and docs count: a ``.sol`` or
``.json`` name in a comment is as often a name inside a tool's input as a file here.)"""

from __future__ import annotations

import ast
import io
import pathlib
import re
import tokenize

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: a repository path with a file ending, not part of a longer path or a wildcard
PATH = re.compile(r"(?<![\w./*-])((?:tests|benchmarks|native|zkcx|docs|circuits)/[\w./-]*"
                  r"\w\.(?:py|c|h|md|toml))(?![\w*])")
C_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def _python_prose(text: str) -> list[str]:
    """The comments and docstrings of a Python source."""
    out = [tok.string for tok in tokenize.generate_tokens(io.StringIO(text).readline)
           if tok.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                out.append(doc)
    return out


def _prose(path: pathlib.Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return _python_prose(text)
    return C_COMMENT.findall(text)


def _sources() -> list[pathlib.Path]:
    return sorted(p for top in ("zkcx", "native", "tests", "benchmarks")
                  for p in (ROOT / top).rglob("*")
                  if p.suffix in (".py", ".c", ".h") and "node_modules" not in p.parts)


def test_the_scan_reads_comments_of_every_layer():
    files = _sources()
    assert len(files) > 200
    assert any(PATH.search(t) for f in files for t in _prose(f))
    assert PATH.findall("see tests/x/test_y.py and native/src/a.c; not tests/*.py") == [
        "tests/x/test_y.py", "native/src/a.c"]


def test_every_file_a_comment_or_docstring_names_exists():
    missing = sorted({f"{path.relative_to(ROOT)}: {name}"
                      for path in _sources() for text in _prose(path)
                      for name in PATH.findall(text) if not (ROOT / name).exists()})
    assert missing == []
