# SPDX-License-Identifier: MIT
"""The market through the command line: ``chain init --grant``, ``node register`` (a
measured profile, never a declared one), ``task post|cancel|list|show`` and the refusals
of each (exit 2, nothing written)."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import COMMITTED, DOT_SPEC, chain_folder, keys, market, ok, run_main
from zkcx.accounts import Signer
from zkcx.rewards import TOKEN

REQ_KEY, NODE_KEY = Signer(bytes(31) + bytes([21])), Signer(bytes(31) + bytes([22]))
REQ, NODE = str(REQ_KEY.address), str(NODE_KEY.address)
PASSWORD = "market-password"


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A chain granting the requester 100 tokens, a task-ready kernel and a plain one."""
    chain_folder(tmp_path, monkeypatch, {"task": DOT_SPEC + COMMITTED, "plain": DOT_SPEC},
                 f"{REQ}=100", PASSWORD, (REQ_KEY, NODE_KEY))
    for name in ("task", "plain"):
        ok("kernel", "register", f"{name}.vk.json", "--chain", "chain.db", "--kernel",
           f"{name}.toml", "--kind", "compute", "--unsafe-local-setup")
    (tmp_path / "in.json").write_text(json.dumps({"x": [0.5] * 4, "y": [1] * 4}))
    return tmp_path


def post(*extra) -> list[str]:
    return ["task", "post", "--vk", "task.vk.json", "--kernel", "task.toml", "--input",
            "in.json", "--chain", "chain.db", *keys(REQ), "-o", "post.json", *extra]


def test_genesis_grants_come_from_the_pool_and_bad_grants_are_refused(work):
    ledger = market().ledger
    assert ledger.account(REQ).balance == 100 * TOKEN
    assert ledger.pool + ledger.account(REQ).balance == ledger.pool + 100 * TOKEN
    for grant, word in (("nobody=1", "nobody"), (f"{REQ}=-1", "-1"),
                        (f"{REQ}", "ADDRESS=TOKENS")):
        run = run_main("chain", "init", "other.db", "--grant", grant)
        assert run.code == 2 and word in run.stderr, (grant, run.stderr)
    run = run_main("chain", "init", "other.db", "--grant", f"{REQ}=1", "--grant", f"{REQ}=2")
    assert run.code == 2 and "twice" in run.stderr
    assert not (work / "other.db").exists()


def test_a_task_is_posted_listed_cancelled_and_its_fee_refunded(work):
    run = ok("--json", *post("--fee", "3.5", "--bond", "1", "--window", "4"))
    assert run.json()["expected_task_id"] == 0 and run.json()["deadline"] == 4
    assert ok("--json", "task", "list", "--chain", "chain.db").json()["tasks"] == []
    block = ok("--json", "block", "build", "--tx", "post.json", "--chain",
               "chain.db").json()["block"]
    assert block["assigned"] == []  # no node registered yet: it waits
    (task,) = ok("--json", "task", "list", "--chain", "chain.db").json()["tasks"]
    assert (task["status"], task["fee"], task["bond"]) == ("unassigned", str(7 * TOKEN // 2),
                                                           str(TOKEN))
    assert market().account(REQ).held == 7 * TOKEN // 2
    shown = ok("--json", "task", "show", "0", "--chain", "chain.db").json()["task"]
    assert shown == task and ok("task", "show", "0", "--chain", "chain.db").stdout
    # only the poster cancels
    run = run_main("task", "cancel", "0", "--chain", "chain.db", *keys(NODE), "-o", "c.json")
    assert run.code == 2 and "only the poster" in run.stderr and not (work / "c.json").exists()
    ok("task", "cancel", "0", "--chain", "chain.db", *keys(REQ), "-o", "cancel.json")
    ok("block", "build", "--tx", "cancel.json", "--chain", "chain.db")
    state = market()
    assert state.task(0).status.value == "cancelled"
    assert state.account(REQ).balance == 100 * TOKEN and state.account(REQ).held == 0
    run = run_main("task", "cancel", "0", "--chain", "chain.db", *keys(REQ), "-o", "c.json")
    assert run.code == 2 and "cancelled" in run.stderr
    ok("block", "verify", "--chain", "chain.db")


def test_a_registered_node_is_assigned_and_an_assigned_task_is_not_cancelled(work):
    (work / "bench.json").write_text(json.dumps({"machine": {"cores": 2}, "cases": [
        {"name": "chain 2^10", "constraints": 1022, "results": {"zkcx": {"prove": 0.25}}},
        {"name": "chain 2^12", "constraints": 4094, "results": {"zkcx": {"prove": 0.5}}}]}))
    run = ok("--json", "node", "register", "--bench", "bench.json", "--chain", "chain.db",
             *keys(NODE), "-o", "reg.json")
    profile = run.json()["profile"]  # the largest case: 4094 units in 500 ms, 2 threads
    assert (profile["circuit_units"], profile["prove_millis"], profile["threads"]) == (
        4094, 500, 2) and run.json()["units_per_second"] == 8188
    ok(*post("--fee", "1"))
    block = ok("--json", "block", "build", "--tx", "reg.json", "--tx", "post.json",
               "--chain", "chain.db").json()["block"]
    assert block["assigned"] == [{"task_id": 0, "node_id": NODE}]
    run = run_main("task", "cancel", "0", "--chain", "chain.db", *keys(REQ), "-o", "c.json")
    assert run.code == 2 and "assigned" in run.stderr
    run = ok("--json", "node", "register", "--measure", "--measure-size", "6", "--chain",
             "chain.db", *keys(NODE), "-o", "again.json")
    assert run.json()["profile"]["circuit"] == "chain 2^6"


def test_post_and_register_refuse_bad_requests_writing_nothing(work):
    (work / "junk.json").write_text(json.dumps({"cases": [{"name": "x"}]}))
    kid = {k["n_public"]: k["kernel_id"] for k in ok(
        "--json", "kernel", "list", "--chain", "chain.db").json()["kernels"]}
    plain = next(v for n, v in kid.items() if n == 2)
    for argv, word in (
            (post("--fee", "0.000000000000000001"), "minimum"),
            (post("--fee", "1", "--deadline", "0"), "positive"),
            (post("--fee", "1", "--min-tier", "9"), "tiers"),
            (["task", "post", plain, "--kernel", "plain.toml", "--input", "in.json", "--fee",
              "1", "--chain", "chain.db", *keys(REQ), "-o", "post.json"], "cannot be named"),
            (["task", "post", "--kernel", "task.toml", "--input", "in.json", "--fee", "1",
              "--chain", "chain.db", *keys(REQ), "-o", "post.json"], "--vk"),
            (["task", "post", "--vk", "task.vk.json", "--kernel", "plain.toml", "--input",
              "in.json", "--fee", "1", "--chain", "chain.db", *keys(REQ), "-o", "post.json"],
             "not kernel"),
            (["node", "register", "--chain", "chain.db", *keys(NODE), "-o", "reg.json"],
             "measured"),
            (["node", "register", "--bench", "junk.json", "--measure", "--chain", "chain.db",
              *keys(NODE), "-o", "reg.json"], "measured"),
            (["node", "register", "--bench", "junk.json", "--chain", "chain.db", *keys(NODE),
              "-o", "reg.json"], "no case")):
        run = run_main(*argv)
        assert run.code == 2 and word in run.stderr and "Traceback" not in run.stderr, \
            (argv, run.stderr)
        assert not (work / "post.json").exists() and not (work / "reg.json").exists()
