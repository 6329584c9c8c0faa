# SPDX-License-Identifier: MIT
"""A data-parallel training job split into tasks, as pure data (no chain types): for
K shard data commitments and S steps, the K gradient tasks of every step and the
step's aggregation task, each with the commitments its proof must carry.

    plan = split_training_job(commit_w0, [commit_d0, .., commit_d3], steps=3)
    plan.tasks                    # step 0's shards, step 0's aggregation, step 1's ..
    plan.ready(produced)          # the tasks whose inputs are all known
    plan.required(task, produced) # {"weights": .., "data": ..} as ints
    plan.accept(task, kernel, public, produced)  # check a proof's public signals

A commitment is an int when the job fixes it (the initial weights, the shards' data)
or ``Produced(task_id, tensor)`` when an earlier task's proof makes it: a gradient
task's ``weights`` at step s > 0 is ``Produced("step{s-1}/aggregate",
"weights_next")``; an aggregation's ``gradient_k`` is ``Produced("step{s}/shard{k}",
"gradient")`` and its ``weights`` is what the step's gradient tasks take. Tensor names
are those of ``mlp_grad`` (weights, data -> gradient) and ``grad_aggregate`` (weights,
gradient_0.. -> weights_next), so a task's commitments sit at
``kernel.public_position(tensor)``. ``produced`` maps ``Produced`` to the commitment
an accepted proof carried; a task reassigned after a missed deadline is the same task
(same id, same required commitments). Shards with equal data commitments are allowed
(they are equal tasks); a market that pays per task may want to refuse them.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from zkcx.errors import KernelInputError, TrainingPlanError
from zkcx.kernels.base import Kernel
from zkcx.kernels.grad_aggregate import gradient_names
from zkcx.params import FR_MODULUS

GRADIENT, AGGREGATE = "gradient", "aggregate"


@dataclass(frozen=True)
class Produced:
    """The commitment of output ``tensor`` of task ``task`` (its id): known once that
    task's proof is accepted."""

    task: str
    tensor: str


Commitment = int | Produced


@dataclass(frozen=True)
class TrainingTask:
    """One task of a training job: ``role`` "gradient" (shard ``shard`` at step
    ``step``, kernel ``mlp_grad``) or "aggregate" (``shard`` None, kernel
    ``grad_aggregate``); ``inputs`` maps each committed input tensor to the commitment
    the proof must carry; ``outputs`` names the committed tensors it produces."""

    task_id: str
    role: str
    step: int
    shard: int | None
    inputs: Mapping[str, Commitment]
    outputs: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", MappingProxyType(dict(self.inputs)))

    @property
    def depends_on(self) -> tuple[str, ...]:
        """Ids of the tasks whose outputs this one takes, in input order, unrepeated."""
        ids = [c.task for c in self.inputs.values() if isinstance(c, Produced)]
        return tuple(dict.fromkeys(ids))


def _task_id(step: int, shard: int | None) -> str:
    return f"step{step}/" + (AGGREGATE if shard is None else f"shard{shard}")


