# SPDX-License-Identifier: MIT
"""The operator's HTTP API schema: pydantic models of the request bodies it validates
and of the answers it gives (the OpenAPI document is made from them). The node client
imports them to read the answers.

Amounts are decimal strings (they pass 2^53), hashes lowercase hex without 0x, accounts
EIP-55 addresses. Every refusal is an ``ErrorResponse``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

#: the ``format`` of a signed transaction document (what ``zkcx tx`` writes)
TX_FORMAT = "zkcx-tx-v1"
#: the most public inputs a claim carries (``zkcx.rollup.claim.MAX_PUBLIC_INPUTS``)
MAX_PUBLIC_INPUTS = 4096
_U64 = 1 << 64


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorResponse(BaseModel):
    """Every refusal: a message a person can act on and a snake_case code a program can
    branch on."""

    error: str
    code: str


class ClaimSubmission(_Strict):
    """``POST /v1/claims``: a signed claim as ``Claim.to_json`` writes it."""

    format: StrictStr
    node_id: StrictStr = Field(max_length=64)
    task_id: StrictStr = Field(max_length=255)
    kernel_id: StrictStr = Field(max_length=64)
    kind: StrictStr = Field(max_length=32)
    public: list[StrictStr] = Field(max_length=MAX_PUBLIC_INPUTS)
    proof: dict[str, Any]
    model_id: StrictStr | None = Field(default=None, max_length=255)
    model_version: StrictInt | None = Field(default=None, ge=0, lt=_U64)
    nonce: StrictInt = Field(default=0, ge=0, lt=_U64)
    signature: StrictStr | None = Field(default=None, max_length=132)


class TransactionSubmission(_Strict):
    """``POST /v1/transactions``: a signed operation as ``zkcx tx`` writes it
    (``summary``, for people, is ignored: the operation's bytes carry everything)."""

    format: Literal["zkcx-tx-v1"]
    chain_id: StrictInt = Field(ge=1, lt=_U64)
    operation: StrictStr = Field(pattern=r"^0x([0-9a-fA-F]{2})*$")
    summary: dict[str, Any] | None = None


class Accepted(BaseModel):
    """202: the submission is durable in the pending pool (it survives a crash)."""

    hash: str
    seq: int
    status: Literal["pending"] = "pending"


class Status(BaseModel):
    """``GET /v1/status``."""

    chain_id: int
    genesis_hash: str
    height: int
    head_hash: str | None
    pending: int
    time: float


class Submission(BaseModel):
    """``GET /v1/submissions/{hash}``: where a claim or operation ended up. ``pending``
    (in the pool: ``seq``, ``received``), ``accepted``/``rejected`` (a claim),
    ``applied``/``rejected`` (an operation) in block ``height`` with the reject
    ``reason`` and ``detail``, or ``unknown``."""

    hash: str
    status: Literal["pending", "accepted", "rejected", "applied", "unknown"]
    height: int | None = None
    reason: str | None = None
    detail: str | None = None
    seq: int | None = None
    received: int | None = None


class Earnings(BaseModel):
    earned_total: str
    claims_accepted: int
    proofs_invalid: int
    slashed_total: str


class AccountView(BaseModel):
    """``GET /v1/accounts/{address}`` at ``height`` (the head). ``nonce``: the next
    nonce a block takes; ``pending_nonce``: the next one counting this account's
    pending transactions (what a client signs next)."""

    address: str
    height: int
    balance: str
    stake: str
    held: str
    unbonding: list[tuple[str, int]]
    nonce: int
    pending_nonce: int
    reputation: int
    tier: str
    earnings: Earnings
    node: dict[str, Any] | None


class BlobStored(BaseModel):
    """``POST /v1/blobs``: the blob's SHA-256, its name for ``GET /v1/blobs/{sha256}``."""

    sha256: str


class VerifyFailure(BaseModel):
    height: int | None
    reason: str


class VerifyResult(BaseModel):
    """``GET /v1/verify``: ``verify_chain`` of the chain up to ``head_hash``; ``running``
    when it has not finished within the wait asked for (ask again)."""

    status: Literal["ok", "failed", "running"]
    height: int
    head_hash: str | None
    blocks: int | None = None
    accepted_claims: int | None = None
    rejected_claims: int | None = None
    state_root: str | None = None
    failure: VerifyFailure | None = None


class PoolPoint(BaseModel):
    """One block's release: its ``emission``, ``released`` (all emission up to it) and
    the ``pool`` after it."""

    height: int
    timestamp: int
    emission: str
    released: str
    pool: str


class PoolHistory(BaseModel):
    """``GET /v1/pool``: the mining pool over the blocks (``supply``: every token)."""

    supply: str
    points: list[PoolPoint]


class BlockList(BaseModel):
    """``GET /v1/blocks``: headers (``BlockHeader.to_json``) from ``start``."""

    start: int
    height: int
    headers: list[dict[str, Any]]


class TaskList(BaseModel):
    """``GET /v1/tasks``: ``Task.to_dict`` records by id; ``next_after`` continues the
    listing (null at the end)."""

    tasks: list[dict[str, Any]]
    next_after: int | None


class Items(BaseModel):
    """A list of records (models, jobs, kernels, assignments) at ``height``."""

    height: int
    items: list[dict[str, Any]]
