# SPDX-License-Identifier: MIT
"""Signed operations: canonical bytes of every kind (propose carries its whole parameter
set), hashes over nonce and signature, EIP-712 digests checked against eth-account, one
struct type per kind (a stake's signature never verifies as an unstake or a transfer),
and decoding that refuses every malformed part."""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.accounts.eth_account_reference import eth_account_digest
from tests.rollup.conftest import DOMAIN, TEST_PARAMS, addr, signer
from zkcx.accounts import SECP256K1_N, Address
from zkcx.errors import SignatureError
from zkcx.rewards import Propose, Stake, Transfer, Unstake
from zkcx.rewards.operations import Vote
from zkcx.rollup import MalformedOperationError, SignedOperation
from zkcx.rollup.transactions import OPERATION_TYPES, params_bytes

A, B = addr("alice"), addr("bob")
OPS = [Stake(A, 5), Unstake(A, 7), Transfer(A, B, 9),
       Propose(A, TEST_PARAMS.replace(paused=True), 40), Vote(A, 3, False)]
addresses = st.binary(min_size=20, max_size=20).map(lambda raw: str(Address(raw)))
amounts = st.integers(1, 2**256 - 1)
nonces = st.integers(0, 2**64 - 1)
operations = st.one_of(
    st.builds(Stake, addresses, amounts), st.builds(Unstake, addresses, amounts),
    st.tuples(addresses, addresses, amounts).filter(lambda t: t[0] != t[1])
    .map(lambda t: Transfer(*t)),
    st.builds(Vote, addresses, st.integers(0, 2**63 - 1), st.booleans()),
    st.builds(lambda a, h: Propose(a, TEST_PARAMS, h), addresses, st.integers(0, 2**63 - 1)))


@given(operations, nonces, st.booleans())
def test_any_operation_round_trips_through_bytes(op, nonce, signed):
    tx = SignedOperation(op, nonce)
    if signed:
        tx = replace(tx, signature=signer("alice").sign(tx.digest(DOMAIN)))
    data = tx.to_bytes()
    again = SignedOperation.from_bytes(data)
    assert again == tx and again.to_bytes() == data and again.hash == tx.hash
    assert data[-73:-65] == nonce.to_bytes(8, "big")


def test_every_kind_has_its_own_tag_and_the_hash_covers_nonce_and_signature():
    txs = [SignedOperation.sign(op, 0, signer("alice"), DOMAIN) for op in OPS]
    assert [t.to_bytes()[0] for t in txs] == [1, 2, 3, 4, 5]
    hashes = {t.hash for t in txs}
    hashes |= {replace(t, nonce=1).hash for t in txs}
    hashes |= {replace(t, signature=None).hash for t in txs}
    assert len(hashes) == 3 * len(txs)
    propose = txs[3].to_bytes()
    assert params_bytes(OPS[3].params) in propose  # the whole set travels in the block


def test_digests_equal_eth_accounts_eip712():
    for op in OPS:
        tx = SignedOperation(op, 12)
        struct = OPERATION_TYPES[type(op)]
        message = {k: (str(v) if isinstance(v, Address) else v)
                   for k, v in _values(tx).items()}
        assert tx.digest(DOMAIN) == eth_account_digest(struct.name, struct.fields, message,
                                                       DOMAIN.chain_id)


def _values(tx: SignedOperation) -> dict:
    """The struct's values, written out independently of transactions.py."""
    op = tx.operation
    if isinstance(op, (Stake, Unstake)):
        return {"node": op.node_id, "amount": op.amount, "nonce": tx.nonce}
    if isinstance(op, Transfer):
        return {"from": op.src, "to": op.dst, "amount": op.amount, "nonce": tx.nonce}
    if isinstance(op, Propose):
        return {"proposer": op.proposer, "paramsDigest": op.params.digest(),
                "activationHeight": op.activation_height, "nonce": tx.nonce}
    return {"voter": op.voter, "proposalId": op.proposal_id, "support": op.support,
            "nonce": tx.nonce}


def test_a_signature_of_one_kind_never_verifies_as_another():
    stake = SignedOperation.sign(Stake(A, 5), 0, signer("alice"), DOMAIN)
    for other in (Unstake(A, 5), Transfer(A, B, 5)):
        moved = replace(stake, operation=other)
        with contextlib.suppress(SignatureError):
            assert moved.signer(DOMAIN) != signer("alice").address
    assert stake.signer(DOMAIN) == signer("alice").address


