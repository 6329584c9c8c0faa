# SPDX-License-Identifier: MIT
"""``zkcx kernel register`` and the key's trusted setup: without a verifiable transcript
it refuses (exit 2, saying what to give), unless told --unsafe-local-setup, which it
records and says loudly; ``kernel list`` shows each key's setup; a spec naming its
ceremony refuses a local setup."""

from __future__ import annotations

import pytest

from tests.cli.conftest import chain_folder, run_main
from zkcx.accounts import Signer

SPEC = ('kernel = "dot"\nn = 4\nfrac_bits = 8\nbound_bits = 16\nbinding = true\n'
        '[visibility]\nx = "committed"\ny = "committed"\n')
NAMED = SPEC + '[ceremony]\nptau_hash = "' + "ab" * 64 + '"\nmin_contributions = 1\n'
OWNER = Signer(bytes(31) + bytes([9]))


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A dot kernel set up locally (``zkcx setup``: dot.zkey, dot.vk.json), the same
    kernel's spec naming a ceremony (named.toml), and a chain."""
    chain_folder(tmp_path, monkeypatch, {"dot": SPEC}, f"{OWNER.address}=1", "pw", (OWNER,))
    (tmp_path / "named.toml").write_text(NAMED)
    return tmp_path


REGISTER = ["kernel", "register", "dot.vk.json", "--chain", "chain.db", "--kind", "compute"]


def _kernels() -> list[dict]:
    run = run_main("--json", "kernel", "list", "--chain", "chain.db")
    assert run.code == 0, run.stderr
    return run.json()["kernels"]


def test_a_key_without_a_transcript_is_refused_unless_said_unsafe(work):
    for terms in (["--kernel", "dot.toml"], ["--units", "5"]):
        run = run_main(*REGISTER, *terms)
        assert run.code == 2, run.stderr
        assert "--zkey KEY.zkey --ptau FILE.ptau" in run.stderr
        assert "--unsafe-local-setup" in run.stderr and "Traceback" not in run.stderr
    run = run_main("--json", *REGISTER, "--kernel", "dot.toml")
    assert run.code == 2 and run.json()["exit_code"] == 2
    assert "--unsafe-local-setup" in run.json()["error"]["message"]
    assert _kernels() == []  # nothing registered
    run = run_main(*REGISTER, "--kernel", "dot.toml", "--unsafe-local-setup")
    assert run.code == 0, run.stderr
    assert "UNSAFE LOCAL SETUP" in run.stdout
    assert "WARNING" in run.stderr and "forge proofs" in run.stderr
    (kernel,) = _kernels()
    assert kernel["unsafe_local_setup"] is True
    assert kernel["ceremony"] == "unsafe-local-setup"
    listed = run_main("kernel", "list", "--chain", "chain.db")
    assert listed.code == 0 and "UNSAFE local setup" in listed.stdout


def test_register_json_says_the_setup(work):
    run = run_main("--json", *REGISTER, "--kernel", "dot.toml", "--unsafe-local-setup")
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["unsafe_local_setup"] is True and result["ceremony"] == "unsafe-local-setup"
    assert "WARNING" in run.stderr  # said even with --json, on stderr


def test_transcript_arguments_are_checked_before_anything_is_read(work):
    cases = [
        (["--kernel", "dot.toml", "--unsafe-local-setup", "--zkey", "dot.zkey"],
         "without --zkey"),
        (["--kernel", "dot.toml", "--unsafe-local-setup", "--r1cs", "x.r1cs"],
         "without --zkey"),
        (["--kernel", "dot.toml", "--zkey", "dot.zkey"], "--ptau FILE.ptau"),
        (["--kernel", "dot.toml", "--ptau", "x.ptau"], "--zkey KEY.zkey"),
    ]
    for extra, word in cases:
        run = run_main(*REGISTER, *extra)
        assert run.code == 2 and word in run.stderr, (extra, run.stderr)
    assert _kernels() == []


def test_a_spec_naming_its_ceremony_refuses_a_local_setup(work):
    run = run_main(*REGISTER, "--kernel", "named.toml", "--unsafe-local-setup")
    assert run.code == 2 and "names its ceremony" in run.stderr, run.stderr
    assert _kernels() == []
