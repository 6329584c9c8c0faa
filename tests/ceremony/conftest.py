# SPDX-License-Identifier: MIT
"""node-side tools of the ceremony tests: the snarkjs 0.7.6 CLI and small scripts run
against snarkjs's own ffjavascript (its ChaCha and curves). Where node or npm is missing
the tests that need them are skipped, saying so."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

import pytest

from tests.conftest import npm_installed


def _snarkjs_dir() -> pathlib.Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the snarkjs ceremony tests need it")
    found = npm_installed("snarkjs/cli.js")
    if found is None:
        pytest.skip("npm is not installed, so snarkjs@0.7.6 cannot be installed")
    return found.parent


@pytest.fixture(scope="session")
def ptau_snarkjs():
    """A function running ``snarkjs ARGS`` (node cli.js), returning the CompletedProcess;
    it fails the test with snarkjs's output when snarkjs exits non-zero, unless
    ``check=False``."""
    cli = _snarkjs_dir() / "cli.js"

    def run(*args, cwd=None, check=True) -> subprocess.CompletedProcess:
        done = subprocess.run(["node", str(cli), *map(str, args)], capture_output=True,
                              text=True, cwd=cwd, timeout=600)
        if check and done.returncode != 0:
            pytest.fail(f"snarkjs {' '.join(map(str, args))} failed:\n{done.stdout}\n"
                        f"{done.stderr}")
        return done

    return run


@pytest.fixture(scope="session")
def ffjs_eval(tmp_path_factory):
    """A function running an ES-module body with ``curve`` (ffjavascript's bn128, the one
    snarkjs uses) and ``ChaCha`` in scope; the body sets ``out``, returned parsed from
    JSON."""
    ffjs = _snarkjs_dir() / "node_modules" / "ffjavascript" / "main.js"
    if not ffjs.exists():
        pytest.skip("snarkjs's ffjavascript is not where npm puts it")
    folder = tmp_path_factory.mktemp("ffjs")

    def run(body: str):
        script = folder / "script.mjs"
        script.write_text(
            f'import {{buildBn128, ChaCha}} from "{ffjs.as_posix()}";\n'
            "const curve = await buildBn128(true);\nlet out = null;\n"
            f"{body}\nconsole.log(JSON.stringify(out));\nprocess.exit(0);\n")
        done = subprocess.run(["node", str(script)], capture_output=True, text=True,
                              timeout=120)
        if done.returncode != 0:
            pytest.fail(f"node failed:\n{done.stderr}")
        return json.loads(done.stdout)

    return run
