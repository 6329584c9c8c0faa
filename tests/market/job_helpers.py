# SPDX-License-Identifier: MIT
"""Shared by the training-job tests: the market parameters with training open to tier 0
(fresh nodes take the jobs' tasks), and the exact check run after every block."""

from __future__ import annotations

from tests.rewards.strategies import FAST_PARAMS
from zkcx.market import JobStatus, Market, TaskStatus
from zkcx.rewards import SUPPLY, TOKEN, ClaimKind, ParamSchedule, Tier

#: The market tests' parameters (tests.market.helpers: 10 % of each fee to the pool, a
#: late node loses half its bond, 3 missed deadlines expire a task), with training open
#: to tier 0.
_MARKET = {"min_fee_per_unit": TOKEN // 1000, "pool_fee_ppb": 100_000_000,
           "emission_fee_cap_ppb": 50_000_000, "late_reputation_penalty": 50,
           "late_bond_slash_ppb": 500_000_000, "max_task_attempts": 3}
_OPEN = FAST_PARAMS.tiers[0]
_TIERS = (Tier(_OPEN.name, _OPEN.min_stake, _OPEN.min_reputation, _OPEN.multiplier_permille,
               _OPEN.kinds | {ClaimKind.TRAINING}), *FAST_PARAMS.tiers[1:])
PARAMS = FAST_PARAMS.replace(tiers=_TIERS, **_MARKET)
SCHEDULE = ParamSchedule([(0, PARAMS)])


def expected_held(market: Market) -> dict[str, int]:
    """Per account, recounted from the tasks and the jobs' own terms: open tasks' fees,
    assigned tasks' bonds, and each running job's escrow less the fees of the tasks it
    has created."""
    held: dict[str, int] = {}
    for t in market.tasks:
        if t.status in (TaskStatus.UNASSIGNED, TaskStatus.ASSIGNED):
            held[t.poster] = held.get(t.poster, 0) + t.fee
        if t.status is TaskStatus.ASSIGNED:
            held[t.assignee] = held.get(t.assignee, 0) + t.bond
    for job in market.jobs:
        if job.status is JobStatus.RUNNING:
            escrow = job.steps * (job.shards * job.gradient_fee + job.aggregate_fee)
            left = escrow - sum(market.task(t).fee for t in job.task_ids)
            held[job.poster] = held.get(job.poster, 0) + left
    return held


def check(market: Market) -> None:
    """pool + balances + stakes + unbonding + held == 200,000,000 tokens exactly, and
    every account's held tokens as recounted."""
    total = market.ledger.pool + sum(a.balance + a.stake + a.unbonding_total + a.held
                                     for a in market.ledger.accounts.values())
    assert total == SUPPLY == 200_000_000 * TOKEN
    held = expected_held(market)
    for node, acc in market.ledger.accounts.items():
        assert acc.held == held.get(node, 0), node
    market.check_invariants()


def sharded_training(shards: int, steps: int):
    """The mlp_4_4_1 gradient and aggregation kernels (circuits/), initial weights and
    ``shards`` data shards quantized from a seeded generator, and their data-parallel SGD
    run of ``steps`` steps (the reference, without binding): (grad, agg, w0, data, run)."""
    import pathlib

    import numpy as np

    import zkcx.kernels as K
    from zkcx.kernels.sharded import data_parallel_sgd

    circuits = pathlib.Path(__file__).resolve().parents[2] / "circuits"
    grad = K.load(circuits / "mlp_4_4_1_grad.toml")
    agg = K.load(circuits / "mlp_4_4_1_aggregate_4.toml")
    rng = np.random.default_rng(14)
    p = {n: rng.normal(size=s) * (0.5 if n.startswith("W") else 0.1) for n, s in grad.shapes}
    q = [grad.quantize_inputs({"weights": grad.pack_weights(p), "data": grad.pack_data(
        rng.normal(size=(grad.batch, 4)), rng.normal(size=(grad.batch, 1)))})
         for _ in range(shards)]
    w0, data = q[0]["weights"], [s["data"] for s in q]
    return grad, agg, w0, data, data_parallel_sgd(grad, agg, w0, data, steps)
