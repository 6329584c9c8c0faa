# SPDX-License-Identifier: MIT
"""The models' and jobs' operations and action proposals as signed transactions:
RegisterModel, SetPrice, PostInference, Propose of a GovernanceAction, PostJob and
CancelJob round-trip through their canonical bytes (kinds 9-14), their EIP-712 digests
equal eth-account's for the documented struct types, a signature of one kind never
verifies as another, an action proposal is never encoded as a parameter proposal (kind
4), and decoding refuses malformed or non-canonical bytes."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.accounts.eth_account_reference import eth_account_digest
from tests.rollup.conftest import DOMAIN, addr, signer
from zkcx.errors import SignatureError
from zkcx.market import (
    AcceptVersion,
    CancelJob,
    FreezeModel,
    PostInference,
    PostJob,
    RegisterModel,
    RetireModel,
    SetPrice,
)
from zkcx.params import FR_MODULUS
from zkcx.rewards.governance import GovernanceAction
from zkcx.rewards.operations import Propose
from zkcx.rewards.params import DEFAULT_PARAMS
from zkcx.rollup import MalformedOperationError, SignedOperation
from zkcx.rollup.transactions import ACTION_PROPOSAL_TYPE, OPERATION_TYPES

A, B = addr("alice"), addr("bob")
K1, K2 = hashlib.sha256(b"k1").hexdigest(), hashlib.sha256(b"k2").hexdigest()
DATA = hashlib.sha256(b"data").digest()
REGISTER = RegisterModel(A, "mnist-mlp", 10**15, ((K2, 3), (K1, 1)), FR_MODULUS - 2)
PRICE = SetPrice(A, "mnist-mlp", 7)
INFER = PostInference(A, "mnist-mlp", 2, K1, 1000, ((1, 5), (3, FR_MODULUS - 1)), DATA,
                      "ipfs://données", 10**18, 10**15, 5, 1, 99)
FREEZE = Propose(A, FreezeModel("mnist-mlp").action(), 12)
JOB = PostJob(A, "mnist-mlp", K1, K2, (1, 2, FR_MODULUS - 1, 4), DATA, "s3://shards", 3,
              10**6, 2 * 10**6, 17, 1, 5)
CANCEL = CancelJob(A, 2)
OPS = [REGISTER, PRICE, INFER, FREEZE, JOB, CANCEL]

_ids = st.text(min_size=1, max_size=20).filter(
    lambda t: t.isprintable() and len(t.encode("utf-8", "replace")) == len(
        t.encode("utf-8", "surrogatepass")))
_kernel_ids = st.binary(min_size=32, max_size=32).map(bytes.hex)
_fields = st.integers(0, FR_MODULUS - 1)
_uris = st.text(max_size=30).filter(lambda t: len(t.encode("utf-8", "replace")) == len(
    t.encode("utf-8", "surrogatepass")))
_registers = st.builds(
    RegisterModel, st.just(A), _ids, st.integers(0, 2**256 - 1),
    st.dictionaries(_kernel_ids, st.integers(0, 2**32 - 1), min_size=1, max_size=16).map(
        lambda d: tuple(d.items())), _fields)
_infers = st.builds(
    lambda mid, ver, kid, units, pos, vals, uri, fee, price, bond, tier, dl: PostInference(
        A, mid, ver, kid, units, tuple(zip(sorted(pos), vals)), DATA, uri, fee, price,
        bond, tier, dl),
    _ids, st.integers(0, 2**20 - 1), _kernel_ids, st.integers(1, 2**64 - 1),
    st.sets(st.integers(0, 2**32 - 1), min_size=2, max_size=2),
    st.lists(_fields, min_size=2, max_size=2), _uris, st.integers(1, 2**256 - 1),
    st.integers(0, 2**256 - 1), st.integers(0, 2**256 - 1), st.integers(0, 255),
    st.integers(1, 2**63 - 1))
_actions = st.one_of(
    st.builds(lambda m: FreezeModel(m).action(), _ids),
    st.builds(lambda m: RetireModel(m).action(), _ids),
    st.builds(lambda m, v, s: AcceptVersion(m, v, B, s).action(), _ids,
              st.integers(1, 2**20 - 1), st.integers(1, 10**6 - 1)),
    st.builds(GovernanceAction, st.from_regex(r"[a-z][a-z0-9]{0,10}(\.[a-z0-9]{1,8})?",
                                              fullmatch=True),
              st.binary(max_size=4096)))
_jobs = st.builds(
    lambda mid, commitments, uri, steps, gfee, afee, bond, tier, window: PostJob(
        A, mid, K1, K2, tuple(commitments), DATA, uri, steps, gfee, afee, bond, tier,
        window),
    _ids, st.sets(_fields, min_size=1, max_size=8), _uris, st.integers(1, 64),
    st.integers(1, 2**128 - 1), st.integers(1, 2**128 - 1), st.integers(0, 2**128 - 1),
    st.integers(0, 255), st.integers(1, 2**32 - 1))
operations = st.one_of(
    _registers, st.builds(SetPrice, st.just(A), _ids, st.integers(0, 2**256 - 1)),
    _infers, st.builds(Propose, st.just(A), _actions, st.integers(0, 2**63 - 1)),
    _jobs, st.builds(CancelJob, st.just(A), st.integers(0, 2**63 - 1)))


@given(operations, st.integers(0, 2**64 - 1))
def test_model_and_job_operations_round_trip_through_bytes(op, nonce):
    tx = SignedOperation(op, nonce)
    data = tx.to_bytes()
    again = SignedOperation.from_bytes(data)
    assert again == tx and again.to_bytes() == data and again.hash == tx.hash
    assert again.to_json()["actor"] == A


def test_each_kind_has_its_tag_and_is_signed_by_its_actor():
    txs = [SignedOperation.sign(op, 4, signer("alice"), DOMAIN) for op in OPS]
    assert [t.to_bytes()[0] for t in txs] == [9, 10, 11, 12, 13, 14]
    assert all(t.signer(DOMAIN) == signer("alice").address for t in txs)
    for op in OPS:
        with pytest.raises(SignatureError, match="another account"):
            SignedOperation.sign(op, 0, signer("bob"), DOMAIN)


def test_an_action_proposal_is_not_a_params_proposal():
    params = Propose(A, DEFAULT_PARAMS, 12)
    assert SignedOperation(params, 0).to_bytes()[0] == 4
    action_tx = SignedOperation(FREEZE, 0)
    assert action_tx.to_bytes()[0] == 12
    assert SignedOperation.from_bytes(action_tx.to_bytes()).operation.action \
        == FreezeModel("mnist-mlp").action()
    # the same bytes presented as kind 4 are no parameter set
    with pytest.raises(MalformedOperationError):
        SignedOperation.from_bytes(bytes([4]) + action_tx.to_bytes()[1:])
    assert action_tx.to_json()["action"]["kind"] == "model.freeze"


def _values(tx: SignedOperation) -> tuple[str, dict]:
    """The struct's name and values, written out independently of transactions.py."""
    op, n = tx.operation, tx.nonce
    if isinstance(op, RegisterModel):
        kernels = b"".join(bytes.fromhex(k.kernel_id) + k.weights_position.to_bytes(4, "big")
                           for k in sorted(op.kernels, key=lambda k: k.kernel_id))
        return "RegisterModel", {"owner": op.owner, "modelId": op.model_id,
                                 "price": op.price, "kernels": kernels,
                                 "commitment": op.commitment, "nonce": n}
    if isinstance(op, SetPrice):
        return "SetPrice", {"owner": op.owner, "modelId": op.model_id, "price": op.price,
                            "nonce": n}
    if isinstance(op, PostInference):
        inputs = b"".join(p.to_bytes(4, "big") + v.to_bytes(32, "big") for p, v in op.inputs)
        return "PostInference", {
            "poster": op.poster, "modelId": op.model_id, "version": op.version,
            "kernelId": bytes.fromhex(op.kernel_id), "workUnits": op.work_units,
            "inputs": inputs, "dataHash": op.data_hash, "dataUri": op.data_uri,
            "fee": op.fee, "price": op.price, "bond": op.bond, "minTier": op.min_tier,
            "deadline": op.deadline, "nonce": n}
    if isinstance(op, Propose):
        return "ProposeAction", {"proposer": op.proposer, "kind": op.params.kind,
                                 "payload": op.params.payload,
                                 "activationHeight": op.activation_height, "nonce": n}
    if isinstance(op, PostJob):
        return "PostJob", {
            "poster": op.poster, "modelId": op.model_id,
            "gradientKernel": bytes.fromhex(op.gradient_kernel),
            "aggregateKernel": bytes.fromhex(op.aggregate_kernel),
            "dataCommitments": b"".join(c.to_bytes(32, "big") for c in op.data_commitments),
            "dataHash": op.data_hash, "dataUri": op.data_uri, "steps": op.steps,
            "gradientFee": op.gradient_fee, "aggregateFee": op.aggregate_fee,
            "bond": op.bond, "minTier": op.min_tier, "window": op.window, "nonce": n}
    return "CancelJob", {"poster": op.poster, "jobId": op.job_id, "nonce": n}


