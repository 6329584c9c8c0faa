# SPDX-License-Identifier: MIT
"""benchmarks/cluster_report.py runs end to end at a tiny size (4 proofs of a 4x4x4
matmul, a block of 8 claims, 1 and 2 workers, one round): every proof it makes is
checked, every build must give the same block, and its JSON and Markdown carry every
case. No timing is asserted (the full-size figures are taken on a quiet machine)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

TINY = """kernel = "matmul"
name = "matmul_4x4x4"
m = 4
k = 4
n = 4
frac_bits = 8
bound_bits = 16
"""


def test_the_report_runs_at_a_tiny_size(tmp_path):
    spec = tmp_path / "matmul_4x4x4.toml"
    spec.write_text(TINY)
    out_json, out_md = tmp_path / "cluster.json", tmp_path / "cluster.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "cluster_report.py"), "--proofs", "4",
         "--claims", "8", "--rounds", "1", "--workers", "1,2", "--spec", str(spec),
         "--cache", str(tmp_path / "cache"), "--json", str(out_json),
         "--markdown", str(out_md)],
        capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out_json.read_text())
    proving, verification = figures["proving"], figures["verification"]
    assert proving["kernel"] == "matmul_4x4x4" and proving["proofs"] == 4
    assert set(proving["cluster"]) == set(verification["cluster"]) == {"1", "2"}
    for n, case in proving["cluster"].items():
        assert len(case["warm"]) == 1 and case["cold"] > 0
        assert 1 <= case["keys_loaded"] <= int(n)  # at most once per worker, three batches
    assert proving["task_argument_bytes"] < proving["zkey_bytes"] // 100
    assert verification["claims"] == 8 and verification["keys"] == 4
    text = out_md.read_text()
    assert text.strip() == done.stdout.strip()
    for line in ("plain in-process loop", "cluster, 2 worker(s), warm",
                 "a block of 8 claims", "overhead over plain"):
        assert line in text
