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
