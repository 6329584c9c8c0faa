# SPDX-License-Identifier: MIT
"""The chain store's pending pool, blob store and transactions index (schema 4), on both
backends (the ``backend`` fixture: an SQLite file, a PostgreSQL database): what
``submit`` keeps and refuses, that a block's append removes exactly what it consumed in
its own transaction (and nothing when it fails), the digests checked on read, the index
``verify_chain`` rebuilds from the blocks, and an acknowledged submission surviving a
SIGKILL."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rollup.conftest import SigningChain
from tests.rollup.test_chain import _grow
from zkcx.errors import ArgumentTypeError, InvalidArgumentError
from zkcx.rollup import (
    BlobTooLargeError,
    ChainStoreError,
    ChainVerificationError,
    PendingItem,
    PendingPoolFullError,
    SQLiteChainStore,
    TxOutcome,
    raw_claim_hash,
    verify_chain,
)
from zkcx.rollup.store import MAX_BLOB_SIZE, tx_digest
from zkcx.rollup.transactions import raw_operation_hash

ACCOUNT = "0x" + "ab" * 20


def _claim_item(n: int) -> tuple:
    """submit()'s arguments for a made-up claim (the store does not decode it)."""
    raw = b"claim %d" % n
    return "claim", raw_claim_hash(raw), ACCOUNT, n, raw, 1_700_000_000 + n


@pytest.fixture()
def store(backend):
    with backend.create() as s:
        yield s


@pytest.fixture()
def grown(kit, backend):
    """A closed chain of five blocks (module test_chain: the setup block, then four) on
    the backend, with a task "w1" for n2 posted beside the others."""
    kit.plan("cube", "n2", "w1", 5, 5)
    with backend.create() as store:
        blocks = _grow(kit, SigningChain(store, kit.kernels, kit=kit))
    return backend, blocks


# -- submit -----------------------------------------------------------------------------------
def test_submit_returns_the_item_and_a_second_submit_of_its_hash_returns_it_again(store):
    args = _claim_item(1)
    item = store.submit(*args)
    assert item == PendingItem(item.seq, *args)
    again = store.submit("claim", args[1], ACCOUNT, 99, args[4], 5)  # a retry: same hash
    assert again == item
    assert store.pending_count() == 1
    assert store.pending() == [item]
    assert store.pending_item(args[1]) == item == store.submission(args[1])
    assert store.pending_item(bytes(32)) is None and store.submission(bytes(32)) is None


def test_items_come_back_in_arrival_order_and_a_seq_is_never_reused(store):
    items = [store.submit(*_claim_item(n)) for n in (5, 3, 9, 1)]
    seqs = [i.seq for i in items]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    assert store.pending() == items
    assert store.pending(limit=2) == items[:2] and store.pending(limit=0) == []
    assert store.drop_pending([items[-1].hash, bytes(32)]) == 1  # the newest, and no one
    later = store.submit(*_claim_item(7))
    assert later.seq > seqs[-1]  # the dropped item's seq is not given again
    assert store.pending() == [*items[:3], later]


def test_operations_are_kept_under_their_operation_hash(store):
    raw = b"\x03 operation bytes"
    item = store.submit("operation", raw_operation_hash(raw), ACCOUNT, 0, raw, 0)
    assert item.kind == "operation" and store.pending_item(item.hash) == item
    with pytest.raises(InvalidArgumentError, match="not the claim hash"):
        store.submit("claim", raw_operation_hash(raw), ACCOUNT, 0, raw, 0)


def test_a_full_pool_refuses_new_items_and_writes_nothing(store):
    store.max_pending = 3
    items = [store.submit(*_claim_item(n)) for n in range(3)]
    with pytest.raises(PendingPoolFullError, match="3 items, its maximum"):
        store.submit(*_claim_item(3))
    assert store.pending() == items
    assert store.submit(*_claim_item(1)) == items[1]  # a retry is still answered
    store.drop_pending([items[0].hash])
    store.submit(*_claim_item(3))
    assert store.pending_count() == 3


@pytest.mark.parametrize("change, error, message", [
    ({0: "vote"}, InvalidArgumentError, "kind is one of"),
    ({1: "ab" * 16}, ArgumentTypeError, "hash is bytes"),
    ({1: bytes(32)}, InvalidArgumentError, "not the claim hash"),
    ({2: b"0xab"}, ArgumentTypeError, "account is an address text"),
    ({3: -1}, InvalidArgumentError, "nonce -1 is outside"),
    ({3: 1 << 63}, InvalidArgumentError, "nonce .* is outside"),
    ({3: 1.0}, ArgumentTypeError, "nonce is an int"),
    ({5: True}, ArgumentTypeError, "received is an int"),
])
def test_bad_submissions_are_refused_and_write_nothing(store, change, error, message):
    args = list(_claim_item(1))
    for k, v in change.items():
        args[k] = v
    with pytest.raises(error, match=message):
        store.submit(*args)
    assert store.pending_count() == 0


