# SPDX-License-Identifier: MIT
"""Exceptions of the operator service. They name the service's own answers (an HTTP
status and a snake_case code), which the layers below never see, so they live here
rather than in ``zkcx.errors``."""

from __future__ import annotations

from zkcx.errors import ZkcxError


class OperatorRequestError(ZkcxError):
    """A request the operator refuses: ``status`` is the HTTP status it answers
    (400 malformed, 401 unsigned or a signature recovering no key, 403 the wrong signer or
    chain, 404 absent, 409 a nonce already used or taken, 413 too large, 422 off the
    schema, 429 over a rate limit, 503 pool full or shutting down), ``code`` the
    snake_case code of the JSON answer ``{"error": message, "code": code}``, and
    ``headers`` extra response headers (``Retry-After``)."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None, **extra: object) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})
        self.extra = extra

    def body(self) -> dict:
        """The JSON answer: {"error": message, "code": code} and any extra fields."""
        return {"error": self.message, "code": self.code, **self.extra}
