# SPDX-License-Identifier: MIT
"""zkcx demo end to end, then the operator's commands on the chain it leaves:
block verify / show / build and rewards show, a corrupted chain included."""

from __future__ import annotations

import json
import pathlib
import sqlite3

import pytest

from zkcx import kernels
from zkcx.cli.demo import DEMO_KERNELS, demo_kernel, spec_toml
from zkcx.rewards import TOKEN

CIRCUITS = pathlib.Path(__file__).resolve().parents[2] / "circuits"


def test_demo_kernels_are_the_catalogue_instances_with_committed_inputs(tmp_path):
    for name, kind, params, _, committed in DEMO_KERNELS:
        catalogue = kernels.load(CIRCUITS / f"{name}.toml")
        assert catalogue.spec == kernels.get(kind, name=name, **params).spec, name
        embedded = demo_kernel(kind, name, params, committed)
        assert [t.visibility == "committed" for t in embedded.spec.inputs] == [
            t.name in committed or t.visibility == "committed" for t in catalogue.spec.inputs]
        assert embedded.input_positions() is not None and embedded.binding_position
        (tmp_path / f"{name}.toml").write_text(spec_toml(kind, params, committed))
        kept = kernels.load(tmp_path / f"{name}.toml")  # what --dir keeps is the same
        assert kept.spec == embedded.spec and kept.binding_position == embedded.binding_position


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    import os
    import subprocess
    import sys

    from tests.cli.conftest import ROOT

    directory = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "zkcx", "--json", "demo", "--dir",
                           str(directory)], capture_output=True, text=True, env=env,
                          timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return directory, json.loads(proc.stdout)["demo"]


def test_the_demo_is_a_market_that_pays_requested_work_and_rejects_each_bad_claim(
        demo_dir, zkcx_cmd):
    directory, demo = demo_dir
    verdicts = [(e["block"], e["node"], e["verdict"]) for e in demo["log"]]
    assert (1, "mallory", "rejected: binding-mismatch") in verdicts  # a copied proof
    assert (1, "mallory", "rejected: not-assignee") in verdicts      # another's task
    assert (1, "carol (forged)", "rejected: bad-signature") in verdicts  # mallory's theft
    # the market's six blocks, then the models' blocks, all sealed into the chain; every
    # accepted claim paid a task
    assert demo["market_blocks"] == 6 < demo["blocks"] and demo["rejected"] == 2
    assert demo["accepted"] == len(demo["payments"])
    assert demo["supply_conserved"]
    nodes, tasks = demo["nodes"], demo["tasks"]
    # eve missed her deadline: her task was taken back, reassigned and delivered
    late = demo["late_task"]
    assert late is not None and (4, "eve", "late: taken back for reassignment") in verdicts
    assert tasks[late]["status"] == "done" and tasks[late]["assignee"] != nodes["eve"]
    assert tasks[late]["failed"] == [nodes["eve"]]
    # every task paid once, its fee split between the node and the pool
    assert all(t["status"] == "done" for t in tasks)
    assert sorted(p["task"] for p in demo["payments"]) == list(range(len(tasks)))
    for p in demo["payments"]:
        execution = int(p["fee"]) - int(p["price"])
        assert execution == int(p["to_node"]) + int(p["to_pool"])
        assert int(p["to_pool"]) * 10 == execution  # the default 10 % pool fee
        assert sum(int(v) for v in p["revenue"].values()) == int(p["price"])
    # self-dealing lost mallory tokens
    dealt = demo["self_dealing"]
    assert tasks[dealt["task"]]["assignee"] == nodes["mallory"]
    assert int(dealt["after"]) < int(dealt["before"])
    # rita's escrow paid exactly her tasks' fees: traced from her genesis grant
    run = zkcx_cmd("--json", "rewards", "show", "--chain", directory / "chain.db")
    accounts = run.json()["accounts"]
    chain = demo["payments"]
    assert sorted(p["block"] for p in chain) == [p["block"] for p in chain] and chain[-1][
        "block"] == demo["blocks"] - 1
    rita_fees = sum(int(p["fee"]) for p in chain if p["poster"] == "rita")
    rita_revenue = sum(int(p["revenue"].get("rita", 0)) for p in chain)
    assert rita_revenue > 0  # her accepted version's share of the regressor's price
    assert int(accounts[nodes["rita"]]["balance"]) == 10_000 * TOKEN - rita_fees + rita_revenue
    earned = {n: 0 for n in nodes}
    for p in chain:
        earned[p["node"]] += int(p["to_node"])
    for name, emission in demo["emission"].items():
        earned[name] += int(emission)
    for name in ("alice", "bob", "carol", "dave", "eve"):
        assert int(accounts[nodes[name]]["balance"]) == earned[name], name


