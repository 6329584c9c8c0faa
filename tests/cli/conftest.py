# SPDX-License-Identifier: MIT
"""Runs the ``zkcx`` command as a user does: a subprocess through its entry point."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def zkcx_cmd(tmp_path):
    """Call ``python -m zkcx ARGS...`` in tmp_path; returns exit code and output."""

    # the tree under test comes first, whatever the environment has installed
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))

    def run(*args: str, timeout: float = 300) -> Run:
        proc = subprocess.run([sys.executable, "-m", "zkcx", *map(str, args)], cwd=tmp_path,
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, env=env)
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


def run_main(*args) -> Run:
    """``zkcx ARGS...`` in-process through ``zkcx.cli.main`` (faster than a subprocess;
    the current directory is the caller's)."""
    import contextlib
    import io

    from zkcx.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return Run(code, out.getvalue(), err.getvalue())


# -- the chain-command tests' shared setup ----------------------------------------------------
#: A 4-element dot kernel bound to its claims, and the visibility that makes it task-ready.
DOT_SPEC = 'kernel = "dot"\nn = 4\nfrac_bits = 8\nbound_bits = 16\nbinding = true\n'
COMMITTED = '\n[visibility]\nx = "committed"\ny = "committed"\n'


def ok(*args) -> Run:
    """``run_main(*args)``, asserting it succeeded."""
    run = run_main(*args)
    assert run.code == 0, (args, run.stderr)
    return run


def keys(address: str) -> list[str]:
    """The arguments that sign with ``address``'s key of the keystore ./keys."""
    return ["--keystore", "keys", "--account", address]


def market(path="chain.db"):
    """The chain's market, read as the library reads it (not through the CLI)."""
    from zkcx.rollup import SQLiteChainStore

    with SQLiteChainStore.open(path, read_only=True) as store:
        return store.load_state()


def set_up_kernels(folder: pathlib.Path, specs: dict[str, str]) -> None:
    """Writes NAME.toml for each kernel spec and runs ``zkcx setup`` on it (NAME.zkey,
    NAME.vk.json), in ``folder``, the current directory."""
    for name, spec in specs.items():
        (folder / f"{name}.toml").write_text(spec)
        ok("setup", f"{name}.toml", f"{name}.zkey", "--vk", f"{name}.vk.json")


def chain_folder(folder: pathlib.Path, monkeypatch, kernels: dict[str, str], grant: str,
                 password: str, signers) -> None:
    """Makes ``folder`` the current directory with the kernels set up (``set_up_kernels``),
    a chain chain.db whose genesis grants ``grant`` (ADDRESS=TOKENS) and a keystore of the
    signers' keys under ``password`` (also ZKCX_PASSWORD)."""
    monkeypatch.chdir(folder)
    monkeypatch.setenv("ZKCX_PASSWORD", password)
    set_up_kernels(folder, kernels)
    ok("chain", "init", "chain.db", "--grant", grant)
    new_keystore(folder, password, signers)


def new_keystore(folder: pathlib.Path, password: str, signers) -> None:
    """A keystore ./keys holding each signer's key under ``password`` (a fast KDF)."""
    from zkcx.accounts import Keystore

    keystore = Keystore(folder / "keys")
    for key in signers:
        keystore.new(password, key, kdf="pbkdf2", iterations=1000)
