# SPDX-License-Identifier: MIT
"""``zkcx zkey``: each verb does what its library call does, a key that does not verify
exits 1 saying why, and every bad file argument exits 2 with one line naming it (no
traceback, nothing written)."""

from __future__ import annotations

import json
import os
import shutil
import struct

import numpy as np
import pytest

from tests.ceremony._zkey_ptau import VECTORS, vector_ptau
from tests.cli.conftest import run_main
from zkcx.ceremony import verify_zkey
from zkcx.groth16.zkey import read_zkey
from zkcx.io import binfile
from zkcx.params import FR_MODULUS
from zkcx.r1cs import read_r1cs

V = VECTORS / "multiplier"


@pytest.fixture(autouse=True)
def _needs_ptau_reader():
    vector_ptau("multiplier")  # skips, saying why, until the ptau reader is in the tree


def test_new_writes_snarkjss_setup_key(tmp_path) -> None:
    run = run_main("zkey", "new", V / "circuit.r1cs", V / "pot_final.ptau", tmp_path / "k.zkey")
    assert run.code == 0, run.stderr
    assert (tmp_path / "k.zkey").read_bytes() == (V / "circuit_0000.zkey").read_bytes()
    assert "no contribution yet" in run.stdout


def test_a_fresh_key_does_not_verify_until_a_contribution(tmp_path) -> None:
    run = run_main("zkey", "verify", V / "circuit.r1cs", V / "pot_final.ptau",
                   V / "circuit_0000.zkey")
    assert run.code == 1 and "INVALID" in run.stdout and "no phase-2 contribution" in run.stdout
    run = run_main("zkey", "verify", V / "circuit.r1cs", V / "pot_final.ptau",
                   V / "circuit_0000.zkey", "--allow-unsafe")
    assert run.code == 0 and "WARNING" in run.stdout
    run = run_main("zkey", "contribute", V / "circuit_0000.zkey", tmp_path / "k1.zkey",
                   "--name", "alice", "-e", "entropy words")
    assert run.code == 0, run.stderr
    run = run_main("--json", "zkey", "beacon", tmp_path / "k1.zkey", tmp_path / "k2.zkey",
                   "ab" * 32, "10", "-n", "beacon")
    assert run.code == 0 and json.loads(run.stdout)["kind"] == "beacon"
    run = run_main("--json", "zkey", "verify", V / "circuit.r1cs", V / "pot_final.ptau",
                   tmp_path / "k2.zkey")
    assert run.code == 0, run.stderr
    record = json.loads(run.stdout)["record"]
    library = verify_zkey(read_r1cs(V / "circuit.r1cs"), vector_ptau("multiplier"),
                          read_zkey(tmp_path / "k2.zkey"))
    assert record == library.to_json()
    assert [c["name"] for c in record["contributions"]] == ["alice", "beacon"]


def test_a_key_from_another_ptau_exits_1_naming_it() -> None:
    run = run_main("zkey", "verify", V / "circuit.r1cs",
                   VECTORS / "poseidon2" / "pot_final.ptau", V / "circuit_final.zkey")
    assert run.code == 1 and "another powers-of-tau file" in run.stdout


def test_export_verificationkey_writes_snarkjss_json(tmp_path) -> None:
    run = run_main("zkey", "export", "verificationkey", V / "circuit_final.zkey",
                   tmp_path / "vk.json")
    assert run.code == 0, run.stderr
    assert json.loads((tmp_path / "vk.json").read_text()) == json.loads(
        (V / "verification_key.json").read_text())


@pytest.mark.parametrize("args, words", [
    (["beacon", "{zkey}", "out.zkey", "zz", "10"], "not hexadecimal"),
    (["beacon", "{zkey}", "out.zkey", "00", "3"], "10 to 63"),
    (["beacon", "{zkey}", "out.zkey", "00", "ten"], "invalid int value"),
    (["new", "{r1cs}", "{ptau}", "no/such/folder/k.zkey"], "not an existing folder"),
    (["new", str(VECTORS / "poseidon2" / "circuit.r1cs"), "{ptau}", "k.zkey"], "power 2"),
])
def test_bad_arguments_exit_2_with_a_message(tmp_path, monkeypatch, args, words) -> None:
    monkeypatch.chdir(tmp_path)
    files = {"zkey": V / "circuit_final.zkey", "r1cs": V / "circuit.r1cs",
             "ptau": V / "pot_final.ptau"}
    argv = [a.format(**{k: str(p) for k, p in files.items()}) for a in args]
    run = run_main("zkey", *argv)
    assert run.code == 2 and words in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out.zkey").exists() and not (tmp_path / "k.zkey").exists()


