# SPDX-License-Identifier: MIT
"""``zkcx prove KEY W1.wtns W2.wtns ...``: numbered proofs that verify and carry each
witness's own public signals; a bad, foreign, unsatisfied or missing witness file exits 2
naming that file and writes no proof; options that name one proof are refused; the
single-witness forms are unchanged."""

from __future__ import annotations

import json

import pytest

from zkcx.r1cs import ConstraintSystem, write_r1cs, write_wtns


@pytest.fixture
def keyed_files(tmp_path, zkcx_cmd):
    """A cubic circuit (out = x^3 + x + 5), its key, four good witnesses (x = 1..4), an
    unsatisfied one and a witness of another circuit."""
    cs = ConstraintSystem("cubic")
    x = cs.private_input("x")
    out = cs.output("out")
    cs.assert_equal(x * x * x + x + 5, out, "result")
    r1cs = cs.build()
    write_r1cs(r1cs, tmp_path / "cubic.r1cs")
    for v in range(1, 5):
        write_wtns(r1cs.solve({x: v, out: v**3 + v + 5}), tmp_path / f"w{v}.wtns")
    write_wtns(r1cs.solve({x: 3, out: 36}), tmp_path / "bad.wtns")
    other = ConstraintSystem("product")
    ys = [other.private_input(f"y{i}") for i in range(6)]
    o = other.output("o")
    acc = ys[0]
    for y in ys[1:]:
        acc = other.mul(acc, y)
    other.assert_equal(acc, o, "o")
    osys = other.build()
    assert osys.n_wires != r1cs.n_wires
    write_wtns(osys.solve({**{y: 2 for y in ys}, o: 64}), tmp_path / "foreign.wtns")
    assert zkcx_cmd("setup", "cubic.r1cs", "cubic.zkey").code == 0
    return tmp_path


def test_several_witnesses_give_numbered_proofs_that_verify(zkcx_cmd, keyed_files):
    run = zkcx_cmd("--json", "prove", "cubic.zkey", "w3.wtns", "w1.wtns", "w4.wtns",
                   "--out-dir", "proofs")
    assert run.code == 0, run.stderr
    data = run.json()
    assert data["count"] == 3 and [p["n_public"] for p in data["proofs"]] == [1, 1, 1]
    for k, v in enumerate((3, 1, 4), start=1):
        public = keyed_files / "proofs" / f"public_{k}.json"
        assert json.loads(public.read_text()) == [str(v**3 + v + 5)]
        check = zkcx_cmd("verify", "verification_key.json", public,
                         keyed_files / "proofs" / f"proof_{k}.json")
        assert check.code == 0, check.stderr
    # the proof of witness 1 does not verify against witness 2's public signals
    swapped = zkcx_cmd("verify", "verification_key.json", "proofs/public_2.json",
                       "proofs/proof_1.json")
    assert swapped.code == 1


def test_wtns_counts_as_the_first_and_the_current_folder_is_the_default(zkcx_cmd,
                                                                        keyed_files):
    run = zkcx_cmd("prove", "cubic.zkey", "w2.wtns", "--wtns", "w4.wtns", "--r1cs",
                   "cubic.r1cs")
    assert run.code == 0, run.stderr
    assert json.loads((keyed_files / "public_1.json").read_text()) == [str(4**3 + 4 + 5)]
    assert json.loads((keyed_files / "public_2.json").read_text()) == [str(2**3 + 2 + 5)]


@pytest.mark.parametrize("bad,message", [
    ("bad.wtns", "witness 'bad.wtns': UnsatisfiedWitnessError"),
    ("foreign.wtns", "witness 'foreign.wtns' has"),
    ("cubic.r1cs", "'cubic.r1cs' does not start with b'wtns'"),
    ("missing.wtns", "missing.wtns"),
])
def test_a_bad_witness_file_exits_2_naming_it_and_writes_nothing(zkcx_cmd, keyed_files, bad,
                                                                message):
    run = zkcx_cmd("prove", "cubic.zkey", "w1.wtns", bad, "w2.wtns", "--out-dir", "proofs")
    assert run.code == 2
    assert message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert not (keyed_files / "proofs").exists()


def test_an_unsatisfied_witness_names_its_constraint_with_the_r1cs(zkcx_cmd, keyed_files):
    run = zkcx_cmd("prove", "cubic.zkey", "w1.wtns", "bad.wtns", "--r1cs", "cubic.r1cs")
    assert run.code == 2
    assert "witness 'bad.wtns': UnsatisfiedConstraintError: constraint #2" in run.stderr
    assert not (keyed_files / "proof_1.json").exists()


def test_options_that_name_one_proof_are_refused_with_several(zkcx_cmd, keyed_files):
    run = zkcx_cmd("prove", "cubic.zkey", "w1.wtns", "w2.wtns", "--proof", "p.json")
    assert run.code == 2 and "--out-dir" in run.stderr
    run = zkcx_cmd("prove", "cubic.zkey", "w1.wtns", "--out-dir", "proofs")
    assert run.code == 2 and "several witness files" in run.stderr
    (keyed_files / "afile").write_text("x")
    run = zkcx_cmd("prove", "cubic.zkey", "w1.wtns", "w2.wtns", "--out-dir", "afile")
    assert run.code == 2 and "not a folder" in run.stderr
    run = zkcx_cmd("prove", "cubic.zkey", "w1.wtns", "w2.wtns", "--kernel", "k.toml")
    assert run.code == 2 and "not both" in run.stderr


def test_one_witness_keeps_the_single_proof_form(zkcx_cmd, keyed_files):
    for args in (("w3.wtns",), ("--wtns", "w3.wtns")):
        run = zkcx_cmd("prove", "cubic.zkey", *args, "--proof", "p.json", "--public", "q.json")
        assert run.code == 0, run.stderr
        assert json.loads((keyed_files / "q.json").read_text()) == ["35"]
        assert zkcx_cmd("verify", "verification_key.json", "q.json", "p.json").code == 0
        assert not (keyed_files / "proof_1.json").exists()
