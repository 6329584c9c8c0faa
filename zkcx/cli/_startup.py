# SPDX-License-Identifier: MIT
"""Where a command's work starts: the point benchmarks stop at to measure start-up.

Every command handler calls :func:`work_starts` once, after importing what it uses and
right before it reads its first input. With ``ZKCX_STOP_AT_WORK=1`` in the environment
the process ends there (exit code 0), so the wall time of a whole run is the command's
start-up: interpreter, imports and argument parsing. Otherwise it does nothing."""

from __future__ import annotations

import contextlib
import os
import sys

#: the environment variable that makes :func:`work_starts` end the process
STOP_AT_WORK = "ZKCX_STOP_AT_WORK"


def work_starts() -> None:
    """Mark the first line of a command's work; with ``ZKCX_STOP_AT_WORK=1`` flush
    stdout and stderr and exit the process at once with code 0."""
    if os.environ.get(STOP_AT_WORK) != "1":
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(0)
