# SPDX-License-Identifier: MIT
"""A sharded (data-parallel) training job proved on the cluster: the tasks of a
``TrainingPlan`` (``zkcx.kernels.job_split``) in waves, each wave every task whose inputs
are known (a step's K shard gradients side by side on the workers, then its
aggregation), each proof's commitments checked against the plan (``TrainingPlan.accept``)
and its committed outputs kept, by commitment, for the tasks that take them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from zkcx.cluster.errors import ClusterError
from zkcx.cluster.jobs import ProofJob, ProofResult
from zkcx.cluster.worker import load_spec
from zkcx.errors import TrainingPlanError
from zkcx.kernels.job_split import GRADIENT, Produced, TrainingPlan, TrainingTask

if TYPE_CHECKING:
    from zkcx.cluster.client import Cluster


@dataclass(frozen=True)
class ShardKernel:
    """A kernel of the job as the workers get it: its catalogue TOML text and its proving
    key (the key file's bytes or a path on the workers' filesystem; ``ProofJob``)."""

    spec: str
    zkey: str | bytes


@dataclass(frozen=True)
class TrainingProofs:
    """What a proved job gives: every task's result (proof, public signals, outputs) by
    task id in plan order, the commitments the proofs produced, and the final weights
    (the last aggregation's ``weights_next``, int64)."""

    results: Mapping[str, ProofResult]
    produced: Mapping[Produced, int]
    final_weights: np.ndarray


def map_shards(cluster: Cluster, plan: TrainingPlan, gradient: ShardKernel,
               aggregate: ShardKernel, tensors: Mapping[int, np.ndarray],
               binding: Callable[[TrainingTask], int | None] | None = None
               ) -> TrainingProofs:
    """Prove every task of ``plan`` on ``cluster``: gradient tasks with ``gradient``
    (``mlp_grad``), aggregations with ``aggregate`` (``grad_aggregate``). ``tensors``
    maps each commitment the job fixes (the initial weights, the shards' data) to its
    quantized tensor; ``binding(task)`` gives a task's claim binding (None: the kernels
    have none). Raises ``ClusterError`` naming the task when a proof cannot be made
    (the tasks after it need its outputs) and ``TrainingPlanError`` when a tensor is
    missing or a proof does not carry the commitments its task requires."""
    kernels = {GRADIENT: load_spec(gradient.spec), "aggregate": load_spec(aggregate.spec)}
    store = dict(tensors)
    produced: dict[Produced, int] = {}
    results: dict[str, ProofResult] = {}
    while ready := plan.ready(produced):
        jobs = []
        for task in ready:
            source = gradient if task.role == GRADIENT else aggregate
            inputs = {}
            for name, commitment in plan.required(task, produced).items():
                if commitment not in store:
                    raise TrainingPlanError(f"task {task.task_id}: no tensor for its {name} "
                                            f"(commitment {commitment})")
                inputs[name] = store[commitment]
            jobs.append(ProofJob(task.task_id, source.zkey, source.spec, inputs,
                                 None if binding is None else binding(task)))
        for result in cluster.prove(jobs):
            if not result.ok:
                raise ClusterError(f"training task {result.job_id} was not proved: "
                                   f"{result.error}")
            task = plan.task(result.job_id)
            new = plan.accept(task, kernels[task.role], result.public, produced)
            for out, commitment in new.items():
                store[commitment] = np.asarray(result.outputs[out.tensor])
            produced.update(new)
            results[task.task_id] = result
    ordered = {t.task_id: results[t.task_id] for t in plan.tasks}
    return TrainingProofs(ordered, produced, store[produced[plan.final_weights]])
