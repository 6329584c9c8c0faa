# SPDX-License-Identifier: MIT
"""The kernel registry kept with a chain (``kernel_registry`` / ``save_kernel_registry``,
on both store backends): empty for a new chain, kept across reopening, only ever
extended (a kept kernel is neither dropped nor changed), and a chain built against it
re-verifies with it."""

from __future__ import annotations

import pytest

from tests.rollup.conftest import SigningChain
from zkcx.rollup import ChainStoreError, KernelRegistry, verify_chain


def _subset(kit, names) -> KernelRegistry:
    reg = KernelRegistry()
    for entry in kit.kernels:
        if entry.kernel_id in {kit.ids[n] for n in names}:
            reg.register(entry.vk, entry.work_units, entry.kind, entry.model_positions,
                         entry.binding_position, public_bounds=entry.public_bounds,
                         input_positions=entry.input_positions, ceremony=entry.ceremony,
                         unsafe_local_setup=entry.unsafe_local_setup)
    return reg


def test_kept_registry_round_trips_and_only_grows(kit, backend):
    with backend.create() as store:
        assert len(store.kernel_registry()) == 0
        store.save_kernel_registry(_subset(kit, ["cube"]))
        store.save_kernel_registry(_subset(kit, ["cube", "bound"]))
    with backend.open() as store:
        kept = store.kernel_registry()
        assert kept.to_json() == _subset(kit, ["cube", "bound"]).to_json()
        with pytest.raises(ChainStoreError, match="dropped or changed"):
            store.save_kernel_registry(_subset(kit, ["bound"]))
        changed = KernelRegistry()
        for entry in kept:  # the same keys, other work units
            changed.register(entry.vk, entry.work_units + 1, entry.kind,
                             entry.model_positions, entry.binding_position,
                             public_bounds=entry.public_bounds,
                             input_positions=entry.input_positions, ceremony=entry.ceremony,
                             unsafe_local_setup=entry.unsafe_local_setup)
        with pytest.raises(ChainStoreError, match="dropped or changed"):
            store.save_kernel_registry(changed)
        assert store.kernel_registry().to_json() == kept.to_json()


def test_a_chain_reverifies_against_its_kept_registry(kit, backend):
    with backend.create() as store:
        store.save_kernel_registry(_subset(kit, ["cube", "bound"]))
        chain = SigningChain(store, store.kernel_registry(), kit=kit)
        block = chain.produce([kit.claim("cube", "n1", "t1", 3, 4),
                               kit.claim("bound", "n2", "t2", 4)])
        assert len(block.accepted) == 2
    with backend.open() as store:
        assert verify_chain(store, store.kernel_registry()).head_hash == block.hash


def test_a_kept_registry_that_is_damaged_or_does_not_decode_is_a_store_error(kit, backend):
    from zkcx.rollup.store import meta_digest

    with backend.create() as store:
        store.save_kernel_registry(_subset(kit, ["cube"]))
        store._conn.execute("UPDATE meta SET value = ? WHERE key = 'kernel_registry'",
                            (b"[]",))
        with pytest.raises(ChainStoreError, match="does not match its digest"):
            store.kernel_registry()
        store._conn.execute("UPDATE meta SET value = ?, digest = ? WHERE key = "
                            "'kernel_registry'", (b"[{}]", meta_digest("kernel_registry",
                                                                        b"[{}]")))
        with pytest.raises(ChainStoreError, match="does not decode"):
            store.kernel_registry()
