# SPDX-License-Identifier: MIT
"""Shared builders and hypothesis strategies for the market tests: kernels' terms,
capacity profiles, tasks and scheduler candidates."""

from __future__ import annotations

import hashlib

from hypothesis import strategies as st

from zkcx.market import CapacityProfile, KernelTerms, Task, TaskStatus
from zkcx.params import FR_MODULUS
from zkcx.rewards import ClaimKind

C, I, T = ClaimKind.COMPUTE, ClaimKind.INFERENCE, ClaimKind.TRAINING  # noqa: E741


def kernel_id(name: str) -> str:
    """A made-up kernel id (64 hex digits) derived from a name."""
    return hashlib.sha256(name.encode()).hexdigest()


#: Kernels a market test may post tasks for: a compute kernel whose inputs are public
#: inputs 1 and 2 (0 is its output, 3 its binding), an inference kernel with one
#: committed input at 2, and kernels no task may name.
DOT = kernel_id("dot")
INFER = kernel_id("infer")
PRIVATE = kernel_id("private-input")
UNBOUND = kernel_id("no-binding")
KERNELS = {
    DOT: KernelTerms(C, 1000, (1, 2), True),
    INFER: KernelTerms(I, 400, (2,), True),
    PRIVATE: KernelTerms(C, 1000, None, True),
    UNBOUND: KernelTerms(C, 1000, (1, 2), False),
}


def profile(units_per_second: int = 10_000, threads: int = 2) -> CapacityProfile:
    """A capacity profile measured at ``units_per_second`` (1 s for that many units)."""
    return CapacityProfile("matmul_16x16x16", units_per_second, 1000, threads,
                           hashlib.sha256(str(units_per_second).encode()).digest())


field_elements = st.integers(0, FR_MODULUS - 1)
node_ids = st.sampled_from(["alice", "bob", "carol", "dave", "ëve"])


@st.composite
def tasks(draw, task_id: int | None = None) -> Task:
    """A valid task record in any status."""
    status = draw(st.sampled_from(list(TaskStatus)))
    poster = draw(node_ids)
    failed = tuple(draw(st.lists(node_ids.filter(lambda n: n != poster), unique=True,
                                 max_size=2)))
    others = [n for n in ["alice", "bob", "carol", "dave", "ëve"]
              if n != poster and n not in failed]
    assignee = draw(st.sampled_from(others)) if status in (
        TaskStatus.ASSIGNED, TaskStatus.DONE) else None
    posted = draw(st.integers(0, 10**6))
    window = draw(st.integers(1, 1000))
    n = draw(st.integers(1, 4))
    positions = sorted(draw(st.sets(st.integers(0, 2**32 - 1), min_size=n, max_size=n)))
    return Task(
        task_id=draw(st.integers(0, 10**9)) if task_id is None else task_id,
        poster=poster,
        kernel_id=kernel_id(draw(st.text(max_size=5))),
        kind=draw(st.sampled_from(list(ClaimKind))),
        work_units=draw(st.integers(1, 2**64 - 1)),
        inputs=tuple((p, draw(field_elements)) for p in positions),
        data_hash=draw(st.binary(min_size=32, max_size=32)),
        data_uri=draw(st.text(max_size=30)),
        fee=draw(st.integers(1, 2**256 - 1)),
        bond=draw(st.integers(0, 2**256 - 1)),
        min_tier=draw(st.integers(0, 255)),
        posted_height=posted,
        window=window,
        deadline=posted + window + draw(st.integers(0, 100)),
        status=status,
        assignee=assignee,
        attempts=len(failed),
        failed=failed,
        closed_height=0 if status.is_open else posted + draw(st.integers(0, 50)),
        claim_hash=draw(st.binary(min_size=32, max_size=32))
        if status is TaskStatus.DONE else None,
    )
