# SPDX-License-Identifier: MIT
"""Phase 1 against snarkjs 0.7.6 itself (node; skipped with a reason where absent):
``ptau new``, ``beacon`` and ``prepare`` byte-identical to snarkjs's, and ceremonies
mixing zkcx and snarkjs contributions in either order accepted by both verifiers."""

from __future__ import annotations

import pytest

from tests.ceremony._zkey_node import snarkjs  # noqa: F401 (fixture)
from zkcx.ceremony.phase1 import beacon_ptau, contribute_ptau, new_ptau
from zkcx.ceremony.phase1_prepare import prepare_ptau
from zkcx.ceremony.phase1_verify import verify_ptau
from zkcx.ceremony.ptau import ptau_bytes, read_ptau, write_ptau

pytestmark = pytest.mark.node
BEACON = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"


@pytest.mark.parametrize("power", [1, 2, 5])
def test_new_is_byte_identical(snarkjs, tmp_path, power):  # noqa: F811
    snarkjs("powersoftau", "new", "bn128", power, tmp_path / "theirs.ptau")
    assert ptau_bytes(new_ptau(power)) == (tmp_path / "theirs.ptau").read_bytes()


def test_beacon_and_prepare_are_byte_identical(snarkjs, tmp_path):  # noqa: F811
    snarkjs("powersoftau", "new", "bn128", 4, tmp_path / "p0.ptau")
    snarkjs("powersoftau", "contribute", tmp_path / "p0.ptau", tmp_path / "p1.ptau",
            "-n=someone", "-e=random text")
    snarkjs("powersoftau", "beacon", tmp_path / "p1.ptau", tmp_path / "p2.ptau", BEACON, 10,
            "-n=the beacon")
    ours = beacon_ptau(read_ptau(tmp_path / "p1.ptau"), bytes.fromhex(BEACON), 10,
                       "the beacon")
    assert ptau_bytes(ours) == (tmp_path / "p2.ptau").read_bytes()
    snarkjs("powersoftau", "prepare", "phase2", tmp_path / "p2.ptau", tmp_path / "p3.ptau")
    assert ptau_bytes(prepare_ptau(ours)) == (tmp_path / "p3.ptau").read_bytes()


def test_zkcx_snarkjs_zkcx_beacon_verifies_in_both(snarkjs, tmp_path):  # noqa: F811
    write_ptau(contribute_ptau(new_ptau(3), "zkcx one"), tmp_path / "a.ptau")
    snarkjs("powersoftau", "verify", tmp_path / "a.ptau")
    snarkjs("powersoftau", "contribute", tmp_path / "a.ptau", tmp_path / "b.ptau",
            "-n=snarkjs two", "-e=entropy")
    c = contribute_ptau(read_ptau(tmp_path / "b.ptau"), "zkcx three")
    final = prepare_ptau(beacon_ptau(c, bytes.fromhex(BEACON), 10, "beacon"))
    write_ptau(final, tmp_path / "final.ptau")
    out = snarkjs("powersoftau", "verify", tmp_path / "final.ptau")
    assert "Powers of Tau Ok!" in out and "zkcx three" in out
    names = [r.name for r in verify_ptau(read_ptau(tmp_path / "final.ptau")).contributions]
    assert names == ["zkcx one", "snarkjs two", "zkcx three", "beacon"]


def test_snarkjs_zkcx_snarkjs_beacon_verifies_in_both(snarkjs, tmp_path):  # noqa: F811
    snarkjs("powersoftau", "new", "bn128", 3, tmp_path / "p0.ptau")
    snarkjs("powersoftau", "contribute", tmp_path / "p0.ptau", tmp_path / "p1.ptau",
            "-n=snarkjs one", "-e=entropy")
    write_ptau(contribute_ptau(read_ptau(tmp_path / "p1.ptau"), "zkcx two"),
               tmp_path / "p2.ptau")
    snarkjs("powersoftau", "contribute", tmp_path / "p2.ptau", tmp_path / "p3.ptau",
            "-n=snarkjs three", "-e=more")
    snarkjs("powersoftau", "beacon", tmp_path / "p3.ptau", tmp_path / "p4.ptau", BEACON, 10,
            "-n=beacon")
    snarkjs("powersoftau", "prepare", "phase2", tmp_path / "p4.ptau", tmp_path / "p5.ptau")
    out = snarkjs("powersoftau", "verify", tmp_path / "p5.ptau")
    assert "Powers of Tau Ok!" in out
    transcript = verify_ptau(read_ptau(tmp_path / "p5.ptau"))
    assert [r.kind for r in transcript.contributions] == ["contribution"] * 3 + ["beacon"]
    # the contribution hashes are the ones snarkjs prints
    printed = out.replace("\n", " ")
    for record in transcript.contributions:
        words = record.response_hash.hex()
        assert " ".join(words[i : i + 8] for i in range(0, 32, 8)) in printed


@pytest.mark.slow
def test_beacon_is_byte_identical_across_update_boundaries(snarkjs, tmp_path):  # noqa: F811
    """At power 14, sections 2 and 3 are hashed in two 1 MiB updates each: the saved
    partial hash still has snarkjs's bytes."""
    snarkjs("powersoftau", "new", "bn128", 14, tmp_path / "p0.ptau")
    snarkjs("powersoftau", "beacon", tmp_path / "p0.ptau", tmp_path / "p1.ptau", "0a0b0c", 10,
            "-n=B")
    ours = beacon_ptau(read_ptau(tmp_path / "p0.ptau"), bytes.fromhex("0a0b0c"), 10, "B")
    assert ptau_bytes(ours) == (tmp_path / "p1.ptau").read_bytes()
