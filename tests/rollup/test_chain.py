# SPDX-License-Identifier: MIT
"""The chain: SQLite store, reopening, re-verification from genesis, tampered blocks,
refused appends that leave the store as it was. The grown chain's block 0 is the kit's
setup block (its requester posts the tasks; the scheduler assigns them)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rollup.conftest import (
    REQUESTER,
    SigningChain,
    addr,
    new_market,
    signer,
)
from tests.rollup.test_builder import _tamper
from zkcx.rewards import TOKEN, Stake, Transfer, Unstake, merkle_root
from zkcx.rollup import (
    Block,
    ChainStoreError,
    ChainVerificationError,
    MalformedBlockError,
    RejectReason,
    SignedOperation,
    SQLiteChainStore,
    verify_chain,
)
from zkcx.rollup.block import BLOCK_VERSION, BlockHeader, body_hash, encode_body, statements_root


def _grow(kit, chain: SigningChain) -> list[Block]:
    """The setup block, then four blocks: compute work, a stake and training steps,
    replays and tampering."""
    first = [kit.claim("cube", "n1", "t1", 3, 4), kit.claim("chain", "n2", "t2", 5),
             _tamper(kit.claim("chain", "n3", "t3", 6))]
    second = [kit.claim("train", "n1", "t4", 5, 3, 2, model=("m", 0)),
              kit.claim("cube", "n1", "t1", 3, 4),                       # replayed
              kit.claim("bound", "n2", "t5", 7)]
    third = [kit.claim("train", "n1", "t6", 11, 1, 4, model=("m", 1)),
             kit.claim("infer", "n2", "t7", 8, model=("m", 1))]
    kit.plan("cube", "n2", "t8", 8, 8)  # claimed by later tests
    kit.plan("cube", "n2", "t9", 9, 9)
    blocks = [chain.setup(timestamp=9)]
    blocks.append(chain.produce(first, operations=[Transfer(REQUESTER, addr("n1"), TOKEN)],
                                timestamp=10))
    blocks.append(chain.produce(
        second, operations=[Stake(addr("n1"), TOKEN), Transfer(addr("n2"), addr("n3"), 5)],
        timestamp=11))
    blocks.append(chain.produce(third, timestamp=11))
    blocks.append(chain.produce([], operations=[Unstake(addr("n1"), TOKEN // 2)], timestamp=12))
    return blocks


@pytest.fixture()
def grown(kit, tmp_path):
    path = tmp_path / "chain.db"
    store = SQLiteChainStore.create(path, new_market())
    chain = SigningChain(store, kit.kernels, kit=kit)
    blocks = _grow(kit, chain)
    yield path, store, chain, blocks
    store.close()


def test_a_grown_chain_verifies_from_genesis(kit, grown):
    path, store, chain, blocks = grown
    report = verify_chain(store, kit.kernels)
    assert report.blocks == 5
    assert report.head_hash == blocks[-1].hash == store.head().hash
    assert report.state_root == chain.market.state_root()
    assert report.models_root == chain.market.models_root() == blocks[-1].header.models_root
    assert report.accepted_claims == sum(len(b.accepted) for b in blocks) == 6
    assert [v.commitment for v in chain.market.model("m").versions] == [5, 11, 15]
    assert [r.reason for r in blocks[2].rejected] == [RejectReason.REPLAYED]
    assert chain.ledger.accounts[addr("n3")].proofs_invalid == 1


def test_verification_reports_its_progress_block_by_block(kit, grown):
    _path, store, _chain, _blocks = grown
    seen = []
    verify_chain(store, kit.kernels, progress=lambda d, t, w: seen.append((d, t, w)))
    assert seen == [(k, 5, f"block {k}") for k in range(5)]


def test_reopening_restores_market_and_head(kit, grown):
    path, store, chain, blocks = grown
    with SQLiteChainStore.open(path) as again:
        reopened = SigningChain(again, kit.kernels)
        assert reopened.market == chain.market
        assert reopened.market.state_root() == blocks[-1].header.state_root
        assert reopened.market.models_root() == blocks[-1].header.models_root
        assert again.head() == blocks[-1].header
        assert [b.to_bytes() for b in again.blocks()] == [b.to_bytes() for b in blocks]
        assert again.block(1).to_bytes() == blocks[1].to_bytes()
        assert again.has_statement(blocks[1].accepted[0].statement_hash)
        assert again.claim_height(blocks[3].accepted[0].claim_hash) == 3
        # and it keeps growing where it stopped: n2 delivers its task t9
        nxt = reopened.produce([kit.claim("cube", "n2", "t9", 9, 9)], timestamp=20)
        assert nxt.header.parent_hash == blocks[-1].hash and len(nxt.accepted) == 1
        assert verify_chain(again, kit.kernels).blocks == 6


def test_blocks_verify_as_a_list_with_their_genesis(kit, grown):
    path, store, chain, blocks = grown
    report = verify_chain(blocks, kit.kernels, genesis=store.genesis(),
                     chain_id=store.chain_id())
    assert report.head_hash == blocks[-1].hash
    with pytest.raises(TypeError, match="genesis"):
        verify_chain(blocks, kit.kernels)


def _reseal(block: Block, accepted=None, rejected=None, operations=None, **header) -> Block:
    """A block with another body whose header's body hash and claims root follow it."""
    accepted = block.accepted if accepted is None else tuple(accepted)
    rejected = block.rejected if rejected is None else tuple(rejected)
    operations = block.operations if operations is None else tuple(operations)
    body = encode_body(accepted, rejected, operations, block.rejected_operations)
    h = replace(block.header, body_hash=body_hash(body),
                claims_root=merkle_root([c.claim_hash for c in accepted]),
                statements_root=statements_root([c.statement for c in accepted]))
    return Block(replace(h, **header), accepted, rejected, operations,
                 block.rejected_operations)


