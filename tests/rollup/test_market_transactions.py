# SPDX-License-Identifier: MIT
"""The market's operations as signed transactions: PostTask, CancelTask and RegisterNode
round-trip through their canonical bytes (kinds 6-8), their EIP-712 digests equal
eth-account's for the documented struct types (a poster signs every input it pays
for), a signature of one never verifies as another, and decoding refuses what the
market's records refuse."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.accounts.eth_account_reference import eth_account_digest
from tests.rollup.conftest import DOMAIN, addr, signer
from zkcx.accounts import Address
from zkcx.errors import SignatureError
from zkcx.market import CancelTask, CapacityProfile, PostTask, RegisterNode
from zkcx.params import FR_MODULUS
from zkcx.rewards import ClaimKind
from zkcx.rollup import MalformedOperationError, SignedOperation
from zkcx.rollup.transactions import OPERATION_TYPES

A = addr("alice")
KID = hashlib.sha256(b"kernel").hexdigest()
PROFILE = CapacityProfile("matmul_16x16x16", 22434, 300, 2, bytes(range(32)))
POST = PostTask(A, KID, ClaimKind.INFERENCE, 1000, ((1, 5), (7, FR_MODULUS - 1)),
                hashlib.sha256(b"data").digest(), "ipfs://données", 10**18, 5, 1, 99)
OPS = [POST, CancelTask(A, 3), RegisterNode(A, PROFILE)]

posts = st.builds(
    lambda kind, units, positions, values, uri, fee, bond, tier, deadline: PostTask(
        A, KID, kind, units, tuple(zip(sorted(positions), values)),
        hashlib.sha256(uri.encode("utf-8", "replace")).digest(), uri, fee, bond, tier,
        deadline),
    st.sampled_from(list(ClaimKind)), st.integers(1, 2**64 - 1),
    st.sets(st.integers(0, 2**32 - 1), min_size=3, max_size=3),
    st.lists(st.integers(0, FR_MODULUS - 1), min_size=3, max_size=3),
    st.text(max_size=40).filter(lambda t: len(t.encode("utf-8", "replace")) == len(
        t.encode("utf-8", "surrogatepass"))),
    st.integers(1, 2**256 - 1), st.integers(0, 2**256 - 1), st.integers(0, 255),
    st.integers(1, 2**63 - 1))


@given(st.one_of(posts, st.builds(CancelTask, st.just(A), st.integers(0, 2**63 - 1)),
                 st.just(RegisterNode(A, PROFILE))), st.integers(0, 2**64 - 1))
def test_market_operations_round_trip_through_bytes(op, nonce):
    tx = SignedOperation(op, nonce)
    data = tx.to_bytes()
    again = SignedOperation.from_bytes(data)
    assert again == tx and again.to_bytes() == data and again.hash == tx.hash


def test_each_market_kind_has_its_tag_and_is_signed_by_its_actor():
    txs = [SignedOperation.sign(op, 4, signer("alice"), DOMAIN) for op in OPS]
    assert [t.to_bytes()[0] for t in txs] == [6, 7, 8]
    assert all(t.signer(DOMAIN) == signer("alice").address for t in txs)
    with pytest.raises(SignatureError, match="another account"):
        SignedOperation.sign(CancelTask(A, 1), 0, signer("bob"), DOMAIN)


def _values(tx: SignedOperation) -> dict:
    """The struct's values, written out independently of transactions.py."""
    op = tx.operation
    if isinstance(op, PostTask):
        inputs = b"".join(p.to_bytes(4, "big") + v.to_bytes(32, "big") for p, v in op.inputs)
        return {"poster": op.poster, "kernelId": bytes.fromhex(op.kernel_id),
                "kind": op.kind.value, "workUnits": op.work_units, "inputs": inputs,
                "dataHash": op.data_hash, "dataUri": op.data_uri, "fee": op.fee,
                "bond": op.bond, "minTier": op.min_tier, "deadline": op.deadline,
                "nonce": tx.nonce}
    if isinstance(op, CancelTask):
        return {"poster": op.poster, "taskId": op.task_id, "nonce": tx.nonce}
    p = op.profile
    return {"node": op.node, "circuit": p.circuit, "circuitUnits": p.circuit_units,
            "proveMillis": p.prove_millis, "threads": p.threads, "reportHash": p.report_hash,
            "nonce": tx.nonce}


def test_digests_equal_eth_accounts_eip712():
    for op in OPS:
        tx = SignedOperation(op, 12)
        struct = OPERATION_TYPES[type(op)]
        assert tx.digest(DOMAIN) == eth_account_digest(struct.name, struct.fields, _values(tx),
                                                       DOMAIN.chain_id)


def test_a_signed_post_binds_every_term_and_input():
    signed = SignedOperation.sign(POST, 0, signer("alice"), DOMAIN)
    changes = [replace(POST, fee=POST.fee - 1), replace(POST, bond=0),
               replace(POST, deadline=98), replace(POST, min_tier=0),
               replace(POST, inputs=((1, 6), (7, FR_MODULUS - 1))),
               replace(POST, kind=ClaimKind.COMPUTE), replace(POST, data_uri="ipfs://x"),
               CancelTask(A, 0), RegisterNode(A, PROFILE)]
    for other in changes:
        moved = replace(signed, operation=other)
        with contextlib.suppress(SignatureError):
            assert moved.signer(DOMAIN) != signer("alice").address, other


def test_malformed_market_operations_are_refused():
    good = SignedOperation(POST, 0).to_bytes()
    kind_at = 1 + 20 + 32
    bad_kind = good[:kind_at] + bytes([9]) + good[kind_at + 1:]
    cancel = SignedOperation(CancelTask(A, 0), 0).to_bytes()
    register = SignedOperation(RegisterNode(A, PROFILE), 0).to_bytes()
    zero_fee = SignedOperation(POST, 0)
    for data, match in ((bad_kind, "claim kind"), (good[:-80], "truncated"),
                        (good + b"\0", "trailing|bytes"), (cancel[:30], "truncated"),
                        (register.replace(b"matmul_16x16x16", b"matmul_16x16x1\xff"),
                         "UTF-8")):
        with pytest.raises(MalformedOperationError, match=match):
            SignedOperation.from_bytes(data)
    raw = bytearray(zero_fee.to_bytes())
    fee_at = len(raw) - 65 - 8 - 8 - 1 - 32 - 32  # the fee field, just before the bond
    raw[fee_at:fee_at + 32] = bytes(32)
    with pytest.raises(MalformedOperationError, match="fee"):
        SignedOperation.from_bytes(bytes(raw))
    assert Address.from_hex(A)  # the actor is an address in its EIP-55 spelling
