# SPDX-License-Identifier: MIT
"""How the ``zkcx`` command talks: results on stdout (human text or ``--json``),
progress and errors on stderr, and the exit codes scripts rely on."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

EXIT_OK = 0
EXIT_INVALID = 1  # a proof, block or chain failed verification
EXIT_USAGE = 2  # bad arguments, unreadable or malformed input files
EXIT_INTERNAL = 3  # a bug in zkcx


class UsageError(Exception):
    """A bad argument or input file: reported on stderr with exit code 2."""


class Reporter:
    """Writes results either as text lines or, with ``--json``, as one JSON document."""

    def __init__(self, as_json: bool, quiet: bool = False) -> None:
        self.as_json = as_json
        self.quiet = quiet
        self.result: dict[str, Any] = {}

    def line(self, text: str = "") -> None:
        """A line of human-readable output (suppressed with --json)."""
        if not self.as_json:
            print(text, flush=True)

    def table(self, headers: list[str], rows: list[list[Any]]) -> None:
        """A plain-text table with columns sized to their content."""
        if self.as_json:
            return
        cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
        for k, row in enumerate(cells):
            print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                            for i, (c, w) in enumerate(zip(row, widths))).rstrip())
            if k == 0:
                print("  ".join("-" * w for w in widths))

    def set(self, **fields: Any) -> None:
        """Record fields of the machine-readable result."""
        self.result.update(fields)

    def finish(self) -> None:
        if self.as_json:
            print(json.dumps(self.result, indent=1, default=str), flush=True)

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        """Show a long step on stderr: an elapsed-time spinner on a terminal, a start and
        an end line otherwise. The native core releases the GIL, so the spinner turns
        while it works."""
        if self.quiet:
            yield
            return
        start = time.perf_counter()
        tty = sys.stderr.isatty()
        stop = threading.Event()

        def spin() -> None:
            frames = "|/-\\"
            k = 0
            while not stop.wait(0.1):
                elapsed = time.perf_counter() - start
                sys.stderr.write(f"\r{frames[k % 4]} {label} {elapsed:6.1f} s")
                sys.stderr.flush()
                k += 1

        spinner = threading.Thread(target=spin, daemon=True) if tty else None
        if spinner:
            spinner.start()
        mark = "✗"
        try:
            yield
            mark = "✓"
        finally:
            stop.set()
            if spinner:
                spinner.join()
            elapsed = time.perf_counter() - start
            end = "\r" if tty else ""
            sys.stderr.write(f"{end}{mark} {label} {elapsed:6.2f} s\n")
            sys.stderr.flush()
