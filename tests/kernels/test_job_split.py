# SPDX-License-Identifier: MIT
"""Splitting a training job into tasks (zkcx.kernels.job_split): K gradient tasks and
one aggregation per step, in dependency order, each requiring the commitments the
earlier tasks produced; a proof is accepted for a task only when its public signals
carry those commitments (a proof of another shard, of a stale model, with swapped
gradients or of another kernel is refused); bad job descriptions are refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zkcx.kernels as K
from zkcx.errors import KernelInputError
from zkcx.kernels.job_split import (
    AGGREGATE,
    GRADIENT,
    Produced,
    TrainingPlanError,
    split_training_job,
)
from zkcx.kernels.sharded import data_parallel_kernels, data_parallel_sgd
from zkcx.params import FR_MODULUS


@settings(max_examples=30, deadline=None)
@given(shards=st.integers(1, 6), steps=st.integers(1, 5),
       seed=st.integers(0, 2**32 - 1))
def test_the_plan_has_k_gradient_tasks_and_one_aggregation_per_step_in_order(shards, steps,
                                                                            seed):
    rng = np.random.default_rng(seed)
    w0 = int(rng.integers(0, 2**62))
    data = [int(v) for v in rng.integers(0, 2**62, size=shards)]
    plan = split_training_job(w0, data, steps)
    assert len(plan.tasks) == shards * steps + steps
    assert len({t.task_id for t in plan.tasks}) == len(plan.tasks)
    seen: set[str] = set()
    for task in plan.tasks:  # every task after the tasks it takes from
        assert set(task.depends_on) <= seen
        seen.add(task.task_id)
    for s in range(steps):
        shard_tasks = plan.gradient_tasks(s)
        agg = plan.aggregation(s)
        assert [t.shard for t in shard_tasks] == list(range(shards))
        assert all(t.role == GRADIENT and t.step == s for t in shard_tasks)
        assert agg.role == AGGREGATE and agg.shard is None and agg.step == s
        weights = w0 if s == 0 else Produced(plan.aggregation(s - 1).task_id, "weights_next")
        for k, t in enumerate(shard_tasks):
            assert t.inputs == {"weights": weights, "data": data[k]}
            assert t.outputs == ("gradient",)
        assert agg.inputs == {"weights": weights, **{
            f"gradient_{k}": Produced(t.task_id, "gradient") for k, t in enumerate(shard_tasks)}}
        assert agg.outputs == ("weights_next",)
    assert plan.final_weights == Produced(plan.aggregation(steps - 1).task_id, "weights_next")
    with pytest.raises(TypeError):  # a task's required commitments cannot be edited
        plan.tasks[0].inputs["data"] = 0


def test_tasks_become_ready_as_their_inputs_are_produced():
    plan = split_training_job(7, [11, 12, 13], steps=2)
    produced: dict[Produced, int] = {}
    assert plan.ready(produced) == plan.gradient_tasks(0)
    with pytest.raises(TrainingPlanError, match="not produced yet"):
        plan.required(plan.aggregation(0), produced)
    for k, t in enumerate(plan.gradient_tasks(0)):
        assert plan.required(t, produced) == {"weights": 7, "data": 11 + k}
        produced[Produced(t.task_id, "gradient")] = 100 + k
        # the aggregation waits for every shard
        assert (plan.aggregation(0) in plan.ready(produced)) == (k == 2)
    assert plan.required("step0/aggregate", produced) == {
        "weights": 7, "gradient_0": 100, "gradient_1": 101, "gradient_2": 102}
    assert plan.ready(produced) == [plan.aggregation(0)]
    produced[Produced("step0/aggregate", "weights_next")] = 8
    assert plan.ready(produced) == plan.gradient_tasks(1)
    assert plan.required("step1/shard2", produced) == {"weights": 8, "data": 13}
    with pytest.raises(TrainingPlanError, match="no task"):
        plan.task("step2/shard0")


def test_bad_jobs_are_refused():
    for w0 in (-1, FR_MODULUS, 1.0, "7", True):
        with pytest.raises(KernelInputError, match="weights commitment"):
            split_training_job(w0, [1], 1)
    for data in ([], [1, FR_MODULUS], [1, None], "12", 5):
        with pytest.raises(KernelInputError):
            split_training_job(1, data, 1)
    for steps in (0, -1, 2.0, True):
        with pytest.raises(KernelInputError, match="steps"):
            split_training_job(1, [1], steps)


def test_a_proof_is_accepted_only_for_its_own_task():
    """Publics from the kernels' witnesses of a 2-shard, 2-step run: each is accepted
    for its task and refused for every other task of the same kind."""
    rng = np.random.default_rng(5)
    g, a = data_parallel_kernels([3, 2, 1], shard_batch=2, shards=2, lr=0.25)
    w = rng.integers(-256, 257, size=g.spec["weights"].shape)
    data = [rng.integers(-256, 257, size=g.spec["data"].shape) for _ in range(2)]
    run = data_parallel_sgd(g, a, w, data, steps=2)
    plan = split_training_job(run.weight_commitments[0], list(run.data_commitments), 2)
    produced: dict[Produced, int] = {}
    grad_public, agg_public = {}, {}
    for s, step in enumerate(run.steps):
        for k in range(2):
            public = g.witness(weights=step.weights, data=data[k]).public
            grad_public[s, k] = public
            produced.update(plan.accept(f"step{s}/shard{k}", g, public, produced))
        public = a.witness(weights=step.weights, gradient_0=step.gradients[0],
                           gradient_1=step.gradients[1]).public
        agg_public[s] = public
        produced.update(plan.accept(f"step{s}/aggregate", a, public, produced))
    assert produced[plan.final_weights] == run.weight_commitments[-1]
    for s, step in enumerate(run.steps):
        assert [produced[Produced(f"step{s}/shard{k}", "gradient")] for k in range(2)] == list(
            step.gradient_commitments)
    # a shard's proof for the other shard (its data), or for the other step (stale model)
    for (s, k), public in grad_public.items():
        for s2, k2 in [(s, 1 - k), (1 - s, k)]:
            with pytest.raises(TrainingPlanError, match=r"commit\((data|weights)\)"):
                plan.accept(f"step{s2}/shard{k2}", g, public, produced)
    # an aggregation of the other step, and one with the shards' gradients swapped
    with pytest.raises(TrainingPlanError, match="commit"):
        plan.accept("step1/aggregate", a, agg_public[0], produced)
    step = run.steps[0]
    swapped = a.witness(weights=step.weights, gradient_0=step.gradients[1],
                        gradient_1=step.gradients[0]).public
    with pytest.raises(TrainingPlanError, match=r"commit\(gradient_0\)"):
        plan.accept("step0/aggregate", a, swapped, produced)
    # the wrong kernel for the task, or a truncated public vector
    with pytest.raises(TrainingPlanError, match="not a kernel for aggregate task step0"):
        plan.accept("step0/aggregate", g, grad_public[0, 0], produced)
    with pytest.raises(TrainingPlanError, match="public signals"):
        plan.accept("step0/shard0", g, grad_public[0, 0][:3], produced)
    # a training step proof (mlp_train) carries no gradient: not a gradient task's proof
    train = K.mlp_train([3, 2, 1], batch=2, lr=0.25)
    with pytest.raises(TrainingPlanError, match="no tensor"):
        plan.accept("step0/shard0", train, train.witness(weights=w, data=data[0]).public,
                    produced)