def test_hash_lists_must_be_iterables_of_bytes(store):
    item = store.submit(*_claim_item(1))
    with pytest.raises(ArgumentTypeError, match="iterable of hashes"):
        store.drop_pending(item.hash)  # one bytes value would iterate as ints
    with pytest.raises(ArgumentTypeError, match="a hash is bytes"):
        store.drop_pending([item.hash.hex()])
    assert store.pending() == [item]


def test_a_read_only_store_refuses_every_write(backend):
    backend.create().close()
    with backend.open(read_only=True) as reader:
        for write in (lambda: reader.submit(*_claim_item(1)), lambda: reader.put_blob(b"x"),
                      lambda: reader.drop_pending([bytes(32)])):
            with pytest.raises(ChainStoreError, match="read-only"):
                write()
        assert reader.pending() == [] and reader.blob(bytes(32)) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["submit", "drop"]), st.integers(0, 6)),
                max_size=25))
def test_the_pool_behaves_like_an_ordered_map_of_first_arrivals(steps):
    """Against a model: submit keeps the first arrival of a hash, drop removes it, the
    pool lists what is left in arrival order with increasing seqs."""
    with SQLiteChainStore.create(":memory:") as s:
        model: dict[bytes, PendingItem] = {}
        last_seq = 0
        for action, n in steps:
            args = _claim_item(n)
            if action == "submit":
                item = s.submit(*args)
                if args[1] in model:
                    assert item == model[args[1]]
                else:
                    assert item.seq > last_seq
                    last_seq = item.seq
                    model[args[1]] = item
            else:
                assert s.drop_pending([args[1]]) == (args[1] in model)
                model.pop(args[1], None)
        assert s.pending() == sorted(model.values(), key=lambda i: i.seq)
        assert s.pending_count() == len(model)


# -- append(..., consumed) ------------------------------------------------------------------------
def test_an_append_removes_exactly_the_consumed_items_in_its_transaction(kit, grown):
    backend, _blocks = grown
    with backend.open() as s:
        chain = SigningChain(s, kit.kernels)
        built = chain.build([kit.claim("cube", "n2", "w1", 5, 5)], timestamp=40)
        claim = built.block.accepted[0]
        inside = s.submit("claim", claim.claim_hash, claim.node_id, 0, claim.to_bytes(), 1)
        others = [s.submit(*_claim_item(n)) for n in range(3)]
        chain.commit(built, consumed=[claim.claim_hash, others[1].hash])
        assert s.pending() == [others[0], others[2]]
        assert s.submission(inside.hash) == TxOutcome(5, "accepted", None, None)
        assert s.submission(others[0].hash) == others[0]
        assert verify_chain(s, kit.kernels).blocks == 6


def test_a_failed_append_leaves_the_pending_items_and_everything_else(kit, grown):
    backend, blocks = grown
    with backend.open() as s:
        chain = SigningChain(s, kit.kernels)
        items = [s.submit(*_claim_item(n)) for n in range(3)]
        s.put_blob(b"task data")
        before = backend.dump()
        with pytest.raises(ChainStoreError, match="does not extend the head"):
            s.append(blocks[2], chain.market, consumed=[i.hash for i in items])
        assert backend.dump() == before
        built = chain.build([kit.claim("cube", "n2", "w1", 5, 5)], timestamp=40)
        # a statement already in the chain: the index's primary key stops the block
        # after the block's row is written
        backend.sql(("INSERT INTO claims SELECT ?, ?, 1, digest FROM claims LIMIT 1",
                     (built.block.accepted[0].statement_hash, b"\x00")))
        damaged = backend.dump()
        with pytest.raises(ChainStoreError, match="refused, nothing written"):
            s.append(built.block, built.market, consumed=[i.hash for i in items])
        assert backend.dump() == damaged
        assert s.pending() == items


