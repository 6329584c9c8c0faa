# SPDX-License-Identifier: MIT
"""``ThreadCall``: one call run on a thread of its own, its value (or exception) taken
later: what ``zkey verify`` needs of ``concurrent.futures``, whose import (logging and
traceback with it) cost ~8 ms of that command's start-up."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class ThreadCall(Generic[T]):
    """``fn(*args)`` started at once on a daemon thread named ``name`` (after
    ``setup()``, if given, on that thread: ``set_local_threads(1)``, say). ``result``
    waits for it and returns its value or raises its exception; ``wait`` only waits."""

    def __init__(self, fn: Callable[..., T], *args: Any, name: str,
                 setup: Callable[[], object] | None = None) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn, args, setup), name=name,
                                        daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[..., T], args: tuple[Any, ...],
             setup: Callable[[], object] | None) -> None:
        try:
            if setup is not None:
                setup()
            self._value = fn(*args)
        except BaseException as exc:  # handed to result()
            self._error = exc

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
