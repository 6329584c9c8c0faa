# SPDX-License-Identifier: MIT
"""The market state: the ledger (an ``Accountant``) plus the tasks and the registered
nodes, with one state root over both, an exact serialization and the invariant that ties
them: every account's ``held`` tokens equal the fees it has in escrow (its open tasks)
plus the bonds it has locked (the tasks assigned to it)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from zkcx.errors import EncodingError, InvalidOperationError, SupplyInvariantError
from zkcx.io.jsontext import loads, short
from zkcx.market.draft import MarketDraft, MarketOutcome, TaskClaim
from zkcx.market.errors import MarketStateError, UnknownModelError, UnknownTaskError
from zkcx.market.jobs import Job, JobBook
from zkcx.market.models import InferenceBill, Model, ModelBook
from zkcx.market.tasks import KernelTerms, NodeRecord, Task, TaskStatus
from zkcx.rewards.account import Account
from zkcx.rewards.accountant import Accountant
from zkcx.rewards.claims import check_node_id
from zkcx.rewards.merkle import leaf_hash, merkle_root_of_hashes, put_record
from zkcx.rewards.mutable_state import MutableState
from zkcx.rewards.params import DEFAULT_SCHEDULE, Params, ParamSchedule

#: Format tag of :meth:`Market.to_dict` / :meth:`Market.to_bytes`.
MARKET_FORMAT = "zkcx-market-state-v1"

_NO_KERNELS: Mapping[str, KernelTerms] = MappingProxyType({})
_NO_NONCES: Mapping[str, int] = MappingProxyType({})


class Market(MutableState):
    """The chain state of the compute market: ``ledger`` (the ``Accountant``: pool,
    accounts, governance) and the market's tasks and node registrations. Blocks apply
    through :meth:`begin_block` (a :class:`~zkcx.market.draft.MarketDraft`) or
    :meth:`apply_block`; the ledger is never to be changed directly (its held tokens
    would no longer match the tasks).

    State root = Merkle root (``zkcx.rewards.merkle``) over the two leaves' hashes
    (ledger state root, market root), i.e. node_hash(ledger root, market root); market
    root = Merkle root over a global leaf b"M" ‖ u64 task count ‖ u64 node count, the
    task leaves by id (``Task.leaf_payload``), then the node leaves sorted by node id
    (``NodeRecord.leaf_payload``), then the model leaves sorted by model id
    (``Model.leaf_payload``), then the inference bills by task id
    (``InferenceBill.leaf_payload``), then the training jobs by id (``Job.leaf_payload``;
    none before the first job); every leaf payload starts with its own tag byte.
    """

    __slots__ = ("_ledger", "_tasks", "_task_leaves", "_nodes", "_node_leaves", "_open",
                 "_held", "_load", "_root", "_models", "_jobs")
    _COMPARED = ("_ledger", "_tasks", "_nodes", "_models", "_jobs")  # the rest: caches

    def __init__(self, ledger: Accountant | None = None) -> None:
        """A market with no task and no node over ``ledger`` (default: a fresh
        ``Accountant()``), which must hold no tokens for the market (every ``held`` 0)."""
        ledger = Accountant() if ledger is None else ledger
        if not isinstance(ledger, Accountant):
            raise MarketStateError(f"a market's ledger is an Accountant, got "
                                   f"{type(ledger).__name__}")
        held = [n for n, acc in ledger.accounts.items() if acc.held]
        if held:
            raise MarketStateError(f"account {held[0]!r} holds tokens for tasks the market "
                                   "does not have")
        self._ledger = ledger
        self._tasks: list[Task] = []  # index = task id
        self._task_leaves: list[bytes] = []  # leaf hashes (cache)
        self._nodes: dict[str, NodeRecord] = {}
        self._node_leaves: dict[str, bytes] = {}  # (cache)
        self._open: set[int] = set()  # ids of unassigned and assigned tasks
        self._held: dict[str, int] = {}  # per account: escrow + bonds of open tasks
        self._load: dict[str, int] = {}  # per node: work units of its assigned tasks
        self._root: bytes | None = None
        self._models = ModelBook()  # registered models and inference bills
        self._jobs = JobBook()  # training jobs (zkcx.market.jobs)

    @classmethod
    def genesis(cls, grants: Mapping[str, int],
                schedule: ParamSchedule = DEFAULT_SCHEDULE) -> Market:
        """A new chain's market: ``Accountant.genesis(grants, schedule)`` (the initial
        balances requesters pay fees from), no tasks, no nodes."""
        return cls(Accountant.genesis(grants, schedule))

    # ------------------------------------------------------------------ reading

    @property
    def ledger(self) -> Accountant:
        """The ledger (read it; apply blocks through the market)."""
        return self._ledger

    @property
    def height(self) -> int:
        """Height of the last applied block (−1 before the first)."""
        return self._ledger.height

    def params(self, height: int | None = None) -> Params:
        """The parameters governing block ``height`` (default: the next block)."""
        return self._ledger.params(height)

    def account(self, node_id: str, height: int | None = None) -> Account:
        """``node_id``'s ledger account (``Accountant.account``)."""
        return self._ledger.account(node_id, height)

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Every task ever posted, by id."""
        return tuple(self._tasks)

    def tasks_list(self) -> Sequence[Task]:
        """Every task by id, without a copy (read only; for MarketDraft)."""
        return self._tasks

    def task(self, task_id: int) -> Task:
        """Task ``task_id``; UnknownTaskError when there is none (:meth:`task_or_none`
        returns None instead)."""
        task = self.task_or_none(task_id)
        if task is None:
            raise UnknownTaskError(f"there is no task {short(task_id)} (ids 0 to "
                                   f"{len(self._tasks) - 1} exist)")
        return task

    def task_or_none(self, task_id: int) -> Task | None:
        """Task ``task_id`` or None."""
        if isinstance(task_id, int) and not isinstance(task_id, bool) and \
                0 <= task_id < len(self._tasks):
            return self._tasks[task_id]
        return None

    def open_ids(self) -> list[int]:
        """Ids of the unassigned and assigned tasks, increasing."""
        return sorted(self._open)

    @property
    def nodes(self) -> Mapping[str, NodeRecord]:
        """The registered nodes, read-only."""
        return MappingProxyType(self._nodes)

    @property
    def models(self) -> Mapping[str, Model]:
        """The registered models by id, read-only (``zkcx.market.models``)."""
        return MappingProxyType(self._models.models)  # type: ignore[arg-type]

    def model(self, model_id: str) -> Model:
        """Model ``model_id``; UnknownModelError when it is not registered."""
        model = self._models.models.get(model_id)
        if model is None:
            raise UnknownModelError(f"there is no model {short(model_id)} (registered: "
                                    f"{short(sorted(self._models.models))})")
        return model

    def inference_bill(self, task_id: int) -> InferenceBill | None:
        """The model, version and price of inference task ``task_id`` (None for a task
        that names no model)."""
        return self._models.bills.get(task_id)

    @property
    def jobs(self) -> tuple[Job, ...]:
        """Every training job ever posted, by id (``zkcx.market.jobs``)."""
        return tuple(self._jobs.jobs)

    def job(self, job_id: int) -> Job:
        """Training job ``job_id``; UnknownTaskError when there is none."""
        job = self._jobs.job(job_id)
        if job is None:
            raise UnknownTaskError(f"there is no training job {short(job_id)} (ids 0 to "
                                   f"{len(self._jobs.jobs) - 1} exist)")
        return job

    @property
    def job_book(self) -> JobBook:
        """The jobs' part of the state (for MarketDraft: read only)."""
        return self._jobs

    @property
    def model_book(self) -> ModelBook:
        """The models' part of the state (for MarketDraft: read only)."""
        return self._models

    def load(self, node_id: str) -> int:
        """Work units of the tasks assigned to ``node_id`` (not yet delivered)."""
        return self._load.get(node_id, 0)

    def held_by_market(self) -> dict[str, int]:
        """Per account with any: the fees of its open tasks plus the bonds of the tasks
        assigned to it plus its running jobs' reserves (what its ``Account.held`` must
        equal)."""
        return dict(self._held)

    # ------------------------------------------------------------------ blocks

    def begin_block(self, height: int,
                    kernels: Mapping[str, KernelTerms] = _NO_KERNELS) -> MarketDraft:
        """A draft of block ``height`` (= height + 1, else HeightError); ``kernels``: the
        terms of each kernel tasks may name (from the chain's kernel registry). Nothing is
        written here until the draft's ``commit()``."""
        return MarketDraft(self, height, kernels)

    def screen_operations(self, height: int, operations: Sequence[object],
                          kernels: Mapping[str, KernelTerms] = _NO_KERNELS,
                          invalid_nodes: Sequence[str] = ()) -> list[str | None]:
        """Judge each of ``operations`` (ledger and market operations) for block
        ``height`` one by one, in order, against the state the block stages before its
        operations (penalties for ``invalid_nodes``, released unbonding, expired
        deadlines), each valid one applied before the next is judged: None for a valid
        operation, else the reason it is refused. Changes nothing."""
        draft = self._before_operations(height, kernels, invalid_nodes)
        verdicts: list[str | None] = []
        for index, op in enumerate(operations):
            try:
                draft.operate(op, index)
            except InvalidOperationError as exc:
                verdicts.append(str(exc))
            else:
                verdicts.append(None)
        return verdicts

    def preview(self, height: int, operations: Sequence[object] = (),
                kernels: Mapping[str, KernelTerms] = _NO_KERNELS,
                invalid_nodes: Sequence[str] = (),
                nonces: Mapping[str, int] = _NO_NONCES) -> MarketDraft:
        """The draft of block ``height`` with every step before the claims done
        (penalties, release, deadlines, ``operations``, ``nonces``; raises as
        apply_block would): ask it ``check_claim`` and ``ledger.eligible``. Discard it,
        or finish it (``accept``, ``schedule``, ``commit``) to apply the block here."""
        draft = self._before_operations(height, kernels, invalid_nodes)
        for index, op in enumerate(operations):
            draft.operate(op, index)
        if nonces:
            draft.set_nonces(nonces)
        return draft

    def apply_block(self, height: int, claims: Sequence[TaskClaim] = (),
                    invalid_nodes: Sequence[str] = (), operations: Sequence[object] = (),
                    nonces: Mapping[str, int] = _NO_NONCES,
                    kernels: Mapping[str, KernelTerms] = _NO_KERNELS) -> MarketOutcome:
        """Apply block ``height`` atomically: penalties, release, deadlines, operations,
        nonces, the claims (each must answer its task: TaskClaimError otherwise), the
        scheduler, then commit (``zkcx.market.draft``). Any exception leaves the market
        exactly as before."""
        draft = self.preview(height, operations, kernels, invalid_nodes, nonces)
        draft.accept(claims)
        draft.schedule()
        return draft.commit()

    def _before_operations(self, height: int, kernels: Mapping[str, KernelTerms],
                           invalid_nodes: Sequence[str]) -> MarketDraft:
        draft = self.begin_block(height, kernels)
        draft.penalize(invalid_nodes)
        draft.release_unbonding()
        draft.expire_deadlines()
        return draft

    def write_block(self, tasks: Mapping[int, Task], nodes: Mapping[str, NodeRecord],
                    held_delta: Mapping[str, int], load_delta: Mapping[str, int]) -> None:
        """Write a committed draft's market changes (MarketDraft.commit only: the ledger
        has been written and checked already)."""
        for task_id in sorted(tasks):
            task = tasks[task_id]
            put_record(self._tasks, self._task_leaves, task_id, task)
            if task.status.is_open:
                self._open.add(task_id)
            else:
                self._open.discard(task_id)
        for node_id, record in nodes.items():
            self._nodes[node_id] = record
            self._node_leaves[node_id] = leaf_hash(record.leaf_payload(node_id))
        for table, delta in ((self._held, held_delta), (self._load, load_delta)):
            for key, change in delta.items():
                value = table.get(key, 0) + change
                if value:
                    table[key] = value
                else:
                    table.pop(key, None)
        self._root = None

    def write_jobs(self, jobs: Mapping[int, Job]) -> None:
        """Write a committed draft's job changes (MarketDraft.commit only)."""
        if jobs:
            self._jobs.write(jobs)
            self._root = None

    def write_models(self, models: Mapping[str, Model],
                     bills: Mapping[int, InferenceBill]) -> None:
        """Write a committed draft's model changes (MarketDraft.commit only)."""
        if models or bills:
            self._models.write(models, bills)
            self._root = None

    # ------------------------------------------------------------------ roots

    def market_root(self) -> bytes:
        """Merkle root over the global market leaf, the task leaves by id and the node
        leaves by node id (class docstring)."""
        if self._root is None:
            head = b"M" + len(self._tasks).to_bytes(8, "big") + len(self._nodes).to_bytes(
                8, "big")
            leaves = [leaf_hash(head), *self._task_leaves]
            leaves.extend(self._node_leaves[n] for n in sorted(self._nodes,
                                                               key=str.encode))
            leaves.extend(self._models.leaves())
            leaves.extend(self._jobs.leaves())
            self._root = merkle_root_of_hashes(leaves)
        return self._root

    def models_root(self) -> bytes:
        """Merkle root over the model leaves and inference-bill leaves alone (the same
        leaves, in the same order, as in :meth:`market_root`): for a block header that
        names the models' state apart."""
        return merkle_root_of_hashes(self._models.leaves())

    def state_root(self) -> bytes:
        """Merkle root over (ledger state root, market root)."""
        return merkle_root_of_hashes([self._ledger.state_root(), self.market_root()])

    # ------------------------------------------------------------------ invariants

    def check_invariants(self) -> None:
        """Recount everything: the ledger's supply invariant (pool + Σ balances + stakes
        + unbonding + held = SUPPLY), every task consistent with its status, and each
        account's held tokens = the fees of its open tasks + the bonds of the tasks
        assigned to it (SupplyInvariantError otherwise)."""
        self._ledger.check_invariants()
        held, load = _recount(self._tasks, self._jobs)
        accounts = self._ledger.accounts
        names = set(held) | {n for n, acc in accounts.items() if acc.held}
        for node_id in sorted(names):
            have = accounts[node_id].held if node_id in accounts else 0
            if have != held.get(node_id, 0):
                raise SupplyInvariantError(
                    f"{node_id!r} holds {have} but its open tasks' escrow and bonds total "
                    f"{held.get(node_id, 0)}")
        if held != self._held or load != self._load:
            raise SupplyInvariantError("the market's per-account totals drifted from its "
                                       "tasks")
        problem = _models_problem(self._models, self._tasks) or self._jobs.problem_with(
            self._tasks)
        if problem:
            raise SupplyInvariantError(problem)
        opened = {t.task_id for t in self._tasks if t.status.is_open}
        if opened != self._open:
            raise SupplyInvariantError("the market's open-task index drifted from its tasks")
        for task in self._tasks:
            problem = task.consistency_problem()
            if problem:
                raise SupplyInvariantError(f"task {task.task_id}: {problem}")

    # ------------------------------------------------------------------ serialization

    def to_dict(self) -> dict[str, Any]:
        """JSON-able exact state: the ledger's ``to_dict``, the tasks by id, the nodes."""
        return {
            "format": MARKET_FORMAT,
            "ledger": self._ledger.to_dict(),
            "tasks": [task.to_dict() for task in self._tasks],
            "nodes": {n: self._nodes[n].to_dict() for n in sorted(self._nodes)},
            **self._models.to_dict(),
            **self._jobs.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Market:
        """Inverse of :meth:`to_dict`. Checks the format, every field (``Task.from_dict``,
        ``NodeRecord.from_dict``, ``Accountant.from_dict``), that task ids run 0, 1, 2, …,
        that no task or node is from after the ledger's height, that an assigned task is
        not overdue, and that each account's held tokens equal its open tasks' escrow
        and bonds. Raises MarketStateError (an EncodingError), nothing else."""
        if not isinstance(d, Mapping):
            raise MarketStateError(f"a market state is an object, got {type(d).__name__}")
        if d.get("format") != MARKET_FORMAT:
            raise MarketStateError(f"not a {MARKET_FORMAT} state: format "
                                   f"{short(d.get('format'))}")
        if set(d) != {"format", "ledger", "tasks", "nodes", "models", "inference", "jobs"}:
            raise MarketStateError(f"a market state has the fields format, ledger, tasks, "
                                   f"nodes, models, inference, jobs; got {short(sorted(d))}")
        try:
            ledger = Accountant.from_dict(d["ledger"])
        except (EncodingError, SupplyInvariantError) as exc:
            raise MarketStateError(f"ledger: {exc}") from exc
        height = ledger.height
        items, node_items = d["tasks"], d["nodes"]
        if not isinstance(items, list):
            raise MarketStateError("tasks must be a list")
        if not isinstance(node_items, Mapping):
            raise MarketStateError("nodes must be an object")
        tasks = []
        for index, item in enumerate(items):
            try:
                task = Task.from_dict(item)
            except EncodingError as exc:
                raise MarketStateError(f"task #{index}: {exc}") from exc
            if task.task_id != index:
                raise MarketStateError(f"task #{index} has id {task.task_id}: ids run 0, 1, "
                                       "2, …")
            if task.posted_height > height or task.closed_height > height:
                raise MarketStateError(f"task {index} is from after height {height}")
            if task.status is TaskStatus.ASSIGNED and task.deadline < height:
                raise MarketStateError(f"task {index} is assigned but overdue since block "
                                       f"{task.deadline} (height {height})")
            tasks.append(task)
        nodes = {}
        for node_id, item in node_items.items():
            check_node_id(node_id, MarketStateError)
            try:
                record = NodeRecord.from_dict(item)
            except EncodingError as exc:
                raise MarketStateError(f"node {short(node_id)}: {exc}") from exc
            if record.registered_height > height:
                raise MarketStateError(f"node {short(node_id)} registered after height "
                                       f"{height}")
            nodes[node_id] = record
        try:
            book = ModelBook.from_dict(d["models"], d["inference"])
        except EncodingError as exc:
            raise MarketStateError(f"models: {exc}") from exc
        for model in book.models.values():
            if model.versions[-1].height > height:
                raise MarketStateError(f"model {model.model_id!r} has a version from after "
                                       f"height {height}")
        problem = _models_problem(book, tasks)
        if problem:
            raise MarketStateError(problem)
        try:
            jobs = JobBook.from_dict(d["jobs"])
        except EncodingError as exc:
            raise MarketStateError(f"jobs: {exc}") from exc
        problem = jobs.problem_with(tasks)
        if problem:
            raise MarketStateError(problem)
        for job in jobs.jobs:
            if job.posted_height > height or job.closed_height > height:
                raise MarketStateError(f"job {job.job_id} is from after height {height}")
        held_ids = {n for n, acc in ledger.accounts.items() if acc.held}
        out = cls.__new__(cls)
        Market.__init__(out)  # empty tables
        out._ledger = ledger
        out._tasks = tasks
        out._task_leaves = [leaf_hash(t.leaf_payload()) for t in tasks]
        out._nodes = nodes
        out._node_leaves = {n: leaf_hash(r.leaf_payload(n)) for n, r in nodes.items()}
        out._open = {t.task_id for t in tasks if t.status.is_open}
        out._held, out._load = _recount(tasks, jobs)
        out._models = book
        out._jobs = jobs
        for node_id in sorted(held_ids | set(out._held)):
            have = ledger.account(node_id).held
            if have != out._held.get(node_id, 0):
                raise MarketStateError(f"{node_id!r} holds {have} but its open tasks' escrow "
                                       f"and bonds total {out._held.get(node_id, 0)}")
        return out

    def to_bytes(self) -> bytes:
        """Canonical JSON of :meth:`to_dict` (sorted keys, no spaces, UTF-8)."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Market:
        """Inverse of :meth:`to_bytes` (bounded JSON decoding, then :meth:`from_dict`;
        the same errors)."""
        d = loads(data, "market state", MarketStateError)
        if not isinstance(d, dict):
            raise MarketStateError("a market state is a JSON object")
        return cls.from_dict(d)

    def __repr__(self) -> str:
        return (f"Market(height={self.height}, tasks={len(self._tasks)}, "
                f"open={len(self._open)}, nodes={len(self._nodes)})")


def _recount(tasks: Sequence[Task], jobs: JobBook) -> tuple[dict[str, int], dict[str, int]]:
    """(held per account, load per node) from the tasks and jobs: an open task's fee is
    held by its poster; an assigned task's bond is held, and its work units loaded, on
    its assignee; a running job's reserve is held by its poster."""
    held: dict[str, int] = jobs.reserves()
    load: dict[str, int] = {}
    for task in tasks:
        if not task.status.is_open:
            continue
        held[task.poster] = held.get(task.poster, 0) + task.fee
        if task.status is TaskStatus.ASSIGNED:
            node = task.assignee
            assert node is not None
            if task.bond:
                held[node] = held.get(node, 0) + task.bond
            load[node] = load.get(node, 0) + task.work_units
    return held, load


def _models_problem(book: ModelBook, tasks: Sequence[Task]) -> str | None:
    """What ties the models to the tasks, or None: every bill names an existing task of
    one of its model's kernels whose fee exceeds the price, a registered model and one of
    its versions; every model record is consistent."""
    for model in book.models.values():
        problem = model.consistency_problem()
        if problem:
            return f"model {model.model_id!r}: {problem}"
    for task_id, bill in book.bills.items():
        if task_id != bill.task_id or task_id >= len(tasks):
            return f"an inference bill names task {bill.task_id}, which does not exist"
        model = book.models.get(bill.model_id)
        if model is None or bill.version >= len(model.versions):
            return (f"task {task_id} bills version {bill.version} of model "
                    f"{bill.model_id!r}, which does not exist")
        task = tasks[task_id]
        if task.fee <= bill.price or model.kernel(task.kernel_id) is None:
            return (f"task {task_id}'s fee {task.fee} or kernel does not fit its bill of "
                    f"model {bill.model_id!r} (price {bill.price})")
    return None
