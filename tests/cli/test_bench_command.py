# SPDX-License-Identifier: MIT
"""``zkcx bench`` through the entry point on tiny circuits: the JSON record's shape, runs
interleaved, every proof verified (and a forged one refused), each peer measured or skipped
with a reason, zkcx's start-up, bad input refused with exit 2; and the launcher that
measures every child (its own peak memory, its CPU, the CPU the rest of the machine used)."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.cli.conftest import run_main
from tests.conftest import npm_installed
from zkcx.cli import _bench_cases, _bench_report, _peers
from zkcx.params import FR_MODULUS

ROOT = pathlib.Path(__file__).resolve().parents[2]
MEASURES = {"wall", "cpu", "peak_mb", "other_cpu"}


def _circom_available() -> bool:
    """circom2 from the npm cache (installed by the conftest's helper where npm exists)."""
    return shutil.which("node") is not None and npm_installed("circom2/cli.js") is not None


def _bench(folder: pathlib.Path, *args: str, env: dict | None = None,
           timeout: float = 400) -> subprocess.CompletedProcess:
    environment = dict(os.environ, **(env or {}), PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    return subprocess.run([sys.executable, "-m", "zkcx", "--json", "bench", *args],
                          cwd=folder, capture_output=True, text=True, timeout=timeout,
                          env=environment, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def bench_record(tmp_path_factory):
    """One `zkcx --json bench` on a chain of 2^6 rows and a 2x2x3 matrix product, two runs
    per prover (circom's circuits where circom is installed)."""
    circom = _circom_available()
    folder = tmp_path_factory.mktemp("bench")
    proc = _bench(folder, "--sizes", "6", "--matmul", "2x2x3", "--no-kernel", "--runs", "2",
                  "--out", "out")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), folder, circom


def test_bench_json_has_machine_provers_and_the_circuits(bench_record):
    record, _, circom = bench_record
    assert {"machine", "provers", "cases", "files", "problems"} <= set(record)
    assert record["problems"] == []
    assert len(record["machine"]["load_average"]) == 3
    assert set(record["provers"]) == {"zkcx", "snarkjs", "groth16py", "rapidsnark"}
    chain, matmul = record["cases"]
    assert chain["name"] == "chain 2^6" and chain["constraints"] == 62
    assert chain["public_signals"] == 1
    assert chain["source"] == ("circom" if circom else "zkcx")
    if circom:
        assert matmul["name"] == "matmul 2x2x3" and matmul["source"] == "circom"
        assert matmul["constraints"] == 12 and matmul["public_signals"] == 6
    else:
        assert "circom" in matmul["skipped"]
        assert any("not circom" in note for note in chain["notes"])


def test_bench_zkcx_runs_are_measured_and_every_proof_verified(bench_record):
    record, _, _ = bench_record
    for case in record["cases"]:
        if "skipped" in case:
            continue
        mine = case["results"]["zkcx"]
        assert mine["runs"] == 2 and mine["verified"] is True
        assert all(run["verified"] is True for run in mine["runs_detail"])
        for key in MEASURES:
            stat = mine[key]
            assert stat["min"] <= stat["median"] <= stat["max"]
        assert mine["wall"]["min"] > 0 and mine["cpu"]["min"] > 0
        assert mine["peak_mb"]["min"] > 5 and mine["other_cpu"]["min"] >= 0
        assert case["setup_wall"] > 0


def test_bench_runs_are_interleaved_round_by_round(bench_record):
    """Each round runs every prover once, and the order turns from round to round."""
    record, _, _ = bench_record
    case = record["cases"][0]
    runs = sorted((run["sequence"], run["round"], prover)
                  for prover, res in case["results"].items() for run in res["runs_detail"])
    provers = {prover for _, _, prover in runs}
    rounds = [[p for _, r, p in runs if r == index] for index in (0, 1)]
    assert [r for _, r, _ in runs] == sorted(r for _, r, _ in runs)  # no round overlaps
    if len(provers) > 1:
        assert all(sorted(r) == sorted(provers) for r in rounds)
        assert rounds[0][0] != rounds[1][0]


def test_bench_peers_are_measured_and_accepted_or_skipped_with_a_reason(bench_record):
    record, _, _ = bench_record
    for case in (c for c in record["cases"] if "results" in c):
        for peer in ("snarkjs", "groth16py", "rapidsnark"):
            info = record["provers"][peer]
            if "skipped" in info:
                assert isinstance(info["skipped"], str) and len(info["skipped"]) > 10
                assert peer not in case["results"]
                continue
            result = case["results"][peer]
            assert result["verified"] is True, result["notes"]
            assert result["runs"] == 2 and result["peak_mb"]["median"] > 1
            assert case["ratios"][peer]["wall"] > 0


@pytest.mark.skipif(shutil.which("node") is None or npm_installed("snarkjs/package.json") is None,
                    reason="node or the npm cache's snarkjs is absent (.ci/run installs it)")
def test_bench_measures_snarkjs_where_node_and_the_npm_cache_are_present(bench_record):
    record, _, _ = bench_record
    assert record["provers"]["snarkjs"] == {"version": _peers.SNARKJS_VERSION}
    assert record["cases"][0]["results"]["snarkjs"]["verified"] is True


def test_bench_measures_zkcx_start_up_or_says_the_hook_is_missing(bench_record):
    """Start-up runs stop where the work starts (ZKCX_STOP_AT_WORK=1): no proof to check,
    and shorter than a whole proving run; a zkcx without the hook is reported, not
    timed as start-up."""
    record, _, _ = bench_record
    case = record["cases"][0]
    start, prove = case["results"]["zkcx start-up"], case["results"]["zkcx"]
    if start["notes"]:
        assert "ZKCX_STOP_AT_WORK" in start["notes"][0] and start["runs"] == 0
    else:
        assert start["runs"] == 2 and start["verified"] is None
        assert start["wall"]["min"] < prove["wall"]["max"]


def test_bench_writes_the_table_and_the_plot(bench_record):
    record, folder, _ = bench_record
    table = (folder / "out" / "compare.md").read_text()
    assert "| chain 2^6 (62 constraints, 1 public) |" in table and "load average" in table
    assert "| chain 2^6 | zkcx | 2 |" in table
    if "plot" in record["files"]:
        assert (folder / "out" / "compare.png").read_bytes()[:4] == b"\x89PNG"
    else:
        assert "matplotlib" in record["files"]["plot_skipped"]


def test_the_plot_says_why_when_matplotlib_is_missing(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    why = _bench_report.plot({"machine": {}, "cases": []}, tmp_path / "x.png")
    assert "matplotlib is not installed" in why and not (tmp_path / "x.png").exists()


#: A stand-in for rapidsnark that proves with zkcx and then forges: FORGE=public changes
#: the public signal, FORGE=proof swaps the proof's A and C.
_FORGER = r"""
import json, os, subprocess, sys
zkey, wtns, proof, public = sys.argv[1:5]
subprocess.run([sys.executable, "-m", "zkcx", "prove", zkey, "--wtns", wtns,
                "--proof", proof, "--public", public], check=True, capture_output=True)
if os.environ["FORGE"] == "public":
    signals = json.load(open(public))
    signals[0] = str(int(signals[0]) + 1)
    json.dump(signals, open(public, "w"))
else:
    p = json.load(open(proof))
    p["pi_a"], p["pi_c"] = p["pi_c"], p["pi_a"]
    json.dump(p, open(proof, "w"))
"""


@pytest.mark.parametrize("forge", ["public", "proof"])
def test_bench_refuses_a_peers_forged_proof_and_exits_1(tmp_path, forge):
    forger = tmp_path / "fake_rapidsnark"
    forger.write_text(f"#!{sys.executable}\n{_FORGER}")
    forger.chmod(0o755)
    proc = _bench(tmp_path, "--sizes", "4", "--no-matmul", "--no-kernel", "--runs", "1",
                  "--skip", "snarkjs", "--skip", "groth16py",
                  env={"RAPIDSNARK": str(forger), "FORGE": forge})
    assert proc.returncode == 1, proc.stderr
    record = json.loads(proc.stdout)
    results = record["cases"][0]["results"]
    assert results["zkcx"]["verified"] is True
    assert results["rapidsnark"]["verified"] is False
    assert any("rapidsnark proof was not accepted" in p for p in record["problems"])


@pytest.mark.parametrize(("args", "env", "says"), [
    (["--sizes", "ten"], {}, "--sizes"),
    (["--sizes", "30"], {}, "2..24"),
    (["--sizes", "8", "--kernel", "missing.toml"], {}, "missing.toml"),
    (["--runs", "0"], {}, "--runs"),
    (["--matmul", "2x2"], {}, "--matmul"),
    (["--matmul", "0x2x2"], {}, "--matmul"),
    (["--skip", "zkcx"], {}, "--skip"),
    (["--timeout", "0"], {}, "--timeout"),
    (["--sizes", "4"], {"RAPIDSNARK": "/nonexistent/prover"}, "RAPIDSNARK"),
])
def test_bench_refuses_bad_input_with_exit_2(monkeypatch, tmp_path, args, env, says):
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    run = run_main("bench", *args)
    assert run.code == 2 and says in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.node
def test_circom_circuits_carry_the_public_signals_computed_independently(tmp_path):
    """The chain's output is 3^(2^(2^k - 2)) mod r; the product's outputs are X·W mod r for
    the inputs drawn from the same seed."""
    if not _circom_available():
        pytest.skip("node or circom2 is absent (npm install .ci-cache/npm: .ci/run)")
    tools, why = _peers.find_circom()
    assert tools is not None, why
    chain = _bench_cases.circom_chain(tools, 5, tmp_path / "chain")
    assert chain.constraints == 30 and chain.public == [pow(3, 2 ** 30, FR_MODULUS)]
    product = _bench_cases.circom_matprod(tools, (3, 2, 4), tmp_path / "mp", seed=11)
    rng = np.random.default_rng(11)
    x, w = rng.integers(-128, 128, (3, 2)), rng.integers(-128, 128, (2, 4))
    expected = [int(v) % FR_MODULUS for v in (x @ w).ravel()]
    assert product.constraints == 24 and product.public == expected


def test_zkcx_command_runs_this_zkcx_without_a_shim():
    cmd = _peers.zkcx_command()
    assert cmd[0] == sys.executable or pathlib.Path(cmd[0]).parent == pathlib.Path(
        sys.executable).parent
    run = _peers.run_child([*cmd, "--version"])
    assert run.wall > 0


def test_a_child_peak_memory_is_its_own_not_the_parents():
    """Linux keeps the RSS high-water mark across exec, and Python spawns with vfork: a
    child measured naively reports the parent's peak. The launcher must prevent that."""
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
    assert busy.machine_cpu is not None and busy.machine_cpu >= busy.cpu - 0.05


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="no /proc/stat (not Linux)")
def test_the_cpu_the_rest_of_the_machine_used_is_seen():
    """A process spinning beside a sleeping child shows up as the other CPU of the child's
    run, not as the child's own."""
    spinner = subprocess.Popen([sys.executable, "-c", "import time\nt = time.process_time()\n"
                                "while time.process_time() - t < 3: pass"])
    try:
        time.sleep(0.3)
        run = _peers.run_child([sys.executable, "-c", "import time; time.sleep(1)"])
    finally:
        spinner.kill()
        spinner.wait()
    assert run.cpu < 0.3
    assert run.other_cpu > 0.5


def test_a_failing_child_raises_naming_the_command_and_its_error():
    with pytest.raises(_peers.PeerError, match="exited with 3.*boom"):
        _peers.run_child([sys.executable, "-c", "import sys; print('boom', file=sys.stderr); "
                          "sys.exit(3)"])
    with pytest.raises(_peers.PeerError, match="could not be executed"):
        _peers.run_child(["/nonexistent/prover"])
    with pytest.raises(_peers.PeerError, match="more than 1 s"):
        _peers.run_child([sys.executable, "-c", "import time; time.sleep(20)"], timeout=1)


def test_bench_stops_where_its_work_starts_when_asked(tmp_path):
    """ZKCX_STOP_AT_WORK=1 (start-up measurement): the command ends before building or
    running anything."""
    proc = _bench(tmp_path, "--quick", env={"ZKCX_STOP_AT_WORK": "1"}, timeout=60)
    assert proc.returncode == 0 and proc.stdout == ""
    assert "chain" not in proc.stderr


def test_a_bench_record_is_a_nodes_capacity_profile(bench_record, tmp_path):
    """`zkcx node register --bench` reads zkcx's proving time of the largest circuit from
    the record: the median wall time of its proving runs."""
    from zkcx.cli.market_commands import profile_from_bench

    record, _, _ = bench_record
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(record))
    profile = profile_from_bench(str(path))
    largest = max((c for c in record["cases"] if "results" in c),
                  key=lambda c: c["constraints"])
    assert largest["results"]["zkcx"]["prove"] == largest["results"]["zkcx"]["wall"]["median"]
    assert profile.circuit_units == largest["constraints"]
