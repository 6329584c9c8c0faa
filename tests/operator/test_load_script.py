# SPDX-License-Identifier: MIT
"""benchmarks/operator_load.py runs correctly at a tiny size (no timing asserted: the
coordinator runs it at full size on a quiet machine)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli.conftest import ROOT

pytest.importorskip("httpx")
pytest.importorskip("uvicorn")


def test_the_load_script_submits_and_reports(tmp_path):
    out, table = tmp_path / "load.json", tmp_path / "load.md"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "operator_load.py"),
                          "--count", "36", "--accounts", "6", "--connections", "4",
                          "--seconds", "120", "--block-size", "8", "--block-interval", "0.5",
                          "--json", str(out), "--markdown", str(table), "--verify"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["submissions"] == result["accepted"] == 36 and result["refused"] == {}
    assert result["operator_exit_code"] == 0 and result["verified"]
    assert 0 < result["latency_ms"]["p50"] <= result["latency_ms"]["p99"] \
        <= result["latency_ms"]["max"]
    assert result["accepted_per_second"] > 0 and result["blocks_sealed"] >= 1
    assert "| 36 | 36 | none |" in table.read_text()
