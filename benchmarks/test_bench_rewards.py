# SPDX-License-Identifier: MIT
"""pytest-benchmark case for the reward accountant (issue 6): one round applies 10
blocks of 1000 claims over 100 nodes. Under the project's default options it runs once
as a plain test and checks the supply invariant and the throughput target loosely
(a tenth of it, so a loaded CI machine does not fail it); benchmarks/rewards_report.py
measures the figures for RESULTS.md."""

from __future__ import annotations

import time

import pytest
from rewards_report import TARGET_CLAIMS_PER_SECOND, Workload


@pytest.fixture(scope="module")
def workload() -> Workload:
    return Workload(nodes=100, claims=1000, blocks=10)


def test_accountant_applies_blocks_of_1000_claims(benchmark, workload):
    acc = benchmark(workload.run)
    acc.check_invariants()
    assert acc.height == workload.accountant.height + len(workload.blocks)
    started = time.perf_counter()
    workload.run()
    rate = len(workload.blocks) * workload.claims_per_block / (time.perf_counter() - started)
    assert rate >= TARGET_CLAIMS_PER_SECOND / 10, f"{rate:,.0f} claims/s"
