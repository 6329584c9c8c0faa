# SPDX-License-Identifier: MIT
"""``zkcx node run``: bad input exits 2 with a message before any network; a run
against the stand-in operator (sealing whenever a pending claim is asked about)
registers, proves and is paid."""

from __future__ import annotations

import functools
import json

import pytest

from tests.cli.conftest import run_main
from tests.node.conftest import FEE_PER_UNIT, key
from tests.node.test_client import URL, http, values
from zkcx.accounts import Keystore, encrypt_key
from zkcx.node import Requester, client

PASSWORD = "node-test"


@pytest.fixture
def keyfile(tmp_path):
    path = tmp_path / "alice.json"
    path.write_text(json.dumps(encrypt_key(key("alice"), PASSWORD, "pbkdf2", 1000)))
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    return path


def test_bad_input_exits_2_with_a_message(tmp_path, keyfile):
    pw = tmp_path / "pw"
    cases = [
        (["--operator", "ftp://x", "--account", keyfile], "not an operator URL"),
        (["--operator", "http://", "--account", keyfile], "not an operator URL"),
        (["--operator", URL, "--account", tmp_path / "missing.json"],
         "neither a key file"),
        (["--operator", URL, "--account", str(key("alice").address), "--keystore",
          tmp_path / "nowhere", "--password-file", pw], "not a directory"),
        (["--operator", URL, "--account", keyfile, "--password-file", tmp_path / "nope"],
         "password file"),
        (["--operator", URL, "--account", keyfile, "--kernels", tmp_path / "none"],
         "not a directory"),
        (["--operator", URL, "--account", keyfile, "--once", "--max-tasks", "2"],
         "not allowed with"),
        (["--operator", URL, "--account", keyfile, "--workers", "0"], "positive count"),
        (["--operator", URL, "--account", keyfile, "--poll", "-1"], "seconds"),
    ]
    for args, message in cases:
        run = run_main("node", "run", *args)
        assert run.code == 2, (args, run.stderr)
        assert message in run.stderr and "Traceback" not in run.stderr, (args, run.stderr)
    wrong = tmp_path / "wrong"
    wrong.write_text("not the password\n")
    run = run_main("node", "run", "--operator", URL, "--account", keyfile,
                   "--password-file", wrong)
    assert run.code == 2 and "key file" in run.stderr


def test_node_run_once_against_an_operator(tmp_path, keyfile, operator, small_kernel,
                                           monkeypatch):
    monkeypatch.setattr(client, "OperatorHTTP",
                        functools.partial(client.OperatorHTTP,
                                          transport=operator.transport()))
    operator.auto_seal = True
    keystore = Keystore(tmp_path / "keystore")
    keystore.new(PASSWORD, key("alice"), kdf="pbkdf2", iterations=1000)
    base = ["node", "run", "--operator", URL, "--password-file", tmp_path / "pw",
            "--cache", tmp_path / "cache", "--poll", "0", "--measure-size", "6"]
    # registers first (nothing assigned yet: --max-tasks 0 ends once registered)
    run = run_main("--json", *base, "--account", keyfile, "--max-tasks", "0")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["registered"] is True
    assert str(key("alice").address) in operator.chain.market.nodes
    rita = Requester(URL, key("rita"), http=http(operator))
    posted = rita.post_task(small_kernel.kernel_id, small_kernel.kernel, values(),
                            fee=small_kernel.kernel.n_constraints * FEE_PER_UNIT)
    operator.seal()
    task = rita.task_of(posted, timeout=1)
    run = run_main("--json", *base, "--account", str(key("alice").address), "--keystore",
                   tmp_path / "keystore", "--once")
    assert run.code == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["accepted"] == [task["task_id"]] and result["proved"] == 1
    events = [json.loads(line)["event"] for line in run.stderr.splitlines()]
    assert events.index("assigned") < events.index("proved") < events.index("submitted") \
        < events.index("accepted")
    assert (tmp_path / "cache" / f"{small_kernel.kernel_id}.zkey").is_file()
    assert rita.task(task["task_id"])["status"] == "done"