_SPECS = {
    "RegisterModel": "address owner,string modelId,uint256 price,bytes kernels,"
                     "uint256 commitment,uint64 nonce",
    "SetPrice": "address owner,string modelId,uint256 price,uint64 nonce",
    "PostInference": "address poster,string modelId,uint64 version,bytes32 kernelId,"
                     "uint64 workUnits,bytes inputs,bytes32 dataHash,string dataUri,"
                     "uint256 fee,uint256 price,uint256 bond,uint8 minTier,uint64 deadline,"
                     "uint64 nonce",
    "ProposeAction": "address proposer,string kind,bytes payload,uint64 activationHeight,"
                     "uint64 nonce",
    "PostJob": "address poster,string modelId,bytes32 gradientKernel,"
               "bytes32 aggregateKernel,bytes dataCommitments,bytes32 dataHash,"
               "string dataUri,uint32 steps,uint256 gradientFee,uint256 aggregateFee,"
               "uint256 bond,uint8 minTier,uint32 window,uint64 nonce",
    "CancelJob": "address poster,uint64 jobId,uint64 nonce",
}


def test_digests_equal_eth_accounts_eip712_for_the_documented_structs():
    structs = {s.name: s for s in [*OPERATION_TYPES.values(), ACTION_PROPOSAL_TYPE]}
    for op in OPS:
        tx = SignedOperation(op, 12)
        name, message = _values(tx)
        fields = [f.split(" ") for f in _SPECS[name].split(",")]
        assert [(n, t) for t, n in fields] == list(structs[name].fields)
        assert tx.digest(DOMAIN) == eth_account_digest(
            name, [(n, t) for t, n in fields], message, DOMAIN.chain_id)


