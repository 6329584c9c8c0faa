# SPDX-License-Identifier: MIT
"""How the ``zkcx`` command talks: results on stdout (human text or ``--json``),
progress and errors on stderr, and the exit codes scripts rely on."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

EXIT_OK = 0
EXIT_INVALID = 1  # a proof, block or chain failed verification
EXIT_USAGE = 2  # bad arguments, unreadable or malformed input files
EXIT_INTERNAL = 3  # a bug in zkcx
EXIT_PIPE = 141  # stdout's reader went away (128 + SIGPIPE, as a shell reports `cat`)


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
    def step(self, label: str) -> Iterator[Callable[[int, int, str], None]]:
        """Show a long step on stderr and yield a ``progress(done, total, what)`` callback
        for library calls that report their progress (``groth16.setup``/``prove``,
        ``rollup.verify_chain``). On a terminal: a bar with the current sub-step and the
        elapsed time, redrawn while the native core works (it releases the GIL);
        otherwise one line when the step ends."""
        state = {"done": 0, "total": 0, "what": ""}

        def progress(done: int, total: int, what: str) -> None:
            state.update(done=done, total=total, what=what)

        if self.quiet:
            yield progress
            return
        start = time.perf_counter()
        tty = sys.stderr.isatty()
        stop = threading.Event()

        def draw(frame: str) -> None:
            elapsed = time.perf_counter() - start
            bar = ""
            if state["total"]:
                filled = int(20 * state["done"] / state["total"])
                bar = f" [{'#' * filled}{'.' * (20 - filled)}] {state['done']}/{state['total']}"
                bar += f" {state['what']}"[:40]
            sys.stderr.write(f"\r\x1b[K{frame} {label}{bar} {elapsed:6.1f} s")
            sys.stderr.flush()

        def spin() -> None:
            frames = "|/-\\"
            k = 0
            while not stop.wait(0.1):
                draw(frames[k % 4])
                k += 1

        spinner = threading.Thread(target=spin, daemon=True) if tty else None
        if spinner:
            spinner.start()
        mark = "✗"
        try:
            yield progress
            mark = "✓"
        finally:
            stop.set()
            if spinner:
                spinner.join()
            elapsed = time.perf_counter() - start
            end = "\r\x1b[K" if tty else ""
            sys.stderr.write(f"{end}{mark} {label} {elapsed:6.2f} s\n")
            sys.stderr.flush()
