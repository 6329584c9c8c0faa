# SPDX-License-Identifier: MIT
"""A small market for the tests: genesis grants, the market parameters, and helpers to
post tasks, make claims and run blocks."""

from __future__ import annotations

import hashlib
import itertools

from tests.market.strategies import DOT, KERNELS, profile
from tests.rewards.strategies import FAST_PARAMS
from zkcx.market import Market, PostTask, RegisterNode, TaskClaim
from zkcx.rewards import SUPPLY, TOKEN, ClaimKind, ParamSchedule

#: Market parameters on the fast test economics: 10 % of each fee to the pool, emission
#: capped at 5 % of the fees, 1 base unit per work unit at least, a late node loses 50
#: reputation and half its bond, a task expires after 3 missed deadlines.
PARAMS = FAST_PARAMS.replace(min_fee_per_unit=TOKEN // 1000, pool_fee_ppb=100_000_000,
                             emission_fee_cap_ppb=50_000_000, late_reputation_penalty=50,
                             late_bond_slash_ppb=500_000_000, max_task_attempts=3)
SCHEDULE = ParamSchedule([(0, PARAMS)])
#: The least fee of a DOT task (1000 work units).
MIN_FEE = 1000 * PARAMS.min_fee_per_unit
GRANTS = {"req": 1000 * TOKEN, "a": 100 * TOKEN, "b": 100 * TOKEN, "c": 100 * TOKEN}
INPUTS = ((1, 11), (2, 22))
_hashes = itertools.count()


def genesis(grants=None) -> Market:
    """A market at height −1 with ``grants`` (default GRANTS) taken from the pool."""
    return Market.genesis(GRANTS if grants is None else grants, SCHEDULE)


def post(poster="req", fee=MIN_FEE, bond=0, deadline=None, inputs=INPUTS, kernel=DOT,
         kind=ClaimKind.COMPUTE, units=1000, tier=0, at=None, market=None, window=3):
    """A PostTask for the DOT kernel due ``window`` blocks after the next block."""
    if deadline is None:
        deadline = market.height + 1 + window
    return PostTask(poster, kernel, kind, units, inputs, hashlib.sha256(b"data").digest(),
                    "ipfs://data", fee, bond, tier, deadline)


def register(node: str, units_per_second: int = 10_000) -> RegisterNode:
    return RegisterNode(node, profile(units_per_second))


def claim(node: str, task_id: int, inputs=INPUTS, kernel=DOT) -> TaskClaim:
    """A verified claim with public inputs (output, input 1, input 2, binding)."""
    public = [7, 0, 0, 99]
    for pos, value in inputs:
        public[pos] = value
    digest = hashlib.sha256(next(_hashes).to_bytes(8, "big")).digest()
    return TaskClaim(node, task_id, kernel, tuple(public), digest)


def block(market: Market, claims=(), ops=(), invalid=(), nonces=None):
    """Apply the next block with the test kernels."""
    return market.apply_block(market.height + 1, claims, invalid, ops, nonces or {}, KERNELS)


def supply_total(market: Market) -> int:
    """pool + Σ(balance + stake + unbonding + held), recounted from the accounts."""
    total = market.ledger.pool
    for acc in market.ledger.accounts.values():
        total += acc.balance + acc.stake + acc.unbonding_total + acc.held
    return total


def check(market: Market) -> None:
    """Exact conservation and the per-task held sums, recounted independently."""
    assert supply_total(market) == SUPPLY == 200_000_000 * TOKEN
    held: dict[str, int] = {}
    for t in market.tasks:
        if t.status.value in ("unassigned", "assigned"):
            held[t.poster] = held.get(t.poster, 0) + t.fee
        if t.status.value == "assigned":
            held[t.assignee] = held.get(t.assignee, 0) + t.bond
    for node, acc in market.ledger.accounts.items():
        assert acc.held == held.get(node, 0), node
    market.check_invariants()
