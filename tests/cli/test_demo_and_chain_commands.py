# SPDX-License-Identifier: MIT
"""zkcx demo end to end, then the operator's commands on the chain it leaves:
block verify / show / build and rewards show, a corrupted chain included."""

from __future__ import annotations

import pathlib
import sqlite3

import pytest

from zkcx import kernels
from zkcx.cli.demo import DEMO_KERNELS

CIRCUITS = pathlib.Path(__file__).resolve().parents[2] / "circuits"


def test_demo_kernels_are_the_catalogue_instances():
    for name, kind, params, _ in DEMO_KERNELS:
        catalogue = kernels.load(CIRCUITS / f"{name}.toml")
        embedded = kernels.get(kind, name=name, **params).with_binding()
        assert catalogue.kind == embedded.kind
        assert catalogue.spec == embedded.spec, name
        assert catalogue.n_constraints == embedded.n_constraints


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    import json
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


def test_the_demo_pays_verified_work_and_rejects_each_bad_claim(demo_dir):
    _, demo = demo_dir
    verdicts = [(c["block"], c["node"], c["verdict"]) for c in demo["claims"]]
    assert (0, "eve", "rejected: invalid-proof") in verdicts
    assert (0, "mallory", "rejected: ineligible") in verdicts
    assert (1, "eve", "rejected: replayed") in verdicts
    assert (1, "eve", "rejected: binding-mismatch") in verdicts
    assert (1, "carol", "accepted") in verdicts  # her proof, submitted after eve's copy
    assert (2, "bob", "rejected: invalid-proof") in verdicts
    assert (1, "alice", "accepted") in verdicts  # the training step after staking
    assert (1, "carol (forged)", "rejected: bad-signature") in verdicts  # mallory's theft
    assert demo["blocks"] == 6 and demo["rejected"] == 5
    # the governance round: alice's proposal, both stakers' votes, passed and in force
    gov = demo["governance"]
    nodes = demo["nodes"]
    assert gov["proposal"]["status"] == "passed"
    assert gov["proposal"]["proposer"] == nodes["alice"]
    assert gov["proposal"]["votes"] == {nodes["alice"]: True, nodes["bob"]: True}
    assert gov["weight"][1] == 2 * gov["weight"][0]
    assert (4, "bob", "applied") in verdicts and (3, "alice", "applied") in verdicts
    assert (gov["activation_height"], "carol", "accepted") in verdicts
    assert demo["supply_conserved"]
    assert len(demo["model_versions"]) == 3  # genesis + two training steps


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
    assert accounts[nodes["bob"]]["proofs_invalid"] == 1
    assert accounts[nodes["alice"]]["tier"] == "staked"
    # mallory's forged transfer took nothing from carol, nor used her nonce
    carol = accounts[nodes["carol"]]
    assert carol["nonce"] == 4  # her four claims
    assert accounts[nodes["mallory"]]["balance"] == "0"
    assert zkcx_cmd("block", "show", "9", "--chain", chain).code == 2


def test_block_build_from_claim_files_rejects_a_replay(demo_dir, zkcx_cmd, tmp_path):
    import shutil

    directory, demo = demo_dir
    nodes = demo["nodes"]
    chain = tmp_path / "chain.db"
    shutil.copy(directory / "chain.db", chain)
    password = tmp_path / "password"
    password.write_text("zkcx-demo\n")
    keys = ["--keystore", directory / "keystore", "--password-file", password]
    claim = sorted((directory / "claims").glob("block0_2_bob.json"))[0]
    run = zkcx_cmd("--json", "block", "build", claim, "--chain", chain,
                   "--op", f"stake:{nodes['carol']}:10", *keys)
    assert run.code == 0, run.stderr
    block = run.json()["block"]
    assert block["header"]["height"] == demo["blocks"]
    assert [r["reason"] for r in block["rejected"]] == ["bad-nonce"]  # its nonce is used
    assert block["operations"][0]["node_id"] == nodes["carol"]
    # the theft: a transfer of carol's tokens signed with mallory's key
    run = zkcx_cmd("--json", "block", "build", "--chain", chain,
                   "--op", f"transfer:{nodes['carol']}:{nodes['mallory']}:20000",
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
    import shutil

    from tests.cli.conftest import run_main
    from zkcx.accounts import Keystore

    directory, demo = demo_dir
    work = tmp_path / "run"
    shutil.copytree(directory, work)
    monkeypatch.chdir(tmp_path)
    kept = work / "kernels"
    frank = Keystore(work / "keystore").new("zkcx-demo", kdf="pbkdf2", iterations=1000)
    monkeypatch.setenv("ZKCX_PASSWORD", "zkcx-demo")
    assert run_main("input", "template", kept / "dot_256.toml", "-o", "in.json").code == 0
    run = run_main("prove", kept / "dot_256.zkey", "--kernel", kept / "dot_256.toml",
                   "--input", "in.json", "--node", frank.address, "--task", "task-100")
    assert run.code == 0, run.stderr
    run = run_main("claim", "make", "proof.json", "public.json", "--vk",
                   kept / "dot_256.vk.json", "--keystore", work / "keystore", "--account",
                   frank.address, "--task", "task-100", "--kind", "compute", "--chain",
                   work / "chain.db")
    assert run.code == 0, run.stderr
    run = run_main("--json", "block", "build", "claim.json", "--chain", work / "chain.db")
    assert run.code == 0, run.stderr
    block = run.json()["block"]
    assert block["header"]["height"] == demo["blocks"]
    assert [c["node_id"] for c in block["accepted"]] == [str(frank.address)]
    assert run_main("block", "verify", "--chain", work / "chain.db").code == 0


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
    run = zkcx_cmd("demo")
    assert run.code == 0 and "--chain" not in run.stdout and "removed" in run.stdout
