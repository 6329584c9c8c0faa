# SPDX-License-Identifier: MIT
"""Blocks that carry SnarkPack aggregates (issue 19): one per kernel key of the accepted
claims, checked by full and light verification; the attacks (a tampered aggregate, one of
another block, swapped claims, a missing or extra aggregate) fail both; light
verification never reads an individual proof; chains without an aggregation key are as
before."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rollup.conftest import SigningChain, new_market
from tests.rollup.test_builder import _tamper
from zkcx.errors import ArgumentTypeError
from zkcx.groth16 import (
    AggregateProof,
    aggregate,
    unsafe_local_aggregation_srs,
    verify_aggregate,
)
from zkcx.rewards import merkle_root
from zkcx.rollup import (
    Block,
    ChainStoreError,
    ChainVerificationError,
    ClaimStatement,
    MalformedBlockError,
    SQLiteChainStore,
    verify_chain,
    verify_chain_light,
)
from zkcx.rollup.aggregation import decode_aggregation_key, encode_aggregation_key
from zkcx.rollup.block import (
    LightBlock,
    aggregate_label,
    body_hash,
    decode_body,
    encode_body,
    statements_root,
)

SRS = unsafe_local_aggregation_srs(4, b"block aggregates test")
OTHER_SRS = unsafe_local_aggregation_srs(4, b"another ceremony")


def _grow(kit, chain) -> list[Block]:
    """The setup block, a block of two cube claims, a chain claim and an invalid one, an
    empty block."""
    for args in (("cube", "n1", "t1", 3, 4), ("cube", "n2", "t2", 5, 6),
                 ("chain", "n3", "t3", 5), ("chain", "n1", "t4", 6)):
        kit.plan(*args)
    blocks = [chain.setup(timestamp=9)]
    blocks.append(chain.produce([kit.claim("cube", "n1", "t1", 3, 4),
                                 kit.claim("cube", "n2", "t2", 5, 6),
                                 kit.claim("chain", "n3", "t3", 5),
                                 _tamper(kit.claim("chain", "n1", "t4", 6))], timestamp=10))
    blocks.append(chain.produce([], timestamp=11))
    return blocks


@pytest.fixture()
def agg(kit, tmp_path):
    store = SQLiteChainStore.create(tmp_path / "chain.db", new_market())
    store.save_aggregation_key(SRS.verifier_key())
    chain = SigningChain(store, kit.kernels, kit=kit, aggregation_srs=SRS)
    blocks = _grow(kit, chain)
    yield store, chain, blocks
    store.close()


def _reseal(block: Block, accepted=None, aggregates=None) -> Block:
    """``block`` with another body, its header's body hash and claims root made to match
    (what a forger who re-hashes would send)."""
    accepted = block.accepted if accepted is None else tuple(accepted)
    aggregates = block.aggregates if aggregates is None else tuple(aggregates)
    body = encode_body(accepted, block.rejected, block.operations, block.rejected_operations,
                       aggregates)
    header = replace(block.header, body_hash=body_hash(body),
                     claims_root=merkle_root([c.claim_hash for c in accepted]),
                     statements_root=statements_root([c.statement for c in accepted]))
    return Block(header, accepted, block.rejected, block.operations,
                 block.rejected_operations, aggregates)


def _both_fail(store, kit, blocks, height, match):
    kw = dict(genesis=store.genesis(), chain_id=store.chain_id(),
              aggregation_key=SRS.verifier_key())
    with pytest.raises(ChainVerificationError, match=match) as full:
        verify_chain(blocks, kit.kernels, **kw)
    assert full.value.height == height
    with pytest.raises(ChainVerificationError, match=match) as light:
        verify_chain_light(blocks, kit.kernels, **kw)
    assert light.value.height == height


def test_each_block_carries_one_verifying_aggregate_per_kernel_key(kit, agg):
    store, chain, blocks = agg
    block = blocks[1]
    assert len(block.accepted) == 3 and len(block.rejected) == 1
    kernels = sorted({c.kernel_id for c in block.accepted})
    assert [k for k, _a in block.aggregates] == kernels == sorted([kit.ids["cube"],
                                                                   kit.ids["chain"]])
    for kernel_id, data in block.aggregates:
        claims = [c for c in block.accepted if c.kernel_id == kernel_id]
        label = aggregate_label(store.chain_id(), block.header.parent_hash, 1, kernel_id)
        proof = AggregateProof.from_bytes(data)
        assert proof.count == len(claims)
        vk = kit.kernels.get(kernel_id).vk
        assert verify_aggregate(SRS.verifier_key(), vk, [c.public_inputs for c in claims],
                                proof, label)
        assert not verify_aggregate(SRS.verifier_key(), vk,
                                    [c.public_inputs for c in claims],
                                    proof, aggregate_label(store.chain_id(), block.hash, 1,
                                                           kernel_id))
    assert blocks[0].aggregates == blocks[2].aggregates == ()
    assert store.block(1) == block  # stored and read back with its aggregates
    report = verify_chain(store, kit.kernels)
    assert report.blocks == 3
    light = verify_chain_light(store, kit.kernels)
    assert (light.blocks, light.accepted_claims, light.aggregates) == (3, 3, 2)
    assert light.head_hash == report.head_hash == store.head().hash


def test_tampered_foreign_missing_and_extra_aggregates_fail_full_and_light(kit, agg):
    store, _chain, blocks = agg
    b = blocks[1]
    aggs = dict(b.aggregates)
    cube, chain_id = kit.ids["cube"], store.chain_id()
    flipped = bytearray(aggs[cube])
    flipped[-200] ^= 1
    claims = [c for c in b.accepted if c.kernel_id == cube]
    # the same claims aggregated for another block (height 2 on this block): valid bytes,
    # the wrong label
    foreign = aggregate(SRS, kit.kernels.get(cube).vk, [c.proof for c in claims],
                        [c.public_inputs for c in claims],
                        aggregate_label(chain_id, b.hash, 2, cube)).to_bytes()
    other_srs = aggregate(OTHER_SRS, kit.kernels.get(cube).vk, [c.proof for c in claims],
                          [c.public_inputs for c in claims],
                          aggregate_label(chain_id, b.header.parent_hash, 1, cube)).to_bytes()
    cases = [
        ({**aggs, cube: bytes(flipped)}, "aggregate of kernel .* does not verify"),
        ({**aggs, cube: foreign}, "aggregate of kernel .* does not verify"),
        ({**aggs, cube: other_srs}, "aggregate of kernel .* does not verify"),
        ({k: v for k, v in aggs.items() if k != cube}, "missing"),
        ({**aggs, kit.ids["infer"]: aggs[cube]}, "extra"),
    ]
    for changed, match in cases:
        forged = _reseal(b, aggregates=sorted(changed.items()))
        _both_fail(store, kit, [blocks[0], forged], 1, match)
    _both_fail(store, kit, [blocks[0], _reseal(b, aggregates=())], 1, "missing")


def test_swapped_claims_fail_the_aggregate(kit, agg):
    store, _chain, blocks = agg
    b = blocks[1]
    first, second, rest = b.accepted[0], b.accepted[1], b.accepted[2:]
    assert first.kernel_id == second.kernel_id == kit.ids["cube"]
    forged = _reseal(b, accepted=(second, first, *rest))
    with pytest.raises(ChainVerificationError) as full:
        verify_chain([blocks[0], forged], kit.kernels, genesis=store.genesis(),
                     chain_id=store.chain_id(), aggregation_key=SRS.verifier_key())
    assert full.value.height == 1
    with pytest.raises(ChainVerificationError, match="does not verify against its 2"):
        verify_chain_light([blocks[0], forged], kit.kernels, genesis=store.genesis(),
                           chain_id=store.chain_id(), aggregation_key=SRS.verifier_key())


def test_light_verification_never_reads_an_individual_proof(kit, agg, monkeypatch):
    store, _chain, blocks = agg
    b = blocks[1]
    # every accepted proof replaced by an invalid one, the header re-hashed: the aggregates
    # alone still prove the statements, which is all light verification reads
    forged = _reseal(b, accepted=[_tamper(c) for c in b.accepted])
    chain = [blocks[0], forged]
    kw = dict(genesis=store.genesis(), chain_id=store.chain_id(),
              aggregation_key=SRS.verifier_key())
    with pytest.raises(ChainVerificationError):
        verify_chain(chain, kit.kernels, **kw)

    def no_proof_checks(*args, **kwargs):
        raise AssertionError("light verification verified an individual proof")

    import zkcx.rollup.builder as builder

    monkeypatch.setattr(builder, "batch_verify", no_proof_checks)
    report = verify_chain_light(chain, kit.kernels, **kw)
    assert (report.blocks, report.aggregates) == (2, 2)
    assert report.head_hash == forged.hash


def test_the_light_view_holds_statements_and_aggregates_only(agg):
    _store, _chain, blocks = agg
    view = blocks[1].light_view()
    assert view["header"] == blocks[1].header.to_json()
    assert [c["public_inputs"] for c in view["statements"]] == \
        [[str(x) for x in c.public_inputs] for c in blocks[1].accepted]
    assert [(c["node_id"], c["task_id"], c["kernel_id"], c["kind"]) for c in view["statements"]] \
        == [(c.node_id, c.task_id, c.kernel_id, c.kind.value) for c in blocks[1].accepted]
    assert [bytes.fromhex(a["aggregate"]) for a in view["aggregates"]] == \
        [a for _k, a in blocks[1].aggregates]
    assert "proof" not in str(view).lower() and "signature" not in str(view).lower()
    assert LightBlock.from_json(json.loads(json.dumps(view))) == blocks[1].light()


def _light_kw(store):
    return dict(genesis=store.genesis(), chain_id=store.chain_id(),
                aggregation_key=SRS.verifier_key())


def test_light_views_without_any_proof_verify_alone(kit, agg, monkeypatch):
    store, _chain, blocks = agg
    # the views as a light client gets them: JSON text, no proof, no body
    views = [json.loads(json.dumps(b.light_view())) for b in blocks]
    assert not any("proof" in str(v).lower() for v in views)
    import zkcx.rollup.builder as builder
    import zkcx.rollup.claim as claim_module

    def no_proofs(*args, **kwargs):
        raise AssertionError("light verification read a proof")

    monkeypatch.setattr(builder, "batch_verify", no_proofs)
    monkeypatch.setattr(claim_module, "decode_proof", no_proofs)
    report = verify_chain_light(views, kit.kernels, **_light_kw(store))
    assert (report.blocks, report.accepted_claims, report.aggregates) == (3, 3, 2)
    assert report.head_hash == blocks[-1].hash
    light = verify_chain_light([b.light() for b in blocks], kit.kernels, **_light_kw(store))
    assert light == report


def _light_fails(kit, store, views, height, match):
    with pytest.raises(ChainVerificationError, match=match) as info:
        verify_chain_light(views, kit.kernels, **_light_kw(store))
    assert info.value.height == height


def test_a_light_view_that_misstates_its_claims_fails(kit, agg):
    store, _chain, blocks = agg
    views = [b.light_view() for b in blocks]
    view = views[1]
    statements = view["statements"]
    assert len(statements) == 3

    def with_statements(changed, reroot=False):
        out = copy.deepcopy(view)
        out["statements"] = changed
        if reroot:  # a forger who re-hashes the header: its hash changes too
            header = replace(blocks[1].header, statements_root=statements_root(
                [ClaimStatement.from_json(c) for c in changed]))
            out["header"] = header.to_json()
        return out

    tampered = copy.deepcopy(statements)
    tampered[0]["public_inputs"][0] = str(int(tampered[0]["public_inputs"][0]) + 1)
    other_node = copy.deepcopy(statements)
    other_node[2]["node_id"], other_node[2]["task_id"] = statements[0]["node_id"], "t9"
    dropped, added = statements[1:], [*statements, statements[0]]
    swapped = [statements[1], statements[0], statements[2]]
    for changed in (tampered, other_node, dropped, added, swapped):
        _light_fails(kit, store, [views[0], with_statements(changed), views[2]], 1,
                     "statements root differs")
    # re-rooted (a header that is not the block's, see below for the chain link): the
    # aggregates do not prove the statements, or the statement's node and task are not
    # those its proof is bound to
    for changed in (tampered, dropped, added, swapped):
        _light_fails(kit, store, [views[0], with_statements(changed, True)], 1,
                     "aggregate of kernel .* does not verify|missing|extra")
    _light_fails(kit, store, [views[0], with_statements(other_node, True)], 1,
                 "statement 2's public input .* is not the claim binding")
    # a header that is not the block's (here: another state root): the next link fails
    forged = copy.deepcopy(view)
    forged["header"] = replace(blocks[1].header, state_root=bytes(32)).to_json()
    _light_fails(kit, store, [views[0], forged, views[2]], 2, "parent hash")
    for bad in ({**view, "statements": "x"}, {**view, "header": {**view["header"], "hash": "0"}},
                {**view, "aggregates": [{"kernel_id": 1}]}):
        _light_fails(kit, store, [views[0], bad], 1, "light view does not decode")
    with pytest.raises(ArgumentTypeError, match="LightBlock"):
        verify_chain_light([b"block"], kit.kernels, **_light_kw(store))


def test_another_blocks_aggregate_fails_light_verification(kit, agg):
    store, _chain, blocks = agg
    b = blocks[1]
    cube, chain_id = kit.ids["cube"], store.chain_id()
    claims = [c for c in b.accepted if c.kernel_id == cube]
    views = [x.light_view() for x in blocks]
    # the same statements aggregated for another block (another height, another parent)
    for parent, height in ((b.hash, 2), (b.header.parent_hash, 2), (b.hash, 1)):
        foreign = aggregate(SRS, kit.kernels.get(cube).vk, [c.proof for c in claims],
                            [c.public_inputs for c in claims],
                            aggregate_label(chain_id, parent, height, cube)).to_bytes()
        view = copy.deepcopy(views[1])
        for entry in view["aggregates"]:
            if entry["kernel_id"] == cube:
                entry["aggregate"] = foreign.hex()
        _light_fails(kit, store, [views[0], view, views[2]], 1,
                     "aggregate of kernel .* does not verify")
    # an aggregate under this block's label of other statements of the same kernel
    other = aggregate(SRS, kit.kernels.get(cube).vk, [claims[0].proof] * 2,
                      [claims[0].public_inputs] * 2,
                      aggregate_label(chain_id, b.header.parent_hash, 1, cube)).to_bytes()
    view = copy.deepcopy(views[1])
    view["aggregates"] = [{"kernel_id": k, "aggregate": (other if k == cube else a).hex()}
                          for k, a in b.aggregates]
    _light_fails(kit, store, [views[0], view], 1, "aggregate of kernel .* does not verify")


def test_a_chain_without_an_aggregation_key_is_unchanged(kit, tmp_path):
    store = SQLiteChainStore.create(tmp_path / "plain.db", new_market())
    assert store.aggregation_key() is None
    with pytest.raises(ChainStoreError, match="keeps no aggregation key"):
        SigningChain(store, kit.kernels, kit=kit, aggregation_srs=SRS)
    chain = SigningChain(store, kit.kernels, kit=kit)
    blocks = _grow(kit, chain)
    assert all(b.aggregates == () for b in blocks)
    verify_chain(store, kit.kernels)
    with pytest.raises(ChainVerificationError, match="keeps no aggregation key"):
        verify_chain_light(store, kit.kernels)
    # a block with aggregates on a chain without a key does not verify
    b = blocks[1]
    forged = _reseal(b, aggregates=[(kit.ids["cube"], b"x")])
    with pytest.raises(ChainVerificationError, match="keeps no aggregation key") as exc:
        verify_chain([blocks[0], forged], kit.kernels, genesis=store.genesis(),
                     chain_id=store.chain_id())
    assert exc.value.height == 1
    with pytest.raises(ChainStoreError, match="before block 0"):
        store.save_aggregation_key(SRS.verifier_key())
    store.close()


def test_the_aggregation_key_is_kept_once_and_checked(kit, tmp_path):
    path = tmp_path / "chain.db"
    store = SQLiteChainStore.create(path, new_market())
    key = SRS.verifier_key()
    store.save_aggregation_key(key)
    store.save_aggregation_key(key)  # the same key again: nothing changes
    with pytest.raises(ChainStoreError, match="another aggregation key"):
        store.save_aggregation_key(OTHER_SRS.verifier_key())
    with pytest.raises(ChainStoreError, match="give the prover's aggregation SRS"):
        SigningChain(store, kit.kernels, kit=kit)
    with pytest.raises(ChainStoreError, match="not the one whose key"):
        SigningChain(store, kit.kernels, kit=kit, aggregation_srs=OTHER_SRS)
    store.close()
    reopened = SQLiteChainStore.open(path, read_only=True)
    assert reopened.aggregation_key().digest() == key.digest()
    with pytest.raises(ChainStoreError, match="read-only"):
        reopened.save_aggregation_key(key)
    reopened.check_integrity()
    reopened.close()
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'aggregation_key'",
                     (encode_aggregation_key(OTHER_SRS.verifier_key()),))
    with pytest.raises(ChainStoreError, match="meta row 'aggregation_key' does not match"):
        SQLiteChainStore.open(path)


def test_the_key_encoding_round_trips_and_refuses_other_bytes():
    key = SRS.verifier_key()
    data = encode_aggregation_key(key)
    back = decode_aggregation_key(data)
    assert back.size == key.size and back.digest() == key.digest()
    from zkcx.errors import EncodingError

    off_curve = data[:4] + (1).to_bytes(32, "little") + data[36:]
    for bad in (data[:-1], data + b"\0", b"\0\0\0\3" + data[4:], off_curve):
        with pytest.raises(EncodingError):
            decode_aggregation_key(bad)


def test_block_bodies_keep_aggregates_in_kernel_order(agg):
    _store, _chain, blocks = agg
    b = blocks[1]
    assert decode_body(b.body_bytes())[4] == b.aggregates
    swapped = encode_body(b.accepted, b.rejected, b.operations, b.rejected_operations, ())
    raw = bytearray(swapped)
    # append two aggregates out of order by hand: the decoder refuses them
    from zkcx.rollup._codec import Writer

    w = Writer().uint(2, 4).text("bb").blob(b"1").text("aa").blob(b"2").getvalue()
    with pytest.raises(MalformedBlockError, match="increasing kernel id"):
        decode_body(bytes(raw[:-4]) + w)


def test_chain_aggregation_and_block_verify_light_commands(kit, tmp_path):
    from tests.cli.conftest import run_main

    path = tmp_path / "chain.db"
    SQLiteChainStore.create(path, new_market()).close()
    run = run_main("chain", "aggregation", "--chain", path)
    assert run.code == 2 and "--ptau A --ptau B" in run.stderr
    run = run_main("chain", "aggregation", "--chain", path, "--unsafe-srs", "s", "--size", "3")
    assert run.code == 2 and "power of two" in run.stderr
    run = run_main("--json", "chain", "aggregation", "--chain", path,
                   "--unsafe-srs", "block aggregates test", "--size", "4")
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["aggregation_key"] == SRS.verifier_key().digest().hex() and doc["unsafe"]
    run = run_main("chain", "aggregation", "--chain", path, "--unsafe-srs", "another")
    assert run.code == 2 and "another aggregation key" in run.stderr
    with SQLiteChainStore.open(path) as store:
        store.save_kernel_registry(kit.kernels)
        _grow(kit, SigningChain(store, kit.kernels, kit=kit, aggregation_srs=SRS))
    run = run_main("--json", "block", "verify", "--light", "--chain", path)
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["valid"] and doc["light"] and (doc["blocks"], doc["aggregates"]) == (3, 2)
    assert "state roots" in doc["not_checked"]
    run = run_main("block", "verify", "--light", "--chain", path)
    assert run.code == 0 and "not checked" in run.stdout and "full replay" in run.stdout
    assert run_main("block", "verify", "--chain", path).code == 0
    run = run_main("block", "build", "--chain", path)
    assert run.code == 2 and "--unsafe-aggregation-srs" in run.stderr
    run = run_main("block", "build", "--chain", path, "--unsafe-aggregation-srs", "wrong")
    assert run.code == 2 and "not the one whose key" in run.stderr
    run = run_main("block", "build", "--chain", path,
                   "--unsafe-aggregation-srs", "block aggregates test")
    assert run.code == 0, run.stderr
    plain = tmp_path / "plain.db"
    SQLiteChainStore.create(plain, new_market()).close()
    run = run_main("block", "verify", "--light", "--chain", plain)
    assert run.code == 2 and "no aggregation key" in run.stderr
    run = run_main("block", "build", "--chain", plain, "--unsafe-aggregation-srs", "x")
    assert run.code == 2 and "keeps no aggregation key" in run.stderr


def test_both_store_backends_keep_the_aggregation_key(backend):
    store = backend.create()
    try:
        assert store.aggregation_key() is None
        store.save_aggregation_key(SRS.verifier_key())
        with pytest.raises(ChainStoreError, match="another aggregation key"):
            store.save_aggregation_key(OTHER_SRS.verifier_key())
    finally:
        store.close()
    reopened = backend.open(read_only=True)
    try:
        assert reopened.aggregation_key().digest() == SRS.verifier_key().digest()
        reopened.check_integrity()
    finally:
        reopened.close()


@given(st.dictionaries(st.text(min_size=1, max_size=70), st.binary(max_size=64), max_size=5))
@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_aggregates_round_trip_through_the_body_and_change_its_hash(aggregates):
    aggregates = tuple(sorted(aggregates.items()))
    body = encode_body((), (), (), (), aggregates)
    assert decode_body(body) == ((), (), (), (), aggregates)
    if aggregates:
        assert body_hash(body) != body_hash(encode_body((), (), (), (), aggregates[1:]))
        with pytest.raises(ArgumentTypeError, match="increasing kernel id"):
            encode_body((), (), (), (), aggregates[::-1] + aggregates[:1])
