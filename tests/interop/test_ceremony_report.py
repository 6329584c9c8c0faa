# SPDX-License-Identifier: MIT
"""benchmarks/ceremony_report.py, the ceremony comparison with snarkjs: its verdicts on
the issue's targets (from constructed runs, no node), its command line's refusals, and
one whole run at a tiny size against the real snarkjs (node), twice: the second run
takes snarkjs's side from the cache and measures zkcx only."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from ceremony_report import options_from  # noqa: E402
from ceremony_steps import Run, StepResult  # noqa: E402
from ceremony_table import memory_cell, ratio, target_cell, wall_cell  # noqa: E402

SCRIPT = ROOT / "benchmarks" / "ceremony_report.py"


def _runs(*walls: float, timed_out: bool = False) -> list[Run]:
    return [Run(w, cpu=w, peak_mb=100.0, others=0.0, timed_out=timed_out) for w in walls]


def test_the_ratio_is_of_medians_and_a_lower_bound_when_snarkjs_timed_out():
    assert ratio(_runs(9, 10, 200), _runs(1, 2, 3)) == (5.0, False)
    assert ratio(_runs(600, timed_out=True), _runs(2, 4, 6)) == (150.0, True)
    assert ratio(_runs(600, timed_out=True), _runs(2), key="cpu") is None
    assert ratio([], _runs(1)) is None
    assert ratio(_runs(5), _runs(60, timed_out=True)) is None
    assert wall_cell(_runs(600, timed_out=True)) == "> 600 s (timed out)"
    assert wall_cell(_runs(0.5, 2.0, 1.5)) == "1.50 s (500 ms–2.00 s)"


@pytest.mark.parametrize(("snarkjs", "zkcx", "verdict"), [
    (_runs(1000), _runs(9.9), "met"),
    (_runs(1000), _runs(10.1), "NOT met"),
    (_runs(1500, timed_out=True), _runs(10), "met"),
    (_runs(500, timed_out=True), _runs(10), "not shown (snarkjs timed out too soon)"),
    ([], _runs(10), "no figure"),
])
def test_prepare_at_2_16_is_judged_against_100x(snarkjs, zkcx, verdict):
    cell = target_cell(StepResult("prepare", snarkjs, zkcx), 16)
    assert cell == f">= 100x at 2^16: {verdict}"


def test_prepare_at_2_20_is_judged_by_its_own_time_and_other_sizes_only_quote_targets():
    assert target_cell(StepResult("prepare", [], _runs(100, 119, 130)), 20) == \
        "< 120 s at 2^20: met"
    assert target_cell(StepResult("prepare", [], _runs(121)), 20) == "< 120 s at 2^20: NOT met"
    assert target_cell(StepResult("zkey-verify", _runs(10), _runs(1)), 12) == \
        "(>= 10x at 2^16)"
    assert target_cell(StepResult("ptau-verify", _runs(10), _runs(1)), 16) == "—"


def test_memory_is_judged_against_twice_the_files_involved():
    result = StepResult("zkey-new", _runs(10), _runs(1), files_mb=50.0)
    assert memory_cell(result) == "100 MB = 2.00x of 50 MB (met)"
    result.files_mb = 49.0
    assert memory_cell(result).endswith("(NOT met)")


@pytest.mark.parametrize(("args", "message"), [
    (["--power", "40"], "--power 40 is out of range"),
    (["--power", "8", "--constraints", "2^10"], "does not fit"),
    (["--power", "8", "--constraints", "lots"], "not a size"),
    (["--power", "8", "--steps", "prepare,sing"], "unknown step sing"),
    (["--power", "8", "--circuit", "/nonexistent.r1cs"], "no such file"),
    (["--power", "8", "--repeats", "0"], "at least 1"),
])
def test_bad_options_exit_2_naming_the_option(args, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        options_from(args)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.node
def test_a_tiny_run_checks_every_zkcx_output_with_snarkjs_then_reuses_snarkjs_side(
        snarkjs, tmp_path):
    """At 2^5 every step runs on both sides and each zkcx output passes snarkjs; the
    second run keeps snarkjs's cached runs and measures zkcx again."""
    cache = tmp_path / "cache"

    def report(tag: str, *args: str) -> tuple[str, dict]:
        out, js = tmp_path / f"{tag}.md", tmp_path / f"{tag}.json"
        run = subprocess.run([sys.executable, str(SCRIPT), "--power", "5", "--repeats", "1",
                              "--cache", str(cache), "--out", str(out), "--json", str(js),
                              *args], capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stderr[-3000:]
        return out.read_text(), json.loads(js.read_text())

    table, first = report("first")
    steps = {step["step"]: step for step in first["steps"]}
    assert list(steps) == ["ptau-contribute", "ptau-verify", "prepare", "zkey-new",
                           "zkey-contribute", "zkey-verify"]
    assert steps["prepare"]["check"] == "byte-identical to snarkjs's"
    assert steps["zkey-new"]["check"] == "byte-identical to snarkjs's"
    assert steps["ptau-contribute"]["check"] == "verified by snarkjs powersoftau verify"
    assert steps["zkey-contribute"]["check"] == "verified by snarkjs zkey verify"
    for step in steps.values():
        assert step["check_ok"] is True and step["error"] is None
        assert len(step["snarkjs"]) == len(step["zkcx"]) == 1
        assert step["snarkjs_cached"] is None
        assert all(run["cpu"] > 0 and run["peak_mb"] > 0 for run in step["zkcx"])
    assert first["constraints"] == 2**5 - 2
    assert table.count("\n| ") == 1 + 6  # the header and one row per step

    _, second = report("second", "--steps", "ptau-verify,zkey-verify")
    assert [step["step"] for step in second["steps"]] == ["ptau-verify", "zkey-verify"]
    for new in second["steps"]:
        old = steps[new["step"]]
        assert new["snarkjs_cached"] is not None
        assert new["snarkjs"] == old["snarkjs"]  # taken from the cache, not run again
        assert new["zkcx"] != old["zkcx"] and new["check_ok"] is True
    assert second["setup"]["cached"] is True
