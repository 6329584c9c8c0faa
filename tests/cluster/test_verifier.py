# SPDX-License-Identifier: MIT
"""The cluster's block verifier: each key's batch split across the workers finds
exactly the failing claims, so a block built with it is the block built in process
(same rejections, same hash, same state root), and a chain grown with it verifies from
genesis either way. The builder's hook refuses a verifier that names claims it was not
given."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.rollup.conftest import CHAIN_ID, Kit, SigningBuilder, SigningChain, new_market
from tests.rollup.test_builder import _tamper
from tests.rollup.test_chain import _grow
from zkcx.cluster.client import split
from zkcx.errors import ArgumentTypeError, InternalError
from zkcx.rollup import BlockBuilder, RejectReason, SQLiteChainStore, verify_chain

PARENT = bytes(32)
NAMES = ["cube", "chain", "bound", "chain"]


def _claims(kit: Kit, tampered: list[bool], which: int) -> list:
    """One claim per entry, over the kit's kernels in turn, each a distinct statement;
    the entries that are True carry an invalid proof."""
    claims = []
    for k, bad in enumerate(tampered):
        name = NAMES[(k + which) % len(NAMES)]
        args = (k + 2, 1) if name == "cube" else (k + 2,)
        c = kit.claim(name, f"n{k % 5}", f"t{k}", *args)
        claims.append(_tamper(c) if bad else c)
    return claims


def _both(kernels_kit, cluster, claims_of, min_chunk=1):
    """The block built in process and with the cluster's verifier, from one kit."""
    kit = Kit(kernels_kit)
    claims = claims_of(kit)
    built = []
    for verifier in (None, cluster.verifier(min_chunk=min_chunk)):
        builder = SigningBuilder(kit.kernels, CHAIN_ID, verifier=verifier)
        built.append(builder.build(PARENT, new_market(), claims, timestamp=7, kit=kit))
    return built


def _reasons(block):
    return [(r.index, r.reason) for r in block.rejected]


@settings(max_examples=6, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=14), st.integers(0, 3))
def test_the_cluster_verifier_builds_the_same_block(kernels_kit, cluster, tampered, which):
    plain, distributed = _both(kernels_kit, cluster, lambda kit: _claims(kit, tampered, which))
    assert _reasons(distributed.block) == _reasons(plain.block)
    assert [i for i, r in _reasons(plain.block) if r is RejectReason.INVALID_PROOF] == \
        [k for k, bad in enumerate(tampered) if bad]
    assert distributed.block.hash == plain.block.hash
    assert distributed.block.header.state_root == plain.block.header.state_root
    assert distributed.market == plain.market


@pytest.mark.parametrize("bad", [[], [0], [11], [0, 5, 11], list(range(12))])
def test_failing_claims_at_every_place_of_a_split_batch(kernels_kit, cluster, bad):
    """12 claims of one kernel split in two chunks (one per worker): invalid proofs
    first, last, on both sides of the cut, everywhere."""
    tampered = [k in bad for k in range(12)]
    before = sum(s["chunks_verified"] for s in cluster.worker_stats().values())
    plain, distributed = _both(
        kernels_kit, cluster,
        lambda kit: [_tamper(c) if tampered[k] else c
                     for k, c in enumerate(kit.claim("chain", f"n{k}", f"t{k}", 100 + k)
                                           for k in range(12))])
    after = sum(s["chunks_verified"] for s in cluster.worker_stats().values())
    assert after - before == 2  # the batch went to the workers in two chunks
    assert [i for i, _r in _reasons(distributed.block)] == bad == \
        [i for i, _r in _reasons(plain.block)]
    assert distributed.block.hash == plain.block.hash


def test_a_forged_claim_in_a_chunk_of_valid_ones_is_found(kernels_kit, cluster):
    """A valid proof of the statement with its public input changed (a forged statement)
    fails on the worker exactly as in process."""
    def claims_of(kit):
        cs = [kit.claim("chain", f"n{k}", f"t{k}", 200 + k) for k in range(6)]
        out = cs[3].public_inputs
        cs[3] = replace(cs[3], public_inputs=((out[0] + 1),) + out[1:])
        return cs

    plain, distributed = _both(kernels_kit, cluster, claims_of)
    assert _reasons(distributed.block) == _reasons(plain.block)
    assert 3 in [i for i, _r in _reasons(plain.block)]
    assert distributed.block.hash == plain.block.hash


