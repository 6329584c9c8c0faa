# SPDX-License-Identifier: MIT
"""zkcx aggregate / verify-aggregate: proofs written as snarkjs JSON files aggregated with
an SRS from two .ptau files (or an unsafe seed) and verified; exit 1 for another label
or permuted public files; exit 2 with a message for bad arguments and files."""

from __future__ import annotations

import pytest

from tests.cli.conftest import run_main
from tests.groth16._aggregate_fixtures import demo_proofs
from zkcx.ceremony.phase1 import contribute_ptau, new_ptau
from zkcx.ceremony.ptau import write_ptau
from zkcx.groth16 import write_proof, write_public, write_verifying_key


@pytest.fixture
def files(tmp_path, monkeypatch):
    vk, proofs, publics = demo_proofs(3)
    write_verifying_key(vk, tmp_path / "vk.json")
    names = []
    for k, (proof, public) in enumerate(zip(proofs, publics)):
        write_proof(proof, tmp_path / f"proof_{k}.json")
        write_public(list(public), tmp_path / f"public_{k}.json")
        names += [f"proof_{k}.json", f"public_{k}.json"]
    for name in ("a", "b"):
        write_ptau(contribute_ptau(new_ptau(3), name, entropy=name.encode()),
                   tmp_path / f"{name}.ptau")
    monkeypatch.chdir(tmp_path)
    return tmp_path, names


SRS = ("--ptau", "a.ptau", "--ptau", "b.ptau")


def test_aggregate_then_verify_with_two_ptau_files(files):
    folder, names = files
    run = run_main("--json", "aggregate", "vk.json", *names, *SRS, "--label-hex", "0xab12",
                   "-o", "agg.bin")
    assert run.code == 0, run.stderr
    report = run.json()
    assert report["count"] == 3 and report["bytes"] == (folder / "agg.bin").stat().st_size
    assert report["unsafe_srs"] is False
    publics = names[1::2]
    run = run_main("verify-aggregate", "vk.json", "agg.bin", *publics, *SRS,
                   "--label-hex", "ab12")
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == "OK: the aggregate of 3 proofs is valid"
    run = run_main("verify-aggregate", "vk.json", "agg.bin", *publics, *SRS, "--label", "x")
    assert run.code == 1 and "INVALID" in run.stdout
    swapped = [publics[1], publics[0], publics[2]]
    run = run_main("verify-aggregate", "vk.json", "agg.bin", *swapped, *SRS,
                   "--label-hex", "ab12")
    assert run.code == 1


def test_unsafe_seed_srs(files):
    _, names = files
    run = run_main("--json", "aggregate", "vk.json", *names, "--unsafe-srs", "demo",
                   "--label", "b1")
    assert run.code == 0 and run.json()["unsafe_srs"] is True
    run = run_main("verify-aggregate", "vk.json", "aggregate.bin", *names[1::2],
                   "--unsafe-srs", "demo", "--label", "b1")
    assert run.code == 0, run.stderr


@pytest.mark.parametrize("case, message", [
    (("aggregate", "vk.json", "proof_0.json", "--unsafe-srs", "s", "--label", "l"), "pairs"),
    (("aggregate", "vk.json", "proof_0.json", "public_0.json", "--unsafe-srs", "s"),
     "label once"),
    (("aggregate", "vk.json", "proof_0.json", "public_0.json", "--label", "l"), "two powers"),
    (("aggregate", "vk.json", "proof_0.json", "public_0.json", "--label", "l",
      "--ptau", "a.ptau"), "two powers"),
    (("aggregate", "vk.json", "proof_0.json", "public_0.json", "--label-hex", "zz",
      "--unsafe-srs", "s"), "not hexadecimal"),
    (("aggregate", "vk.json", "public_0.json", "proof_0.json", "--label", "l",
      "--unsafe-srs", "s"), "proof"),
    (("aggregate", "vk.json", "proof_0.json", "public_0.json", "--label", "l",
      "--ptau", "a.ptau", "--ptau", "a.ptau"), "independent"),
    (("verify-aggregate", "vk.json", "vk.json", "public_0.json", "--label", "l",
      "--unsafe-srs", "s"), "does not start with"),
    (("verify-aggregate", "vk.json", "missing.bin", "public_0.json", "--label", "l",
      "--unsafe-srs", "s"), "missing.bin"),
])
def test_bad_input_is_exit_2_with_a_message(files, case, message):
    run = run_main(*case)
    assert run.code == 2, (run.stdout, run.stderr)
    assert message in run.stderr and "Traceback" not in run.stderr


def test_a_truncated_aggregate_or_wrong_public_count_is_exit_2(files):
    folder, names = files
    assert run_main("aggregate", "vk.json", *names, "--unsafe-srs", "s", "--label", "l").code == 0
    data = (folder / "aggregate.bin").read_bytes()
    (folder / "short.bin").write_bytes(data[:-5])
    run = run_main("verify-aggregate", "vk.json", "short.bin", *names[1::2],
                   "--unsafe-srs", "s", "--label", "l")
    assert run.code == 2 and "does not decode" in run.stderr
    run = run_main("verify-aggregate", "vk.json", "aggregate.bin", *names[1:4:2],
                   "--unsafe-srs", "s", "--label", "l")
    assert run.code == 2 and "covers 3 proofs" in run.stderr
