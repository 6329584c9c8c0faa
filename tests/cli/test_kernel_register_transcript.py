# SPDX-License-Identifier: MIT
"""``zkcx kernel register --zkey KEY --ptau PTAU``: a key with a real phase-2 transcript
(a tiny kernel's key made with zkcx.ceremony from the prepared ptau snarkjs made for the
test vectors, one contribution, then a beacon) is verified and its ceremony recorded; a
key with no contribution, a verifying key of another key, a transcript of another circuit
or another ptau, and a transcript that does not meet the spec's [ceremony] are refused
(exit 2, nothing registered). The --r1cs path registers snarkjs's own final key."""

from __future__ import annotations

import hashlib
import pathlib
import shutil

import pytest

from tests.cli.conftest import run_main
from zkcx import ceremony, groth16, kernels
from zkcx.ceremony import read_ptau
from zkcx.r1cs import read_r1cs

VECTORS = pathlib.Path(__file__).resolve().parents[1] / "vectors"
SPEC = 'kernel = "dot"\nn = 2\nfrac_bits = 8\nbound_bits = 16\nbinding = true\n'
OTHER = 'kernel = "dot"\nn = 3\nfrac_bits = 8\nbound_bits = 16\nbinding = true\n'


def b2sum(path) -> str:
    """The BLAKE2b-512 of a file, as b2sum prints it."""
    return hashlib.blake2b(pathlib.Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """dot.toml's keys from the power-7 prepared ptau: k0 (no contribution), k1 (alice's
    contribution), k2 (k1 then a beacon); the ptau as pot.ptau, another as other.ptau."""
    folder = tmp_path_factory.mktemp("transcript")
    shutil.copy(VECTORS / "matmul4" / "pot_final.ptau", folder / "pot.ptau")
    shutil.copy(VECTORS / "poseidon2" / "pot_final.ptau", folder / "other.ptau")
    (folder / "dot.toml").write_text(SPEC)
    (folder / "other.toml").write_text(OTHER)
    kernel = kernels.load(folder / "dot.toml")
    k0 = ceremony.new_zkey(kernel.circuit(), read_ptau(folder / "pot.ptau"))
    k1 = ceremony.contribute_zkey(k0, "alice", b"alice's entropy")
    k2 = ceremony.beacon_zkey(k1, bytes(range(32)), 10, "final beacon")
    for name, pk in (("k0", k0), ("k1", k1), ("k2", k2)):
        groth16.write_zkey(pk, folder / f"{name}.zkey")
        groth16.write_verifying_key(pk.verifying_key, folder / f"{name}.vk.json")
    return folder, {"k1": k1, "k2": k2}


@pytest.fixture
def work(keys, tmp_path, monkeypatch):
    folder, pks = keys
    for item in folder.iterdir():
        (tmp_path / item.name).symlink_to(item)
    monkeypatch.chdir(tmp_path)
    assert run_main("chain", "init", "chain.db").code == 0
    return tmp_path, pks


def register(*args):
    return run_main("--json", "kernel", "register", "--chain", "chain.db", "--kind",
                    "compute", *args)


def listed() -> list[dict]:
    run = run_main("--json", "kernel", "list", "--chain", "chain.db")
    assert run.code == 0, run.stderr
    return run.json()["kernels"]


def test_a_verified_transcript_is_recorded_and_kept(work):
    _, pks = work
    run = register("--kernel", "dot.toml", "--zkey", "k1.zkey", "--ptau", "pot.ptau")
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["unsafe_local_setup"] is False
    record = result["ceremony"]
    assert record["ptau_hash"] == b2sum("pot.ptau")
    published = ceremony.transcript_of(pks["k1"]).contributions[-1].contribution_hash()
    assert record["contributions"] == [{"hash": published.hex(), "name": "alice",
                                        "kind": "contribution"}]
    assert result["kernel_id"] == pks["k1"].verifying_key.digest()  # the zkey's own key
    # the human output names the hashes; nothing warns
    run = run_main("kernel", "register", "k2.vk.json", "--chain", "chain.db", "--kind",
                   "compute", "--kernel", "dot.toml", "--zkey", "k2.zkey", "--ptau",
                   "pot.ptau")
    assert run.code == 0, run.stderr
    assert b2sum("pot.ptau") in run.stdout and "'final beacon'" in run.stdout
    assert "WARNING" not in run.stderr and "UNSAFE" not in run.stdout
    # kept in the chain file: reopened, the same records
    kept = {k["kernel_id"]: k for k in listed()}
    assert kept[result["kernel_id"]]["ceremony"] == record
    beacon = kept[pks["k2"].verifying_key.digest()]["ceremony"]["contributions"]
    assert [c["kind"] for c in beacon] == ["contribution", "beacon"]
    assert beacon[0] == record["contributions"][0]  # the same first contribution
    table = run_main("kernel", "list", "--chain", "chain.db").stdout
    assert "1 contribution + 1 beacon" in table and "UNSAFE" not in table


def test_transcripts_that_do_not_prove_the_key_are_refused(work):
    cases = [
        (["--kernel", "dot.toml", "--zkey", "k0.zkey", "--ptau", "pot.ptau"],
         "no phase-2 contribution"),
        (["k2.vk.json", "--kernel", "dot.toml", "--zkey", "k1.zkey", "--ptau", "pot.ptau"],
         "not the transcript's key"),
        (["--kernel", "other.toml", "--zkey", "k1.zkey", "--ptau", "pot.ptau"],
         "does not verify"),
        (["--kernel", "dot.toml", "--zkey", "k1.zkey", "--ptau", "other.ptau"],
         "does not verify"),
        (["--kernel", "dot.toml", "--zkey", "k1.zkey", "--ptau", "pot.ptau", "--r1cs",
          "x.r1cs"], "without --r1cs"),
        (["--kernel", "dot.toml", "--zkey", "dot.toml", "--ptau", "pot.ptau"], "zkey"),
        (["--kernel", "dot.toml", "--zkey", "k1.zkey", "--ptau", "dot.toml"], "ptau"),
        (["--kernel", "dot.toml", "--zkey", "k1.zkey", "--ptau", "missing.ptau"],
         "missing.ptau"),
    ]
    for args, words in cases:
        run = register(*args)
        assert run.code == 2, (args, run.stdout, run.stderr)
        message = run.json()["error"]["message"]
        assert words in message, (args, message)
    assert listed() == []


def test_the_spec_names_the_ceremony_the_transcript_must_meet(work):
    folder, _ = work
    pot, other = b2sum("pot.ptau"), b2sum("other.ptau")
    specs = {
        "other_ptau": f'[ceremony]\nptau_hash = "{other}"\n',
        "two": f'[ceremony]\nptau_hash = "{pot}"\nmin_contributions = 2\n',
        "beacon": f'[ceremony]\nptau_hash = "{pot.upper()}"\nfinal_beacon = true\n',
    }
    for name, table in specs.items():
        (folder / f"{name}.toml").write_text(SPEC + table)
    refused = [("other_ptau", "k1", "not the ceremony it names"),
               ("two", "k2", "at least 2"), ("beacon", "k1", "final random beacon")]
    for spec, key, words in refused:
        run = register("--kernel", f"{spec}.toml", "--zkey", f"{key}.zkey", "--ptau",
                       "pot.ptau")
        assert run.code == 2 and words in run.json()["error"]["message"], (spec, run.stdout)
    assert listed() == []
    run = register("--kernel", "beacon.toml", "--zkey", "k2.zkey", "--ptau", "pot.ptau")
    assert run.code == 0, run.stderr
    assert listed()[0]["ceremony"]["ptau_hash"] == pot


def test_a_circuit_of_ones_own_registers_with_its_r1cs(work):
    vectors = VECTORS / "multiplier"
    r1cs = vectors / "circuit.r1cs"
    args = ["--zkey", vectors / "circuit_final.zkey", "--ptau", vectors / "pot_final.ptau"]
    constraints = read_r1cs(r1cs).n_constraints
    run = register(*args)
    assert run.code == 2 and "--r1cs" in run.json()["error"]["message"]
    run = register(*args, "--r1cs", r1cs, "--units", constraints + 1)
    assert run.code == 2 and "constraint count" in run.json()["error"]["message"]
    run = register(*args, "--r1cs", r1cs)
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["work_units"] == constraints
    # snarkjs made this key: one contribution, then a beacon, from this ptau
    assert result["ceremony"]["ptau_hash"] == b2sum(vectors / "pot_final.ptau")
    assert [c["kind"] for c in result["ceremony"]["contributions"]] == ["contribution",
                                                                        "beacon"]
