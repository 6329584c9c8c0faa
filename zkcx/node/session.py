# SPDX-License-Identifier: MIT
"""What a node and a requester both do with an operator: learn its chain (id, signing
domain), read an account, sign with the account's next nonce and submit, and follow a
submission until a block settles it.

A nonce is the account's ``pending_nonce`` (its on-chain nonce counting its items still
in the operator's pool), read just before signing; a 409 answer (that nonce was taken
meanwhile) re-reads it and signs again. A submission the operator no longer knows
(``unknown``: the sealer dropped it as stale) is signed again with a fresh nonce by
the caller (``NodeClient`` does, for its claims)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zkcx.accounts import Domain, Signer
from zkcx.node.errors import NodeError, OperatorRejectedError
from zkcx.node.http import OperatorHTTP
from zkcx.rollup import SignedOperation, chain_domain

#: the submission statuses a block settles (``unknown``: dropped or never received)
SETTLED = frozenset({"accepted", "rejected", "applied"})
#: the transaction document format the operator reads (``zkcx tx`` files' format)
TX_FORMAT = "zkcx-tx-v1"
#: times a 409 (nonce taken) is answered by signing again with a fresh nonce
NONCE_RETRIES = 5


@dataclass(frozen=True)
class Submitted:
    """An acknowledged submission: its hash (hex), the nonce signed, what it was."""

    hash: str
    nonce: int
    kind: str  # "claim" | "operation"


def _int(value: object, what: str) -> int:
    try:
        out = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NodeError(f"the operator's {what} is not an integer: {value!r:.60}") from None
    if out < 0:
        raise NodeError(f"the operator's {what} is negative: {out}")
    return out


class OperatorSession:
    """An account (``signer``) talking to one operator (``http``)."""

    def __init__(self, http: OperatorHTTP, signer: Signer,
                 log: Callable[[dict], None] | None = None) -> None:
        self.http = http
        self.signer = signer
        self.address = str(signer.address)
        self._log = log
        self._chain_id: int | None = None

    def emit(self, event: str, **fields: Any) -> None:
        """Report one event to the log callback (``{"event": ..., ...}``)."""
        if self._log is not None:
            self._log({"event": event, **fields})

    # -- the chain ---------------------------------------------------------------------
    def status(self) -> dict:
        """GET /v1/status."""
        status = self.http.get_json("/v1/status")
        if not isinstance(status, dict):
            raise NodeError(f"the operator's status is not an object: {status!r:.80}")
        return status

    @property
    def chain_id(self) -> int:
        """The operator's chain id (read once)."""
        if self._chain_id is None:
            self._chain_id = _int(self.status().get("chain_id"), "chain id")
        return self._chain_id

    @property
    def domain(self) -> Domain:
        """The EIP-712 domain of the operator's chain."""
        return chain_domain(self.chain_id)

    def height(self) -> int:
        """The head's height."""
        return int(self.status().get("height", -1))

    def account(self, address: str | None = None) -> dict:
        """GET /v1/accounts/{address} (default: this session's)."""
        found = self.http.get_json(f"/v1/accounts/{address or self.address}")
        if not isinstance(found, dict):
            raise NodeError(f"the operator's account record is not an object: {found!r:.80}")
        return found

    def next_nonce(self) -> int:
        """The nonce the next signed transaction of this account takes."""
        account = self.account()
        return _int(account.get("pending_nonce", account.get("nonce", 0)), "pending nonce")

    # -- submitting --------------------------------------------------------------------
    def submit_signed(self, sign: Callable[[int], tuple[str, Any]], kind: str) -> Submitted:
        """POST what ``sign(nonce)`` returns ((path, body) signed with ``nonce``), the
        nonce being the account's next; a 409 (nonce taken meanwhile) signs again."""
        for attempt in range(NONCE_RETRIES + 1):
            nonce = self.next_nonce()
            path, body = sign(nonce)
            try:
                answer = self.http.post_json(path, body)
            except OperatorRejectedError as exc:
                if exc.status != 409 or attempt == NONCE_RETRIES:
                    raise
                self.emit("nonce_taken", nonce=nonce, detail=str(exc))
                continue
            if not isinstance(answer, dict) or not isinstance(answer.get("hash"), str):
                raise NodeError(f"the operator acknowledged {path} without a hash: "
                                f"{answer!r:.80}")
            return Submitted(answer["hash"].lower().removeprefix("0x"), nonce, kind)
        raise NodeError("unreachable")  # pragma: no cover

    def submit_operation(self, operation: Any) -> Submitted:
        """Sign ``operation`` (its actor must be this account) with the next nonce and
        POST it to /v1/transactions."""
        def sign(nonce: int) -> tuple[str, dict]:
            signed = SignedOperation.sign(operation, nonce, self.signer, self.domain)
            return "/v1/transactions", {"format": TX_FORMAT, "chain_id": self.chain_id,
                                        "operation": "0x" + signed.to_bytes().hex()}
        submitted = self.submit_signed(sign, "operation")
        self.emit("submitted", what=type(operation).__name__, hash=submitted.hash,
                  nonce=submitted.nonce)
        return submitted

    def submission(self, digest: str) -> dict:
        """GET /v1/submissions/{hash}: where a submission ended up."""
        found = self.http.get_json(f"/v1/submissions/{digest}")
        if not isinstance(found, dict) or not isinstance(found.get("status"), str):
            raise NodeError(f"the operator's submission record is not an object with a "
                            f"status: {found!r:.80}")
        return found

    def wait(self, digest: str, timeout: float = 120.0, poll: float = 0.2) -> dict:
        """Follow a submission until a block settles it (accepted, rejected, applied);
        ``unknown`` (dropped) is returned too, for the caller to sign again. NodeError
        after ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while True:
            found = self.submission(digest)
            if found["status"] in SETTLED or found["status"] == "unknown":
                return found
            if time.monotonic() > end:
                raise NodeError(f"submission {digest[:16]}… still {found['status']} after "
                                f"{timeout:g} s")
            time.sleep(poll)
