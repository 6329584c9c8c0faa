# SPDX-License-Identifier: MIT
"""benchmarks/aggregate_report.py runs end to end at a tiny size (no timing asserted):
its JSON has every measurement, and its table a row per size."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "aggregate_report.py"


def test_the_report_runs_at_a_tiny_size():
    run = subprocess.run([sys.executable, str(SCRIPT), "--proofs", "3", "--rounds", "1",
                          "--json"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    (result,) = json.loads(run.stdout)
    assert result["proofs"] == 3 and result["padded"] == 4
    assert set(result["median_s"]) == {"aggregate", "verify", "public inputs", "batch_verify"}
    assert result["aggregate_bytes"] > 0 and result["proof_bytes"] == 768
    run = subprocess.run([sys.executable, str(SCRIPT), "--proofs", "2", "--rounds", "1"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "| 2 |" in run.stdout