def _fails(kit, store, blocks, height, match):
    with pytest.raises(ChainVerificationError, match=match) as info:
        verify_chain(blocks, kit.kernels, genesis=store.genesis(),
                     chain_id=store.chain_id())
    assert info.value.height == height


def test_a_header_that_does_not_match_its_body_is_refused(kit, grown):
    _, store, _, blocks = grown
    b = blocks[2]
    dropped = Block(b.header, b.accepted[1:], b.rejected, b.operations)
    _fails(kit, store, [*blocks[:2], dropped, *blocks[3:]], 2, "body hash differs")
    stale_root = replace(b.header, claims_root=bytes(32))
    _fails(kit, store, [*blocks[:2], Block(stale_root, *_body(b)), *blocks[3:]], 2,
           "claims root differs")
    # a statements root that is not the accepted claims' (one of them dropped, or their
    # order swapped): the full verification recomputes it from the claims
    for wrong in (statements_root([c.statement for c in b.accepted[1:]]),
                  statements_root([c.statement for c in reversed(b.accepted)]), bytes(32)):
        assert wrong != b.header.statements_root
        stale = replace(b.header, statements_root=wrong)
        _fails(kit, store, [*blocks[:2], Block(stale, *_body(b)), *blocks[3:]], 2,
               "statements root differs")


def _body(b: Block):
    return b.accepted, b.rejected, b.operations, b.rejected_operations


@pytest.mark.parametrize("field,match", [
    ("state_root", "state root mismatch"), ("models_root", "models root mismatch"),
    ("statements_root", "statements root differs"),
    ("emission", "emission mismatch"), ("height", "height"),
    ("parent_hash", "parent hash"), ("version", "block version 2, this zkcx verifies version 4"),
])
def test_each_forged_header_field_is_refused(kit, grown, field, match):
    _, store, _, blocks = grown
    value = {"emission": blocks[3].header.emission + 1, "height": 7, "version": 2}.get(
        field, b"\x01" * 32)
    forged = replace(blocks[3].header, **{field: value})
    _fails(kit, store, [*blocks[:3], Block(forged, *_body(blocks[3])), blocks[4]], 3, match)


