# SPDX-License-Identifier: MIT
"""``zkcx demo --network``: the market demo through a real operator process and three
node processes; its report's figures are checked against the chain it kept."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli.conftest import run_main
from zkcx.cli.demo import FEE_PER_UNIT, RITA_TASKS
from zkcx.cli.demo_network import NODES, child_env
from zkcx.rewards import SUPPLY
from zkcx.rollup import SQLiteChainStore, verify_chain


def test_a_used_folder_is_refused(tmp_path):
    (tmp_path / "x").write_text("")
    run = run_main("demo", "--network", "--dir", tmp_path)
    assert run.code == 2 and "not a new or empty folder" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]


@pytest.mark.slow
def test_demo_network_runs_the_market_over_http(tmp_path):
    pytest.importorskip("fastapi", reason="the operator needs the extra zkcx[network]")
    try:
        from zkcx.operator import create_app  # noqa: F401
    except ImportError:
        pytest.skip("the operator service (zkcx.operator.create_app) is not in this tree")
    folder = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "zkcx", "--json", "demo", "--network",
                           "--dir", str(folder)], capture_output=True, text=True,
                          timeout=900, env=child_env(), stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    demo = json.loads(proc.stdout)["demo"]
    assert demo["network"] and demo["supply_conserved"]
    assert [t["status"] for t in demo["tasks"]] == ["done"] * len(RITA_TASKS)
    assert sum(demo["tasks_by_node"].values()) == len(RITA_TASKS)
    with SQLiteChainStore.open(folder / "chain.db") as store:
        report = verify_chain(store, store.kernel_registry())
        ledger = store.load_state().ledger
    assert report.blocks == demo["blocks"] and report.accepted_claims == len(RITA_TASKS)
    nodes = {demo["nodes"][n] for n in NODES}
    assert {t["assignee"] for t in demo["tasks"]} <= nodes
    fees = sum(int(t["fee"]) for t in demo["tasks"])
    assert fees == sum(t["work_units"] * FEE_PER_UNIT for t in demo["tasks"])
    paid = sum(ledger.account(a).balance for a in nodes)
    assert paid + ledger.pool - int(demo["pool_at_genesis"]) == fees
    assert ledger.pool + sum(ledger.totals()) == SUPPLY
    # the report's split: each node's balance = its fees less pool fees + its emission
    for name in NODES:
        pay = demo["payments"][name]
        assert ledger.account(demo["nodes"][name]).balance == \
            int(pay["fees"]) + int(pay["emission"])
        assert int(pay["emission"]) > 0 or demo["tasks_by_node"][name] == 0
    assert sum(int(p["fees"]) + int(p["pool_fees"]) for p in demo["payments"].values()) \
        == fees
