# SPDX-License-Identifier: MIT
"""Sharded training jobs (Model-PoT at scale): the operations (:class:`PostJob`,
:class:`CancelJob`), the job record (:class:`Job`) with exact JSON and state-root leaf,
and :class:`JobBook`, the part of the market state that holds them. The block logic is
``zkcx.market.job_draft``.

A job trains a registered model from its current version on K shards of data (each
fixed by its Poseidon commitment, all distinct) for S steps of data-parallel SGD. Its
plan is ``zkcx.kernels.job_split.split_training_job`` (one implementation): per step, K
gradient tasks (kernel ``gradient_kernel``: weights + shard data → committed gradient)
then one aggregation task (kernel ``aggregate_kernel``: weights + the K gradients →
weights_next). Every plan task becomes an ordinary market task (scheduled, bonded,
reassigned after a missed deadline, paid to its assignee) when its inputs are known:

- posting escrows the whole job's fee, S · (K · gradient_fee + aggregate_fee), from the
  poster's balance (``reserve``: fees of the tasks not created yet, held in the poster's
  ``Account.held``) and creates step 0's K gradient tasks (weights = the model's current
  version's commitment, data = the shard's commitment);
- when a step's K gradients are all accepted, its aggregation task is created with the K
  accepted gradient commitments as inputs;
- when the aggregation is accepted, the model's version chain advances (a new version,
  pending governance, with weights_next's commitment) and the next step's gradient
  tasks are created from it. The version's contributor is the job's poster: it chose
  and paid for the update and supplied the data, while each executing node was paid
  its task's fee; crediting the node that ran the cheapest task of the step (the
  aggregation, chosen by the scheduler) with a lasting revenue share would pay the
  scheduler's pick instead of the update's author, and make aggregation tasks worth
  more than their fee;
- cancel (poster only, while running): the reserve and the fees of the job's unassigned
  tasks return; assigned tasks stay and are paid on delivery, and nothing new is made;
- a job task that expires (``max_task_attempts`` missed deadlines) fails the job, and a
  model that no longer takes the step's version (frozen, retired, its chain moved)
  halts it: refunds as for a cancel (the aggregation that found it is still paid);
- one running job per model: two would race for the version chain.

A task of a job cannot be cancelled by itself (``CancelTask``): the job would stall;
``CancelJob`` withdraws the job.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from zkcx.errors import EncodingError
from zkcx.io.jsontext import decimal, short
from zkcx.kernels.grad_aggregate import MAX_SHARDS
from zkcx.kernels.job_split import AGGREGATE, Produced, TrainingPlan, split_training_job
from zkcx.market._fields import check_count as _count
from zkcx.market._fields import decoded, record_fields
from zkcx.market._fields import hex32 as _hex32
from zkcx.market._fields import node_field as _node
from zkcx.market._fields import text as _text
from zkcx.market._fields import u as _u
from zkcx.market.errors import MarketOperationError
from zkcx.market.models import check_model_id
from zkcx.market.tasks import MAX_HEIGHT, check_kernel_id, check_uri
from zkcx.params import FR_MODULUS
from zkcx.rewards.claims import check_node_id
from zkcx.rewards.merkle import put_record
from zkcx.rewards.mutable_state import MutableState
from zkcx.rewards.operations import OperationBase

#: Most shards of one job (the aggregation kernel's own limit).
MAX_JOB_SHARDS = MAX_SHARDS
#: Most tasks of one job, S · (K + 1): the plan is held in memory whole.
MAX_JOB_TASKS = 1 << 16


class JobStatus(enum.Enum):
    """Running (tasks being made), done (the last step's version made), cancelled by the
    poster, failed (a task expired) or halted (the model took no version)."""

    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"
    HALTED = "halted"

    __hash__ = object.__hash__


_STATUS_CODE = {status: index for index, status in enumerate(JobStatus)}


def _commitments(values: object, error: type[Exception]) -> tuple[int, ...]:
    """K shard data commitments: field elements, 1 to MAX_JOB_SHARDS, pairwise distinct
    (two equal shards would be one statement paid twice)."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Sequence):
        raise error(f"data_commitments must be a sequence of commitments, got "
                    f"{short(values)}")
    if not 0 < len(values) <= MAX_JOB_SHARDS:
        raise error(f"a job has 1 to {MAX_JOB_SHARDS} shards, got {len(values)}")
    out = tuple(_count(v, f"data commitment {k}", FR_MODULUS, error)
                for k, v in enumerate(values))
    seen: dict[int, int] = {}
    for k, value in enumerate(out):
        if value in seen:
            raise error(f"shards {seen[value]} and {k} have the same data commitment: each "
                        "shard of a job is distinct data (an equal shard would be the same "
                        "proof paid twice)")
        seen[value] = k
    return out


def _check_size(shards: int, steps: int, error: type[Exception]) -> None:
    if steps * (shards + 1) > MAX_JOB_TASKS:
        raise error(f"{steps} steps of {shards} shards make {steps * (shards + 1)} tasks, at "
                    f"most {MAX_JOB_TASKS}")


# -- operations ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PostJob(OperationBase):
    """``poster`` requests ``steps`` steps of data-parallel SGD of registered model
    ``model_id`` (active) from its current version, on the shards whose data commitments
    are ``data_commitments`` (K, distinct; the data lies off chain at ``data_uri`` with
    SHA-256 ``data_hash``), proved with the gradient kernel ``gradient_kernel`` and the
    aggregation kernel ``aggregate_kernel`` (of K gradients). Each gradient task pays
    ``gradient_fee`` and each aggregation ``aggregate_fee`` (each ≥ its kernel's work
    units · min_fee_per_unit); :attr:`escrow` leaves the poster's balance when the post is
    applied. Every task of the job asks ``bond`` of its node, tier ≥ ``min_tier``, and
    is due ``window`` blocks after each assignment."""

    ACTOR: ClassVar[str] = "poster"  # whose balance pays

    poster: str
    model_id: str
    gradient_kernel: str
    aggregate_kernel: str
    data_commitments: tuple[int, ...]
    data_hash: bytes
    data_uri: str
    steps: int
    gradient_fee: int
    aggregate_fee: int
    bond: int
    min_tier: int
    window: int

    def __post_init__(self) -> None:
        err = MarketOperationError
        check_node_id(self.poster, err)
        check_model_id(self.model_id, err)
        check_kernel_id(self.gradient_kernel, err)
        check_kernel_id(self.aggregate_kernel, err)
        if self.gradient_kernel == self.aggregate_kernel:
            raise err("post job: the gradient and aggregation kernels must differ")
        object.__setattr__(self, "data_commitments", _commitments(self.data_commitments, err))
        if not isinstance(self.data_hash, bytes) or len(self.data_hash) != 32:
            raise err(f"post job: data_hash must be 32 bytes, got {short(self.data_hash)}")
        check_uri(self.data_uri, err)
        _count(self.steps, "post job: steps", MAX_JOB_TASKS + 1, err, low=1)
        _check_size(len(self.data_commitments), self.steps, err)
        _count(self.gradient_fee, "post job: gradient_fee", 1 << 128, err, low=1)
        _count(self.aggregate_fee, "post job: aggregate_fee", 1 << 128, err, low=1)
        _count(self.bond, "post job: bond", 1 << 128, err)
        _count(self.min_tier, "post job: min_tier", 256, err)
        _count(self.window, "post job: window", 1 << 32, err, low=1)

    @property
    def shards(self) -> int:
        """K, the number of shards."""
        return len(self.data_commitments)

    @property
    def escrow(self) -> int:
        """The whole job's fee: steps · (K · gradient_fee + aggregate_fee)."""
        return self.steps * (self.shards * self.gradient_fee + self.aggregate_fee)


@dataclass(frozen=True, slots=True)
class CancelJob(OperationBase):
    """``poster`` withdraws its running job ``job_id``: the escrow of the tasks not yet
    created and the fees of its unassigned tasks return; assigned tasks are still paid on
    delivery."""

    ACTOR: ClassVar[str] = "poster"

    poster: str
    job_id: int

    def __post_init__(self) -> None:
        check_node_id(self.poster, MarketOperationError)
        _count(self.job_id, "cancel job: job_id", MAX_HEIGHT, MarketOperationError)


JobOperation = PostJob | CancelJob


# -- the record ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class JobVersion:
    """Step ``step`` of job ``job_id`` made version ``version`` of ``model_id``, weights
    ``commitment``."""

    job_id: int
    model_id: str
    step: int
    version: int
    commitment: int


@dataclass(frozen=True, slots=True)
class Job:
    """A posted training job (module docstring). The plan's tasks, in plan order (per
    step the K shards then the aggregation), are created in that order: ``task_ids[i]``
    is the market task of plan task i, ``outputs[i]`` the commitment its accepted proof
    produced (None until then). ``weights_commitment``: the model's version
    ``start_version`` the job starts from; ``versions``: the model versions its steps
    made; ``reserve``: the escrow of the plan tasks not yet created (0 once closed)."""

    job_id: int
    poster: str
    model_id: str
    gradient_kernel: str
    aggregate_kernel: str
    data_commitments: tuple[int, ...]
    data_hash: bytes
    data_uri: str
    steps: int
    gradient_fee: int
    aggregate_fee: int
    bond: int
    min_tier: int
    window: int
    posted_height: int
    weights_commitment: int
    start_version: int
    reserve: int
    status: JobStatus = JobStatus.RUNNING
    task_ids: tuple[int, ...] = ()
    outputs: tuple[int | None, ...] = ()
    versions: tuple[int, ...] = ()
    closed_height: int = 0

    @property
    def shards(self) -> int:
        """K."""
        return len(self.data_commitments)

    @property
    def plan_size(self) -> int:
        """S · (K + 1), the number of tasks of the whole job."""
        return self.steps * (self.shards + 1)

    def plan(self) -> TrainingPlan:
        """The job's plan (``split_training_job``; ``JobBook.plan`` caches it)."""
        return split_training_job(self.weights_commitment, self.data_commitments,
                                  self.steps)

    def is_aggregation(self, index: int) -> bool:
        """Whether plan task ``index`` is an aggregation (the last of its step)."""
        return index % (self.shards + 1) == self.shards

    def kernel_of(self, index: int) -> str:
        """The kernel id of plan task ``index``."""
        return self.aggregate_kernel if self.is_aggregation(index) else self.gradient_kernel

    def fee_of(self, index: int) -> int:
        """The fee of plan task ``index``."""
        return self.aggregate_fee if self.is_aggregation(index) else self.gradient_fee

    def fees_from(self, index: int) -> int:
        """The fees of plan tasks ``index`` … the last: what the reserve holds while
        ``index`` tasks are created."""
        per_step = self.shards * self.gradient_fee + self.aggregate_fee
        k1 = self.shards + 1
        step, within = divmod(index, k1)
        return (self.steps - step) * per_step - within * self.gradient_fee

    def sources(self, index: int) -> range:
        """The plan indices whose outputs plan task ``index`` takes: the previous step's
        aggregation (none at step 0), and for an aggregation its step's K gradients."""
        k1 = self.shards + 1
        step, within = divmod(index, k1)
        first = step * k1 - 1 if step else step * k1  # the previous aggregation, if any
        return range(first, step * k1 + (self.shards if within == self.shards else 0))

    def produced(self, plan: TrainingPlan, index: int | None = None) -> dict[Produced, int]:
        """The commitments produced so far, keyed as the plan names them: all of them, or
        only those plan task ``index`` takes (:meth:`sources`)."""
        indices = range(len(self.outputs)) if index is None else self.sources(index)
        out = {}
        for i in indices:
            value = self.outputs[i] if i < len(self.outputs) else None
            if value is not None:
                task = plan.tasks[i]
                out[Produced(task.task_id, task.outputs[0])] = value
        return out

    def leaf_payload(self) -> bytes:
        """The state-root leaf payload, integers big-endian unsigned, text = u8 length ‖
        UTF-8 (the URI: u16 length):

        b"J" ‖ u64 job_id ‖ text poster ‖ text model_id ‖ 32-byte gradient kernel ‖
        32-byte aggregation kernel ‖ u32 K ‖ K × u256 data commitment ‖ 32-byte data_hash ‖
        u16 len ‖ data_uri ‖ u32 steps ‖ u256 gradient_fee ‖ u256 aggregate_fee ‖
        u256 bond ‖ u8 min_tier ‖ u32 window ‖ u64 posted_height ‖ u256 weights
        commitment ‖ u64 start_version ‖ u256 reserve ‖ u8 status (0 running, 1 done,
        2 cancelled, 3 failed, 4 halted) ‖ u32 n ‖ n × (u64 task id ‖ u8 has output ‖
        u256 output or 0) ‖ u32 v ‖ v × u64 version ‖ u64 closed_height."""
        uri = self.data_uri.encode()
        return b"".join([
            b"J", _u(self.job_id, 8), _text(self.poster), _text(self.model_id),
            bytes.fromhex(self.gradient_kernel), bytes.fromhex(self.aggregate_kernel),
            _u(self.shards, 4), *(_u(c, 32) for c in self.data_commitments), self.data_hash,
            _u(len(uri), 2), uri, _u(self.steps, 4), _u(self.gradient_fee, 32),
            _u(self.aggregate_fee, 32), _u(self.bond, 32), _u(self.min_tier, 1),
            _u(self.window, 4), _u(self.posted_height, 8), _u(self.weights_commitment, 32),
            _u(self.start_version, 8), _u(self.reserve, 32), _u(_STATUS_CODE[self.status], 1),
            _u(len(self.task_ids), 4),
            *(_u(t, 8) + (b"\x00" + bytes(32) if o is None else b"\x01" + _u(o, 32))
              for t, o in zip(self.task_ids, self.outputs)),
            _u(len(self.versions), 4), *(_u(v, 8) for v in self.versions),
            _u(self.closed_height, 8)])

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (amounts and commitments as decimal strings, bytes as hex)."""
        return {
            "job_id": self.job_id, "poster": self.poster, "model_id": self.model_id,
            "gradient_kernel": self.gradient_kernel, "aggregate_kernel": self.aggregate_kernel,
            "data_commitments": [str(c) for c in self.data_commitments],
            "data_hash": self.data_hash.hex(), "data_uri": self.data_uri, "steps": self.steps,
            "gradient_fee": str(self.gradient_fee), "aggregate_fee": str(self.aggregate_fee),
            "bond": str(self.bond), "min_tier": self.min_tier, "window": self.window,
            "posted_height": self.posted_height,
            "weights_commitment": str(self.weights_commitment),
            "start_version": self.start_version, "reserve": str(self.reserve),
            "status": self.status.value, "task_ids": list(self.task_ids),
            "outputs": [None if o is None else str(o) for o in self.outputs],
            "versions": list(self.versions), "closed_height": self.closed_height,
        }

    @classmethod
    def from_dict(cls, d: object) -> Job:
        """Inverse of :meth:`to_dict`: every field checked, then the record's consistency
        (:meth:`consistency_problem`); EncodingError otherwise."""
        d = record_fields(d, _JOB_FIELDS, "a job")
        err = EncodingError

        def amount(name: str, bound: int = 1 << 256) -> int:
            return decimal(d[name], name, bound, err, allow_int=False)

        def field(name: str, value: object) -> int:
            return decimal(value, name, FR_MODULUS, err, allow_int=False, bound_name="r")

        def build() -> Job:
            for name in ("data_commitments", "task_ids", "outputs", "versions"):
                if not isinstance(d[name], list):
                    raise err(f"{name} must be a list, got {short(d[name])}")
            data_hash = _hex32(d["data_hash"], "data_hash")
            return cls(
                job_id=_count(d["job_id"], "job_id", MAX_HEIGHT, err),
                poster=_node(d["poster"]),
                model_id=check_model_id(d["model_id"], err),
                gradient_kernel=check_kernel_id(d["gradient_kernel"], err),
                aggregate_kernel=check_kernel_id(d["aggregate_kernel"], err),
                data_commitments=_commitments(
                    [field("data commitment", c) for c in d["data_commitments"]], err),
                data_hash=data_hash, data_uri=check_uri(d["data_uri"], err),
                steps=_count(d["steps"], "steps", MAX_JOB_TASKS + 1, err, low=1),
                gradient_fee=amount("gradient_fee", 1 << 128),
                aggregate_fee=amount("aggregate_fee", 1 << 128),
                bond=amount("bond", 1 << 128),
                min_tier=_count(d["min_tier"], "min_tier", 256, err),
                window=_count(d["window"], "window", 1 << 32, err, low=1),
                posted_height=_count(d["posted_height"], "posted_height", MAX_HEIGHT, err),
                weights_commitment=field("weights_commitment", d["weights_commitment"]),
                start_version=_count(d["start_version"], "start_version", MAX_HEIGHT, err),
                reserve=amount("reserve"),
                status=JobStatus(d["status"]),
                task_ids=tuple(_count(t, "task id", MAX_HEIGHT, err) for t in d["task_ids"]),
                outputs=tuple(None if o is None else field("output", o) for o in d["outputs"]),
                versions=tuple(_count(v, "version", MAX_HEIGHT, err) for v in d["versions"]),
                closed_height=_count(d["closed_height"], "closed_height", MAX_HEIGHT, err),
            )

        return decoded("job", build, lambda job: f"job {job.job_id}")

    def consistency_problem(self) -> str | None:
        """What contradicts itself in this record, or None: fees positive, the size
        bound, one output slot per created task, task ids increasing, outputs only in
        plan order's reach, the reserve = the fees of the tasks not created (running) or
        0 (closed), a version per finished step at most, a closed height when closed."""
        if self.gradient_fee <= 0 or self.aggregate_fee <= 0:
            return "a job's fees are positive"
        if self.plan_size > MAX_JOB_TASKS:
            return f"at most {MAX_JOB_TASKS} tasks"
        if len(self.outputs) != len(self.task_ids) or len(self.task_ids) > self.plan_size:
            return "one output slot per created task, at most the plan's tasks"
        if any(a >= b for a, b in zip(self.task_ids, self.task_ids[1:])):
            return "task ids increase in plan order"
        finished = sum(1 for i, o in enumerate(self.outputs)
                       if o is not None and self.is_aggregation(i))
        if len(self.versions) > finished:
            return "a version per finished step at most"
        if any(a >= b for a, b in zip(self.versions, self.versions[1:])) or (
                self.versions and self.versions[0] <= self.start_version):
            return "versions increase from after the start version"
        running = self.status is JobStatus.RUNNING
        if running and self.reserve != self.fees_from(len(self.task_ids)):
            return "a running job's reserve is the fees of the tasks it has not created"
        if not running and self.reserve:
            return "a closed job holds no reserve"
        if (self.closed_height != 0) if running else self.closed_height < self.posted_height:
            return "a closed height only when closed, not before the posting"
        if self.status is JobStatus.DONE and (len(self.versions) != self.steps
                                              or len(self.task_ids) != self.plan_size):
            return "a done job made a version per step"
        return None


_JOB_FIELDS = ("job_id", "poster", "model_id", "gradient_kernel", "aggregate_kernel",
               "data_commitments", "data_hash", "data_uri", "steps", "gradient_fee",
               "aggregate_fee", "bond", "min_tier", "window", "posted_height",
               "weights_commitment", "start_version", "reserve", "status", "task_ids",
               "outputs", "versions", "closed_height")

assert AGGREGATE == "aggregate"  # the plan's layout: per step K shards, then "aggregate"


# -- the book --------------------------------------------------------------------------------

class JobBook(MutableState):
    """The jobs of a market, by id (0, 1, 2, … in order of posting), with the leaf hashes
    the market root takes (after the models' leaves, in id order), the task → (job,
    plan index) index and each job's plan (cached). Written only by a committed
    ``MarketDraft``."""

    __slots__ = ("_jobs", "_leaves", "_by_task", "_plans", "_running")
    _COMPARED = ("_jobs",)  # the rest: caches

    def __init__(self) -> None:
        self._jobs: list[Job] = []
        self._leaves: list[bytes] = []
        self._by_task: dict[int, tuple[int, int]] = {}
        self._plans: dict[int, TrainingPlan] = {}
        self._running: dict[str, int] = {}  # model id -> its running job's id

    @property
    def jobs(self) -> Sequence[Job]:
        """Every job by id (do not modify)."""
        return self._jobs

    def job(self, job_id: int) -> Job | None:
        """Job ``job_id`` or None."""
        if isinstance(job_id, int) and not isinstance(job_id, bool) and \
                0 <= job_id < len(self._jobs):
            return self._jobs[job_id]
        return None

    def running_on(self, model_id: str) -> Job | None:
        """The running job of ``model_id``, or None."""
        job_id = self._running.get(model_id)
        return None if job_id is None else self._jobs[job_id]

    def task_place(self, task_id: int) -> tuple[int, int] | None:
        """(job id, plan index) of market task ``task_id``, or None for a task of no job."""
        return self._by_task.get(task_id)

    def plan(self, job: Job) -> TrainingPlan:
        """``job``'s plan (cached by job id: it depends on fields a job never changes)."""
        plan = self._plans.get(job.job_id)
        if plan is None or (plan.weights_commitment, plan.data_commitments, plan.steps) != (
                job.weights_commitment, job.data_commitments, job.steps):
            plan = self._plans[job.job_id] = job.plan()
        return plan

    def reserves(self) -> dict[str, int]:
        """Per poster with any: the escrow its running jobs hold for tasks not created."""
        out: dict[str, int] = {}
        for job in self._jobs:
            if job.reserve:
                out[job.poster] = out.get(job.poster, 0) + job.reserve
        return out

    def leaves(self) -> list[bytes]:
        """Leaf hashes for the market root, by job id."""
        return list(self._leaves)

    def write(self, jobs: Mapping[int, Job]) -> None:
        """Write a committed draft's new or changed jobs."""
        for job_id in sorted(jobs):
            job = jobs[job_id]
            put_record(self._jobs, self._leaves, job_id, job)
            for index, task_id in enumerate(job.task_ids):
                self._by_task[task_id] = (job_id, index)
            if job.status is JobStatus.RUNNING:
                self._running[job.model_id] = job_id
            elif self._running.get(job.model_id) == job_id:
                del self._running[job.model_id]

    def to_dict(self) -> dict[str, Any]:
        """{"jobs": [Job.to_dict by id]}."""
        return {"jobs": [job.to_dict() for job in self._jobs]}

    @classmethod
    def from_dict(cls, items: object) -> JobBook:
        """Inverse of :meth:`to_dict` (its field); EncodingError on anything malformed
        (the market checks the jobs against its tasks)."""
        if not isinstance(items, list):
            raise EncodingError("jobs must be a list")
        book = cls()
        staged = {}
        for index, item in enumerate(items):
            job = Job.from_dict(item)
            if job.job_id != index:
                raise EncodingError(f"job #{index} has id {job.job_id}: ids run 0, 1, 2, …")
            staged[index] = job
        book.write(staged)
        return book

    def problem_with(self, tasks: Sequence[Any]) -> str | None:
        """What ties the jobs to the market's tasks, or None: each job task exists, was
        posted by the job's poster with the kernel and fee of its plan place, belongs to
        one job; outputs only for done tasks; at most one running job per model."""
        owner: dict[int, int] = {}
        running: dict[str, int] = {}
        for job in self._jobs:
            if job.status is JobStatus.RUNNING:
                if job.model_id in running:
                    return (f"jobs {running[job.model_id]} and {job.job_id} both run on model "
                            f"{job.model_id!r}")
                running[job.model_id] = job.job_id
            for index, (task_id, output) in enumerate(zip(job.task_ids, job.outputs)):
                if task_id >= len(tasks) or task_id in owner:
                    return f"job {job.job_id} names task {task_id}, missing or another job's"
                owner[task_id] = job.job_id
                task = tasks[task_id]
                if (task.poster, task.kernel_id, task.fee) != (
                        job.poster, job.kernel_of(index), job.fee_of(index)):
                    return f"task {task_id} does not fit its place {index} in job {job.job_id}"
                if output is not None and task.status.value != "done":
                    return f"job {job.job_id} has an output of task {task_id}, not done"
        return None