def test_the_demo_says_its_keys_are_an_unsafe_local_setup(demo_dir, zkcx_cmd):
    directory, demo = demo_dir
    assert demo["unsafe_local_setup"] is True  # a demo has no ceremony, and says so
    run = zkcx_cmd("--json", "kernel", "list", "--chain", directory / "chain.db")
    assert run.code == 0, run.stderr
    listed = run.json()["kernels"]
    assert len(listed) >= 3 and all(k["unsafe_local_setup"] for k in listed)
    assert {k["ceremony"] for k in listed} == {"unsafe-local-setup"}


def test_block_verify_show_and_rewards_show_on_the_demo_chain(demo_dir, zkcx_cmd):
    directory, demo = demo_dir
    chain = directory / "chain.db"
    run = zkcx_cmd("--json", "block", "verify", "--chain", chain)
    assert run.code == 0, run.stderr
    assert run.json()["state_root"] == demo["state_root"]
    run = zkcx_cmd("--json", "block", "show", "1", "--chain", chain)
    assert run.code == 0 and run.json()["block"]["header"]["height"] == 1
    run = zkcx_cmd("--json", "rewards", "show", "--chain", chain)
    assert run.code == 0
    accounts = run.json()["accounts"]
    nodes = demo["nodes"]
    assert accounts[nodes["eve"]]["reputation"] < accounts[nodes["alice"]]["reputation"]
    # mallory's forged transfer took nothing from carol, nor used her nonce
    carol = accounts[nodes["carol"]]
    claims = sum(1 for e in demo["log"] if e["node"] == "carol" and
                 e["what"].startswith("claim"))
    assert carol["nonce"] == 1 + claims  # her registration and her claims
    run = zkcx_cmd("--json", "task", "list", "--chain", chain)
    assert run.code == 0 and run.json()["tasks"] == demo["tasks"]
    run = zkcx_cmd("--json", "task", "show", "0", "--chain", chain)
    assert run.code == 0 and run.json()["task"] == demo["tasks"][0]
    assert zkcx_cmd("block", "show", str(demo["blocks"]), "--chain", chain).code == 2
    assert zkcx_cmd("task", "show", "99", "--chain", chain).code == 2
    # the models' blocks are on the chain: the last one pays ivan's call on the regressor
    run = zkcx_cmd("--json", "block", "show", str(demo["blocks"] - 1), "--chain", chain)
    assert run.code == 0
    (claim,) = run.json()["block"]["accepted"]
    assert claim["task_id"] == str(demo["models"]["regressor_task"])
    # its proof carries the predictions of the accepted version's weights
    models = demo["models"]
    (serve,) = [demo_kernel(kind, name, params, committed) for name, kind, params, _,
                committed in DEMO_KERNELS if name == "mlp_4_4_1_infer"]
    (kept,) = (directory / "claims").glob(f"block{demo['blocks'] - 1}_0_*.json")
    kept = json.loads(kept.read_text())
    assert kept["task_id"] == claim["task_id"]
    public = [int(v) for v in kept["public"]]
    assert public[serve.weights_commitment_position] == int(models["versions"][-1]["commitment"])
    assert serve.public_tensor(public, "Y").tolist() == models["regressor_predictions"]