def test_only_the_actor_signs_and_unsigned_operations_say_so():
    with pytest.raises(SignatureError, match="another account"):
        SignedOperation.sign(Transfer(A, B, 1), 0, signer("bob"), DOMAIN)
    with pytest.raises(SignatureError, match="unsigned"):
        SignedOperation(Stake(A, 1)).signer(DOMAIN)


@pytest.mark.parametrize("op,match", [
    (Stake("alice", 5), "account address"), (Stake(A.lower(), 5), "EIP-55"),
    (Transfer(A, "bob", 5), "account address"), (Vote("0x" + "zz" * 20, 0, True), "address"),
    ("not an operation", "not a rewards or market operation"),
])
def test_construction_refuses_non_addresses(op, match):
    with pytest.raises(MalformedOperationError, match=match):
        SignedOperation(op)


def _signed_bytes(op) -> bytes:
    return SignedOperation.sign(op, 0, signer("alice"), DOMAIN).to_bytes()


@pytest.mark.parametrize("mutate,match", [
    (lambda d: d[:-1], "truncated"), (lambda d: d + b"\x00", "trailing"),
    (lambda d: b"\xf0" + d[1:], "unknown operation kind"),
    (lambda d: d[:-65] + b"\x01" * 64 + b"\x02", "signature"),
    (lambda d: d[:-65] + bytes(64) + b"\x01", "signature"),
    (lambda d: d[:-65] + d[-65:-33] + (SECP256K1_N - int.from_bytes(d[-33:-1], "big"))
     .to_bytes(32, "big") + bytes([1 - d[-1]]), "n/2"),
])
def test_malformed_bytes_are_refused(mutate, match):
    with pytest.raises(MalformedOperationError, match=match):
        SignedOperation.from_bytes(mutate(_signed_bytes(Stake(A, 5))))


def test_a_zero_amount_a_self_transfer_or_a_bad_vote_flag_is_malformed():
    stake = bytearray(_signed_bytes(Stake(A, 5)))
    stake[21:53] = bytes(32)
    with pytest.raises(MalformedOperationError, match="positive"):
        SignedOperation.from_bytes(bytes(stake))
    transfer = bytearray(_signed_bytes(Transfer(A, B, 5)))
    transfer[21:41] = transfer[1:21]
    with pytest.raises(MalformedOperationError, match="itself"):
        SignedOperation.from_bytes(bytes(transfer))
    vote = bytearray(_signed_bytes(Vote(A, 1, True)))
    vote[29] = 2
    with pytest.raises(MalformedOperationError, match="support"):
        SignedOperation.from_bytes(bytes(vote))


def test_proposal_params_must_be_canonical_json_of_a_valid_set():
    data = _signed_bytes(OPS[3])
    raw = params_bytes(OPS[3].params)
    spaced = json.dumps(json.loads(raw), sort_keys=True).encode()  # spaces: not canonical
    assert spaced != raw

    def with_params(params: bytes) -> bytes:
        start = data.index(raw) - 4
        return (data[:start] + len(params).to_bytes(4, "big") + params
                + data[start + 4 + len(raw):])

    assert SignedOperation.from_bytes(with_params(raw)).operation == OPS[3]
    with pytest.raises(MalformedOperationError, match="canonical"):
        SignedOperation.from_bytes(with_params(spaced))
    bad = json.loads(raw)
    bad["approval_ppb"] = 1  # below one half: not a valid parameter set
    with pytest.raises(MalformedOperationError, match="params"):
        SignedOperation.from_bytes(with_params(
            json.dumps(bad, sort_keys=True, separators=(",", ":")).encode()))
    with pytest.raises(MalformedOperationError, match="params"):
        SignedOperation.from_bytes(with_params(b"[" * 100_000))


def test_json_for_display_names_the_actor_and_the_params_digest():
    tx = SignedOperation.sign(OPS[3], 4, signer("alice"), DOMAIN)
    shown = json.loads(json.dumps(tx.to_json()))
    assert shown["op"] == "propose" and shown["actor"] == A and shown["nonce"] == 4
    assert shown["params_digest"] == OPS[3].params.digest().hex()
    assert shown["hash"] == tx.hash.hex() and shown["signature"] == tx.signature.hex()
