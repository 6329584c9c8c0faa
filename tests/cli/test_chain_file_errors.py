# SPDX-License-Identifier: MIT
"""``--chain`` files that are not chains get exit code 2 and a message naming the file,
never a traceback, and are left as they were; the read-only commands (block show, block
verify, rewards show) never change or create a file, even on a valid chain."""

from __future__ import annotations

import os

import pytest

from zkcx.rollup import Chain, KernelRegistry, SQLiteChainStore

NOT_CHAINS = {"empty": b"", "one byte": b"\x00", "text": b"not a chain\n",
              "sqlite magic": b"SQLite format 3\x00" + bytes(200)}
COMMANDS = {"block show": ["block", "show"], "rewards show": ["rewards", "show"],
            "block verify": ["block", "verify"], "block build": ["block", "build"]}


# every command on the tiniest files; one command is enough for the others
CASES = [(name, command) for name in NOT_CHAINS for command in COMMANDS
         if name in ("empty", "one byte") or command == "block verify"]


@pytest.mark.parametrize("name,command", CASES)
def test_a_chain_file_that_is_not_a_chain_is_refused_with_exit_2(zkcx_cmd, tmp_path, name,
                                                                  command):
    chain = tmp_path / "chain.db"
    chain.write_bytes(NOT_CHAINS[name])
    run = zkcx_cmd(*COMMANDS[command], "--chain", "chain.db")
    assert run.code == 2, run.stderr
    assert "Traceback" not in run.stderr and "chain.db" in run.stderr
    assert chain.read_bytes() == NOT_CHAINS[name]
    assert sorted(os.listdir(tmp_path)) == ["chain.db"]


def test_read_only_commands_leave_a_valid_chain_file_as_it_was(zkcx_cmd, tmp_path):
    chain = tmp_path / "chain.db"
    with SQLiteChainStore.create(chain) as store:
        Chain(store, KernelRegistry()).produce([], timestamp=1)
    data = chain.read_bytes()
    for command in ("block show", "rewards show", "block verify"):
        run = zkcx_cmd(*COMMANDS[command], "--chain", "chain.db")
        assert run.code == 0, run.stderr
        assert chain.read_bytes() == data, command
        assert sorted(os.listdir(tmp_path)) == ["chain.db"], command
