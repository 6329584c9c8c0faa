# SPDX-License-Identifier: MIT
"""``zkcx bench`` through the entry point on the smallest chain: the JSON record's shape,
zkcx's proof verified, and each peer either measured (its proof accepted by the zkcx
verifier) or skipped with a reason."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from zkcx.cli import _peers

ROOT = pathlib.Path(__file__).resolve().parents[2]
SNARKJS = ROOT / ".ci-cache" / "npm" / "node_modules" / "snarkjs" / "package.json"
MEASURES = {"setup", "setup_peak_mb", "prove", "prove_load", "prove_wall", "prove_peak_mb",
            "verify", "verified", "notes"}


@pytest.fixture(scope="module")
def bench_record(tmp_path_factory):
    """One `zkcx --json bench` on the chain of 2^8 rows (no kernel, no ptau generated)."""
    folder = tmp_path_factory.mktemp("bench")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    proc = subprocess.run([sys.executable, "-m", "zkcx", "--json", "bench", "--quick",
                           "--sizes", "8", "--no-kernel", "--ptau-max", "0", "--out", "out"],
                          cwd=folder, capture_output=True, text=True, timeout=240, env=env,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), folder


def test_bench_json_has_machine_provers_and_one_case(bench_record):
    record, _ = bench_record
    assert {"machine", "provers", "ptau", "cases", "files"} <= set(record)
    assert len(record["machine"]["load_average"]) == 3
    assert set(record["provers"]) == {"zkcx", "snarkjs", "groth16py", "rapidsnark"}
    (case,) = record["cases"]
    assert case["name"] == "chain 2^8" and case["constraints"] == 254 and case["power"] == 8
    assert set(case["results"]["zkcx"]) == MEASURES


def test_bench_zkcx_proof_verifies_and_is_timed(bench_record):
    record, _ = bench_record
    mine = record["cases"][0]["results"]["zkcx"]
    assert mine["verified"] is True
    assert 0 < mine["prove_load"] <= mine["prove"] <= mine["prove_wall"]
    assert mine["setup"] > 0 and mine["verify"] > 0 and mine["prove_peak_mb"] > 1


def test_bench_peers_are_measured_and_accepted_or_skipped_with_a_reason(bench_record):
    record, _ = bench_record
    case = record["cases"][0]
    for peer in ("snarkjs", "groth16py", "rapidsnark"):
        info = record["provers"][peer]
        if "skipped" in info:
            assert isinstance(info["skipped"], str) and len(info["skipped"]) > 10
            assert peer not in case["results"]
            continue
        result = case["results"][peer]
        assert result["verified"] is True, result["notes"]
        assert result["prove_wall"] > 0 and result["prove_peak_mb"] > 1
        assert not any(n.startswith("failed") for n in result["notes"])
        assert case["ratios"][peer]["prove_wall"] > 0


@pytest.mark.skipif(shutil.which("node") is None or not SNARKJS.is_file(),
                    reason="node or the npm cache's snarkjs is absent (.ci/run installs it)")
def test_bench_measures_snarkjs_where_node_and_the_npm_cache_are_present(bench_record):
    record, _ = bench_record
    assert record["provers"]["snarkjs"] == {"version": _peers.SNARKJS_VERSION}
    result = record["cases"][0]["results"]["snarkjs"]
    assert result["prove"] > 0 and result["verify"] > 0 and result["verified"] is True
    # its setup is measured from a cached powers of tau, or said to be missing
    assert result["setup"] is not None or any("powers of tau" in n for n in result["notes"])


def test_bench_writes_the_table_and_the_plot(bench_record):
    record, folder = bench_record
    table = (folder / "out" / "compare.md").read_text()
    assert "| chain 2^8 (254) | zkcx |" in table and "load average" in table
    if "plot" in record["files"]:
        assert (folder / "out" / "compare.png").read_bytes()[:4] == b"\x89PNG"
    else:
        assert "matplotlib" in record["files"]["plot_skipped"]


def test_bench_refuses_bad_sizes_with_exit_2(zkcx_cmd):
    run = zkcx_cmd("bench", "--sizes", "ten")
    assert run.code == 2 and "--sizes" in run.stderr
    run = zkcx_cmd("bench", "--sizes", "30")
    assert run.code == 2 and "2..24" in run.stderr
    run = zkcx_cmd("bench", "--sizes", "8", "--kernel", "missing.toml")
    assert run.code == 2 and "missing.toml" in run.stderr


def test_a_child_peak_memory_is_its_own_not_the_parents():
    """Linux keeps the RSS high-water mark across exec, and Python spawns with vfork: a
    child measured naively reports the parent's peak. The launcher must prevent that."""
    import numpy as np

    ballast = np.ones(20_000_000)  # 160 MB in this process
    small = _peers.run_child([sys.executable, "-c", "print('{\"ok\": 1}')"])
    big = _peers.run_child([sys.executable, "-c", "import numpy as np; "
                            "x = np.ones(10_000_000); x += 1; print('{}')"])
    assert small.report == {"ok": 1}
    assert small.peak_mb < ballast.nbytes / 2**20 / 2
    assert 76 < big.peak_mb < ballast.nbytes / 2**20


def test_a_child_cpu_time_counts_its_work_not_its_waiting():
    """The CPU seconds come from the child's own rusage: a sleeping child uses next to
    none, a busy one about its wall time (one thread)."""
    idle = _peers.run_child([sys.executable, "-c", "import time; time.sleep(0.6)"])
    busy = _peers.run_child([sys.executable, "-c", "import time\nt = time.process_time()\n"
                             "while time.process_time() - t < 0.6: pass"])
    assert idle.wall >= 0.6 and idle.cpu < 0.3
    assert busy.cpu >= 0.6 and busy.cpu <= busy.wall + 0.1


def test_a_failing_child_raises_naming_the_command_and_its_error():
    with pytest.raises(_peers.PeerError, match="exited with 3.*boom"):
        _peers.run_child([sys.executable, "-c", "import sys; print('boom', file=sys.stderr); "
                          "sys.exit(3)"])
    with pytest.raises(_peers.PeerError, match="could not be executed"):
        _peers.run_child(["/nonexistent/prover"])
    with pytest.raises(_peers.PeerError, match="more than 1 s"):
        _peers.run_child([sys.executable, "-c", "import time; time.sleep(20)"], timeout=1)
