# SPDX-License-Identifier: MIT
"""Each registered key records its trusted setup: the record of its verified ceremony, or
the explicit mark of an unsafe local setup; never neither, never silently. A catalogue
kernel whose file names its ceremony is registered only with a record meeting it. The
record survives the registry's JSON and the chain store; older registries read as unsafe
local setups; malformed ceremony JSON is refused."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.rollup.conftest import new_market
from zkcx import groth16
from zkcx import kernels as K
from zkcx.ceremony import CeremonyRecord, ContributionRecord
from zkcx.errors import ArgumentTypeError, KernelSpecError
from zkcx.kernels import CeremonyTerms, PublicBounds
from zkcx.rollup import (
    UNSAFE_LOCAL_SETUP,
    ChainStoreError,
    KernelCeremonyError,
    KernelRegistry,
    KernelRegistryError,
    SQLiteChainStore,
    verified_ceremony,
)

PTAU, OTHER_PTAU, CIRCUIT = b"\x11" * 64, b"\x22" * 64, b"\x33" * 64


def record(kinds=("contribution",), ptau=PTAU) -> CeremonyRecord:
    """A ceremony record of these steps (what verify_zkey returns, made by hand)."""
    return CeremonyRecord(ptau, CIRCUIT, tuple(
        ContributionRecord(bytes([0x40 + i]) * 64, f"party {i}", kind)
        for i, kind in enumerate(kinds)))


@pytest.fixture(scope="module")
def dot():
    """A small catalogue kernel and a key of it."""
    kernel = K.dot(2, name="dot2", visibility={"x": "committed", "y": "committed"})
    kernel = kernel.with_binding()
    return kernel, groth16.setup(kernel.circuit()).verifying_key


def _register(vk, **setup) -> str:
    reg = KernelRegistry()
    return reg, reg.register(vk, 10, "compute", public_bounds=PublicBounds.unbounded(
        vk.n_public), **setup)


def test_a_key_is_never_registered_without_its_setup_said(dot):
    kernel, vk = dot
    for call in (lambda r: r.register(vk, 10, "compute",
                                      public_bounds=PublicBounds.unbounded(vk.n_public)),
                 lambda r: r.register_kernel(kernel, vk, "compute")):
        reg = KernelRegistry()
        with pytest.raises(KernelCeremonyError, match="verify_zkey.*unsafe_local_setup"):
            call(reg)
        assert len(reg) == 0
    with pytest.raises(KernelCeremonyError, match="not both"):
        _register(vk, ceremony=record(), unsafe_local_setup=True)
    with pytest.raises(ArgumentTypeError, match="CeremonyRecord"):
        _register(vk, ceremony=record().to_json())
    with pytest.raises(ArgumentTypeError, match="True or False"):
        _register(vk, unsafe_local_setup="yes")
    # a record of no contribution, or of beacons only (public randomness), proves nothing
    for kinds in ((), ("beacon",), ("beacon", "beacon")):
        with pytest.raises(KernelCeremonyError, match="no phase-2 contribution"):
            _register(vk, ceremony=record(kinds))


def test_the_entry_keeps_the_record_or_the_unsafe_mark_through_json(dot):
    kernel, vk = dot
    other = groth16.setup(K.dot(3, name="dot3").circuit()).verifying_key
    reg = KernelRegistry()
    safe = reg.register_kernel(kernel, vk, "compute",
                               ceremony=record(("contribution", "beacon")))
    unsafe = reg.register(other, 10, "compute", unsafe_local_setup=True,
                          public_bounds=PublicBounds.unbounded(other.n_public))
    assert reg.get(safe).ceremony == record(("contribution", "beacon"))
    assert not reg.get(safe).unsafe_local_setup
    assert reg.get(unsafe).ceremony is None and reg.get(unsafe).unsafe_local_setup
    data = json.loads(json.dumps(reg.to_json()))
    entries = {e["kernel_id"]: e for e in data["kernels"]}
    assert entries[unsafe]["ceremony"] == UNSAFE_LOCAL_SETUP == "unsafe-local-setup"
    assert CeremonyRecord.from_json(entries[safe]["ceremony"]) == reg.get(safe).ceremony
    again = KernelRegistry.from_json(data)
    assert [e.ceremony for e in again] == [e.ceremony for e in reg]
    assert again.to_json() == reg.to_json()


def test_malformed_ceremony_json_is_refused(dot):
    _, vk = dot
    reg, _ = _register(vk, ceremony=record())
    data = json.loads(json.dumps(reg.to_json()))
    entry = data["kernels"][0]
    good = entry["ceremony"]
    bad_hash = dict(good, ptau_hash=good["ptau_hash"][:-2])
    beacon_only = dict(good, contributions=[dict(good["contributions"][0], kind="beacon")])
    cases = [
        ({k: v for k, v in entry.items() if k != "ceremony"}, "lacks"),
        (dict(entry, ceremony=None), "ceremony must be"),
        (dict(entry, ceremony="unsafe"), "ceremony must be"),
        (dict(entry, ceremony=True), "ceremony must be"),
        (dict(entry, ceremony=dict(good, extra=1)), "ceremony: "),
        (dict(entry, ceremony=bad_hash), "ptau hash"),
        (dict(entry, ceremony=dict(good, contributions=[])), "no phase-2 contribution"),
        (dict(entry, ceremony=beacon_only), "no phase-2 contribution"),
        (dict(entry, ceremony=dict(good, contributions=[dict(
            good["contributions"][0], kind="gift")])), "kind"),
    ]
    for item, match in cases:
        with pytest.raises(KernelRegistryError, match=match):
            KernelRegistry.from_json(dict(data, kernels=[item]))


def test_older_registries_read_as_unsafe_local_setups(dot):
    _, vk = dot
    reg, kid = _register(vk, ceremony=record())
    data = json.loads(json.dumps(reg.to_json()))
    v3 = {"format": "zkcx-kernels-v3", "kernels": [
        {k: v for k, v in e.items() if k != "ceremony"} for e in data["kernels"]]}
    old = KernelRegistry.from_json(v3)
    assert old.get(kid).unsafe_local_setup  # a v3 key had no ceremony recorded
    assert old.to_json()["format"] == "zkcx-kernels-v4"
    assert old.to_json()["kernels"][0]["ceremony"] == UNSAFE_LOCAL_SETUP
    with pytest.raises(KernelRegistryError, match="unknown keys"):  # v3 has no ceremony
        KernelRegistry.from_json(dict(v3, kernels=data["kernels"]))
    with pytest.raises(KernelRegistryError, match="format"):
        KernelRegistry.from_json(dict(data, format="zkcx-kernels-v5"))


def _catalogue(ceremony: str) -> K.Kernel:
    text = ('kernel = "dot"\nname = "dot2"\nn = 2\nbinding = true\n' + ceremony
            + '\n[visibility]\nx = "committed"\ny = "committed"\n')
    return K.load(io.BytesIO(text.encode()))


def test_a_catalogue_ceremony_is_held_against_the_record(dot):
    kernel, vk = dot
    named = _catalogue(f'[ceremony]\nptau_hash = "{PTAU.hex().upper()}"\n'
                       'min_contributions = 2\nfinal_beacon = true\n')
    assert named.ceremony_terms == CeremonyTerms(PTAU, 2, True)
    assert named.circuit().n_constraints == kernel.circuit().n_constraints
    refused = [
        (record(("contribution", "contribution", "beacon"), ptau=OTHER_PTAU),
         "ptau file of BLAKE2b 2222.*names 1111"),
        (record(("contribution", "beacon")), "1 phase-2 contribution.*at least 2"),
        (record(("contribution", "beacon", "beacon")), "at least 2"),  # beacons don't count
        (record(("contribution", "contribution")), "final random beacon"),
        (record(("contribution", "beacon", "contribution")), "final random beacon"),
    ]
    for rec, match in refused:
        reg = KernelRegistry()
        with pytest.raises(KernelCeremonyError, match=match):
            reg.register_kernel(named, vk, "compute", ceremony=rec)
        assert len(reg) == 0
    with pytest.raises(KernelCeremonyError, match="names its ceremony.*unsafe local setup"):
        KernelRegistry().register_kernel(named, vk, "compute", unsafe_local_setup=True)
    good = record(("contribution", "contribution", "beacon"))
    reg = KernelRegistry()
    assert reg.get(reg.register_kernel(named, vk, "compute", ceremony=good)).ceremony == good
    # without the table, any verified ceremony, and (said so) a local setup
    plain = _catalogue("")
    assert plain.ceremony_terms is None
    KernelRegistry().register_kernel(plain, vk, "compute", ceremony=record())
    KernelRegistry().register_kernel(plain, vk, "compute", unsafe_local_setup=True)


@settings(max_examples=60, deadline=None)
@given(kinds=st.lists(st.sampled_from(["contribution", "beacon"]), max_size=5),
       same_ptau=st.booleans(), named_ptau=st.booleans(),
       least=st.integers(1, 4), beacon=st.booleans())
def test_a_record_is_accepted_exactly_when_it_meets_the_terms(dot, kinds, same_ptau,
                                                               named_ptau, least, beacon):
    kernel, vk = dot
    named = _catalogue("")
    named.ceremony_terms = CeremonyTerms(PTAU if named_ptau else None, least, beacon)
    rec = record(tuple(kinds), ptau=PTAU if same_ptau else OTHER_PTAU)
    made = kinds.count("contribution")
    meets = (made >= 1 and (same_ptau or not named_ptau) and made >= least
             and (not beacon or (kinds and kinds[-1] == "beacon")))
    reg = KernelRegistry()
    if meets:
        assert reg.get(reg.register_kernel(named, vk, "compute", ceremony=rec)).ceremony == rec
    else:
        with pytest.raises(KernelCeremonyError):
            reg.register_kernel(named, vk, "compute", ceremony=rec)
        assert len(reg) == 0


def test_catalogue_ceremony_tables_are_checked():
    cases = [
        ('ceremony = 3\n', "must be a table"),
        ('[ceremony]\nptau = "00"\n', "unknown keys"),
        ('[ceremony]\nptau_hash = "00"\n', "128 hex digits"),
        (f'[ceremony]\nptau_hash = "{"g" * 128}"\n', "128 hex digits"),
        (f'[ceremony]\nptau_hash = "{"ab" * 63} ab"\n', "128 hex digits"),
        ('[ceremony]\nptau_hash = 7\n', "128 hex digits"),
        ('[ceremony]\nmin_contributions = 0\n', "min_contributions"),
        ('[ceremony]\nmin_contributions = true\n', "min_contributions"),
        ('[ceremony]\nmin_contributions = 1.5\n', "min_contributions"),
        ('[ceremony]\nmin_contributions = 100000\n', "min_contributions"),
        ('[ceremony]\nfinal_beacon = "yes"\n', "final_beacon"),
    ]
    for text, match in cases:
        with pytest.raises(KernelSpecError, match=match):
            _catalogue(text)
    assert _catalogue("[ceremony]\n").ceremony_terms == CeremonyTerms()


def test_the_store_keeps_the_record_and_never_lets_it_change(dot, tmp_path):
    kernel, vk = dot
    path = tmp_path / "chain.db"
    reg = KernelRegistry()
    kid = reg.register_kernel(kernel, vk, "compute", ceremony=record())
    with SQLiteChainStore.create(path, new_market()) as store:
        store.save_kernel_registry(reg)
    with SQLiteChainStore.open(path) as store:
        kept = store.kernel_registry()
        assert kept.get(kid).ceremony == record()
        for setup in ({"unsafe_local_setup": True},
                      {"ceremony": record(("contribution", "contribution"))}):
            changed = KernelRegistry()  # the same key, another setup
            changed.register_kernel(kernel, vk, "compute", **setup)
            with pytest.raises(ChainStoreError, match="dropped or changed"):
                store.save_kernel_registry(changed)
        assert store.kernel_registry().get(kid).ceremony == record()


def test_verified_ceremony_checks_the_transcript_and_the_key():
    from pathlib import Path

    from zkcx.ceremony import read_ptau
    from zkcx.r1cs import read_r1cs

    vectors = Path(__file__).resolve().parents[1] / "vectors"
    mult, other = vectors / "multiplier", vectors / "matmul4"
    r1cs, ptau = read_r1cs(mult / "circuit.r1cs"), read_ptau(mult / "pot_final.ptau")
    final = groth16.read_zkey(mult / "circuit_final.zkey")
    rec = verified_ceremony(r1cs, ptau, final, final.verifying_key)
    assert rec.ptau_hash == hashlib.blake2b((mult / "pot_final.ptau").read_bytes()).digest()
    assert [c.kind for c in rec.contributions] == ["contribution", "beacon"]
    initial = groth16.read_zkey(mult / "circuit_0000.zkey")
    refused = [
        ((r1cs, ptau, final, initial.verifying_key), "not the transcript's key"),
        ((r1cs, ptau, initial), "no phase-2 contribution"),
        ((read_r1cs(other / "circuit.r1cs"), ptau, final), "does not verify"),
        ((r1cs, read_ptau(other / "pot_final.ptau"), final), "does not verify"),
    ]
    for args, match in refused:
        with pytest.raises(KernelCeremonyError, match=match):
            verified_ceremony(*args)
    # what it returns registers; the registry keeps exactly it
    reg = KernelRegistry()
    kid = reg.register(final.verifying_key, r1cs.n_constraints, "compute", ceremony=rec,
                       public_bounds=PublicBounds.unbounded(r1cs.n_public))
    assert reg.get(kid).ceremony == rec
