# SPDX-License-Identifier: MIT
"""A small stand-in for the operator's HTTP API (the plan's paths, bodies and status
codes), served through ``httpx.MockTransport`` over a real chain: the node client's
unit tests drive it block by block (``seal``) and break it on purpose (``down``,
``drop_pending``, a wrong key). The real service is tested end to end in
test_end_to_end.py."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import httpx

from zkcx import groth16
from zkcx.rollup import Chain, Claim, SignedOperation, raw_claim_hash


@dataclass
class Pending:
    kind: str
    hash: str
    account: str
    nonce: int
    item: object


def _error(status: int, message: str, code: str) -> httpx.Response:
    return httpx.Response(status, json={"error": message, "code": code})


class FakeOperator:
    """The plan's API over ``chain`` (a ``Chain``); ``kernels``: kernel id -> (spec
    text, zkey bytes)."""

    def __init__(self, chain: Chain, kernels: dict[str, tuple[str, bytes]]) -> None:
        self.chain = chain
        self.kernels = kernels
        self.pending: list[Pending] = []
        self.blobs: dict[str, bytes] = {}
        self.settled: dict[str, dict] = {}
        self.down = 0  # answer this many requests with a refused connection
        self.fail_with: list[int] = []  # statuses to answer the next requests with
        self.requests: list[str] = []
        self.auto_seal = False  # seal when a pending submission is asked about

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # -- the API -----------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.requests.append(f"{request.method} {path}")
        if self.down:
            self.down -= 1
            raise httpx.ConnectError("connection refused", request=request)
        if self.fail_with:
            status = self.fail_with.pop(0)
            headers = {"retry-after": "0"} if status == 429 else {}
            return httpx.Response(status, json={"error": "try later", "code": "busy"},
                                  headers=headers)
        parts = path.strip("/").split("/")[1:]
        market = self.chain.market
        if request.method == "GET" and parts == ["status"]:
            head = self.chain.head
            return httpx.Response(200, json={
                "chain_id": self.chain.chain_id, "height": market.height,
                "head_hash": None if head is None else head.hash.hex(),
                "pending": len(self.pending)})
        if request.method == "GET" and parts[0] == "accounts":
            address = parts[1]
            account = market.account(address)
            mine = sorted(p.nonce for p in self.pending if p.account == address)
            nxt = account.nonce
            while nxt in mine:
                nxt += 1
            node = market.nodes.get(address)
            return httpx.Response(200, json={
                "address": address, "balance": str(account.balance),
                "stake": str(account.stake), "nonce": account.nonce, "pending_nonce": nxt,
                "node": None if node is None else node.to_dict()})
        if request.method == "GET" and parts[0] == "nodes" and parts[2:] == ["assignments"]:
            tasks = [t.to_dict() for t in market.tasks
                     if t.status.value == "assigned" and t.assignee == parts[1]]
            return httpx.Response(200, json={"height": market.height, "items": tasks})
        if request.method == "GET" and parts[0] == "kernels":
            if parts[1] not in self.kernels:
                return _error(404, f"no kernel {parts[1]}", "not_found")
            spec, zkey = self.kernels[parts[1]]
            if parts[2:] == ["spec"]:
                return httpx.Response(200, content=spec.encode())
            if parts[2:] == ["zkey"]:
                return httpx.Response(200, content=zkey)
            entry = self.chain.kernels.get(parts[1])
            return httpx.Response(200, json={"kernel_id": parts[1], "kind": entry.kind.value,
                                             "work_units": entry.work_units})
        if parts[0] == "blobs":
            if request.method == "POST":
                digest = hashlib.sha256(request.content).hexdigest()
                self.blobs[digest] = request.content
                return httpx.Response(200, json={"sha256": digest})
            if parts[1] not in self.blobs:
                return _error(404, "no such blob", "not_found")
            return httpx.Response(200, content=self.blobs[parts[1]])
        if request.method == "POST" and parts == ["claims"]:
            claim = Claim.from_json(json.loads(request.content))
            account = str(claim.signer(self.chain.domain))
            return self._submit("claim", raw_claim_hash(claim.to_bytes()).hex(), account,
                                claim.nonce, claim)
        if request.method == "POST" and parts == ["transactions"]:
            body = json.loads(request.content)
            op = SignedOperation.from_bytes(bytes.fromhex(body["operation"][2:]))
            account = str(op.signer(self.chain.domain))
            return self._submit("operation", op.hash.hex(), account, op.nonce, op)
        if request.method == "GET" and parts[0] == "submissions":
            if self.auto_seal and any(p.hash == parts[1] for p in self.pending):
                self.seal()
            if parts[1] in self.settled:
                return httpx.Response(200, json=self.settled[parts[1]])
            status = "pending" if any(p.hash == parts[1] for p in self.pending) else "unknown"
            return httpx.Response(200, json={"status": status})
        if request.method == "GET" and parts[0] == "tasks":
            if len(parts) == 2:
                task = market.task_or_none(int(parts[1]))
                if task is None:
                    return _error(404, "no such task", "not_found")
                return httpx.Response(200, json=task.to_dict())
            return httpx.Response(200, json={"tasks": [t.to_dict() for t in market.tasks],
                                             "next_after": None})
        return _error(404, f"no route {path}", "not_found")

    def _submit(self, kind, digest, account, nonce, item) -> httpx.Response:
        if nonce < self.chain.market.account(account).nonce:
            return _error(409, f"nonce {nonce} already used", "nonce_used")
        if any(p.hash == digest for p in self.pending):
            return httpx.Response(202, json={"hash": digest, "status": "pending"})
        if any(p.account == account and p.nonce == nonce for p in self.pending):
            return _error(409, f"nonce {nonce} is taken by a pending item", "nonce_taken")
        self.pending.append(Pending(kind, digest, account, nonce, item))
        return httpx.Response(202, json={"hash": digest, "status": "pending"})

    # -- the sealer --------------------------------------------------------------------
    def drop_pending(self) -> list[str]:
        """Forget every pending item (as a sealer dropping stale ones does)."""
        dropped = [p.hash for p in self.pending]
        self.pending.clear()
        return dropped

    def seal(self):
        """Seal a block of the pending items whose nonces run on from their account's."""
        market = self.chain.market
        chosen, ops, claims = [], [], []
        for account in sorted({p.account for p in self.pending}):
            nonce = market.account(account).nonce
            mine = {p.nonce: p for p in self.pending if p.account == account}
            while nonce in mine:
                chosen.append(mine[nonce])
                nonce += 1
        for p in chosen:
            (ops if p.kind == "operation" else claims).append(p)
        block = self.chain.commit(self.chain.build([p.item for p in claims],
                                                   [p.item for p in ops]))
        height = block.header.height
        rejected = {r.index: r for r in block.rejected}
        for i, p in enumerate(claims):
            why = rejected.get(i)
            self.settled[p.hash] = {"status": "accepted" if why is None else "rejected",
                                    "height": height,
                                    "reason": None if why is None else why.reason.value,
                                    "detail": None if why is None else why.detail}
        rejected = {r.index: r for r in block.rejected_operations}
        for i, p in enumerate(ops):
            why = rejected.get(i)
            self.settled[p.hash] = {"status": "applied" if why is None else "rejected",
                                    "height": height,
                                    "reason": None if why is None else why.reason.value,
                                    "detail": None if why is None else why.detail}
        taken = {p.hash for p in chosen}
        self.pending = [p for p in self.pending if p.hash not in taken]
        return block


def zkey_bytes(pk: groth16.ProvingKey) -> bytes:
    return groth16.zkey_bytes(pk)
