# SPDX-License-Identifier: MIT
"""``NodeClient``: a node of the compute market, run against an operator over HTTP.

    client = NodeClient("http://127.0.0.1:8545", signer, profile=measure)  # a callable
    summary = client.run(max_tasks=10)

It registers its capacity (a ``RegisterNode`` with the measured ``CapacityProfile``) if
the operator does not know the account as a node, then loops: it polls its assignments
(GET /v1/nodes/{address}/assignments); for each new task it gets the kernel's spec and
proving key (``kernel_files``: the key's verifying-key digest must be the kernel id) and
the input data (GET /v1/blobs/{data_hash}: its SHA-256 must be the task's data hash,
its public values the task's inputs), computes the witness bound to its address and the
task (``claim_binding``), proves (in process, or on a ``zkcx.cluster.Cluster``), signs
the claim with the account's next nonce and submits it (POST /v1/claims). It follows
each submission (GET /v1/submissions/{hash}) until a block settles it; a claim the
operator dropped (``unknown``: its nonce went stale) is signed again with a fresh nonce
if the task is still its own. An operator that goes away (refused connections, 5xx)
is waited for with backoff (``OperatorHTTP``), and the loop goes on when it is back:
nothing the operator acknowledged is lost, and nothing is signed twice with one nonce.

Events (``{"event": ..., ...}`` dicts) go to the ``log`` callback: the CLI prints them
on stderr."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from zkcx import groth16
from zkcx.accounts import Signer
from zkcx.errors import ZkcxError
from zkcx.market import CapacityProfile, RegisterNode
from zkcx.node import task_data
from zkcx.node.errors import NodeError, OperatorRejectedError, OperatorUnavailableError
from zkcx.node.http import OperatorHTTP
from zkcx.node.kernel_files import KernelSource
from zkcx.node.session import OperatorSession, Submitted
from zkcx.rollup import Claim, claim_binding

#: keys of an account record that say the account is a registered node
_NODE_KEYS = ("node", "profile", "capacity", "registered")


@dataclass
class _InFlight:
    task: dict
    claim: Claim  # unsigned: signed again with a fresh nonce if dropped
    submitted: Submitted
    resubmissions: int = 0


@dataclass
class NodeSummary:
    """What a run did: tasks proved, claims accepted and rejected (with the reasons),
    claims signed again after a drop, tasks refused (bad key or data)."""

    proved: int = 0
    accepted: list[int] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    resubmitted: int = 0
    refused: list[dict] = field(default_factory=list)
    registered: bool = False

    def to_dict(self) -> dict:
        """JSON-able form."""
        return {"proved": self.proved, "accepted": self.accepted, "rejected": self.rejected,
                "resubmitted": self.resubmitted, "refused": self.refused,
                "registered": self.registered}


def is_registered(account: dict) -> bool | None:
    """Whether an account record says the account is a registered node (None: the
    record does not say)."""
    for key in _NODE_KEYS:
        if key in account:
            return bool(account[key])
    return None


class NodeClient:
    """A node (``signer``'s account) working for the operator at ``operator_url``
    (module docstring). ``kernels_dir``: a local folder of ``NAME.toml`` + ``NAME.zkey``
    tried before the operator; ``cluster``: a ``zkcx.cluster.Cluster`` to prove on
    (default: in process); ``profile``: the capacity profile to register, or a callable
    measuring it (called only if the node must register); ``cache_dir``: where fetched
    keys are kept; ``http``: an ``OperatorHTTP`` to use instead of making one."""

    def __init__(self, operator_url: str, signer: Signer, kernels_dir: str | None = None,
                 cluster: Any = None, *,
                 profile: CapacityProfile | Callable[[], CapacityProfile] | None = None,
                 cache_dir: str | None = None, poll_interval: float = 0.5,
                 max_wait: float = 60.0, log: Callable[[dict], None] | None = None,
                 http: OperatorHTTP | None = None) -> None:
        self._stop = threading.Event()
        self.http = http or OperatorHTTP(
            operator_url, max_wait=max_wait, sleep=lambda seconds: self._stop.wait(seconds),
            on_retry=lambda what, delay: self.session.emit("retry", what=what,
                                                           delay=round(delay, 3)))
        self.session = OperatorSession(self.http, signer, log)
        self.address = self.session.address
        self.kernels = KernelSource(self.http, kernels_dir, cache_dir)
        self.cluster = cluster
        self.profile = profile
        self.poll_interval = poll_interval
        self.summary = NodeSummary()
        self._in_flight: dict[int, _InFlight] = {}
        self._done: set[int] = set()  # settled or refused: never taken again
        self._registration: Submitted | None = None
        self._registered = False

    def close(self) -> None:
        """Close the HTTP client."""
        self.http.close()

    # -- registration ------------------------------------------------------------------
    def ensure_registered(self) -> bool:
        """Register the node's capacity unless the operator knows it as a node; True
        once it is registered (a registration still pending returns False)."""
        if self._registered:
            return True
        if self._registration is not None:
            found = self.session.submission(self._registration.hash)
            status = found["status"]
            if status == "applied":
                return self._now_registered()
            if status == "pending":
                return False
            if status == "rejected":
                raise NodeError(f"the chain rejected node {self.address}'s registration: "
                                f"{found.get('reason')}: {found.get('detail')}")
            self.session.emit("registration_dropped", status=status)
            self._registration = None  # dropped: sign it again
        known = is_registered(self.session.account())
        if known:
            return self._now_registered()
        profile = self.profile() if callable(self.profile) else self.profile
        if profile is None:
            raise NodeError(f"node {self.address} is not registered and no capacity "
                            "profile was given to register it with")
        self._registration = self.session.submit_operation(RegisterNode(self.address,
                                                                        profile))
        self.session.emit("registering", units_per_second=profile.units_per_second)
        return False

    def _now_registered(self) -> bool:
        self._registered = self.summary.registered = True
        self.session.emit("registered", node=self.address)
        return True

    # -- assignments -------------------------------------------------------------------
    def assignments(self) -> list[dict]:
        """The open tasks the operator assigns to this node."""
        found = self.http.get_json(f"/v1/nodes/{self.address}/assignments")
        if isinstance(found, dict):  # {"height", "items"}; "tasks" accepted too
            found = next((found[k] for k in ("items", "tasks", "assignments") if k in found),
                         None)
        if not isinstance(found, list) or not all(isinstance(t, dict) for t in found):
            raise NodeError(f"the operator's assignments are not a list of tasks: "
                            f"{found!r:.80}")
        return found

    def prove_tasks(self, tasks: Iterable[dict]) -> Iterable[tuple[dict, Claim]]:
        """Unsigned claims answering ``tasks``, as each proof is made; a task whose key
        or data is refused is logged and left out."""
        jobs = []
        for task in tasks:
            try:
                jobs.append(self._prepare(task))
            except (NodeError, ZkcxError) as exc:
                if isinstance(exc, OperatorUnavailableError):
                    raise
                self._refuse(task, exc)
        if self.cluster is not None and jobs:
            yield from self._prove_on_cluster(jobs)
            return
        for task, files, values, binding in jobs:
            start = time.perf_counter()
            try:
                witness = files.kernel.witness(**values, claim_binding=binding)
                proof, public = groth16.prove(files.pk, witness, files.kernel.circuit())
            except ZkcxError as exc:
                self._refuse(task, exc)
                continue
            self.session.emit("proved", task=task["task_id"],
                              seconds=round(time.perf_counter() - start, 3))
            yield task, self._claim(task, public, proof)

    def _prepare(self, task: dict):
        task_id = int(task["task_id"])
        files = self.kernels.get(str(task["kernel_id"]))
        data_hash = str(task["data_hash"])
        data = self.http.get_bytes(f"/v1/blobs/{data_hash}")
        values = task_data.check(data, data_hash, files.kernel, task.get("inputs", []))
        return task, files, values, claim_binding(self.address, str(task_id))

    def _prove_on_cluster(self, jobs: list) -> Iterable[tuple[dict, Claim]]:
        from zkcx.cluster import ProofJob

        by_id = {str(task["task_id"]): task for task, *_ in jobs}
        work = [ProofJob(str(task["task_id"]), files.zkey, files.spec, values, binding)
                for task, files, values, binding in jobs]
        for result in self.cluster.prove(work):
            task = by_id[result.job_id]
            if result.error is not None or result.proof is None:
                self._refuse(task, NodeError(f"the cluster could not prove it: "
                                             f"{result.error}"))
                continue
            self.session.emit("proved", task=task["task_id"],
                              seconds=round(result.seconds, 3), on="cluster")
            yield task, self._claim(task, result.public, result.proof)

    def _claim(self, task: dict, public, proof) -> Claim:
        return Claim(self.address, str(task["task_id"]), str(task["kernel_id"]),
                     tuple(int(v) for v in public), proof, str(task["kind"]))

    def _refuse(self, task: dict, exc: Exception) -> None:
        task_id = int(task["task_id"])
        self._done.add(task_id)
        self.summary.refused.append({"task": task_id, "why": str(exc)})
        self.session.emit("refused", task=task_id, why=str(exc))

    # -- submissions -------------------------------------------------------------------
    def submit(self, task: dict, claim: Claim) -> Submitted:
        """Sign ``claim`` with the next nonce and POST it to /v1/claims."""
        def sign(nonce: int) -> tuple[str, dict]:
            return "/v1/claims", claim.signed(self.session.signer, self.session.domain,
                                              nonce).to_json()
        submitted = self.session.submit_signed(sign, "claim")
        self.session.emit("submitted", task=task["task_id"], hash=submitted.hash,
                          nonce=submitted.nonce)
        return submitted

    def _deliver(self, task: dict, claim: Claim) -> None:
        task_id = int(task["task_id"])
        self.summary.proved += 1
        try:
            submitted = self.submit(task, claim)
        except OperatorRejectedError as exc:
            self._refuse(task, exc)
            return
        self._in_flight[task_id] = _InFlight(task, claim, submitted)

    def follow(self) -> None:
        """Check each claim in flight: settled ones are counted, dropped ones signed
        again with a fresh nonce (if the task is still this node's)."""
        for task_id, item in list(self._in_flight.items()):
            found = self.session.submission(item.submitted.hash)
            status = found["status"]
            if status == "pending":
                continue
            if status in ("accepted", "applied"):
                del self._in_flight[task_id]
                self._done.add(task_id)
                self.summary.accepted.append(task_id)
                self.session.emit("accepted", task=task_id, height=found.get("height"))
            elif status == "rejected":
                del self._in_flight[task_id]
                self._done.add(task_id)
                self.summary.rejected.append({"task": task_id,
                                              "reason": found.get("reason"),
                                              "detail": found.get("detail")})
                self.session.emit("rejected", task=task_id, reason=found.get("reason"),
                                  detail=found.get("detail"))
            else:  # unknown: dropped as stale
                self._resubmit(task_id, item)

    def _resubmit(self, task_id: int, item: _InFlight) -> None:
        if not self._still_mine(task_id):
            del self._in_flight[task_id]
            self._done.add(task_id)
            self.session.emit("abandoned", task=task_id,
                              why="dropped, and the task is no longer assigned to it")
            return
        try:
            item.submitted = self.submit(item.task, item.claim)
        except OperatorRejectedError as exc:
            del self._in_flight[task_id]
            self._refuse(item.task, exc)
            return
        item.resubmissions += 1
        self.summary.resubmitted += 1
        self.session.emit("resubmitted", task=task_id, nonce=item.submitted.nonce)

    def _still_mine(self, task_id: int) -> bool:
        try:
            task = self.http.get_json(f"/v1/tasks/{task_id}")
        except OperatorRejectedError:
            return False
        if isinstance(task, dict) and isinstance(task.get("task"), dict):
            task = task["task"]
        return (isinstance(task, dict) and task.get("status") == "assigned"
                and task.get("assignee") == self.address)

    # -- the loop ----------------------------------------------------------------------
    def step(self, limit: int | None = None) -> int:
        """One round: register if needed, take new assignments (at most ``limit``),
        prove and submit them, follow the claims in flight. Returns the tasks taken."""
        if not self.ensure_registered():
            return 0
        self.follow()
        new = [t for t in self.assignments()
               if int(t["task_id"]) not in self._done and int(t["task_id"]) not in
               self._in_flight]
        if limit is not None:
            new = new[:max(0, limit)]
        for task in new:
            self.session.emit("assigned", task=task["task_id"], kernel=task["kernel_id"],
                              deadline=task.get("deadline"))
        for task, claim in self.prove_tasks(new):
            self._deliver(task, claim)
        return len(new)

    def run(self, max_tasks: int | None = None, once: bool = False,
            stop: threading.Event | None = None) -> NodeSummary:
        """Work until ``stop`` is set; with ``once``, take the tasks assigned at the
        first round only; with ``max_tasks``, at most that many. Either way the run
        ends when the taken tasks' claims are settled."""
        taken, rounds = 0, 0
        stop = self._stop = stop or threading.Event()  # also cuts a retry's waits short
        while not stop.is_set():
            try:
                if self.ensure_registered():
                    limit = None if max_tasks is None else max_tasks - taken
                    if not (once and rounds) and (limit is None or limit > 0):
                        taken += self.step(limit)
                        rounds += 1
                    else:
                        self.follow()
            except OperatorUnavailableError as exc:
                self.session.emit("operator_unavailable", detail=str(exc))
            finished = self._registered and (
                (once and rounds) or (max_tasks is not None and taken >= max_tasks))
            if finished and not self._in_flight:
                break
            stop.wait(self.poll_interval)
        return self.summary
