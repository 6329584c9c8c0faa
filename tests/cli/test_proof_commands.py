# SPDX-License-Identifier: MIT
"""zkcx setup / prove --wtns / verify / export through the entry point: the happy path,
snarkjs's vectors, exit codes, and bad or corrupt files."""

from __future__ import annotations

import pytest

from tests.vectors import VECTORS
from zkcx.r1cs import ConstraintSystem, write_r1cs, write_wtns


@pytest.fixture
def cubic_files(tmp_path):
    """A small circuit and a satisfying witness written as circom files."""
    cs = ConstraintSystem("cubic")
    x = cs.private_input("x")
    out = cs.output("out")
    cs.assert_equal(x * x * x + x + 5, out, "result")
    r1cs = cs.build()
    write_r1cs(r1cs, tmp_path / "cubic.r1cs")
    write_wtns(r1cs.solve({x: 3, out: 35}), tmp_path / "good.wtns")
    write_wtns(r1cs.solve({x: 3, out: 36}), tmp_path / "bad.wtns")
    return tmp_path


def test_setup_prove_verify_and_calldata_round_trip(zkcx_cmd, cubic_files):
    run = zkcx_cmd("--json", "setup", "cubic.r1cs", "cubic.zkey")
    assert run.code == 0, run.stderr
    assert run.json()["constraints"] == 3
    run = zkcx_cmd("prove", "cubic.zkey", "--wtns", "good.wtns", "--r1cs", "cubic.r1cs")
    assert run.code == 0, run.stderr
    assert (cubic_files / "public.json").read_text().split() == ["[", '"35"', "]"]
    run = zkcx_cmd("verify", "verification_key.json", "public.json", "proof.json")
    assert (run.code, run.stdout.strip()) == (0, "OK: the proof is valid")
    run = zkcx_cmd("--json", "export", "calldata", "public.json", "proof.json")
    assert run.code == 0 and run.json()["calldata"].startswith('["0x')


def test_an_unsatisfied_witness_is_refused_naming_the_constraint(zkcx_cmd, cubic_files):
    assert zkcx_cmd("setup", "cubic.r1cs", "cubic.zkey").code == 0
    run = zkcx_cmd("prove", "cubic.zkey", "--wtns", "bad.wtns", "--r1cs", "cubic.r1cs")
    assert run.code == 2
    assert "UnsatisfiedConstraintError: constraint #2" in run.stderr
    assert "✗ proving" in run.stderr
    assert not (cubic_files / "proof.json").exists()


def test_verify_accepts_snarkjs_proofs_and_exits_1_on_each_negative_case(zkcx_cmd):
    vec = VECTORS / "matmul4"
    run = zkcx_cmd("verify", vec / "verification_key.json", vec / "public.json",
                   vec / "proof.json")
    assert run.code == 0, run.stderr
    run = zkcx_cmd("verify", vec / "verification_key.json", vec / "negative/public_wrong.json",
                   vec / "proof.json")
    assert run.code == 1
    for name in ("proof_pi_a_doubled.json", "proof_pi_a_pi_c_swapped.json"):
        run = zkcx_cmd("verify", vec / "verification_key.json", vec / "public.json",
                       vec / "negative" / name)
        assert run.code == 1, (name, run.stderr)


def test_bad_arguments_and_corrupt_files_exit_2_with_a_message(zkcx_cmd, cubic_files):
    assert zkcx_cmd("no-such-command").code == 2
    assert zkcx_cmd("verify", "only-one-arg").code == 2
    run = zkcx_cmd("verify", "missing.json", "public.json", "proof.json")
    assert run.code == 2 and "does not exist" in run.stderr
    (cubic_files / "garbage.json").write_text("{not json")
    run = zkcx_cmd("verify", "garbage.json", "garbage.json", "garbage.json")
    assert run.code == 2 and "'garbage.json': not valid JSON" in run.stderr
    (cubic_files / "short.r1cs").write_bytes((cubic_files / "cubic.r1cs").read_bytes()[:40])
    run = zkcx_cmd("setup", "short.r1cs", "x.zkey")
    assert run.code == 2 and "FileFormatError" in run.stderr
    run = zkcx_cmd("prove", "x.zkey")
    assert run.code == 2 and "nothing to prove" in run.stderr


def test_without_a_command_it_prints_help_and_info_runs_the_self_check(zkcx_cmd):
    run = zkcx_cmd()
    assert run.code == 0 and "usage: zkcx" in run.stdout
    run = zkcx_cmd("--json", "info")
    assert run.code == 0 and run.json()["selfcheck_failures"] == 0
