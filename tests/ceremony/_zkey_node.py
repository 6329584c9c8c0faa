# SPDX-License-Identifier: MIT
"""snarkjs and node for the phase-2 tests (skipped, saying why, where node is absent):
the ``snarkjs`` fixture runs the snarkjs CLI, ``node_eval`` runs an ES-module snippet
with the npm packages (ffjavascript...) importable and returns its standard output."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from tests.conftest import NPM_CACHE, npm_installed


def _require_node() -> pathlib.Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the snarkjs comparison tests need it")
    cli = npm_installed("snarkjs/cli.js")
    if cli is None:
        pytest.skip("npm is not installed, so snarkjs@0.7.6 cannot be installed")
    return cli


@pytest.fixture(scope="session")
def snarkjs():
    """A function running ``snarkjs ARGS``; raises with snarkjs's output when it fails."""
    cli = _require_node()

    def run(*args: object) -> str:
        done = subprocess.run(["node", str(cli), *map(str, args)], capture_output=True,
                              text=True, timeout=900)
        if done.returncode != 0 or "[ERROR]" in done.stdout:
            raise AssertionError(f"snarkjs {' '.join(map(str, args))} failed:\n"
                                 f"{done.stdout}\n{done.stderr}")
        return done.stdout

    return run


@pytest.fixture(scope="session")
def node_eval():
    """A function running an ES-module snippet under node and returning its stdout."""
    _require_node()
    modules = NPM_CACHE / "node_modules"

    def run(source: str) -> str:
        with tempfile.TemporaryDirectory() as tmp:
            # a module resolves bare imports from node_modules beside or above it
            link = pathlib.Path(tmp) / "node_modules"
            os.symlink(modules, link)
            script = pathlib.Path(tmp) / "snippet.mjs"
            script.write_text(source)
            done = subprocess.run(["node", str(script)], capture_output=True, text=True,
                                  timeout=300)
        if done.returncode != 0:
            raise AssertionError(f"node failed:\n{done.stderr}")
        return done.stdout

    return run
