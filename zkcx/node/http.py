# SPDX-License-Identifier: MIT
"""An HTTP client for the operator's JSON API that rides out an operator's restarts.

Connection errors, timeouts, 5xx answers and 429 (rate limited) are retried with
exponential backoff and full jitter (each wait drawn in [delay/2, delay], the delay
doubling from ``base_delay`` up to ``max_delay``); a 429's ``Retry-After`` is honoured
(waited at least that long). The total time spent waiting on one request is bounded by
``max_wait``: past it, ``OperatorUnavailableError`` says what the last failure was. Any
other 4xx is the request's own fault and is raised at once as ``OperatorRejectedError``
with the operator's message and code (``{"error": ..., "code": ...}`` bodies).

Retrying a POST is safe with this API: the operator's pool is idempotent per hash (the
same claim, transaction or blob twice is acknowledged once), so a request whose answer
was lost is simply sent again."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from zkcx.node.errors import (
    NodeError,
    NodeExtraMissingError,
    OperatorRejectedError,
    OperatorUnavailableError,
)

try:
    import httpx
except ImportError:  # pragma: no cover - the extra is installed wherever tests run
    httpx = None  # type: ignore[assignment]

#: statuses retried with backoff (besides connection errors and timeouts)
RETRIED = frozenset({429, 500, 502, 503, 504})


def require_httpx() -> None:
    """Raise ``NodeExtraMissingError`` when httpx (``zkcx[network]``) is not installed."""
    if httpx is None:
        raise NodeExtraMissingError("the node client needs the optional extra "
                                    "zkcx[network]: pip install 'zkcx[network]'")


def _retry_after(response: Any) -> float | None:
    """A Retry-After header in seconds (the HTTP-date form is not used by the operator)."""
    value = response.headers.get("retry-after")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 3600 else None


def _message(response: Any) -> tuple[str, str]:
    """The operator's (message, code) from an error answer, or the raw text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"], str(body.get("code") or "")
    if isinstance(body, dict) and "detail" in body:  # a framework's own 4xx (schema)
        return json.dumps(body["detail"])[:500], "invalid_request"
    return (response.text or response.reason_phrase or "")[:500], ""


class OperatorHTTP:
    """Requests to one operator (``base_url``, e.g. ``http://127.0.0.1:8545``), retried
    as the module docstring says. ``transport`` replaces the network (tests pass an
    ``httpx.MockTransport``); ``sleep`` and ``rng`` make the backoff testable;
    ``on_retry(what, delay)`` hears about each wait (the node logs it)."""

    def __init__(self, base_url: str, *, timeout: float = 30.0, max_wait: float = 60.0,
                 base_delay: float = 0.1, max_delay: float = 5.0, transport: Any = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None,
                 on_retry: Callable[[str, float], None] | None = None) -> None:
        require_httpx()
        self.base_url = base_url.rstrip("/")
        self.max_wait, self.base_delay, self.max_delay = max_wait, base_delay, max_delay
        self._sleep, self._rng = sleep, rng or random.Random()
        self._on_retry = on_retry
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout,
                                    transport=transport, follow_redirects=False)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> OperatorHTTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _delay(self, attempt: int) -> float:
        delay = min(self.max_delay, self.base_delay * (2 ** min(attempt, 30)))
        return self._rng.uniform(delay / 2, delay)

    def request(self, method: str, path: str, *, json_body: Any = None,
                content: bytes | None = None, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None) -> Any:
        """The operator's 2xx answer (an ``httpx.Response``) to ``method path``, retried
        through failures for at most ``max_wait`` seconds of waiting."""
        waited, attempt = 0.0, 0
        while True:
            try:
                response = self._client.request(method, path, json=json_body,
                                                content=content, params=params,
                                                headers=headers)
            except httpx.TransportError as exc:  # refused, reset, timed out
                failure, floor = f"{type(exc).__name__}: {exc}", 0.0
            else:
                if response.status_code < 300:
                    return response
                message, code = _message(response)
                if response.status_code not in RETRIED:
                    raise OperatorRejectedError(
                        f"the operator refused {method} {path}: {response.status_code} "
                        f"{code or response.reason_phrase}: {message}",
                        response.status_code, code)
                failure = f"{response.status_code} {code}: {message}".strip()
                floor = _retry_after(response) or 0.0
            delay = max(floor, self._delay(attempt))
            if waited + delay > self.max_wait:
                raise OperatorUnavailableError(
                    f"the operator at {self.base_url} did not answer {method} {path} "
                    f"within {self.max_wait:g} s of retries (last: {failure})")
            if self._on_retry is not None:
                self._on_retry(f"{method} {path}: {failure}", delay)
            self._sleep(delay)
            waited += delay
            attempt += 1

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a JSON answer."""
        return _json(self.request("GET", path, params=params), path)

    def get_bytes(self, path: str) -> bytes:
        """GET a raw answer (a blob, a proving key)."""
        return self.request("GET", path).content

    def post_json(self, path: str, body: Any) -> Any:
        """POST a JSON body; the JSON answer."""
        return _json(self.request("POST", path, json_body=body), path)

    def post_bytes(self, path: str, data: bytes) -> Any:
        """POST raw bytes (application/octet-stream); the JSON answer."""
        return _json(self.request("POST", path, content=data,
                                  headers={"content-type": "application/octet-stream"}), path)


def _json(response: Any, path: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise NodeError(f"the operator's answer to {path} is not JSON: "
                        f"{response.text[:200]!r}") from None
