# SPDX-License-Identifier: MIT
"""The real snarkjs/circom toolchain for interoperability tests.

snarkjs@0.7.6 (with circom2 and circomlib) is installed from npm into
``.ci-cache/npm`` the first time a test needs it (``.ci/run`` does it up front). Where
node or npm is missing the tests are skipped, saying so; nothing passes silently."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CACHE = ROOT / ".ci-cache" / "npm"
PACKAGES = ["snarkjs@0.7.6", "circom2@0.2.23", "circomlib@2.0.5"]


def _install() -> pathlib.Path | None:
    exe = CACHE / "node_modules" / ".bin" / "snarkjs"
    if exe.exists():
        return exe
    npm = shutil.which("npm")
    if npm is None:
        return None
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), *PACKAGES],
                   check=True, capture_output=True, text=True, timeout=600)
    return exe if exe.exists() else None


@pytest.fixture(scope="session")
def snarkjs():
    """A function running ``snarkjs ARGS`` and returning the CompletedProcess."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the snarkjs interoperability tests need it")
    exe = os.environ.get("ZKCX_SNARKJS") or _install()
    if exe is None:
        pytest.skip("npm is not installed, so snarkjs@0.7.6 cannot be installed")

    def run(*args: str, cwd: pathlib.Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True,
                              cwd=cwd, timeout=600)

    return run
