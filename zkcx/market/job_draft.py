# SPDX-License-Identifier: MIT
"""The staged changes of one block to the training jobs (``zkcx.market.jobs``), driven by
the block's :class:`~zkcx.market.draft.MarketDraft` at four points:

- ``operate``: :class:`PostJob` (checks, escrow, step 0's gradient tasks) and
  :class:`CancelJob` (refunds); nothing staged when refused;
- ``expire_deadlines``: a job task that expired fails its job;
- ``check_claim``: a claim of a job task must carry its plan task's required
  commitments and have a public signal for its output (``TrainingPlan.accept_at``);
- ``accept``: each paid job task records its output; a step's last gradient creates the
  aggregation task, an aggregation advances the model's version chain (contributor: the
  job's poster, ``zkcx.market.jobs``) and creates the next step's gradient tasks.

The tasks a job creates are ordinary tasks made by the market draft (posted by the job's
poster, fee taken from the job's reserve instead of the poster's balance), so they are
scheduled, reassigned after a missed deadline and paid exactly as any other.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from zkcx.kernels.job_split import TrainingPlan, TrainingPlanError
from zkcx.market.errors import MarketOperationError, ModelError
from zkcx.market.jobs import CancelJob, Job, JobBook, JobStatus, JobVersion, PostJob
from zkcx.market.models import ModelStatus
from zkcx.market.tasks import KernelTerms, Task, TaskStatus
from zkcx.rewards.params import ClaimKind

if TYPE_CHECKING:
    from zkcx.market.draft import MarketDraft

R = TypeVar("R", Task, Job)


def cancelled_by_poster(record: R | None, poster: str, where: str) -> R:
    """``record`` (a task or job an operation at ``where`` cancels) when it exists and
    ``poster`` posted it; else MarketOperationError."""
    if record is None:
        raise MarketOperationError(f"{where}, which does not exist")
    if record.poster != poster:
        raise MarketOperationError(f"{where}, posted by {record.poster!r}: only the poster "
                                   "may cancel")
    return record


class JobDraft:
    """The jobs' staged changes of a block (module docstring)."""

    __slots__ = ("_draft", "_book", "_jobs", "_by_task", "_next_id", "_posted", "_closed",
                 "_versions")

    def __init__(self, draft: MarketDraft, book: JobBook) -> None:
        self._draft = draft
        self._book = book
        self._jobs: dict[int, Job] = {}
        self._by_task: dict[int, tuple[int, int]] = {}
        self._next_id = len(book.jobs)
        self._posted: list[int] = []
        self._closed: list[tuple[int, str]] = []
        self._versions: list[JobVersion] = []

    # ------------------------------------------------------------------ reading

    def job(self, job_id: int) -> Job | None:
        """Job ``job_id`` as staged so far, or None."""
        job = self._jobs.get(job_id)
        return job if job is not None else self._book.job(job_id)

    def place(self, task_id: int) -> tuple[int, int] | None:
        """(job id, plan index) of task ``task_id``, or None for a task of no job."""
        place = self._by_task.get(task_id)
        return place if place is not None else self._book.task_place(task_id)

    def running_on(self, model_id: str) -> Job | None:
        """The running job of ``model_id``, as staged, or None."""
        committed = self._book.running_on(model_id)
        ids = set(self._jobs) | (set() if committed is None else {committed.job_id})
        for job_id in sorted(ids):
            job = self.job(job_id)
            if job is not None and job.model_id == model_id and \
                    job.status is JobStatus.RUNNING:
                return job
        return None

    @property
    def staged(self) -> dict[int, Job]:
        """New or changed jobs."""
        return self._jobs

    @property
    def posted(self) -> tuple[int, ...]:
        """Jobs posted in this block."""
        return tuple(self._posted)

    @property
    def closed(self) -> tuple[tuple[int, str], ...]:
        """(job id, status) of the jobs closed in this block: done, cancelled, failed,
        halted."""
        return tuple(self._closed)

    @property
    def versions(self) -> tuple[JobVersion, ...]:
        """The model versions the jobs' steps made in this block."""
        return tuple(self._versions)

    # ------------------------------------------------------------------ operations

    def operate(self, op: PostJob | CancelJob, where: str) -> None:
        """Apply a PostJob or CancelJob (MarketOperationError, InsufficientFundsError;
        nothing staged when refused)."""
        if isinstance(op, PostJob):
            self._post(op, where)
        else:
            self._cancel(op, where)

    def _post(self, op: PostJob, where: str) -> None:
        draft = self._draft
        where = f"{where}: {op.poster!r} posts a training job on model {op.model_id!r}"
        model = draft.models.model(op.model_id)
        if model is None:
            raise ModelError(f"{where}, which is not registered")
        if model.status is not ModelStatus.ACTIVE:
            raise ModelError(f"{where}, which is {model.status.value}: it takes no new "
                             "version")
        other = self.running_on(op.model_id)
        if other is not None:
            raise MarketOperationError(f"{where}, on which job {other.job_id} is running (one "
                                       "job per model: two would race for its versions)")
        p = draft.params
        if op.min_tier >= len(p.tiers):
            raise MarketOperationError(f"{where} for tier {op.min_tier}; the tiers are 0 to "
                                       f"{len(p.tiers) - 1}")
        version = len(model.versions) - 1
        job = Job(job_id=self._next_id, poster=op.poster, model_id=op.model_id,
                  gradient_kernel=op.gradient_kernel, aggregate_kernel=op.aggregate_kernel,
                  data_commitments=op.data_commitments, data_hash=op.data_hash,
                  data_uri=op.data_uri, steps=op.steps, gradient_fee=op.gradient_fee,
                  aggregate_fee=op.aggregate_fee, bond=op.bond, min_tier=op.min_tier,
                  window=op.window, posted_height=draft.height,
                  weights_commitment=model.versions[version].commitment,
                  start_version=version, reserve=op.escrow)
        plan = job.plan()
        for index, role, fee in ((0, "gradient", op.gradient_fee),
                                 (job.shards, "aggregation", op.aggregate_fee)):
            kernel_id = job.kernel_of(index)
            terms = draft.kernel_terms(kernel_id)
            if terms is None:
                raise MarketOperationError(f"{where} with {role} kernel {kernel_id}, which "
                                           "the chain's kernel registry does not hold")
            problem = terms.task_problem() or _plan_problem(plan, index, terms)
            if problem:
                raise MarketOperationError(f"{where} with {role} kernel {kernel_id}, but "
                                           f"{problem}")
            minimum = terms.work_units * p.min_fee_per_unit
            if fee < minimum:
                raise MarketOperationError(
                    f"{where} paying {fee} per {role} task, below {terms.work_units} work "
                    f"units × {p.min_fee_per_unit} (min_fee_per_unit) = {minimum}")
        draft.ledger.hold(op.poster, op.escrow, f"the escrow of training job {job.job_id} "
                                                f"({op.steps} steps of {op.shards} shards)")
        draft._change_held(op.poster, op.escrow)
        self._jobs[job.job_id] = job
        self._next_id += 1
        self._posted.append(job.job_id)
        for _ in range(job.shards):
            self._create_next(job.job_id, plan)

    def _cancel(self, op: CancelJob, where: str) -> None:
        where = f"{where}: {op.poster!r} cancels training job {op.job_id}"
        job = cancelled_by_poster(self.job(op.job_id), op.poster, where)
        if job.status is not JobStatus.RUNNING:
            raise MarketOperationError(f"{where}, which is {job.status.value}")
        self._close(job, JobStatus.CANCELLED)

    # ------------------------------------------------------------------ block hooks

    def expired(self, task_ids: list[int]) -> None:
        """Expire-deadlines hook: a job task that expired fails its running job."""
        for task_id in task_ids:
            place = self.place(task_id)
            if place is None:
                continue
            job = self.job(place[0])
            if job is not None and job.status is JobStatus.RUNNING:
                self._close(job, JobStatus.FAILED)

    def claim_problem(self, task: Task, public_inputs: tuple[int, ...] | list[int]
                      ) -> str | None:
        """Check-claim hook: why a claim of job task ``task`` does not carry the plan
        task's commitments (or lacks its output's signal), or None (also for a task of no
        job). Stages nothing."""
        place = self.place(task.task_id)
        if place is None:
            return None
        job = self.job(place[0])
        assert job is not None  # a placed task's job exists
        plan = self._book.plan(job)
        terms = self._draft.kernel_terms(task.kernel_id)
        if terms is None:
            return f"the kernel of task {task.task_id} is no longer registered"
        try:
            plan.accept_at(plan.tasks[place[1]], dict(terms.tensor_positions),
                           public_inputs, job.produced(plan, place[1]))
        except TrainingPlanError as exc:
            return f"training job {job.job_id}: {exc}"
        return None

    def delivered(self, task: Task, public_inputs: tuple[int, ...], node_id: str,
                  claim_hash: bytes) -> None:
        """Accept hook, per paid task in claim order: record a job task's output and move
        its job on (module docstring). Never raises for a claim ``claim_problem``
        passed."""
        place = self.place(task.task_id)
        if place is None:
            return
        job_id, index = place
        job = self.job(job_id)
        assert job is not None
        plan = self._book.plan(job)
        terms = self._draft.kernel_terms(task.kernel_id)
        assert terms is not None  # claim_problem checked it
        ptask = plan.tasks[index]
        made = plan.accept_at(ptask, dict(terms.tensor_positions), public_inputs,
                              job.produced(plan, index))
        (value,) = made.values()
        outputs = list(job.outputs)
        outputs[index] = value
        job = self._jobs[job_id] = replace(job, outputs=tuple(outputs))
        if job.status is not JobStatus.RUNNING:
            return  # a closed job records late deliveries and makes nothing new
        k1 = job.shards + 1
        step, within = divmod(index, k1)
        if within < job.shards:  # a gradient: the step's last one makes the aggregation
            first = step * k1
            if all(o is not None for o in job.outputs[first:first + job.shards]):
                self._create_next(job_id, plan)
            return
        draft = self._draft
        model = draft.models.model(job.model_id)
        before = plan.required(ptask, job.produced(plan, index))["weights"]
        try:
            if model is None:
                raise ModelError(f"model {job.model_id!r} is not registered")
            version = draft.models.extend(job.model_id, len(model.versions) - 1, before,
                                          value, job.poster, claim_hash)
        except ModelError:
            self._close(job, JobStatus.HALTED)
            return
        job = self._jobs[job_id] = replace(job, versions=(*job.versions, version))
        self._versions.append(JobVersion(job_id, job.model_id, step, version, value))
        if step + 1 == job.steps:
            self._close(job, JobStatus.DONE)
            return
        for _ in range(job.shards):
            self._create_next(job_id, plan)

    # ------------------------------------------------------------------ internals

    def _create_next(self, job_id: int, plan: TrainingPlan) -> None:
        """Create the job's next plan task (plan order) as a market task, its fee taken
        from the reserve."""
        draft = self._draft
        job = self.job(job_id)
        assert job is not None
        index = len(job.task_ids)
        ptask = plan.tasks[index]
        kernel_id = job.kernel_of(index)
        terms = draft.kernel_terms(kernel_id)
        assert terms is not None  # checked when posted; a chain's registry is fixed
        positions = dict(terms.tensor_positions)
        required = plan.required(ptask, job.produced(plan, index))
        inputs = tuple(sorted((positions[name], value) for name, value in required.items()))
        fee = job.fee_of(index)
        task_id = draft._open_task(job.poster, kernel_id, terms, inputs, job.data_hash,
                                   job.data_uri, fee, job.bond, job.min_tier, job.window)
        self._by_task[task_id] = (job_id, index)
        self._jobs[job_id] = replace(job, reserve=job.reserve - fee,
                                     task_ids=(*job.task_ids, task_id),
                                     outputs=(*job.outputs, None))

    def _close(self, job: Job, status: JobStatus) -> None:
        """Close a running job: the reserve and its unassigned tasks' fees return to the
        poster (those tasks are cancelled)."""
        draft = self._draft
        if job.reserve:
            draft.ledger.release_hold(job.poster, job.reserve, job.poster)
            draft._change_held(job.poster, -job.reserve)
        for task_id in job.task_ids:
            task = draft.task(task_id)
            if task is not None and task.status is TaskStatus.UNASSIGNED:
                draft._withdraw(task)
        self._jobs[job.job_id] = replace(job, status=status, reserve=0,
                                         closed_height=draft.height)
        self._closed.append((job.job_id, status.value))


def _plan_problem(plan: TrainingPlan, index: int, terms: KernelTerms) -> str | None:
    """Why the kernel of ``terms`` cannot run plan task ``index`` (the first of its role),
    or None: a training kernel, a public signal for every tensor the task takes and
    makes, and its inputs exactly the task's (a task fixes every input)."""
    task = plan.tasks[index]
    if terms.kind is not ClaimKind.TRAINING:
        return f"it is a {terms.kind.value} kernel, not a training kernel"
    positions = dict(terms.tensor_positions)
    missing = [name for name in (*task.inputs, *task.outputs) if name not in positions]
    if missing:
        return (f"the registry gives no public signal for its tensor(s) {missing[:4]} "
                f"(a {task.role} task of {plan.shards} shards takes "
                f"{sorted(task.inputs)[:6]} and makes {list(task.outputs)})")
    fixed = sorted(positions[name] for name in task.inputs)
    if fixed != list(terms.input_positions or ()):
        return (f"its inputs are at public inputs {list(terms.input_positions or ())[:8]}, "
                f"the {task.role} task fixes {fixed[:8]} (a {plan.shards}-shard job)")
    return None
