# SPDX-License-Identifier: MIT
"""The operator's limits on what a client may send: request bodies read up to a size
(413 beyond), and token-bucket rate limits per key (a signing account, a client
address), answered 429 with ``Retry-After``."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import AsyncIterator, Callable

from zkcx.operator.errors import OperatorRequestError


def too_large(limit: int, what: str = "request body") -> OperatorRequestError:
    """The 413 answer for a body over ``limit`` bytes."""
    return OperatorRequestError(413, "body_too_large",
                                f"the {what} is larger than {limit:,} bytes, the most this "
                                "operator accepts")


async def read_limited(headers: dict | object, stream: AsyncIterator[bytes], limit: int,
                       what: str = "request body") -> bytes:
    """The body of a request, refused (413) as soon as it passes ``limit`` bytes: at
    once when its Content-Length says so, else while it streams (nothing more is
    buffered than the limit and one chunk)."""
    declared = headers.get("content-length")  # type: ignore[attr-defined]
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise OperatorRequestError(400, "bad_content_length",
                                       f"Content-Length {declared[:20]!r} is not a "
                                       "number") from None
        if size > limit:
            raise too_large(limit, what)
    parts, total = [], 0
    async for chunk in stream:
        total += len(chunk)
        if total > limit:
            raise too_large(limit, what)
        parts.append(chunk)
    return b"".join(parts)


class RateLimiter:
    """Token buckets per key: each holds up to ``burst`` tokens and refills at ``rate``
    tokens a second; a request takes one. Thread-safe. Buckets that are full again are
    forgotten when the table grows past ``max_keys`` (a full bucket is the same as none),
    so many one-off keys do not grow memory without bound."""

    def __init__(self, rate: float, burst: int, *, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst = float(rate), int(burst)
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take a token for ``key``: 0.0 when allowed, else the seconds until a token is
        there again (nothing taken)."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > self._max_keys:
                    self._forget_full(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def check(self, key: str, what: str) -> None:
        """``take(key)``, raising the 429 answer (with ``Retry-After`` in whole seconds)
        when the bucket is empty; ``what`` names the limit in the message."""
        wait = self.take(key)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise OperatorRequestError(
                429, "rate_limited",
                f"too many submissions from {what} (at most {self.rate:g}/s, bursts of "
                f"{self.burst}); retry in {seconds} s", headers={"Retry-After": str(seconds)})

    def _forget_full(self, now: float) -> None:
        self._buckets = {k: (t, at) for k, (t, at) in self._buckets.items()
                         if t + (now - at) * self.rate < self.burst}
