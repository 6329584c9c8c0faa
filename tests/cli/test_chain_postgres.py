# SPDX-License-Identifier: MIT
"""Every command taking ``--chain`` takes a postgresql:// URL too: a chain made, kernels
registered, transactions signed against its state, blocks built, verified and shown in
a PostgreSQL database, the same as in a file; a bad URL, an unreachable server or a
wrong password is exit 2 with a message, never a traceback, and no output ever shows
the URL's password."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from tests.cli.conftest import new_keystore, ok, run_main
from zkcx.accounts import Signer
from zkcx.rewards import TOKEN
from zkcx.rollup import open_store, verify_chain

SPEC = 'kernel = "dot"\nn = 4\nfrac_bits = 8\nbound_bits = 16\n'
BOB_KEY = Signer(bytes(31) + bytes([2]))
BOB, CAROL = str(BOB_KEY.address), str(Signer(bytes(31) + bytes([3])).address)
PASSWORD = "cli-password"


def _password(url: str) -> str:
    return urllib.parse.urlsplit(url).password


def _clean(run, url: str) -> None:
    """No output of the run shows the URL's password, nor a traceback."""
    for text in (run.stdout, run.stderr):
        assert _password(url) not in text and "Traceback" not in text, text


def test_the_chain_commands_work_on_a_postgresql_url(postgres_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZKCX_PASSWORD", PASSWORD)
    url = postgres_url
    runs = [ok("--json", "chain", "init", "--chain", url, "--grant", f"{BOB}=100",
               "--chain-id", "77")]
    assert runs[-1].json()["chain_id"] == 77
    assert _password(url) not in runs[-1].json()["chain"]
    again = run_main("chain", "init", url)  # the positional form: the tables exist
    assert again.code == 2 and "already has the tables" in again.stderr
    runs.append(again)
    (tmp_path / "plain.toml").write_text(SPEC)
    ok("setup", "plain.toml", "plain.zkey", "--vk", "vk.json")
    runs.append(ok("kernel", "register", "vk.json", "--chain", url, "--kernel", "plain.toml",
                   "--kind", "compute", "--unsafe-local-setup"))
    runs.append(ok("--json", "kernel", "list", "--chain", url))
    (kernel,) = runs[-1].json()["kernels"]
    new_keystore(tmp_path, PASSWORD, [BOB_KEY])
    runs.append(ok("tx", "transfer", CAROL, "7", "--chain", url, "--keystore", "keys",
                   "--account", BOB, "-o", "pay.json"))
    runs.append(ok("--json", "block", "build", "--chain", url, "--tx", "pay.json"))
    assert runs[-1].json()["block"]["header"]["height"] == 0
    runs.append(ok("--json", "block", "verify", "--chain", url))
    runs.append(ok("--json", "block", "show", "--chain", url, "0"))
    assert len(runs[-1].json()["block"]["operations"]) == 1
    runs.append(ok("--json", "account", "show", CAROL, "--chain", url))
    assert runs[-1].json()["balance"] == str(7 * TOKEN)
    runs.append(ok("rewards", "show", "--chain", url))
    for run in runs:
        _clean(run, url)
    with open_store(url, read_only=True) as store:  # what the library reads back
        assert store.chain_id() == 77 and store.head().height == 0
        assert [k.kernel_id for k in store.kernel_registry()] == [kernel["kernel_id"]]
        assert verify_chain(store, store.kernel_registry()).blocks == 1


def _with_password(url: str, password: str) -> str:
    parts = urllib.parse.urlsplit(url)
    user, host = parts.netloc.rsplit("@", 1)
    return urllib.parse.urlunsplit(parts._replace(
        netloc=f"{user.split(':')[0]}:{password}@{host}"))


@pytest.mark.parametrize("command", [["block", "verify"], ["block", "show"],
                                     ["kernel", "list"], ["rewards", "show"]])
def test_bad_urls_are_exit_2_with_a_message_and_no_password(postgres_url, command):
    secret = "Not-To-Be-Shown-42"
    for url in (_with_password(postgres_url, secret),          # wrong password
                f"postgresql://zkcx:{secret}@127.0.0.1:1/chain",  # nobody listening
                f"postgresql://zkcx:{secret}@[::1/chain",         # not a URL
                postgres_url):                                    # an empty database
        for json_flag in ([], ["--json"]):
            run = run_main(*json_flag, *command, "--chain", url)
            assert run.code == 2, (url, run.stderr)
            assert secret not in run.stdout + run.stderr
            assert "Traceback" not in run.stderr
            assert _password(postgres_url) not in run.stdout + run.stderr
            if json_flag:
                assert json.loads(run.stdout)["error"]
            else:
                assert "cannot connect" in run.stderr or "not a zkcx chain" in run.stderr \
                    or "URL" in run.stderr, run.stderr
