# SPDX-License-Identifier: MIT
"""The fuzz harnesses themselves: benchmarks/fuzz_at_scale.py counts every kind of
finding (on a decoder built to produce each), and the atheris entry points run."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from tests.fuzz.targets import TARGETS, available

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_fuzz_at_scale_finds_undocumented_errors_memory_hangs_and_crashes(tmp_path):
    env = dict(os.environ, ZKCX_FUZZ_SELFTEST="1")
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/fuzz_at_scale.py"), "--n", "300", "--only",
         "selftest", "--timeout", "1", "--jobs", "1", "--findings", str(tmp_path / "f"),
         "--json", str(tmp_path / "s.json")], env=env, capture_output=True, text=True,
        timeout=600, cwd=tmp_path)
    assert out.returncode == 1, out.stderr  # findings make the run fail
    row = json.loads((tmp_path / "s.json").read_text())["decoders"][0]
    assert row["inputs"] == 300
    for kind in ("undocumented", "memory", "hang", "crash"):
        assert row[kind] > 0, row
    saved = sorted(p.name.split("-")[0] for p in (tmp_path / "f" / "selftest").glob("*.bin"))
    assert saved == ["crash", "hang", "memory", "undocumented"]


def test_fuzz_at_scale_runs_clean_on_a_few_inputs(tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/fuzz_at_scale.py"), "--n", "40", "--only",
         "r1cs", "claim_bytes", "--findings", str(tmp_path / "f")],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "| r1cs | 40 | 0 | 0 | 0 | 0 |" in out.stdout


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_atheris_entry_points_accept_the_seeds(name):
    from tests.fuzz.atheris_targets import make_test_one_input

    if not available(TARGETS[name]):
        pytest.skip(f"{name}: needs {TARGETS[name].extra['needs']}")
    entry = make_test_one_input(name)
    for data in TARGETS[name].seeds():
        entry(data)
        entry(data[: len(data) // 2])


@pytest.mark.slow
def test_atheris_runs_a_few_inputs(tmp_path):
    """Slow: instrumenting every loaded function takes about half a minute."""
    pytest.importorskip("atheris")
    out = subprocess.run(
        [sys.executable, str(ROOT / "tests/fuzz/atheris_targets.py"), "wtns",
         "-atheris_runs=300", "-rss_limit_mb=4096"], capture_output=True, text=True,
        timeout=600, cwd=tmp_path)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "Done 300" in out.stderr
