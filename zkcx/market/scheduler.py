# SPDX-License-Identifier: MIT
"""The scheduler: which registered node executes which unassigned task, as a pure function
of chain state, so every verifier reproduces the block's assignments exactly.

Every task is assigned (there are no open "first valid claim wins" tasks): an open task
pays whoever's proof reaches a block first, which rewards copying proofs out of the
mempool and lets the block builder favour itself or its friends. An assigned task pays
only its assignee, and a missed deadline passes it to the next node.

Tasks are taken in id order (first posted, first served). For each, a node is a
candidate when it is registered, its tier is at least the task's ``min_tier`` and may earn
the task's kind, it is not the poster (poster and executor are always distinct), it has
not missed this task's deadline before, its balance covers the task's bond (locked at
assignment), and its capacity fits: its load (work units of the tasks assigned to it,
this one included) can be proved within the task's window,
load + work_units ≤ units_per_second · BLOCK_SECONDS · window. Among the candidates the
first by (load, −reputation, −units_per_second, node id) wins: the least loaded (work
units assigned and not yet delivered), then the most reputable, then the fastest, then a
fixed tie-break. The winner's load and free balance change before the next task is
considered, so the work spreads over the nodes. A task with no candidate waits for a
later block (its poster may cancel it).

Load comes before reputation: ranked by reputation first, the most reputable node takes
every task until its capacity is full, and reputation follows paid work, which a node can
buy by posting tasks to itself (paying the pool fee, a small price for taking every other
requester's work). Load comes before the declared rate too: the rate is a claim the chain
cannot check, so it only decides what fits, never who is first among idle nodes.

Capacity comes from a profile measured by ``zkcx bench``, which the chain cannot check: a
node that over-declares gets more work than it can deliver, and each missed deadline
costs it reputation (so it ranks lower) and part of its bond.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zkcx.market.tasks import Task, TaskStatus
from zkcx.rewards.params import ClaimKind

#: Nominal seconds per block, to turn a capacity (work units per second) and a window
#: (blocks) into the work a node can deliver in time. The rewards defaults assume
#: 10-second blocks (emission half-life, voting periods).
BLOCK_SECONDS = 10


@dataclass(frozen=True, slots=True)
class Candidate:
    """A registered node as the scheduler sees it: ``tier`` (index) and the ``kinds`` it
    may earn, ``reputation``, ``units_per_second`` (its profile), ``load`` (work units
    assigned and not yet delivered) and ``balance`` (what it can lock as bonds)."""

    node_id: str
    tier: int
    kinds: frozenset[ClaimKind]
    reputation: int
    units_per_second: int
    load: int
    balance: int


@dataclass(frozen=True, slots=True)
class Assignment:
    """Task ``task_id`` goes to ``node_id``."""

    task_id: int
    node_id: str


def fits(candidate: Candidate, task: Task, block_seconds: int = BLOCK_SECONDS) -> bool:
    """Whether ``candidate`` may be assigned ``task`` (module docstring)."""
    return (candidate.node_id != task.poster
            and candidate.tier >= task.min_tier
            and task.kind in candidate.kinds
            and candidate.node_id not in task.failed
            and candidate.balance >= task.bond
            and candidate.load + task.work_units
            <= candidate.units_per_second * block_seconds * task.window)


def rank(candidate: Candidate) -> tuple[int, int, int, bytes]:
    """The ordering key, smallest first: (load, −reputation, −units_per_second, id)."""
    return (candidate.load, -candidate.reputation, -candidate.units_per_second,
            candidate.node_id.encode())


def schedule(tasks: Iterable[Task], candidates: Sequence[Candidate],
             block_seconds: int = BLOCK_SECONDS) -> list[Assignment]:
    """Assign the unassigned ``tasks`` (any order given; taken by id) to ``candidates``
    (module docstring). Deterministic and pure: the same inputs give the same list."""
    pending = sorted((t for t in tasks if t.status is TaskStatus.UNASSIGNED),
                     key=lambda t: t.task_id)
    if not pending or not candidates:
        return []
    state = {c.node_id: c for c in candidates}  # distinct ids (one per registered node)
    out: list[Assignment] = []
    for task in pending:
        best: Candidate | None = None
        best_key = None
        for cand in state.values():
            if fits(cand, task, block_seconds):
                key = rank(cand)
                if best_key is None or key < best_key:
                    best, best_key = cand, key
        if best is None:
            continue
        out.append(Assignment(task.task_id, best.node_id))
        state[best.node_id] = Candidate(best.node_id, best.tier, best.kinds, best.reputation,
                                        best.units_per_second, best.load + task.work_units,
                                        best.balance - task.bond)
    return out