def _bad_files(slot_file, d):
    good = slot_file.read_bytes()
    suffix = slot_file.suffix
    d.mkdir()
    out = {"missing": d / f"missing{suffix}", "directory": d / f"dir{suffix}",
           "unreadable-eio": d / f"eio{suffix}", "fifo": d / f"fifo{suffix}"}
    out["directory"].mkdir()
    out["unreadable-eio"].symlink_to("/proc/self/mem")
    os.mkfifo(out["fifo"])
    for name, data in (("empty", b""), ("one-byte", good[:1]),
                       ("truncated", good[: len(good) // 2]),
                       ("binary-junk", np.random.default_rng(3).bytes(3000)),
                       ("wrong-type", (V / "circuit.r1cs").read_bytes() if suffix != ".r1cs"
                        else (V / "circuit_final.zkey").read_bytes()),
                       ("huge-count", good[:4] + (1).to_bytes(4, "little")
                        + (1).to_bytes(4, "little") + (1).to_bytes(4, "little")
                        + (1 << 60).to_bytes(8, "little") + bytes(64))):
        out[name] = d / f"{name}{suffix}"
        out[name].write_bytes(data)
    return out


@pytest.mark.parametrize("command, slot", [
    ("new {r1cs} {ptau} out.zkey", "r1cs"), ("new {r1cs} {ptau} out.zkey", "ptau"),
    ("contribute {zkey} out.zkey --name x", "zkey"),
    ("beacon {zkey} out.zkey 0a 10", "zkey"),
    ("verify {r1cs} {ptau} {zkey}", "r1cs"), ("verify {r1cs} {ptau} {zkey}", "ptau"),
    ("verify {r1cs} {ptau} {zkey}", "zkey"),
    ("export verificationkey {zkey} out.json", "zkey"),
])
def test_every_bad_file_exits_2_naming_it(tmp_path, monkeypatch, command, slot) -> None:
    monkeypatch.chdir(tmp_path)
    files = {"r1cs": V / "circuit.r1cs", "ptau": V / "pot_final.ptau",
             "zkey": V / "circuit_final.zkey"}
    failures = []
    for kind, bad in _bad_files(files[slot], tmp_path / "bad").items():
        argv = command.format(**{k: str(bad if k == slot else p) for k, p in files.items()})
        run = run_main("zkey", *argv.split())
        lines = [line for line in run.stderr.splitlines() if ": error: " in line]
        if run.code != 2 or "Traceback" in run.stderr or len(lines) != 1 \
                or str(bad) not in lines[0]:
            failures.append((kind, run.code, run.stderr[-400:]))
        if (tmp_path / "out.zkey").exists() or (tmp_path / "out.json").exists():
            failures.append((kind, "an output was written"))
    shutil.rmtree(tmp_path / "bad")
    assert not failures, failures


@pytest.mark.parametrize("field, value, words", [
    ("wire", 10**6, "names wire 1000000"),
    ("coefficient", FR_MODULUS, "coefficient not below r"),
])
def test_a_circuit_term_out_of_range_exits_2_naming_the_circuit(tmp_path, field, value,
                                                                 words) -> None:
    """The terms are checked before C sums with them: a wire beyond nWires, a coefficient
    not below r (in the first constraint's first A term)."""
    f = binfile.parse((V / "circuit.r1cs").read_bytes(), b"r1cs", 1)
    body = bytearray(f.section(2))
    assert struct.unpack_from("<I", body, 0)[0] > 0  # the first A combination has a term
    if field == "wire":
        body[4:8] = struct.pack("<I", value)
    else:
        body[8:40] = value.to_bytes(32, "little")
    bad = tmp_path / "bad.r1cs"
    bad.write_bytes(binfile.build(b"r1cs", 1, [(k, bytes(v[0]) if k != 2 else bytes(body))
                                                for k, v in f.sections.items()]))
    run = run_main("zkey", "new", bad, V / "pot_final.ptau", tmp_path / "out.zkey")
    assert run.code == 2 and words in run.stderr and str(bad) in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "out.zkey").exists()


def _with_bad_point(ptau_path, section: int, index: int, target) -> None:
    """A copy of a ptau file with point ``index`` of ``section`` moved off its curve."""
    data = bytearray(ptau_path.read_bytes())
    offset = 12
    while True:
        sid, size = int.from_bytes(data[offset:offset + 4], "little"), int.from_bytes(
            data[offset + 4:offset + 12], "little")
        if sid == section:
            point = 128 if section in (3, 13) else 64
            data[offset + 12 + index * point + 5] ^= 1
            break
        offset += 12 + size
    target.write_bytes(bytes(data))


@pytest.mark.parametrize("command", ["new {r1cs} {ptau} out.zkey",
                                     "verify {r1cs} {ptau} {zkey}"])
def test_a_bad_point_in_a_block_the_key_uses_exits_2_naming_the_ptau(tmp_path, monkeypatch,
                                                                     command) -> None:
    """The ptau is read in place, each block checked when first used: a point off its
    curve in a block the circuit needs is still a usage error naming the file."""
    monkeypatch.chdir(tmp_path)
    n = read_zkey(V / "circuit_final.zkey").domain_size
    bad = tmp_path / "bad.ptau"
    _with_bad_point(V / "pot_final.ptau", 12, n - 1 + 1, bad)  # in the block of size n
    argv = command.format(r1cs=V / "circuit.r1cs", ptau=bad, zkey=V / "circuit_final.zkey")
    run = run_main("zkey", *argv.split())
    assert run.code == 2 and "Traceback" not in run.stderr, run.stderr
    assert str(bad) in run.stderr and "section 12" in run.stderr and f"point {n}" in run.stderr
    assert not (tmp_path / "out.zkey").exists()


def test_ptau_verify_exits_2_for_a_bad_point_found_late(tmp_path) -> None:
    bad = tmp_path / "bad.ptau"
    _with_bad_point(V / "pot_final.ptau", 13, 2, bad)
    run = run_main("ptau", "verify", bad)
    assert run.code == 2 and "Traceback" not in run.stderr, run.stderr
    assert str(bad) in run.stderr and "section 13" in run.stderr


def test_verify_hashes_the_ptau_file_beside_its_imports(tmp_path) -> None:
    """The record's ptau hash (hashed on its own thread from the path) is the file's
    BLAKE2b-512; an unreadable path gives None, and the library hashes the file then."""
    import hashlib

    from zkcx.ceremony import read_ptau
    from zkcx.cli.zkey_commands import _FileHash

    run = run_main("zkey", "contribute", V / "circuit_0000.zkey", tmp_path / "k1.zkey",
                   "--name", "alice", "-e", "entropy words")
    assert run.code == 0, run.stderr
    run = run_main("--json", "zkey", "verify", V / "circuit.r1cs", V / "pot_final.ptau",
                   tmp_path / "k1.zkey")
    assert run.code == 0, run.stderr
    expected = hashlib.blake2b((V / "pot_final.ptau").read_bytes(), digest_size=64).digest()
    assert json.loads(run.stdout)["record"]["ptau_hash"] == expected.hex()
    ptau = read_ptau(V / "pot_final.ptau")
    assert _FileHash(str(V / "pot_final.ptau")).digest_of(ptau) == expected
    assert _FileHash(str(tmp_path / "missing.ptau")).digest_of(ptau) is None
    # a hash of another file (here: a copy, another inode) is not taken for the mapped one
    shutil.copy(V / "pot_final.ptau", tmp_path / "copy.ptau")
    assert _FileHash(str(tmp_path / "copy.ptau")).digest_of(ptau) is None
    assert _FileHash(str(tmp_path / "copy.ptau")).digest_of(
        read_ptau(tmp_path / "copy.ptau")) == expected
    record = verify_zkey(read_r1cs(V / "circuit.r1cs"), vector_ptau("multiplier"),
                         read_zkey(tmp_path / "k1.zkey"), ptau_hash=lambda: None)
    assert record.ptau_hash == vector_ptau("multiplier").file_hash == expected
