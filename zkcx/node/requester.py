# SPDX-License-Identifier: MIT
"""``Requester``: an account that posts work to the market through an operator.

    requester = Requester("http://127.0.0.1:8545", signer)
    posted = requester.post_task(kernel_id, kernel, {"x": x, "y": y}, fee=20 * TOKEN // 1000)
    task = requester.task_of(posted)               # once a block applied the PostTask
    requester.wait_done([task["task_id"]])

Posting uploads the input data as a blob (POST /v1/blobs; the task carries its SHA-256
and the inputs' public values computed here from the kernel spec), signs a ``PostTask``
with the account's next nonce and submits it (POST /v1/transactions). ``transfer`` and
``stake`` sign those operations the same way."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from zkcx import kernels
from zkcx.accounts import Signer
from zkcx.market import PostTask
from zkcx.node import task_data
from zkcx.node.errors import NodeError
from zkcx.node.http import OperatorHTTP
from zkcx.node.session import OperatorSession, Submitted
from zkcx.rewards import Stake, Transfer

#: blocks a task may take after the next one, by default
DEFAULT_WINDOW = 10


@dataclass(frozen=True)
class PostedTask:
    """A task posted through the operator: its submission, the data's SHA-256 (hex) and
    the deadline it asked for."""

    submitted: Submitted
    data_hash: str
    deadline: int
    kernel_id: str


def _entry(found: Any) -> dict:
    """A kernel's registry fields from GET /v1/kernels/{id} (flat or under "entry")."""
    if isinstance(found, dict) and isinstance(found.get("entry"), dict):
        found = found["entry"]
    if not isinstance(found, dict) or "kind" not in found or "work_units" not in found:
        raise NodeError(f"the operator's kernel record has no kind and work units: "
                        f"{found!r:.80}")
    return found


class Requester:
    """``signer``'s account posting tasks through the operator at ``operator_url``."""

    def __init__(self, operator_url: str, signer: Signer, *, max_wait: float = 60.0,
                 http: OperatorHTTP | None = None, log=None) -> None:
        self.http = http or OperatorHTTP(operator_url, max_wait=max_wait)
        self.session = OperatorSession(self.http, signer, log)
        self.address = self.session.address

    def close(self) -> None:
        """Close the HTTP client."""
        self.http.close()

    def upload(self, data: bytes) -> str:
        """Store ``data`` as a blob on the operator; its SHA-256 (hex), checked."""
        answer = self.http.post_bytes("/v1/blobs", data)
        digest = hashlib.sha256(data).hexdigest()
        if not isinstance(answer, dict) or str(answer.get("sha256", "")).lower() != digest:
            raise NodeError(f"the operator stored the blob under {answer!r:.80}, not its "
                            f"SHA-256 {digest}")
        return digest

    def post_task(self, kernel_id: str, kernel: kernels.Kernel, values: Mapping[str, Any],
                  fee: int, *, bond: int = 0, min_tier: int = 0,
                  window: int = DEFAULT_WINDOW, data_uri: str = "") -> PostedTask:
        """Post a task of kernel ``kernel_id`` (whose spec is ``kernel``) on the input
        tensors ``values``, paying ``fee``; due ``window`` blocks after the next."""
        entry = _entry(self.http.get_json(f"/v1/kernels/{kernel_id}"))
        data = task_data.encode(values)
        decoded = task_data.decode(data, kernel)  # what a node will read back
        inputs = kernel.task_inputs(**decoded)
        data_hash = self.upload(data)
        deadline = self.session.height() + 1 + window
        op = PostTask(self.address, kernel_id, entry["kind"], int(entry["work_units"]),
                      inputs, bytes.fromhex(data_hash), data_uri or f"blob:{data_hash}", fee,
                      bond, min_tier, deadline)
        return PostedTask(self.session.submit_operation(op), data_hash, deadline, kernel_id)

    def transfer(self, to: str, amount: int) -> Submitted:
        """Sign and submit a transfer of ``amount`` base units to ``to``."""
        return self.session.submit_operation(Transfer(self.address, to, amount))

    def stake(self, amount: int) -> Submitted:
        """Sign and submit a stake of ``amount`` base units."""
        return self.session.submit_operation(Stake(self.address, amount))

    def wait(self, submitted: Submitted, timeout: float = 120.0) -> dict:
        """The submission's settled record (``applied``, ``rejected``, ``unknown``)."""
        return self.session.wait(submitted.hash, timeout)

    def tasks(self, **filters: Any) -> list[dict]:
        """Every task the operator lists (GET /v1/tasks, paged by ``next_after``),
        filtered as it allows (``status``, ``assignee``)."""
        out: list[dict] = []
        after = None
        while True:
            params = {**filters, "limit": 500, **({"after": after} if after is not None
                                                  else {})}
            page = self.http.get_json("/v1/tasks", params=params)
            tasks = page.get("tasks") if isinstance(page, dict) else page
            if not isinstance(tasks, list):
                raise NodeError(f"the operator's task list is not a list: {page!r:.80}")
            out += tasks
            after = page.get("next_after") if isinstance(page, dict) else None
            if not tasks or after is None:
                return out

    def task(self, task_id: int) -> dict:
        """GET /v1/tasks/{id}."""
        found = self.http.get_json(f"/v1/tasks/{task_id}")
        if isinstance(found, dict) and isinstance(found.get("task"), dict):
            found = found["task"]
        return found

    def task_of(self, posted: PostedTask, timeout: float = 120.0) -> dict:
        """The task ``posted`` became, once a block applied its PostTask (NodeError if
        it was rejected)."""
        record = self.wait(posted.submitted, timeout)
        if record["status"] != "applied":
            raise NodeError(f"the task was not posted: {record['status']} "
                            f"({record.get('reason')}: {record.get('detail')})")
        for task in reversed(self.tasks()):
            if task.get("poster") == self.address and task.get("data_hash") == \
                    posted.data_hash and task.get("kernel_id") == posted.kernel_id:
                return task
        raise NodeError(f"the operator lists no task of {self.address} with data hash "
                        f"{posted.data_hash[:16]}… though its PostTask was applied")

    def wait_done(self, task_ids: Iterable[int], timeout: float = 120.0,
                  poll: float = 0.3) -> list[dict]:
        """Wait until every task of ``task_ids`` is closed (done, expired, cancelled);
        NodeError after ``timeout`` seconds."""
        ids = list(task_ids)
        end = time.monotonic() + timeout
        while True:
            found = [self.task(i) for i in ids]
            if all(t.get("status") in ("done", "expired", "cancelled") for t in found):
                return found
            if time.monotonic() > end:
                open_ = [t["task_id"] for t in found if t.get("status") not in
                         ("done", "expired", "cancelled")]
                raise NodeError(f"tasks {open_} still open after {timeout:g} s")
            time.sleep(poll)