def test_a_version_2_header_is_refused_when_decoded_with_the_version_expected(grown):
    """Version 2 headers committed the rollup's former model registry, which no replay
    computes any more: they are refused by name, not read as damage."""
    header = grown[3][1].header
    assert header.version == BLOCK_VERSION == 4
    old = replace(header, version=2).to_bytes()
    with pytest.raises(MalformedBlockError, match="block version 2, this zkcx reads "
                       "version 4 only.*former model registry"):
        BlockHeader.from_bytes(old)
    with pytest.raises(MalformedBlockError, match="block version 3, this zkcx reads "
                       "version 4 only.*aggregate proofs"):
        BlockHeader.from_bytes(replace(header, version=3).to_bytes())
    with pytest.raises(MalformedBlockError, match="block version 5, this zkcx reads "
                       "version 4"):
        BlockHeader.from_bytes(replace(header, version=5).to_bytes())
    assert BlockHeader.from_bytes(header.to_bytes()) == header
    assert BlockHeader.from_json(header.to_json()) == header
    doc = header.to_json()
    for bad in ({**doc, "statements_root": "00"}, {**doc, "hash": "00" * 32},
                {**doc, "emission": "-1"}, {**doc, "version": 3},
                {k: v for k, v in doc.items() if k != "statements_root"}, [doc]):
        with pytest.raises(MalformedBlockError):
            BlockHeader.from_json(bad)


def test_a_tampered_proof_among_accepted_claims_is_refused(kit, grown):
    _, store, _, blocks = grown
    b = blocks[1]
    bad = _reseal(b, accepted=[_tamper(b.accepted[0]), *b.accepted[1:]])
    _fails(kit, store, [blocks[0], bad], 1, "accepted claims differ")


def test_an_invented_rejection_that_would_slash_is_refused(kit, grown):
    _, store, _, blocks = grown
    b = blocks[1]
    first = b.accepted[0]
    from zkcx.rollup import RejectedClaim
    fake = RejectedClaim(0, RejectReason.INVALID_PROOF, "the Groth16 proof does not verify",
                         first.to_bytes())
    shifted = [replace(r, index=r.index) for r in b.rejected]
    forged = _reseal(b, accepted=b.accepted[1:], rejected=[fake, *shifted])
    _fails(kit, store, [blocks[0], forged], 1, "accepted claims differ|rejected claims")


def test_a_changed_operation_is_refused(kit, grown):
    _, store, chain, blocks = grown
    stake, transfer = blocks[2].operations
    # the amount changed under the same signature: it recovers another account
    changed = replace(transfer, operation=replace(transfer.operation, amount=6))
    forged = _reseal(blocks[2], operations=[stake, changed])
    _fails(kit, store, [*blocks[:2], forged, *blocks[3:]], 2,
           "applied operations differ|accepted claims differ")
    # signed anew by its own key: a valid operation, but not the one the header committed
    resigned = SignedOperation.sign(changed.operation, transfer.nonce, signer("n2"), chain.domain)
    forged = _reseal(blocks[2], operations=[stake, resigned])
    _fails(kit, store, [*blocks[:2], forged, *blocks[3:]], 2, "state root mismatch")


def test_a_timestamp_going_back_is_refused(kit, grown):
    _, store, _, blocks = grown
    forged = replace(blocks[2].header, timestamp=9)
    _fails(kit, store, [*blocks[:2], Block(forged, *_body(blocks[2]))], 2, "timestamp")


def test_appends_that_do_not_extend_the_head_change_nothing(kit, grown):
    path, store, chain, blocks = grown
    built = chain.build([kit.claim("cube", "n2", "t9", 9, 9)], timestamp=20)
    head = store.head()
    with pytest.raises(ChainStoreError, match="does not extend"):
        store.append(blocks[1], chain.market)
    with pytest.raises(ChainStoreError, match="state root"):
        store.append(built.block, chain.market)
    wrong_models = Block(replace(built.block.header, models_root=bytes(32)),
                         *_body(built.block))
    with pytest.raises(ChainStoreError, match="models root"):
        store.append(wrong_models, built.market)
    assert store.head() == head
    assert chain.commit(built).header.height == 5