def test_block_build_from_claim_files_rejects_a_replay(demo_dir, zkcx_cmd, tmp_path):
    import shutil

    directory, demo = demo_dir
    nodes = demo["nodes"]
    chain = tmp_path / "chain.db"
    shutil.copy(directory / "chain.db", chain)
    password = tmp_path / "password"
    password.write_text("zkcx-demo\n")
    keys = ["--keystore", directory / "keystore", "--password-file", password]
    claim = sorted((directory / "claims").glob("block1_*_bob.json"))[0]
    run = zkcx_cmd("--json", "block", "build", claim, "--chain", chain,
                   "--op", f"stake:{nodes['rita']}:10", *keys)
    assert run.code == 0, run.stderr
    block = run.json()["block"]
    assert block["header"]["height"] == demo["blocks"]
    assert [r["reason"] for r in block["rejected"]] == ["bad-nonce"]  # its nonce is used
    assert block["operations"][0]["node_id"] == nodes["rita"]
    # the theft: a transfer of carol's tokens signed with mallory's key
    run = zkcx_cmd("--json", "block", "build", "--chain", chain,
                   "--op", f"transfer:{nodes['carol']}:{nodes['mallory']}:5",
                   "--keystore", directory / "keystore", "--account", nodes["mallory"],
                   "--password-file", password)
    assert run.code == 0, run.stderr
    block = run.json()["block"]
    assert block["operations"] == []
    assert [r["reason"] for r in block["rejected_operations"]] == ["bad-signature"]
    # a stake beyond the balance is recorded as rejected, the block still appended
    run = zkcx_cmd("--json", "block", "build", "--chain", chain,
                   "--op", f"stake:{nodes['eve']}:5", *keys)
    assert run.code == 0, run.stderr
    (rejected,) = run.json()["block"]["rejected_operations"]
    assert rejected["reason"] == "invalid-operation" and "balance" in rejected["detail"]
    run = zkcx_cmd("block", "build", "--chain", chain,
                   "--op", "stake:x")
    assert run.code == 2 and "bad operation" in run.stderr
    run = zkcx_cmd("block", "build", "--chain", chain, "--op", "stake:carol:10", *keys)
    assert run.code == 2 and "address" in run.stderr
    run = zkcx_cmd("block", "build", "--chain", chain, "--op", f"stake:{nodes['carol']}:10")
    assert run.code == 2 and "--key-file" in run.stderr
    run = zkcx_cmd("block", "build", "--chain", chain, "--op", f"stake:{nodes['carol']}:10",
                   "--keystore", directory / "keystore", "--password-file", claim)
    assert run.code == 2 and "password" in run.stderr.lower()


