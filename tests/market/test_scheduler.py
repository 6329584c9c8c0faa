# SPDX-License-Identifier: MIT
"""The scheduler as a pure function: every assignment satisfies every eligibility rule,
each goes to the best-ranked node that fits at that moment (checked by an independent
re-simulation that sorts all nodes afresh for every task), a task left waiting had no
node that fits, and the result does not depend on the order the inputs come in."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.market.strategies import DOT, C, I, T
from zkcx.market import BLOCK_SECONDS, Candidate, Task, TaskStatus, schedule
from zkcx.rewards import ClaimKind

NAMES = ["n0", "n1", "n2", "n3", "n4", "n5"]


@st.composite
def scenario(draw):
    candidates = []
    for name in draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=6)):
        tier = draw(st.integers(0, 2))
        kinds = frozenset([C, I] + ([T] if tier >= 1 else []))
        candidates.append(Candidate(name, tier, kinds, draw(st.integers(0, 3)) * 100,
                                    draw(st.sampled_from([1, 50, 100])),
                                    draw(st.sampled_from([0, 500, 2000])),
                                    draw(st.sampled_from([0, 10, 100]))))
    tasks = []
    for task_id in range(draw(st.integers(0, 12))):
        poster = draw(st.sampled_from(NAMES + ["req"]))
        failed = tuple(draw(st.lists(st.sampled_from([n for n in NAMES if n != poster]),
                                     unique=True, max_size=2)))
        status = draw(st.sampled_from([TaskStatus.UNASSIGNED] * 3 + [TaskStatus.DONE]))
        window = draw(st.integers(1, 5))
        tasks.append(Task(
            task_id, poster, DOT, draw(st.sampled_from([C, I, T])),
            draw(st.sampled_from([100, 1000, 5000])), ((1, 1),), bytes(32), "", 10,
            draw(st.sampled_from([0, 10, 50])), draw(st.integers(0, 2)), 0, window, window,
            status=status, attempts=len(failed), failed=failed))  # a closed one is skipped
    return tasks, candidates


def _fits(c: Candidate, t: Task) -> bool:
    return (c.node_id != t.poster and c.tier >= t.min_tier and t.kind in c.kinds
            and c.node_id not in t.failed and c.balance >= t.bond
            and c.load + t.work_units <= c.units_per_second * BLOCK_SECONDS * t.window)


def _reference(tasks, candidates):
    """The rule of the scheduler's docstring, written differently: state per node in
    plain dicts, the whole field sorted for each task."""
    load = {c.node_id: c.load for c in candidates}
    balance = {c.node_id: c.balance for c in candidates}
    out = []
    for t in sorted(tasks, key=lambda t: t.task_id):
        if t.status is not TaskStatus.UNASSIGNED:
            continue
        now = [Candidate(c.node_id, c.tier, c.kinds, c.reputation, c.units_per_second,
                         load[c.node_id], balance[c.node_id]) for c in candidates]
        field = sorted((c for c in now if _fits(c, t)),
                       key=lambda c: (c.load, -c.reputation, -c.units_per_second,
                                      c.node_id.encode()))
        if field:
            winner = field[0].node_id
            out.append((t.task_id, winner))
            load[winner] += t.work_units
            balance[winner] -= t.bond
    return out


@given(scenario(), st.randoms(use_true_random=False))
def test_the_scheduler_follows_its_rule_and_ignores_input_order(case, rnd):
    tasks, candidates = case
    got = [(a.task_id, a.node_id) for a in schedule(tasks, candidates)]
    assert got == _reference(tasks, candidates)
    shuffled_tasks, shuffled_nodes = list(tasks), list(candidates)
    rnd.shuffle(shuffled_tasks)
    rnd.shuffle(shuffled_nodes)
    assert [(a.task_id, a.node_id) for a in schedule(shuffled_tasks, shuffled_nodes)] == got
    by_id = {t.task_id: t for t in tasks}
    assert len({tid for tid, _ in got}) == len(got)  # a task is assigned once
    for tid, node in got:
        t = by_id[tid]
        assert t.status is TaskStatus.UNASSIGNED and node != t.poster and node not in t.failed


def _task(task_id, poster="req", kind=ClaimKind.COMPUTE, units=1000, bond=0, tier=0,
          window=10, failed=()):
    return Task(task_id, poster, DOT, kind, units, ((1, 1),), bytes(32), "", 10, bond, tier,
                0, window, window, attempts=len(failed), failed=failed)


def _node(name, tier=0, rep=1000, ups=100, load=0, balance=0):
    kinds = frozenset([C, I, T] if tier else [C, I])
    return Candidate(name, tier, kinds, rep, ups, load, balance)


def test_ranking_prefers_low_load_then_reputation_then_speed_then_the_id():
    t = [_task(0)]
    assert schedule(t, [_node("a", rep=900), _node("b", rep=1000)])[0].node_id == "b"
    assert schedule(t, [_node("a", load=10), _node("b", load=20)])[0].node_id == "a"
    assert schedule(t, [_node("a", ups=100), _node("b", ups=200)])[0].node_id == "b"
    assert schedule(t, [_node("b"), _node("a")])[0].node_id == "a"
    # the lighter queue beats reputation, and beats a higher declared rate
    assert schedule(t, [_node("a", rep=900), _node("b", rep=1000, load=10)])[0].node_id == "a"
    assert schedule(t, [_node("a", ups=100), _node("b", ups=10**9, load=10)])[0].node_id == "a"


def test_a_reputable_node_does_not_take_every_task():
    """Reputation bought by self-dealing does not corner the market: with equal rates,
    ten tasks go five and five, whatever the reputations."""
    tasks = [_task(i) for i in range(10)]
    got = schedule(tasks, [_node("a", rep=2000), _node("b", rep=1000)])
    counts = {n: sum(1 for a in got if a.node_id == n) for n in "ab"}
    assert counts == {"a": 5, "b": 5}


def test_each_rule_excludes_a_node():
    """Tier, kind, poster, an earlier failure, the bond and the capacity each exclude the
    only node; with the rule satisfied it is assigned."""
    cases = [
        (_task(0, tier=1), _node("a", tier=0), _node("a", tier=1)),
        (_task(0, kind=ClaimKind.TRAINING), _node("a", tier=0), _node("a", tier=1)),
        (_task(0, poster="a"), _node("a"), None),
        (_task(0, failed=("a",)), _node("a"), None),
        (_task(0, bond=50), _node("a", balance=49), _node("a", balance=50)),
        # capacity: 1000 units in a 1-block window need 100 units/s at 10 s per block
        (_task(0, window=1), _node("a", ups=99), _node("a", ups=100)),
        (_task(0, window=1), _node("a", ups=100, load=1), _node("a", ups=100, load=0)),
    ]
    for task, excluded, admitted in cases:
        assert schedule([task], [excluded]) == []
        if admitted is not None:
            assert [a.node_id for a in schedule([task], [admitted])] == ["a"]


def test_load_and_bonds_spread_the_work_as_assignments_accumulate():
    """Three tasks of 1000 units, two equal nodes: the load taken by the first
    assignment sends the second task to the other node; a bond the first node can no
    longer cover sends it elsewhere too."""
    tasks = [_task(i) for i in range(3)]
    got = [a.node_id for a in schedule(tasks, [_node("a"), _node("b")])]
    assert got == ["a", "b", "a"]
    bonded = [_task(i, bond=60) for i in range(2)]
    got = [a.node_id for a in schedule(bonded, [_node("a", rep=2000, balance=100),
                                                _node("b", balance=100)])]
    assert got == ["a", "b"]


def test_no_candidates_or_no_waiting_task_assigns_nothing():
    assert schedule([_task(0)], []) == []
    done = Task(0, "req", DOT, C, 10, ((1, 1),), bytes(32), "", 10, 0, 0, 0, 5, 5,
                status=TaskStatus.CANCELLED, closed_height=1)
    assert schedule([done], [_node("a")]) == []
