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

from tests.conftest import npm_installed


def _install() -> pathlib.Path | None:
    return npm_installed(".bin/snarkjs")


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