def test_a_replayed_statement_fails_the_commit_and_leaves_the_store_as_it_was(kit, grown):
    path, store, chain, blocks = grown
    old = blocks[1].accepted[0]  # accepted in block 1
    built = chain.build([kit.claim("cube", "n2", "t8", 8, 8)], timestamp=30)
    (new,) = built.block.accepted
    # the builder refuses a replay (by the index, and the market: its task is done), so
    # the block is forged with it; the store refuses it all the same
    forged = _reseal(built.block, accepted=[new, old])
    before = _dump(path)
    with pytest.raises(ChainStoreError, match="nothing written"):
        store.append(forged, built.market)
    assert _dump(path) == before
    assert not store.has_statement(new.statement_hash)
    assert store.load_state() == chain.market


def test_an_exception_in_the_middle_of_an_append_rolls_it_back(kit, grown, monkeypatch):
    path, store, chain, blocks = grown
    built = chain.build([kit.claim("cube", "n2", "t8", 8, 8)], timestamp=30)
    real = store._conn

    class Failing:
        in_transaction = property(lambda self: real.in_transaction)

        def execute(self, sql, *args):
            if sql.startswith("UPDATE state"):
                raise RuntimeError("disk on fire")
            return real.execute(sql, *args)

        def executemany(self, sql, *args):
            return real.executemany(sql, *args)

    before = _dump(path)
    monkeypatch.setattr(store, "_conn", Failing())
    with pytest.raises(RuntimeError, match="disk on fire"):
        chain.commit(built)
    monkeypatch.setattr(store, "_conn", real)
    assert _dump(path) == before
    assert chain.height == 4  # the in-memory state did not move either
    assert chain.commit(built).header.height == 5


def _dump(path) -> list:
    conn = sqlite3.connect(path)
    try:
        return [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("meta", "blocks", "claims", "state")]
    finally:
        conn.close()


def test_stores_refuse_the_wrong_files(tmp_path, grown):
    path = grown[0]
    with pytest.raises(ChainStoreError, match="exists"):
        SQLiteChainStore.create(path)
    with pytest.raises(ChainStoreError, match="does not exist"):
        SQLiteChainStore.open(tmp_path / "none.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.close()
    with pytest.raises(ChainStoreError, match="not a zkcx chain store"):
        SQLiteChainStore.open(other)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (b"99",))
    conn.commit()
    conn.close()
    with pytest.raises(ChainStoreError, match="schema version"):
        SQLiteChainStore.open(path)


def _edit_state(path, accountant: bytes, redigest: bool = True) -> None:
    """Replace the state row's market bytes, with a digest that matches (an edit made
    knowing the format) or not (damage)."""
    from zkcx.rollup.store import state_digest
    conn = sqlite3.connect(path)
    height, claims, digest = conn.execute("SELECT height, claims, digest FROM state").fetchone()
    digest = state_digest(height, claims, accountant) if redigest else digest
    conn.execute("UPDATE state SET accountant = ?, digest = ?", (accountant, digest))
    conn.commit()
    conn.close()


def test_a_state_row_that_does_not_match_the_head_is_refused_on_load(kit, grown, tmp_path):
    path, store, chain, blocks = grown
    with SQLiteChainStore.create(tmp_path / "other.db", new_market()) as other_store:
        other = SigningChain(other_store, kit.kernels)
        for t in range(len(blocks)):  # another market at the head's height
            other.produce([], timestamp=t)
        _edit_state(path, other.market.to_bytes())
    with SQLiteChainStore.open(path) as again, pytest.raises(ChainStoreError, match="roots"):
        again.load_state()
    _edit_state(path, chain.market.to_bytes() + b"\x00", redigest=False)
    with pytest.raises(ChainStoreError, match="state row does not match its digest"):
        SQLiteChainStore.open(path)


def test_the_store_runs_in_wal_mode(grown):
    assert grown[1]._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_timestamps_come_from_the_clock_and_never_go_back(kit, tmp_path):
    times = iter([100.7, 50.0])
    with SQLiteChainStore.create(tmp_path / "c.db", new_market()) as store:
        chain = SigningChain(store, kit.kernels, clock=lambda: next(times))
        assert chain.produce([]).header.timestamp == 100
        assert chain.produce([]).header.timestamp == 100
        assert verify_chain(store, kit.kernels).blocks == 2


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.tuples(st.integers(0, 7), st.booleans()), max_size=5),
                min_size=1, max_size=4))
