# SPDX-License-Identifier: MIT
"""``zkcx kernel register --zkey --ptau`` verifies phase 1 too: a key whose own phase-2
transcript is sound is still refused (exit 2, a message naming what is wrong, nothing
registered) when its ptau has no contribution (tau = 1), only a beacon (secrets anyone
recomputes), a tampered phase-1 contribution, or Lagrange sections replaced by those of
a tau someone knows. snarkjs's prepared vector (one contribution and a beacon) passes."""

from __future__ import annotations

import dataclasses
import pathlib
import shutil

import pytest

from tests.cli.conftest import run_main
from zkcx import ceremony, groth16, kernels
from zkcx.ceremony import PtauKey, read_ptau, write_ptau
from zkcx.rollup.errors import KernelCeremonyError
from zkcx.rollup.kernel_ceremony import verified_ceremony

VECTORS = pathlib.Path(__file__).resolve().parents[1] / "vectors"
SPEC = 'kernel = "dot"\nn = 2\nfrac_bits = 8\nbound_bits = 16\nbinding = true\n'


def tampered_first_contribution(ptau):
    """``ptau`` with its first contribution's tau public key changed (g1_sx doubled)."""
    first = ptau.contributions[0]
    key = first.tau_key
    changed = dataclasses.replace(first, tau_key=PtauKey(key.g1_s, key.g1_sx.double(),
                                                         key.g2_spx))
    return dataclasses.replace(ptau, contributions=(changed, *ptau.contributions[1:]))


def replaced_lagrange_block(ptau, size, source):
    """``ptau`` with section 12's block of ``size`` taken from ``source``."""
    limbs = ptau.lagrange_g1.limbs.copy()
    limbs[size - 1 : 2 * size - 1] = source.lagrange_g1.limbs[size - 1 : 2 * size - 1]
    return dataclasses.replace(ptau, lagrange_g1=type(ptau.lagrange_g1).from_montgomery(
        limbs, check_subgroup=False))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """dot.toml and, for each ptau, a key made from it with one phase-2 contribution."""
    folder = tmp_path_factory.mktemp("ptau")
    shutil.copy(VECTORS / "matmul4" / "pot_final.ptau", folder / "pot.ptau")
    (folder / "dot.toml").write_text(SPEC)
    circuit = kernels.load(folder / "dot.toml").circuit()
    pot = read_ptau(folder / "pot.ptau")
    power = pot.power
    evil = ceremony.prepare_ptau(ceremony.contribute_ptau(ceremony.new_ptau(power), "evil",
                                                          entropy=b"known words"))
    n = ceremony.new_zkey(circuit, pot).domain_size
    ptaus = {
        "pot": pot,
        "none": ceremony.prepare_ptau(ceremony.new_ptau(power)),
        "beacon": ceremony.prepare_ptau(ceremony.beacon_ptau(ceremony.new_ptau(power),
                                                             bytes(range(32)), 10, "b")),
        "tampered": tampered_first_contribution(pot),
        "forged": replaced_lagrange_block(pot, n, evil),
    }
    keys = {}
    for name, ptau in ptaus.items():
        if name != "pot":
            write_ptau(ptau, folder / f"{name}.ptau")
        keys[name] = ceremony.contribute_zkey(ceremony.new_zkey(circuit, ptau), "alice",
                                              b"words")
        if name != "none":  # tau = 1 puts the identity in IC: the zkey reader refuses it
            groth16.write_zkey(keys[name], folder / f"{name}.zkey")
    return folder, n, circuit, ptaus, keys


@pytest.fixture
def work(files, tmp_path, monkeypatch):
    folder, n = files[:2]
    for item in folder.iterdir():
        (tmp_path / item.name).symlink_to(item)
    monkeypatch.chdir(tmp_path)
    assert run_main("chain", "init", "chain.db").code == 0
    return n


def register(zkey: str, ptau: str):
    return run_main("--json", "kernel", "register", "--chain", "chain.db", "--kind",
                    "compute", "--kernel", "dot.toml", "--zkey", zkey, "--ptau", ptau)


def listed() -> list[dict]:
    run = run_main("--json", "kernel", "list", "--chain", "chain.db")
    assert run.code == 0, run.stderr
    return run.json()["kernels"]


def test_a_ptau_whose_phase_1_does_not_protect_the_key_is_refused(work):
    n = work
    cases = [
        ("pot.zkey", "none.ptau", "this ptau has no contribution"),
        ("beacon.zkey", "beacon.ptau", "no phase-1 contribution but beacons"),
        ("pot.zkey", "tampered.ptau", "the public key of tau has no valid proof of knowledge"),
        ("forged.zkey", "forged.ptau", f"section 12: the block of size {n} is not the "
                                       "Lagrange basis"),
    ]
    for zkey, ptau, words in cases:
        run = register(zkey, ptau)
        assert run.code == 2, (ptau, run.stdout, run.stderr)
        message = run.json()["error"]["message"]
        assert "phase-1" in message and words in message, (ptau, message)
        if ptau == "tampered.ptau":
            assert "contribution #1 (" in message
    assert listed() == []
    # the key made from a tampered ptau's original is fine with the original
    run = register("pot.zkey", "pot.ptau")
    assert run.code == 0, run.stderr
    assert len(listed()) == 1


def test_the_refused_keys_own_transcripts_are_sound(files):
    """What makes each refusal: the phase-2 transcript alone verifies for every key but
    the forged one (whose Lagrange blocks ``verify_zkey`` checks itself); the key made
    from the ptau without contribution is refused by ``verified_ceremony``."""
    _, _, circuit, ptaus, keys = files
    for name in ("none", "beacon"):
        ceremony.verify_zkey(circuit, ptaus[name], keys[name])
    ceremony.verify_zkey(circuit, ptaus["tampered"], keys["pot"])
    with pytest.raises(KernelCeremonyError, match="phase-1 transcript does not verify: "
                                                  "this ptau has no contribution"):
        verified_ceremony(circuit, ptaus["none"], keys["none"])
    with pytest.raises(KernelCeremonyError, match="no phase-1 contribution but beacons"):
        verified_ceremony(circuit, ptaus["beacon"], keys["beacon"])
    assert verified_ceremony(circuit, ptaus["pot"], keys["pot"]).ptau_hash == (
        ptaus["pot"].file_hash)
