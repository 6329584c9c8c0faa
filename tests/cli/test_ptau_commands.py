# SPDX-License-Identifier: MIT
"""``zkcx ptau``: a whole ceremony through the command line (new, contribute, beacon,
prepare, verify), a tampered file reported INVALID with exit 1, and bad arguments
answered with exit 2 and a message, never a traceback."""

from __future__ import annotations

import dataclasses

import pytest

from tests.cli.conftest import run_main
from zkcx.ceremony import read_ptau, write_ptau
from zkcx.curve import G1


@pytest.fixture(scope="module")
def ceremony(tmp_path_factory):
    d = tmp_path_factory.mktemp("ptau")
    steps = [("ptau", "new", 3, d / "p0.ptau"),
             ("ptau", "contribute", d / "p0.ptau", d / "p1.ptau", "-n=Alice", "-e=words"),
             ("ptau", "contribute", d / "p1.ptau", d / "p2.ptau", "--name", "Bob"),
             ("ptau", "beacon", d / "p2.ptau", d / "p3.ptau", "0x" + "ab" * 32, 10,
              "--name", "beacon"),
             ("ptau", "prepare", d / "p3.ptau", d / "final.ptau")]
    for argv in steps:
        run = run_main("--json", *argv)
        assert run.code == 0, (argv, run.stderr)
    return d


def test_a_ceremony_through_the_cli(ceremony):
    run = run_main("--json", "ptau", "verify", ceremony / "final.ptau")
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["valid"] and result["prepared"] and result["power"] == 3
    assert [(c["kind"], c["name"]) for c in result["contributions"]] == [
        ("contribution", "Alice"), ("contribution", "Bob"), ("beacon", "beacon")]
    ptau = read_ptau(ceremony / "final.ptau")
    assert result["ptau_hash"] == ptau.file_hash.hex()
    assert result["contributions"][1]["contribution_hash"] == \
        ptau.contributions[1].response_hash.hex()
    assert str(ceremony) not in run.stdout  # data never names a file
    text = run_main("ptau", "verify", ceremony / "p3.ptau")
    assert text.code == 0 and "not prepared" in text.stdout


def test_a_tampered_file_is_invalid(ceremony, tmp_path):
    ptau = read_ptau(ceremony / "p3.ptau")
    first = ptau.contributions[0]
    bad = dataclasses.replace(ptau, contributions=(
        dataclasses.replace(first, beta_g1=first.beta_g1 + G1.generator()),
        *ptau.contributions[1:]))
    write_ptau(bad, tmp_path / "bad.ptau")
    run = run_main("ptau", "verify", tmp_path / "bad.ptau")
    assert run.code == 1 and "INVALID: contribution #1 ('Alice'): its beta·G1" in run.stdout
    run = run_main("--json", "ptau", "verify", tmp_path / "bad.ptau")
    assert run.code == 1 and run.json()["valid"] is False
    run = run_main("ptau", "verify", ceremony / "p0.ptau")
    assert run.code == 1 and "no contribution" in run.stdout


@pytest.mark.parametrize(("argv", "message"), [
    (["ptau", "new", "0", "x.ptau"], "power of a ptau is an integer in 1..28"),
    (["ptau", "new", "three", "x.ptau"], "invalid int value"),
    (["ptau", "new", "2", "no/such/dir/x.ptau"], "is not an existing folder"),
    (["ptau", "beacon", "{p3}", "x.ptau", "xyz", "10"], "is not hexadecimal"),
    (["ptau", "beacon", "{p3}", "x.ptau", "abcd", "5"], "10..63"),
    (["ptau", "beacon", "{p3}", "x.ptau", "", "10"], "1 to 255 bytes"),
    (["ptau", "contribute", "{p3}"], "the following arguments are required"),
    (["ptau", "verify", "{missing}"], "does not exist"),
    (["ptau"], "required"),
])
def test_bad_arguments_exit_2(ceremony, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    argv = [a.format(p3=ceremony / "p3.ptau", missing=tmp_path / "none.ptau") for a in argv]
    run = run_main(*argv)
    assert run.code == 2 and message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "x.ptau").exists()