def test_any_sequence_of_blocks_replays_to_the_same_roots(kit, tmp_path_factory, plan):
    """Blocks of valid, tampered, repeated and replayed claims drawn from a small pool:
    the stored chain re-verifies, reopens to the same state, and claims are paid once."""
    pool = [kit.claim("cube", "n1", f"p{i}", 40 + i, 2) if i % 2 else
            kit.claim("chain", f"n{i}", f"p{i}", 40 + i) for i in range(8)]
    path = tmp_path_factory.mktemp("seq") / "chain.db"
    with SQLiteChainStore.create(path, new_market()) as store:
        chain = SigningChain(store, kit.kernels, kit=kit)
        for t, picks in enumerate(plan):
            chain.produce([_tamper(pool[i]) if bad else pool[i] for i, bad in picks],
                          timestamp=t)
        report = verify_chain(store, kit.kernels)
        accepted = [c.statement_hash for b in store.blocks() for c in b.accepted]
    assert len(accepted) == len(set(accepted)) == report.accepted_claims
    with SQLiteChainStore.open(path) as again:
        acc = again.load_state()
    assert acc.state_root() == report.state_root == chain.market.state_root()
    accounts = acc.ledger.accounts
    assert sum(a.claims_accepted for a in accounts.values()) == report.accepted_claims
    with SQLiteChainStore.open(path) as again:
        invalid = sum(r.reason is RejectReason.INVALID_PROOF for b in again.blocks()
                      for r in b.rejected)
    assert sum(a.proofs_invalid for a in accounts.values()) == invalid


def test_blocks_round_trip_through_bytes_and_refuse_corruption(grown):
    from zkcx.rollup import BlockHeader, MalformedBlockError
    for block in grown[3]:
        again = Block.from_bytes(block.to_bytes())
        assert again.to_bytes() == block.to_bytes() and again.hash == block.hash
        assert BlockHeader.from_bytes(block.header.to_bytes()) == block.header
    data = grown[3][2].to_bytes()
    for bad in (data[:-1], data + b"\x00", data[:10]):
        with pytest.raises(MalformedBlockError):
            Block.from_bytes(bad)


def test_the_sqlite_store_is_a_chain_store(grown):
    from zkcx.rollup import ChainStore
    assert isinstance(grown[1], ChainStore)
    assert grown[1].has_claim(grown[3][1].accepted[0].claim_hash)
    assert not grown[1].has_claim(bytes(32))


def test_block_summaries_are_json(grown):
    import json
    block = grown[3][2]
    summary = json.loads(json.dumps(block.summary()))
    assert summary["header"]["hash"] == block.hash.hex()
    assert summary["header"]["emission"] == str(block.header.emission)
    assert [r["reason"] for r in summary["rejected"]] == ["replayed"]
    op = summary["operations"][0]
    assert {k: op[k] for k in ("op", "node_id", "amount")} == {
        "op": "stake", "node_id": addr("n1"), "amount": str(TOKEN)}
    # n1's registration and claim came first
    assert op["nonce"] == 2 and op["signature"] == block.operations[0].signature.hex()
    assert summary["operations"][1]["op"] == "transfer"


def test_a_stored_state_that_differs_from_the_replay_is_refused(kit, grown):
    path, store, chain, blocks = grown
    from zkcx.market import Market
    forged = chain.market.to_dict()
    # no longer the head's state root
    forged["ledger"]["accounts"][addr("n1")]["reputation"] += 1
    _edit_state(path, accountant=Market.from_dict(forged).to_bytes())
    with pytest.raises(ChainVerificationError, match="stored state") as info:
        verify_chain(store, kit.kernels)
    assert info.value.height == 4
    # a later entry of the parameter schedule: refused by the roots or by the replay
    forged = chain.market.to_dict()
    forged["ledger"]["schedule"].append({**forged["ledger"]["schedule"][0], "height": 1000})
    _edit_state(path, accountant=Market.from_dict(forged).to_bytes())
    with pytest.raises(ChainVerificationError, match="stored state"):
        verify_chain(store, kit.kernels)
    # without its digest, the integrity check refuses any edit first
    _edit_state(path, accountant=chain.market.to_bytes(), redigest=False)
    with pytest.raises(ChainVerificationError, match="damaged.*state row"):
        verify_chain(store, kit.kernels)
