# SPDX-License-Identifier: MIT
"""The H points' fixed-base tables of a prover (``NativeProver.use_h_tables``): built at a
key's TABLES_AFTER-th proof and by a ``prove_many`` batch reaching it, within
``set_table_memory``; a proof is the same
group element with or without them; a corrupt table never gives a wrong proof silently."""

from __future__ import annotations

import importlib

import pytest

import zkcx
from tests.groth16.conftest import demo_circuit
from zkcx._bindings import msm_tables_count
from zkcx._lib import ffi
from zkcx.errors import InvalidArgumentError, ZkcxError
from zkcx.groth16 import (
    build_tables,
    get_table_memory,
    prove,
    prove_many,
    set_table_memory,
    setup,
    verify,
)
from zkcx.groth16.native_prover import TABLES_AFTER
from zkcx.groth16.prove import build_native_prover

prove_module = importlib.import_module("zkcx.groth16.prove")


def fresh():
    """A new key of the demo circuit (no prover cached on it) and two witnesses."""
    r1cs, (x, y, k, out) = demo_circuit("tables")
    pk = setup(r1cs)
    witnesses = [r1cs.solve({x: xv, y: 4, k: 5, out: xv * 20 + xv}) for xv in (3, 8)]
    return pk, witnesses


@pytest.fixture
def table_memory():
    before = get_table_memory()
    yield
    set_table_memory(before)


def test_the_tables_come_at_the_threshold_and_prove_the_same(table_memory):
    pk, (w1, w2) = fresh()
    first, _ = prove(pk, w1, blinding=(11, 13))
    prover = prove_module.native_prover(pk)
    for _ in range(TABLES_AFTER - 2):
        prove(pk, w2)
    assert prover.h_table_bytes == 0
    last, public = prove(pk, w1, blinding=(11, 13))  # the TABLES_AFTER-th proof
    assert prover.h_table_bytes > 0
    assert last == first
    assert verify(pk.verifying_key, public, last)
    proof, public = prove(pk, w2)
    assert verify(pk.verifying_key, public, proof)


def test_a_batch_reaching_the_threshold_builds_the_tables_and_equals_prove(table_memory):
    pk, witnesses = fresh()
    prove_many(pk, witnesses)
    assert prove_module.native_prover(pk).h_table_bytes == 0
    batch = witnesses * (TABLES_AFTER // 2)
    blinding = [(2 + i, 3 + i) for i in range(len(batch))]
    proofs = prove_many(pk, batch, blinding=blinding)
    assert prove_module.native_prover(pk).h_table_bytes > 0
    plain = build_native_prover(pk)  # a prover without tables
    for (proof, _), w, (r, s) in list(zip(proofs, batch, blinding))[:4]:
        assert prove_module._proof(plain.prove(w.values.limbs, r, s)) == proof


def test_no_tables_beyond_the_memory_limit(table_memory):
    pk, (w1, _) = fresh()
    set_table_memory(0)
    for _ in range(TABLES_AFTER + 1):
        prove(pk, w1)
    prover = prove_module.native_prover(pk)
    assert prover.h_table_bytes == 0
    assert not prover.use_h_tables()
    assert not build_tables(pk)
    assert build_tables(pk, limit=1 << 30)
    assert prover.h_table_bytes > 0
    assert build_tables(pk)  # kept: the limit only bounds new tables
    with pytest.raises(InvalidArgumentError, match="bytes >= 0"):
        set_table_memory(-1)
    with pytest.raises(InvalidArgumentError, match="bytes >= 0"):
        set_table_memory(1.5)  # type: ignore[arg-type]


def test_a_corrupt_table_gives_no_wrong_proof(table_memory):
    """A table point replaced by another valid point (memory corrupted after the key was
    validated): the proof fails its self-check and prove raises instead of returning it."""
    pk, (w1, _) = fresh()
    prover = prove_module.native_prover(pk)
    assert prover.use_h_tables()
    key = prover._key
    stride = 8 * msm_tables_count(key.h_table_c)  # words of a base's row
    tables = ffi.cast("uint64_t *", key.h_tables)
    first, second = ffi.unpack(tables, 8), ffi.unpack(tables + stride, 8)
    assert first != second
    ffi.memmove(tables, ffi.new("uint64_t[]", second), 64)  # H_0's row now starts with H_1
    with pytest.raises(ZkcxError):
        prove(pk, w1)


@pytest.mark.parametrize("threads,simd", [(1, False), (2, False), (1, True)])
def test_tables_prove_the_same_on_every_kernel(table_memory, threads, simd):
    """The tables built and used on the portable kernel or one thread: the proof is the
    one of a prover without tables (fixed blinding)."""
    pk, (w1, _) = fresh()
    plain = build_native_prover(pk)
    before = zkcx.get_threads()
    try:
        zkcx.set_threads(threads)
        zkcx.set_simd(simd)
        assert build_tables(pk)
        proof, _ = prove(pk, w1, blinding=(17, 19))
    finally:
        zkcx.set_threads(before)
        zkcx.set_simd(True)
    assert prove_module._proof(plain.prove(w1.values.limbs, 17, 19)) == proof


def test_the_limit_bounds_all_live_tables_together(table_memory):
    """Two keys, room for one key's tables: the second is refused until the first key
    (and its prover) is gone."""
    import gc

    from zkcx.groth16.native_prover import table_memory_held

    first, _ = fresh()
    second, _ = fresh()
    one = prove_module.native_prover(first)
    assert one.use_h_tables(limit=1 << 30)
    size = one.h_table_bytes
    held = table_memory_held()
    set_table_memory(held)  # exactly what is held: no room for another key's tables
    assert not build_tables(second)
    del one, first
    gc.collect()
    assert table_memory_held() == held - size
    assert build_tables(second)
    assert table_memory_held() == held
