# SPDX-License-Identifier: MIT
"""Fixtures for the benchmarks, and a summary of ns per element after the
pytest-benchmark tables.

Run the benchmarks with ``pytest benchmarks --benchmark-enable -m ''`` (``-m 'not slow'``
leaves out the 2^20 cases); under the project's default options they run once each as
plain tests.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

_HERE = Path(__file__).resolve().parent
for _path in (_HERE.parent, _HERE):  # this checkout's zkcx, and field_report's helpers
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from field_report import FieldData, fmt_ns, galois_field, power_label  # noqa: E402


@pytest.fixture(scope="session")
def field_data() -> FieldData:
    """The operands at every size and in every representation, shared by all cases."""
    return FieldData()


@pytest.fixture(scope="session")
def gf() -> Any:
    """``galois.GF(r)`` for the BN254 scalar field (built once per session)."""
    return galois_field()


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """After the benchmark tables: the best round of each case in ns per element, from
    the ``n`` each case records in ``benchmark.extra_info``."""
    session = getattr(config, "_benchmarksession", None)
    if session is None:
        return
    rows = []
    for bench in session.benchmarks:
        n = bench.extra_info.get("n")
        if not n or not bench:  # no stats when benchmarking is disabled
            continue
        rows.append((bench.group or "", bench.name, n, bench.stats.min * 1e9 / n))
    if not rows:
        return
    terminalreporter.section("ns per element (best round)")
    width = max(len(name) for _, name, _, _ in rows)
    group = None
    for row_group, name, n, ns in sorted(rows, key=lambda row: row[0]):
        if row_group != group:
            group = row_group
            terminalreporter.write_line(f"{group}:")
        terminalreporter.write_line(f"  {name:<{width}}  n={power_label(n):<5} {fmt_ns(ns):>8} ns")
