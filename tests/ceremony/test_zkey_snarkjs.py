# SPDX-License-Identifier: MIT
"""Cross-verification with snarkjs itself (node; skipped, saying why, where it is
absent): a ceremony alternating zkcx and snarkjs contributions, in either order, ends in
a key both accept; each tool's beacon is the other's byte for byte; the contribution
hashes snarkjs prints are the record's; the verification keys are the same JSON."""

from __future__ import annotations

import json
import re

import pytest

from tests.ceremony._zkey_node import snarkjs  # noqa: F401 (fixture)
from tests.ceremony._zkey_ptau import VECTORS, vector_ptau
from zkcx.ceremony import beacon_zkey, contribute_zkey, verify_zkey
from zkcx.errors import CeremonyError
from zkcx.groth16 import write_verifying_key
from zkcx.groth16.zkey import read_zkey, write_zkey
from zkcx.r1cs import read_r1cs

BEACON = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"


def _printed_hashes(output: str) -> list[tuple[int, bytes]]:
    """(contribution number, hash) from ``snarkjs zkey verify``'s output."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", output)
    found = re.findall(r"contribution #(\d+)[^\n]*:\n((?:\s+[0-9a-f]{8}(?: [0-9a-f]{8}){3}\n){4})",
                       text)
    return [(int(n), bytes.fromhex("".join(block.split()))) for n, block in found]


@pytest.mark.parametrize("order", ["zkcx first", "snarkjs first"])
def test_a_mixed_ceremony_verifies_in_both_tools(snarkjs, tmp_path, order) -> None:  # noqa: F811
    name = "matmul4"
    r1cs_path, ptau_path = VECTORS / name / "circuit.r1cs", VECTORS / name / "pot_final.ptau"
    r1cs, ptau = read_r1cs(r1cs_path), vector_ptau(name)
    key = tmp_path / "k0.zkey"
    key.write_bytes((VECTORS / name / "circuit_0000.zkey").read_bytes())
    tools = ["zkcx", "snarkjs", "zkcx"] if order == "zkcx first" else [
        "snarkjs", "zkcx", "snarkjs"]
    for i, tool in enumerate(tools, start=1):
        out = tmp_path / f"k{i}.zkey"
        if tool == "zkcx":
            write_zkey(contribute_zkey(read_zkey(key), f"zkcx {i}"), out)
        else:
            snarkjs("zkey", "contribute", key, out, f"--name=snarkjs {i}", f"-e=words {i}")
        key = out
        # each tool accepts the ceremony so far
        verify_zkey(r1cs, ptau, read_zkey(key))
        snarkjs("zkey", "verify", r1cs_path, ptau_path, key)
    ours, theirs = tmp_path / "zkcx_beacon.zkey", tmp_path / "snarkjs_beacon.zkey"
    write_zkey(beacon_zkey(read_zkey(key), bytes.fromhex(BEACON), 10, "beacon"), ours)
    snarkjs("zkey", "beacon", key, theirs, BEACON, "10", "--name=beacon")
    assert ours.read_bytes() == theirs.read_bytes()
    record = verify_zkey(r1cs, ptau, read_zkey(ours))
    printed = snarkjs("zkey", "verify", r1cs_path, ptau_path, ours)
    assert "ZKey Ok!" in printed
    assert sorted(_printed_hashes(printed)) == [
        (i, c.hash) for i, c in enumerate(record.contributions, start=1)]
    assert [c.kind for c in record.contributions] == ["contribution"] * 3 + ["beacon"]
    vk = tmp_path / "vk.json"
    snarkjs("zkey", "export", "verificationkey", ours, vk)
    mine = tmp_path / "vk_zkcx.json"
    write_verifying_key(read_zkey(ours).verifying_key, mine)
    assert json.loads(mine.read_text()) == json.loads(vk.read_text())


def test_snarkjs_refuses_what_zkcx_refuses(snarkjs, tmp_path) -> None:  # noqa: F811
    name = "multiplier"
    r1cs_path = VECTORS / name / "circuit.r1cs"
    other_ptau = VECTORS / "poseidon2" / "pot_final.ptau"
    key = VECTORS / name / "circuit_final.zkey"
    with pytest.raises(CeremonyError):
        verify_zkey(read_r1cs(r1cs_path), vector_ptau("poseidon2"), read_zkey(key))
    with pytest.raises(AssertionError, match="zkey verify"):
        snarkjs("zkey", "verify", r1cs_path, other_ptau, key)