def test_a_corrupted_chain_fails_verification_with_exit_1(demo_dir, zkcx_cmd, tmp_path):
    import shutil

    directory, _ = demo_dir
    chain = tmp_path / "chain.db"
    shutil.copy(directory / "chain.db", chain)
    with sqlite3.connect(chain) as conn:  # one bit of block 1's body flipped
        (body,) = conn.execute("SELECT body FROM blocks WHERE height = 1").fetchone()
        forged = bytearray(body)
        forged[len(forged) // 2] ^= 1
        conn.execute("UPDATE blocks SET body = ? WHERE height = 1", (bytes(forged),))
    run = zkcx_cmd("block", "verify", "--chain", chain)
    assert run.code == 1, run.stderr
    assert run.stdout.startswith("INVALID:") and "block" in run.stdout


def test_the_chain_goes_on_by_hand_from_what_demo_dir_kept(demo_dir, tmp_path, monkeypatch):
    """rita posts a task with `zkcx task post`, the operator includes it, the scheduler
    assigns it, its node proves it and claims it: paid."""
    import shutil

    from tests.cli.conftest import run_main

    directory, demo = demo_dir
    work = tmp_path / "run"
    shutil.copytree(directory, work)
    monkeypatch.chdir(tmp_path)
    kept, chain, nodes = work / "kernels", work / "chain.db", demo["nodes"]
    keys = ["--keystore", work / "keystore"]
    monkeypatch.setenv("ZKCX_PASSWORD", "zkcx-demo")
    (dot,) = [k for k in run_main("--json", "kernel", "list", "--chain", chain).json()[
        "kernels"] if k["n_public"] == 4]
    assert run_main("input", "template", kept / "dot_256.toml", "-o", "in.json").code == 0
    run = run_main("--json", "task", "post", dot["kernel_id"], "--kernel",
                   kept / "dot_256.toml", "--input", "in.json", "--fee", "20", "--chain",
                   chain, *keys, "--account", nodes["rita"], "-o", "post.json")
    assert run.code == 0, run.stderr
    task = str(run.json()["expected_task_id"])
    run = run_main("--json", "block", "build", "--tx", "post.json", "--chain", chain)
    assert run.code == 0, run.stderr
    (assigned,) = run.json()["block"]["assigned"]
    node = assigned["node_id"]
    assert str(assigned["task_id"]) == task and node != nodes["eve"]  # eve ranks last
    run = run_main("prove", kept / "dot_256.zkey", "--kernel", kept / "dot_256.toml",
                   "--input", "in.json", "--node", node, "--task", task)
    assert run.code == 0, run.stderr
    run = run_main("claim", "make", "proof.json", "public.json", "--vk",
                   kept / "dot_256.vk.json", *keys, "--account", node, "--task", task,
                   "--kind", "compute", "--chain", chain)
    assert run.code == 0, run.stderr
    run = run_main("--json", "block", "build", "claim.json", "--chain", chain)
    assert run.code == 0, run.stderr
    block = run.json()["block"]
    assert block["header"]["height"] == demo["blocks"] + 1
    assert [c["node_id"] for c in block["accepted"]] == [node]
    assert [p["task_id"] for p in block["fees"]] == [int(task)]
    assert run_main("block", "verify", "--chain", chain).code == 0


def test_the_demo_names_only_what_it_keeps(zkcx_cmd, tmp_path):
    run = zkcx_cmd("demo", "--dir", "kept")
    assert run.code == 0, run.stderr
    assert "kept/claims/" in run.stdout and "Continue by hand" in run.stdout
    for line in run.stdout.splitlines():
        if line.startswith(("Continue", "  or prove")):
            for word in line.split():
                if word.startswith("kept/"):
                    assert (tmp_path / word).exists(), word
    run = zkcx_cmd("demo", "--dir", "kept")
    assert run.code == 2 and "already holds" in run.stderr


@pytest.mark.slow
def test_the_demo_without_a_directory_keeps_nothing(zkcx_cmd):
    run = zkcx_cmd("demo")
    assert run.code == 0 and "--chain" not in run.stdout and "removed" in run.stdout


def test_the_demo_bills_a_model_to_its_share_holders_and_trains_a_sharded_job(demo_dir):
    from fractions import Fraction

    import numpy as np

    from zkcx.cli.demo_models import RITA_SHARE
    from zkcx.kernels.sharded import data_parallel_sgd
    from zkcx.market import SHARE_DENOMINATOR
    from zkcx.rewards import SUPPLY

    _, demo = demo_dir
    nodes, models, accounts = demo["nodes"], demo["models"], demo["accounts"]
    # six nodes with their own keys, each registered on the chain
    six = ("alice", "bob", "carol", "dave", "eve", "mallory")
    assert len({nodes[n] for n in six}) == 6
    registered = {e["node"] for e in demo["log"] if e["what"].startswith("register node")}
    assert registered == set(six)
    # each inference task's price reaches its model's share holders exactly (floor per
    # holder, the remainder to the owner), the node its execution fee less the pool fee
    def split(price: int, shares: dict) -> dict:
        out = {h: int(Fraction(price * s, SHARE_DENOMINATOR)) for h, s in shares.items()}
        out["olga"] += price - sum(out.values())
        return {h: a for h, a in out.items() if a}

    revenue = {}
    for task, shares in ((models["inference_task"], models["classifier_shares"]),
                         (models["regressor_task"], models["regressor_shares"])):
        (bill,) = [p for p in demo["payments"] if p["task"] == task]
        price = int(bill["price"])
        assert price > 0 and sum(shares.values()) == SHARE_DENOMINATOR
        assert {h: int(a) for h, a in bill["revenue"].items()} == split(price, shares)
        for h, a in bill["revenue"].items():
            revenue[h] = revenue.get(h, 0) + int(a)
    assert models["classifier_shares"] == {"olga": SHARE_DENOMINATOR}
    # the regressor's second contributor: governance accepted rita's last version, and
    # the call on it paid olga and rita by the share table
    assert models["regressor_shares"] == {"olga": SHARE_DENOMINATOR - RITA_SHARE,
                                          "rita": RITA_SHARE}
    assert set(revenue) == {"olga", "rita"} and revenue["rita"] > 0
    applied = [e for e in demo["log"] if e["node"] == "governance"]
    assert [(e["what"], e["verdict"]) for e in applied] == [
        (f"proposal {models['proposal']}: model.accept-version of regressor-4-4-1",
         "applied")]
    assert [v["accepted"] for v in models["versions"]] == [True] + [False] * (
        models["steps"] - 1) + [True]
    olga = accounts["olga"]
    assert int(olga["balance"]) + int(olga["stake"]) == 1_000 * TOKEN + revenue["olga"]
    # the job: every task paid once, its versions and final weights the reference's,
    # recomputed here from the catalogue kernels on the job's initial weights and data
    assert models["job_status"] == "done" and models["shards"] * models["steps"] >= 12
    assert len(models["job_tasks"]) == models["steps"] * (models["shards"] + 1)
    assert set(models["job_tasks"]) <= {p["task"] for p in demo["payments"]}
    grad = kernels.load(CIRCUITS / "mlp_4_4_1_grad.toml")
    agg = kernels.load(CIRCUITS / "mlp_4_4_1_aggregate_4.toml")
    run = data_parallel_sgd(grad, agg, np.array(models["initial_weights"]),
                            [np.array(d) for d in models["shard_data"]], models["steps"])
    assert [int(v["commitment"]) for v in models["versions"]] == run.weight_commitments
    assert [v["contributor"] for v in models["versions"][1:]] == ["rita"] * models["steps"]
    np.testing.assert_array_equal(np.array(models["final_weights"]), run.final_weights)
    # ivan's call proved the predictions of those weights on his inputs: the dense+ReLU
    # MLP over separate tensors, cut from the final weights in the training layout
    separate = kernels.mlp_infer([4, 4, 1], batch=4, frac_bits=8, bound_bits=16)
    expected = separate.reference(X=np.array(models["regressor_inputs"]),
                                  **grad.unpack_weights(run.final_weights))["Y"]
    assert models["regressor_predictions"] == expected.tolist()
    assert models["predictions_equal_reference"]
    # every token traced: what left rita's escrow is her grant less what she still has
    rita = accounts["rita"]
    left = 10_000 * TOKEN - int(rita["balance"]) - int(rita["held"]) + revenue["rita"]
    assert sum(int(a) for f, _, _, a in demo["trace"] if f == "rita's escrow") == left
    assert sum(int(p["fee"]) for p in demo["payments"] if p["poster"] == "rita") == left
    # and the supply conserved, recounted from the accounts
    total = int(demo["pool"]) + sum(int(a[k]) for a in accounts.values()
                                    for k in ("balance", "held", "stake", "unbonding"))
    assert total == SUPPLY == sum(int(v) for v in demo["supply"].values())
    assert demo["supply_conserved"]