# -- blobs --------------------------------------------------------------------------------------
def test_blobs_are_kept_under_their_sha256(store):
    data = bytes(range(256)) * 40
    digest = store.put_blob(data)
    assert digest == hashlib.sha256(data).digest()
    assert store.put_blob(bytearray(data)) == digest  # again: nothing changes
    assert store.blob(digest) == data
    assert store.blob(hashlib.sha256(b"other").digest()) is None
    assert store.put_blob(b"") == hashlib.sha256(b"").digest() and store.blob(
        hashlib.sha256(b"").digest()) == b""
    with pytest.raises(ArgumentTypeError, match="a blob is bytes"):
        store.put_blob("text")


def test_a_blob_above_16_mib_is_refused(store):
    store.put_blob(bytes(MAX_BLOB_SIZE))
    with pytest.raises(BlobTooLargeError, match=f"{MAX_BLOB_SIZE + 1} bytes"):
        store.put_blob(bytes(MAX_BLOB_SIZE + 1))


# -- the transactions index ---------------------------------------------------------------------
def test_submissions_say_what_each_block_did_with_each_transaction(grown):
    backend, blocks = grown
    with backend.open(read_only=True) as s:
        expected: dict[bytes, TxOutcome] = {}
        for block in blocks:
            for r in block.rejected:
                expected.setdefault(r.claim_hash, TxOutcome(block.height, "rejected",
                                                            r.reason.value, r.detail))
            for r in block.rejected_operations:
                expected.setdefault(raw_operation_hash(r.data), TxOutcome(
                    block.height, "rejected", r.reason.value, r.detail))
            for c in block.accepted:
                expected[c.claim_hash] = TxOutcome(block.height, "accepted", None, None)
            for op in block.operations:
                expected[op.hash] = TxOutcome(block.height, "applied", None, None)
        verdicts = {o.verdict for o in expected.values()}
        assert verdicts == {"accepted", "rejected", "applied"}  # the chain has all three
        assert {h: s.submission(h) for h in expected} == expected
        assert len(list(s.tx_index())) == len(expected)


def test_a_claim_rejected_then_received_again_ends_with_its_last_verdict(kit, grown):
    backend, _ = grown
    with backend.open() as s:
        chain = SigningChain(s, kit.kernels)
        first, second = chain.build([kit.claim("cube", "n2", "t8", 8, 8),
                                     kit.claim("cube", "n2", "t9", 9, 9)]).block.accepted
        early = chain.produce([second, second], timestamp=40)  # before its nonce's turn
        assert [r.claim_hash for r in early.rejected] == [second.claim_hash] * 2
        assert s.submission(second.claim_hash) == TxOutcome(
            5, "rejected", early.rejected[1].reason.value, early.rejected[1].detail)
        chain.produce([first, second, second], timestamp=41)  # accepted, and a copy refused
        assert s.submission(second.claim_hash) == TxOutcome(6, "accepted", None, None)
        chain.produce([second], timestamp=42)  # received again: the acceptance stays
        assert s.submission(second.claim_hash) == TxOutcome(6, "accepted", None, None)
        garbage = b"not a claim"
        chain.produce([garbage], timestamp=43)
        chain.produce([garbage], timestamp=44)
        outcome = s.submission(raw_claim_hash(garbage))
        assert (outcome.height, outcome.verdict, outcome.reason) == (9, "rejected",
                                                                     "malformed")
        assert verify_chain(s, kit.kernels).blocks == 10


def test_damaged_rows_are_detected(kit, grown):
    backend, blocks = grown
    with backend.open() as s:
        item = s.submit(*_claim_item(1))
        digest = s.put_blob(b"inputs")
    backend.sql("UPDATE pending SET nonce = 2")
    with backend.open() as s:  # open does not read every row ...
        with pytest.raises(ChainStoreError, match="pending row of hash .* digest"):
            s.pending()
        with pytest.raises(ChainStoreError, match="pending row"):
            s.submission(item.hash)
        with pytest.raises(ChainStoreError, match="pending row"):
            s.check_integrity()  # ... check_integrity does
        with pytest.raises(ChainVerificationError, match="pending row") as info:
            verify_chain(s, kit.kernels)
        assert info.value.height is None and backend.location not in str(info.value)
    backend.sql("UPDATE pending SET nonce = 1", ("UPDATE blobs SET data = ?", (b"\x00",)))
    with backend.open() as s:
        with pytest.raises(ChainStoreError, match="blob .* does not have its SHA-256"):
            s.blob(digest)
        with pytest.raises(ChainVerificationError, match="blob"):
            verify_chain(s, kit.kernels)
    backend.sql(("UPDATE blobs SET data = ?", (b"inputs",)))
    accepted = blocks[1].accepted[0].claim_hash
    backend.sql(("UPDATE txs SET verdict = 'rejected' WHERE hash = ?", (accepted,)))
    with backend.open() as s:
        with pytest.raises(ChainStoreError, match="transactions index row .* digest"):
            s.submission(accepted)
        with pytest.raises(ChainVerificationError, match="transactions index row"):
            verify_chain(s, kit.kernels)