@dataclass(frozen=True)
class TrainingPlan:
    """The tasks of a job in dependency order (each after the tasks it takes from)."""

    weights_commitment: int
    data_commitments: tuple[int, ...]
    steps: int
    tasks: tuple[TrainingTask, ...]

    @property
    def shards(self) -> int:
        return len(self.data_commitments)

    def task(self, task_id: str) -> TrainingTask:
        for t in self.tasks:
            if t.task_id == task_id:
                return t
        raise TrainingPlanError(f"the job has no task {task_id!r}; its tasks are step0/"
                                f"shard0 .. step{self.steps - 1}/{AGGREGATE}")

    def gradient_tasks(self, step: int) -> list[TrainingTask]:
        """The K shard tasks of ``step``, shard 0 first."""
        return [self.task(_task_id(step, k)) for k in range(self.shards)]

    def aggregation(self, step: int) -> TrainingTask:
        return self.task(_task_id(step, None))

    @property
    def final_weights(self) -> Produced:
        """The job's result: the last aggregation's weights_next."""
        return Produced(_task_id(self.steps - 1, None), "weights_next")

    def required(self, task: TrainingTask | str,
                 produced: Mapping[Produced, int]) -> dict[str, int]:
        """Every committed input of ``task`` as an int, or ``TrainingPlanError`` naming
        the first one an earlier task has not produced yet."""
        task = self.task(task) if isinstance(task, str) else task
        out = {}
        for tensor, c in task.inputs.items():
            if isinstance(c, Produced):
                if c not in produced:
                    raise TrainingPlanError(f"task {task.task_id}: its {tensor} is {c.tensor} "
                                            f"of task {c.task}, not produced yet")
                out[tensor] = int(produced[c])
            else:
                out[tensor] = c
        return out

    def ready(self, produced: Mapping[Produced, int]) -> list[TrainingTask]:
        """The tasks not done yet (an output missing from ``produced``) whose inputs are
        all known, in plan order."""
        return [t for t in self.tasks
                if any(Produced(t.task_id, o) not in produced for o in t.outputs)
                and all(Produced(d, o) in produced for d in t.depends_on
                        for o in self.task(d).outputs)]

    def accept(self, task: TrainingTask | str, kernel: Kernel, public: Sequence[int],
               produced: Mapping[Produced, int]) -> dict[Produced, int]:
        """Check that a proof's public signals (``public``, of ``kernel``: ``mlp_grad``
        for a gradient task, ``grad_aggregate`` for an aggregation) carry the task's
        required input commitments, and return the commitments it produces
        ({Produced(task_id, tensor): value}) to add to ``produced``. The proof itself is
        the caller's to verify. ``TrainingPlanError`` on a mismatch."""
        task = self.task(task) if isinstance(task, str) else task
        names = {t.name for t in kernel.spec.tensors}
        missing = (set(task.inputs) | set(task.outputs)) - names
        if missing:
            raise TrainingPlanError(f"kernel {kernel.spec.name!r} has no tensor(s) "
                                    f"{sorted(missing)}: not a kernel for {task.role} task "
                                    f"{task.task_id}")
        if len(public) != len(kernel.public_inputs):
            raise TrainingPlanError(f"{len(public)} public signals, kernel "
                                    f"{kernel.spec.name!r} has {len(kernel.public_inputs)}")
        positions = {name: kernel.public_position(name)
                     for name in (*task.inputs, *task.outputs)}
        return self.accept_at(task, positions, public, produced)

    def accept_at(self, task: TrainingTask | str, positions: Mapping[str, int],
                  public: Sequence[int], produced: Mapping[Produced, int]
                  ) -> dict[Produced, int]:
        """:meth:`accept` for a kernel known only by the public-signal position of each
        tensor (``positions``: tensor name -> index in ``public``), as a chain knows a
        registered kernel: the same checks of the required commitments, the same
        outputs. ``TrainingPlanError`` on a mismatch or a tensor without a position."""
        task = self.task(task) if isinstance(task, str) else task
        want = self.required(task, produced)
        missing = (set(want) | set(task.outputs)) - set(positions)
        if missing:
            raise TrainingPlanError(f"the kernel has no public signal for {sorted(missing)}: "
                                    f"not a kernel for {task.role} task {task.task_id}")
        for tensor in (*want, *task.outputs):
            if not 0 <= positions[tensor] < len(public):
                raise TrainingPlanError(f"task {task.task_id}: commit({tensor}) is public "
                                        f"signal {positions[tensor]}, the proof has "
                                        f"{len(public)}")
        for tensor, value in want.items():
            got = int(public[positions[tensor]])
            if got != value:
                raise TrainingPlanError(f"task {task.task_id}: the proof's commit({tensor}) "
                                        f"is {got}, the task requires {value}")
        return {Produced(task.task_id, o): int(public[positions[o]]) for o in task.outputs}


def _commitment(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or not 0 <= int(value) < FR_MODULUS:
        raise KernelInputError(f"{what} must be a commitment, an int in [0, r), got "
                               f"{value!r}")
    return int(value)


def split_training_job(weights_commitment: int, data_commitments: Sequence[int],
                       steps: int) -> TrainingPlan:
    """The plan of a job training from the model ``weights_commitment`` on K =
    len(data_commitments) shards for ``steps`` steps: per step K gradient tasks then
    one aggregation (K·S + S tasks). See the module docstring."""
    w0 = _commitment(weights_commitment, "the weights commitment")
    if isinstance(data_commitments, (str, bytes)) or not isinstance(data_commitments,
                                                                     Sequence):
        raise KernelInputError("data_commitments must be a sequence of commitments")
    data = tuple(_commitment(d, f"data commitment {k}") for k, d in enumerate(data_commitments))
    if not data:
        raise KernelInputError("a training job needs at least one shard")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise KernelInputError(f"steps must be a positive integer, got {steps!r}")
    tasks: list[TrainingTask] = []
    weights: Commitment = w0
    for s in range(int(steps)):
        shard_tasks = [TrainingTask(_task_id(s, k), GRADIENT, s, k,
                                    {"weights": weights, "data": d}, ("gradient",))
                       for k, d in enumerate(data)]
        inputs: dict[str, Commitment] = {"weights": weights}
        for name, t in zip(gradient_names(len(data)), shard_tasks):
            inputs[name] = Produced(t.task_id, "gradient")
        aggregation = TrainingTask(_task_id(s, None), AGGREGATE, s, None, inputs,
                                   ("weights_next",))
        tasks += shard_tasks + [aggregation]
        weights = Produced(aggregation.task_id, "weights_next")
    return TrainingPlan(w0, data, int(steps), tuple(tasks))