def test_a_chain_grown_on_the_cluster_verifies_from_genesis(kernels_kit, cluster, tmp_path):
    heads = []
    for name, verifier in (("plain", None), ("cluster", cluster.verifier(min_chunk=1))):
        kit = Kit(kernels_kit)
        store = SQLiteChainStore.create(tmp_path / f"{name}.db", new_market())
        chain = SigningChain(store, kit.kernels, kit=kit, verifier=verifier)
        blocks = _grow(kit, chain)
        assert any(r.reason is RejectReason.INVALID_PROOF for b in blocks for r in b.rejected)
        # re-verified in process and on the cluster
        assert verify_chain(store, kit.kernels).head_hash == blocks[-1].hash
        assert chain.verify().head_hash == blocks[-1].hash
        heads.append((blocks[-1].hash, chain.market.state_root()))
        store.close()
    assert heads[0] == heads[1]


def test_the_builder_refuses_a_verifier_naming_claims_it_was_not_given(kit):
    claims = [kit.claim("chain", "n1", "t1", 5)]
    lying = SigningBuilder(kit.kernels, CHAIN_ID, verifier=lambda groups: {99})
    with pytest.raises(InternalError, match="verifier named claims"):
        lying.build(PARENT, new_market(), claims, timestamp=7, kit=kit)
    with pytest.raises(ArgumentTypeError, match="verifier"):
        BlockBuilder(kit.kernels, CHAIN_ID, verifier="batch")


def test_the_verifier_gets_one_group_per_key_in_kernel_order(kit):
    """The hook's contract: (vk, seed, [(index, public, proof)]) per key, kernel ids
    sorted, claims in received order; what it returns is what is rejected."""
    seen = []

    def spy(groups):
        seen.extend(groups)
        return {groups[0][2][0][0]}

    claims = [kit.claim("chain", "n1", "t1", 5), kit.claim("cube", "n2", "t2", 3, 4),
              kit.claim("chain", "n3", "t3", 6)]
    built = SigningBuilder(kit.kernels, CHAIN_ID, verifier=spy).build(
        PARENT, new_market(), claims, timestamp=7, kit=kit)
    ids = sorted({kit.ids["chain"], kit.ids["cube"]})
    assert [vk.digest() for vk, _seed, _items in seen] == ids
    for vk, seed, items in seen:
        assert isinstance(seed, bytes) and len(seed) == 32
        want = [k for k, c in enumerate(claims) if c.kernel_id == vk.digest()]
        assert [i for i, _p, _q in items] == want
        assert [tuple(p) for _i, p, _q in items] == [claims[k].public_inputs for k in want]
    assert _reasons(built.block) == [(seen[0][2][0][0], RejectReason.INVALID_PROOF)]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 200), st.integers(1, 8), st.integers(1, 50))
def test_split_keeps_every_item_in_order_in_balanced_chunks(n, parts, min_size):
    items = list(range(n))
    chunks = split(items, parts, min_size)
    assert [x for c in chunks for x in c] == items
    assert len(chunks) <= max(parts, 1)
    if n:
        sizes = [len(c) for c in chunks]
        assert max(sizes) - min(sizes) <= 1
        assert len(chunks) == 1 or min(sizes) >= min_size
    else:
        assert chunks == []


def test_the_verifier_works_from_another_thread(kernels_kit, cluster):
    """An operator seals blocks on its own thread: the cluster's verifier is called
    there, not on the thread that made the Cluster."""
    from concurrent.futures import ThreadPoolExecutor

    tampered = [False, True, False, False, True]
    with ThreadPoolExecutor(max_workers=1) as pool:
        plain, distributed = pool.submit(
            _both, kernels_kit, cluster, lambda kit: _claims(kit, tampered, 1)).result()
    assert [i for i, _r in _reasons(distributed.block)] == [1, 4]
    assert distributed.block.hash == plain.block.hash