def test_a_forged_missing_or_added_index_row_is_caught_by_verify_chain(kit, grown):
    backend, blocks = grown
    accepted = blocks[1].accepted[0].claim_hash
    lie = ("rejected", "invalid-proof", "forged")
    backend.sql(("UPDATE txs SET verdict = ?, reason = ?, detail = ?, digest = ? WHERE "
                 "hash = ?", (*lie, tx_digest(accepted, 1, *lie), accepted)))
    with backend.open(read_only=True) as s:
        assert s.submission(accepted).verdict == "rejected"  # its digest matches
        with pytest.raises(ChainVerificationError, match="row of .* differs from the "
                                                         "blocks") as info:
            verify_chain(s, kit.kernels)
        assert info.value.height == 1
    backend.sql(("DELETE FROM txs WHERE hash = ?", (accepted,)))
    with backend.open(read_only=True) as s, \
            pytest.raises(ChainVerificationError, match="lacks") as info:
        verify_chain(s, kit.kernels)
    assert info.value.height == 1
    fake = bytes(range(32))
    backend.sql(("INSERT INTO txs VALUES (?, 1, 'accepted', '', '', ?)",
                 (fake, tx_digest(fake, 1, "accepted", "", ""))),
                ("INSERT INTO txs VALUES (?, 1, 'accepted', '', '', ?)",
                 (accepted, tx_digest(accepted, 1, "accepted", "", ""))))
    with backend.open(read_only=True) as s, \
            pytest.raises(ChainVerificationError, match="row for 000102.* that no block"):
        verify_chain(s, kit.kernels)
    backend.sql(("UPDATE txs SET height = 9, digest = ? WHERE hash = ?",
                 (tx_digest(fake, 9, "accepted", "", ""), fake)))
    with backend.open(read_only=True) as s, \
            pytest.raises(ChainVerificationError, match="names block 9, past the head"):
        verify_chain(s, kit.kernels)


# -- older files ---------------------------------------------------------------------------------
def test_a_schema_3_store_is_refused_with_what_to_do(backend):
    backend.create().close()
    backend.sql("DROP TABLE pending", "DROP TABLE blobs", "DROP TABLE txs",
                ("UPDATE meta SET value = ? WHERE key = 'schema_version'", (b"3",)))
    for read_only in (True, False):
        with pytest.raises(ChainStoreError, match=r"schema version b'3', this zkcx reads 4 "
                           r"\(a chain file made before the pending pool.*zkcx chain init"):
            backend.open(read_only=read_only)


# -- durability ------------------------------------------------------------------------------------
_CHILD = textwrap.dedent("""
    import sys, time
    from zkcx.rollup import open_store, raw_claim_hash
    store = open_store(sys.argv[1])
    raw = sys.argv[2].encode()
    item = store.submit("claim", raw_claim_hash(raw), "0x" + "ab" * 20, 0, raw, 1)
    print(item.seq, flush=True)
    time.sleep(60)
""")


def test_a_submission_survives_a_sigkill_right_after_it_returned(backend):
    backend.create().close()
    seqs = {}
    for n in range(4):
        raw = f"claim {n}"
        child = subprocess.Popen([sys.executable, "-c", _CHILD, backend.location, raw],
                                 stdout=subprocess.PIPE, text=True)
        try:
            line = child.stdout.readline()
            child.send_signal(signal.SIGKILL)  # at once: no close, no checkpoint
        finally:
            child.kill()
            child.wait()
        assert child.returncode == -signal.SIGKILL
        seqs[raw_claim_hash(raw.encode())] = int(line)
    with backend.open() as store:
        assert {i.hash: i.seq for i in store.pending()} == seqs
        store.check_integrity()


def test_the_sqlite_store_never_imports_psycopg(tmp_path):
    """psycopg is the optional postgres extra: an SQLite chain does not load it."""
    code = textwrap.dedent(f"""
        import sys
        from zkcx.rollup import create_store, open_store
        create_store({str(tmp_path / "c.db")!r}).close()
        with open_store({str(tmp_path / "c.db")!r}) as s:
            s.pending()
        assert not [m for m in sys.modules if m.startswith("psycopg")], "psycopg loaded"
    """)
    subprocess.run([sys.executable, "-c", code], check=True)