def test_a_signature_binds_every_term_and_is_not_transferable_between_kinds():
    others = [replace(REGISTER, price=REGISTER.price + 1),
              replace(REGISTER, kernels=((K1, 2), (K2, 3))),
              replace(REGISTER, commitment=1), SetPrice(A, "mnist-mlp", REGISTER.price),
              replace(PRICE, price=8), replace(PRICE, model_id="other"),
              replace(INFER, version=3), replace(INFER, price=INFER.price - 1),
              replace(INFER, inputs=((1, 6), (3, FR_MODULUS - 1))),
              Propose(A, RetireModel("mnist-mlp").action(), 12),
              Propose(A, FreezeModel("mnist-mlp").action(), 13),
              replace(JOB, data_commitments=(2, 1, FR_MODULUS - 1, 4)),
              replace(JOB, steps=4), replace(JOB, aggregate_fee=1),
              replace(CANCEL, job_id=3), *OPS]
    for op in OPS:
        signed = SignedOperation.sign(op, 0, signer("alice"), DOMAIN)
        for other in others:
            if other == op:
                continue
            moved = replace(signed, operation=other)
            with contextlib.suppress(SignatureError):
                assert moved.signer(DOMAIN) != signer("alice").address, (op, other)


def _swap(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1
    return data.replace(old, new)


def test_malformed_model_and_job_operations_are_refused():
    reg = SignedOperation(REGISTER, 0).to_bytes()
    k1, k2 = bytes.fromhex(K1), bytes.fromhex(K2)
    first, second = sorted([k1, k2])
    pair_a = first + reg[reg.index(first) + 32:reg.index(first) + 36]
    pair_b = second + reg[reg.index(second) + 32:reg.index(second) + 36]
    unsorted = _swap(reg, pair_a + pair_b, pair_b + pair_a)
    price = SignedOperation(PRICE, 0).to_bytes()
    infer = SignedOperation(INFER, 0).to_bytes()
    freeze = SignedOperation(FREEZE, 0).to_bytes()
    job = SignedOperation(JOB, 0).to_bytes()
    two = (2).to_bytes(32, "big")
    cases = [
        (unsorted, "sorted"),
        (reg[:40], "truncated"), (reg + b"\0", "trailing"),
        (_swap(price, b"mnist-mlp", b"mnist-ml\xff"), "UTF-8"),
        (_swap(price, b"mnist-mlp", b"mnist\nmlp"), "model id"),
        (_swap(infer, (2).to_bytes(8, "big") + bytes.fromhex(K1),
               (2**20).to_bytes(8, "big") + bytes.fromhex(K1)), "version"),
        (_swap(freeze, b"model.freeze", b"Model.freeze"), "governance action kind"),
        (_swap(freeze, b"model.freeze", b"model.fr\xffze"), "ASCII"),
        (_swap(job, two + (FR_MODULUS - 1).to_bytes(32, "big"),
               (1).to_bytes(32, "big") + (FR_MODULUS - 1).to_bytes(32, "big")),
         "same data commitment"),
        (_swap(job, two + (FR_MODULUS - 1).to_bytes(32, "big"),
               two + FR_MODULUS.to_bytes(32, "big")), "data commitment"),
        (job[:-100], "truncated"),
        (bytes([15]) + job[1:], "unknown operation kind 15"),
    ]
    for data, match in cases:
        with pytest.raises(MalformedOperationError, match=match):
            SignedOperation.from_bytes(data)
    # a payload longer than any action may carry
    at = freeze.index(b"model.freeze") + len(b"model.freeze")
    size = int.from_bytes(freeze[at:at + 4], "big")
    big = freeze[:at] + (4097).to_bytes(4, "big") + bytes(4097) + freeze[at + 4 + size:]
    with pytest.raises(MalformedOperationError, match="at most 4096"):
        SignedOperation.from_bytes(big)
    # zero steps, zero window, zero fees: what the records refuse, decoding refuses
    steps_at = len(job) - 65 - 8 - 4 - 1 - 32 * 3 - 4
    for at, width, what in ((steps_at, 4, "steps"), (len(job) - 65 - 8 - 4, 4, "window"),
                            (steps_at + 4, 32, "gradient_fee")):
        raw = bytearray(job)
        raw[at:at + width] = bytes(width)
        with pytest.raises(MalformedOperationError, match=what):
            SignedOperation.from_bytes(bytes(raw))
