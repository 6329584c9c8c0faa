# SPDX-License-Identifier: MIT
"""Signed operations: a rewards operation (stake, unstake, transfer, propose, vote) or a
market operation (post task, cancel task, register node; register model, set price, post
inference; post job, cancel job) with its actor's nonce and signature, as a block
carries it.

Canonical encoding (``SignedOperation.to_bytes``; integers big-endian, addresses as their
20 bytes):

    u8 kind | fields | u64 nonce | 65-byte signature r || s || v (65 zero bytes: unsigned)

    kind 1 stake, 2 unstake:  20 node | u256 amount
    kind 3 transfer:          20 from | 20 to | u256 amount
    kind 4 propose:           20 proposer | blob(params: canonical JSON of
                              ``Params.to_dict``, sorted keys, no spaces) | u64 activation
    kind 5 vote:              20 voter | u64 proposal id | u8 support (0 or 1)
    kind 6 post task:         20 poster | 32 kernel id | u8 claim kind | u64 work units |
                              blob(inputs: per input u32 position | u256 value) |
                              32 data hash | blob(data URI, UTF-8) | u256 fee | u256 bond |
                              u8 min tier | u64 deadline
    kind 7 cancel task:       20 poster | u64 task id
    kind 8 register node:     20 node | blob(circuit name, UTF-8) | u64 circuit units |
                              u64 prove millis | u16 threads | 32 report hash
    kind 9 register model:    20 owner | blob(model id, UTF-8) | u256 price |
                              blob(kernels: per kernel, sorted by id, 32 kernel id |
                              u32 weights position) | u256 commitment
    kind 10 set price:        20 owner | blob(model id) | u256 price
    kind 11 post inference:   20 poster | blob(model id) | u64 version | 32 kernel id |
                              u64 work units | blob(inputs) | 32 data hash | blob(data URI)
                              | u256 fee | u256 price | u256 bond | u8 min tier |
                              u64 deadline
    kind 12 propose action:   20 proposer | blob(action kind, ASCII) | blob(action payload)
                              | u64 activation
    kind 13 post job:         20 poster | blob(model id) | 32 gradient kernel |
                              32 aggregate kernel | blob(data commitments: per shard u256)
                              | 32 data hash | blob(data URI) | u32 steps |
                              u256 gradient fee | u256 aggregate fee | u256 bond |
                              u8 min tier | u32 window
    kind 14 cancel job:       20 poster | u64 job id

A ``Propose`` carrying a parameter set is kind 4, one carrying a governance action
(``GovernanceAction``, e.g. a model freeze) kind 12: the two sign different structs.

(claim kinds: 0 compute, 1 inference, 2 training, 3 verification, as ``CLAIM_KIND_CODES``.)

Operation hash = SHA-256("zkcx-operation-v1" || 0x00 || encoding): it covers the nonce
and the signature. Every account named must be an address in its EIP-55 spelling.

The actor (``operation.actor``) signs the EIP-712 digest of its kind's struct in the
chain's domain (``zkcx.rollup.signing``); one struct type per kind, so a signature of a
stake never verifies as an unstake of the same amount:

    Stake(address node,uint256 amount,uint64 nonce)
    Unstake(address node,uint256 amount,uint64 nonce)
    Transfer(address from,address to,uint256 amount,uint64 nonce)
    Propose(address proposer,bytes32 paramsDigest,uint64 activationHeight,uint64 nonce)
    Vote(address voter,uint64 proposalId,bool support,uint64 nonce)
    PostTask(address poster,bytes32 kernelId,string kind,uint64 workUnits,bytes inputs,
             bytes32 dataHash,string dataUri,uint256 fee,uint256 bond,uint8 minTier,
             uint64 deadline,uint64 nonce)
    CancelTask(address poster,uint64 taskId,uint64 nonce)
    RegisterNode(address node,string circuit,uint64 circuitUnits,uint64 proveMillis,
                 uint16 threads,bytes32 reportHash,uint64 nonce)
    RegisterModel(address owner,string modelId,uint256 price,bytes kernels,
                  uint256 commitment,uint64 nonce)
    SetPrice(address owner,string modelId,uint256 price,uint64 nonce)
    PostInference(address poster,string modelId,uint64 version,bytes32 kernelId,
                  uint64 workUnits,bytes inputs,bytes32 dataHash,string dataUri,
                  uint256 fee,uint256 price,uint256 bond,uint8 minTier,uint64 deadline,
                  uint64 nonce)
    ProposeAction(address proposer,string kind,bytes payload,uint64 activationHeight,
                  uint64 nonce)
    PostJob(address poster,string modelId,bytes32 gradientKernel,
            bytes32 aggregateKernel,bytes dataCommitments,bytes32 dataHash,string dataUri,
            uint32 steps,uint256 gradientFee,uint256 aggregateFee,uint256 bond,
            uint8 minTier,uint32 window,uint64 nonce)
    CancelJob(address poster,uint64 jobId,uint64 nonce)

A proposal signs ``Params.digest()`` (SHA-256 of the same canonical JSON, tagged), which
fixes every parameter of the set; the block carries the whole set. A task's ``inputs``
are signed as their encoding above (the blob's content), so the poster signs every
(position, value) it pays for; likewise a model's ``kernels`` and a job's
``dataCommitments`` are signed as their blobs' content.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass

from zkcx.accounts import Address, Domain, Signature, Signer, StructType
from zkcx.errors import EncodingError, InvalidOperationError, ParameterError, SignatureError
from zkcx.market import (
    MAX_JOB_SHARDS,
    CancelJob,
    CancelTask,
    CapacityProfile,
    PostInference,
    PostJob,
    PostTask,
    RegisterModel,
    RegisterNode,
    ServingKernel,
    SetPrice,
)
from zkcx.market.models import MAX_MODEL_ID_BYTES, MAX_MODEL_KERNELS
from zkcx.market.tasks import MAX_CIRCUIT_NAME_BYTES, MAX_TASK_INPUTS, MAX_URI_BYTES
from zkcx.rewards.governance import MAX_ACTION_BYTES, GovernanceAction
from zkcx.rewards.operations import Operation, Propose, Stake, Transfer, Unstake, Vote
from zkcx.rewards.params import ClaimKind, Params
from zkcx.rollup._codec import Reader, Writer, tagged_hash
from zkcx.rollup.errors import MalformedOperationError
from zkcx.rollup.signing import account_address, recovered_signer

_TAG = b"zkcx-operation-v1"
_NO_SIGNATURE = bytes(65)
#: Longest params JSON a proposal may carry (a parameter set is ~1 KiB).
MAX_PARAMS_BYTES = 1 << 16
_MAX_INPUTS_BYTES = 4 + 36 * MAX_TASK_INPUTS
_MAX_ID_BYTES = 4 + MAX_MODEL_ID_BYTES
_MAX_FIELDS_BYTES = max(
    20 + 4 + MAX_PARAMS_BYTES + 8,                                       # propose params
    20 + 32 + 1 + 8 + _MAX_INPUTS_BYTES + 32 + 4 + MAX_URI_BYTES + 64 + 1 + 8,  # post task
    20 + _MAX_ID_BYTES + 32 + 4 + 36 * MAX_MODEL_KERNELS + 32,           # register model
    20 + _MAX_ID_BYTES + 8 + 32 + 8 + _MAX_INPUTS_BYTES + 32 + 4 + MAX_URI_BYTES + 96 + 1
    + 8,                                                                 # post inference
    20 + 4 + 64 + 4 + MAX_ACTION_BYTES + 8,                              # propose action
    20 + _MAX_ID_BYTES + 64 + 4 + 32 * MAX_JOB_SHARDS + 32 + 4 + MAX_URI_BYTES + 4 + 96 + 1
    + 4)                                                                 # post job
#: Longest encoding of a signed operation (kind, its longest fields, nonce, signature).
MAX_OPERATION_BYTES = 1 + _MAX_FIELDS_BYTES + 8 + 65
#: The one-byte code of each claim kind in a post task's encoding.
CLAIM_KIND_CODES = {ClaimKind.COMPUTE: 0, ClaimKind.INFERENCE: 1, ClaimKind.TRAINING: 2,
                    ClaimKind.VERIFICATION: 3}
_KIND_OF_CODE = {code: kind for kind, code in CLAIM_KIND_CODES.items()}

_NONCE = ("nonce", "uint64")
OPERATION_TYPES: dict[type, StructType] = {
    Stake: StructType("Stake", (("node", "address"), ("amount", "uint256"), _NONCE)),
    Unstake: StructType("Unstake", (("node", "address"), ("amount", "uint256"), _NONCE)),
    Transfer: StructType("Transfer", (("from", "address"), ("to", "address"),
                                      ("amount", "uint256"), _NONCE)),
    Propose: StructType("Propose", (("proposer", "address"), ("paramsDigest", "bytes32"),
                                    ("activationHeight", "uint64"), _NONCE)),
    Vote: StructType("Vote", (("voter", "address"), ("proposalId", "uint64"),
                              ("support", "bool"), _NONCE)),
    PostTask: StructType("PostTask", (
        ("poster", "address"), ("kernelId", "bytes32"), ("kind", "string"),
        ("workUnits", "uint64"), ("inputs", "bytes"), ("dataHash", "bytes32"),
        ("dataUri", "string"), ("fee", "uint256"), ("bond", "uint256"),
        ("minTier", "uint8"), ("deadline", "uint64"), _NONCE)),
    CancelTask: StructType("CancelTask", (("poster", "address"), ("taskId", "uint64"),
                                          _NONCE)),
    RegisterNode: StructType("RegisterNode", (
        ("node", "address"), ("circuit", "string"), ("circuitUnits", "uint64"),
        ("proveMillis", "uint64"), ("threads", "uint16"), ("reportHash", "bytes32"),
        _NONCE)),
    RegisterModel: StructType("RegisterModel", (
        ("owner", "address"), ("modelId", "string"), ("price", "uint256"),
        ("kernels", "bytes"), ("commitment", "uint256"), _NONCE)),
    SetPrice: StructType("SetPrice", (("owner", "address"), ("modelId", "string"),
                                      ("price", "uint256"), _NONCE)),
    PostInference: StructType("PostInference", (
        ("poster", "address"), ("modelId", "string"), ("version", "uint64"),
        ("kernelId", "bytes32"), ("workUnits", "uint64"), ("inputs", "bytes"),
        ("dataHash", "bytes32"), ("dataUri", "string"), ("fee", "uint256"),
        ("price", "uint256"), ("bond", "uint256"), ("minTier", "uint8"),
        ("deadline", "uint64"), _NONCE)),
    PostJob: StructType("PostJob", (
        ("poster", "address"), ("modelId", "string"), ("gradientKernel", "bytes32"),
        ("aggregateKernel", "bytes32"), ("dataCommitments", "bytes"),
        ("dataHash", "bytes32"), ("dataUri", "string"), ("steps", "uint32"),
        ("gradientFee", "uint256"), ("aggregateFee", "uint256"), ("bond", "uint256"),
        ("minTier", "uint8"), ("window", "uint32"), _NONCE)),
    CancelJob: StructType("CancelJob", (("poster", "address"), ("jobId", "uint64"),
                                        _NONCE)),
}
#: The struct a ``Propose`` carrying a ``GovernanceAction`` is signed as (kind 12).
ACTION_PROPOSAL_TYPE = StructType("ProposeAction", (
    ("proposer", "address"), ("kind", "string"), ("payload", "bytes"),
    ("activationHeight", "uint64"), _NONCE))
_KIND = {Stake: 1, Unstake: 2, Transfer: 3, Propose: 4, Vote: 5, PostTask: 6, CancelTask: 7,
         RegisterNode: 8, RegisterModel: 9, SetPrice: 10, PostInference: 11, PostJob: 13,
         CancelJob: 14}
_ACTION_PROPOSAL = 12
_MARKET_OPERATION = (PostTask | CancelTask | RegisterNode | RegisterModel | SetPrice
                     | PostInference | PostJob | CancelJob)


def raw_operation_hash(data: bytes) -> bytes:
    """The hash of signed-operation bytes, decodable or not (equals
    ``SignedOperation.hash`` of the operation they encode)."""
    return tagged_hash(_TAG, data)


def operation_kind(op: object) -> int:
    """The one-byte kind of ``op`` in the encoding (a Propose of an action: 12)."""
    if type(op) is Propose and op.action is not None:
        return _ACTION_PROPOSAL
    return _KIND[type(op)]


def operation_type(op: object) -> StructType:
    """The EIP-712 struct type ``op`` is signed as (module docstring)."""
    if type(op) is Propose and op.action is not None:
        return ACTION_PROPOSAL_TYPE
    return OPERATION_TYPES[type(op)]


def params_bytes(params: Params) -> bytes:
    """The canonical JSON of ``params.to_dict()`` (sorted keys, no spaces, UTF-8)."""
    return json.dumps(params.to_dict(), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def inputs_bytes(inputs: tuple[tuple[int, int], ...]) -> bytes:
    """A task's inputs as signed and encoded: per input u32 position ‖ u256 value."""
    w = Writer()
    for pos, value in inputs:
        w.uint(pos, 4).uint(value, 32)
    return w.getvalue()


def kernels_bytes(kernels: tuple[ServingKernel, ...]) -> bytes:
    """A model's serving kernels as signed and encoded: per kernel (in order) 32-byte
    kernel id ‖ u32 weights position."""
    w = Writer()
    for k in kernels:
        w.fixed(bytes.fromhex(k.kernel_id), 32).uint(k.weights_position, 4)
    return w.getvalue()


def commitments_bytes(commitments: tuple[int, ...]) -> bytes:
    """A job's shard data commitments as signed and encoded: u256 each, in order."""
    w = Writer()
    for c in commitments:
        w.uint(c, 32)
    return w.getvalue()


def _addresses(op: Operation) -> dict[str, str]:
    if type(op) in (Stake, Unstake):
        return {"node": op.node_id}
    if type(op) is Transfer:
        return {"from": op.src, "to": op.dst}
    if type(op) is Propose:
        return {"proposer": op.proposer}
    if type(op) in (PostTask, CancelTask, PostInference, PostJob, CancelJob):
        return {"poster": op.poster}
    if type(op) in (RegisterModel, SetPrice):
        return {"owner": op.owner}
    if type(op) is RegisterNode:
        return {"node": op.node}
    return {"voter": op.voter}


@dataclass(frozen=True)
class SignedOperation:
    """An operation (rewards or market), its actor's nonce and signature (None:
    unsigned)."""

    operation: Operation | _MARKET_OPERATION
    nonce: int = 0
    signature: Signature | None = None

    def __post_init__(self) -> None:
        if type(self.operation) not in _KIND:
            raise MalformedOperationError(f"not a rewards or market operation: "
                                          f"{self.operation!r:.80}")
        for what, name in _addresses(self.operation).items():
            account_address(name, MalformedOperationError, what)
        n = self.nonce
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n < 1 << 64:
            raise MalformedOperationError(f"nonce must be an int in [0, 2^64), got {n!r}")
        if self.signature is not None and not isinstance(self.signature, Signature):
            raise MalformedOperationError("signature must be an accounts.Signature or None")

    @property
    def actor(self) -> str:
        """The account that acts and must sign."""
        return self.operation.actor

    # -- signing --------------------------------------------------------------------------
    def digest(self, domain: Domain) -> bytes:
        """The 32 bytes the actor signs: EIP-712 of the kind's struct in ``domain``."""
        op = self.operation
        values: dict[str, object] = {k: Address.from_hex(v)
                                     for k, v in _addresses(op).items()}
        if type(op) is Propose and op.action is not None:
            values.update(kind=op.action.kind, payload=op.action.payload,
                          activationHeight=op.activation_height)
        elif type(op) is Propose:
            values.update(paramsDigest=op.params.digest(),
                          activationHeight=op.activation_height)
        elif type(op) is Vote:
            values.update(proposalId=op.proposal_id, support=op.support)
        elif type(op) is PostTask:
            values.update(kernelId=bytes.fromhex(op.kernel_id), kind=op.kind.value,
                          workUnits=op.work_units, inputs=inputs_bytes(op.inputs),
                          dataHash=op.data_hash, dataUri=op.data_uri, fee=op.fee,
                          bond=op.bond, minTier=op.min_tier, deadline=op.deadline)
        elif type(op) is CancelTask:
            values["taskId"] = op.task_id
        elif type(op) is RegisterNode:
            pr = op.profile
            values.update(circuit=pr.circuit, circuitUnits=pr.circuit_units,
                          proveMillis=pr.prove_millis, threads=pr.threads,
                          reportHash=pr.report_hash)
        elif type(op) is RegisterModel:
            values.update(modelId=op.model_id, price=op.price,
                          kernels=kernels_bytes(op.kernels), commitment=op.commitment)
        elif type(op) is SetPrice:
            values.update(modelId=op.model_id, price=op.price)
        elif type(op) is PostInference:
            values.update(modelId=op.model_id, version=op.version,
                          kernelId=bytes.fromhex(op.kernel_id), workUnits=op.work_units,
                          inputs=inputs_bytes(op.inputs), dataHash=op.data_hash,
                          dataUri=op.data_uri, fee=op.fee, price=op.price, bond=op.bond,
                          minTier=op.min_tier, deadline=op.deadline)
        elif type(op) is PostJob:
            values.update(modelId=op.model_id,
                          gradientKernel=bytes.fromhex(op.gradient_kernel),
                          aggregateKernel=bytes.fromhex(op.aggregate_kernel),
                          dataCommitments=commitments_bytes(op.data_commitments),
                          dataHash=op.data_hash, dataUri=op.data_uri, steps=op.steps,
                          gradientFee=op.gradient_fee, aggregateFee=op.aggregate_fee,
                          bond=op.bond, minTier=op.min_tier, window=op.window)
        elif type(op) is CancelJob:
            values["jobId"] = op.job_id
        else:
            values["amount"] = op.amount
        values["nonce"] = self.nonce
        return domain.digest(operation_type(op), values)

    @classmethod
    def sign(cls, operation: Operation, nonce: int, signer: Signer,
             domain: Domain) -> SignedOperation:
        """``operation`` with ``nonce``, signed by ``signer`` (who must be its actor)."""
        draft = cls(operation, nonce)
        if str(signer.address) != draft.actor:
            raise SignatureError(f"an operation of {draft.actor} signed by another account "
                                 f"({signer.address})")
        return dataclasses.replace(draft, signature=signer.sign(draft.digest(domain)))

    def signer(self, domain: Domain) -> Address:
        """The address whose key signed this operation in ``domain`` (cached per domain);
        SignatureError when unsigned or when the signature recovers no key."""
        return recovered_signer(self, domain, "operation")

    # -- encoding -------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The canonical encoding (module docstring)."""
        return self._encoding

    @functools.cached_property
    def _encoding(self) -> bytes:
        op = self.operation
        w = Writer().uint(operation_kind(op), 1)
        for name in _addresses(op).values():
            w.fixed(bytes(Address.from_hex(name)), 20)
        if type(op) is Propose and op.action is not None:
            w.blob(op.action.kind.encode()).blob(op.action.payload)
            w.uint(op.activation_height, 8)
        elif type(op) is Propose:
            w.blob(params_bytes(op.params)).uint(op.activation_height, 8)
        elif type(op) is Vote:
            w.uint(op.proposal_id, 8).uint(int(op.support), 1)
        elif type(op) is PostTask:
            w.fixed(bytes.fromhex(op.kernel_id), 32).uint(CLAIM_KIND_CODES[op.kind], 1)
            w.uint(op.work_units, 8).blob(inputs_bytes(op.inputs)).fixed(op.data_hash, 32)
            w.blob(op.data_uri.encode()).uint(op.fee, 32).uint(op.bond, 32)
            w.uint(op.min_tier, 1).uint(op.deadline, 8)
        elif type(op) is CancelTask:
            w.uint(op.task_id, 8)
        elif type(op) is RegisterNode:
            pr = op.profile
            w.blob(pr.circuit.encode()).uint(pr.circuit_units, 8).uint(pr.prove_millis, 8)
            w.uint(pr.threads, 2).fixed(pr.report_hash, 32)
        elif type(op) is RegisterModel:
            w.blob(op.model_id.encode()).uint(op.price, 32).blob(kernels_bytes(op.kernels))
            w.uint(op.commitment, 32)
        elif type(op) is SetPrice:
            w.blob(op.model_id.encode()).uint(op.price, 32)
        elif type(op) is PostInference:
            w.blob(op.model_id.encode()).uint(op.version, 8)
            w.fixed(bytes.fromhex(op.kernel_id), 32).uint(op.work_units, 8)
            w.blob(inputs_bytes(op.inputs)).fixed(op.data_hash, 32)
            w.blob(op.data_uri.encode()).uint(op.fee, 32).uint(op.price, 32)
            w.uint(op.bond, 32).uint(op.min_tier, 1).uint(op.deadline, 8)
        elif type(op) is PostJob:
            w.blob(op.model_id.encode()).fixed(bytes.fromhex(op.gradient_kernel), 32)
            w.fixed(bytes.fromhex(op.aggregate_kernel), 32)
            w.blob(commitments_bytes(op.data_commitments)).fixed(op.data_hash, 32)
            w.blob(op.data_uri.encode()).uint(op.steps, 4).uint(op.gradient_fee, 32)
            w.uint(op.aggregate_fee, 32).uint(op.bond, 32).uint(op.min_tier, 1)
            w.uint(op.window, 4)
        elif type(op) is CancelJob:
            w.uint(op.job_id, 8)
        else:
            w.uint(op.amount, 32)
        w.uint(self.nonce, 8)
        w.fixed(_NO_SIGNATURE if self.signature is None else bytes(self.signature), 65)
        return w.getvalue()

    @functools.cached_property
    def hash(self) -> bytes:
        """SHA-256("zkcx-operation-v1" || 0x00 || to_bytes())."""
        return raw_operation_hash(self._encoding)

    @classmethod
    def from_bytes(cls, data: bytes) -> SignedOperation:
        """Decode and validate; raises ``MalformedOperationError`` saying what is wrong."""
        try:
            r = Reader(data, "operation")
            kind = r.uint(1, "kind")
            if kind in (1, 2):
                node = _address(r, "node")
                op: Operation = (Stake if kind == 1 else Unstake)(node, r.uint(32, "amount"))
            elif kind == 3:
                src, dst = _address(r, "from"), _address(r, "to")
                op = Transfer(src, dst, r.uint(32, "amount"))
            elif kind == 4:
                proposer = _address(r, "proposer")
                op = Propose(proposer, _decode_params(r.blob("params")),
                             r.uint(8, "activation height"))
            elif kind == 5:
                voter, pid = _address(r, "voter"), r.uint(8, "proposal id")
                support = r.uint(1, "support")
                if support not in (0, 1):
                    raise MalformedOperationError(f"vote support is {support}, expected 0 or 1")
                op = Vote(voter, pid, bool(support))
            elif kind == 6:
                op = _decode_post(r)
            elif kind == 7:
                op = CancelTask(_address(r, "poster"), r.uint(8, "task id"))
            elif kind == 8:
                node = _address(r, "node")
                circuit = _utf8(r.blob("circuit"), "circuit name", MAX_CIRCUIT_NAME_BYTES)
                op = RegisterNode(node, CapacityProfile(
                    circuit, r.uint(8, "circuit units"), r.uint(8, "prove millis"),
                    r.uint(2, "threads"), r.take(32, "report hash")))
            elif kind == 9:
                op = _decode_register_model(r)
            elif kind == 10:
                owner = _address(r, "owner")
                op = SetPrice(owner, _model_id(r), r.uint(32, "price"))
            elif kind == 11:
                op = _decode_post_inference(r)
            elif kind == 12:
                proposer = _address(r, "proposer")
                action = _decode_action(r)
                op = Propose(proposer, action, r.uint(8, "activation height"))
            elif kind == 13:
                op = _decode_post_job(r)
            elif kind == 14:
                op = CancelJob(_address(r, "poster"), r.uint(8, "job id"))
            else:
                raise MalformedOperationError(f"unknown operation kind {kind}")
            nonce = r.uint(8, "nonce")
            raw_sig = r.take(65, "signature")
            r.finish()
            signature = None if raw_sig == _NO_SIGNATURE else Signature.from_bytes(raw_sig)
        except MalformedOperationError:
            raise
        except (EncodingError, InvalidOperationError, SignatureError) as exc:
            raise MalformedOperationError(str(exc)) from None
        out = cls(op, nonce, signature)
        out.__dict__["_encoding"] = bytes(data)
        return out

    def to_json(self) -> dict:
        """For display: the kind, its fields (amounts and commitments as decimal strings,
        a proposal's params digest in hex or its action's kind, payload and digest), the
        actor, the nonce, the signature in hex and the
        hash."""
        op = self.operation
        fields = {}
        for name in (f.name for f in dataclasses.fields(op)):  # inherited fields too
            value = getattr(op, name)
            if name in ("amount", "fee", "bond"):
                value = str(value)
            elif name == "params" and isinstance(value, GovernanceAction):
                name, value = "action", {**value.to_dict(),
                                         "digest": value.digest().hex()}
            elif name == "params":
                name, value = "params_digest", value.digest().hex()
            elif name in ("price", "gradient_fee", "aggregate_fee", "commitment"):
                value = str(value)
            elif name == "kernels":
                value = [k.to_dict() for k in value]
            elif name == "data_commitments":
                value = [str(v) for v in value]
            elif name == "kind":
                value = value.value
            elif name == "inputs":
                value = [[pos, str(v)] for pos, v in value]
            elif name == "data_hash":
                value = value.hex()
            elif name == "profile":
                value = value.to_dict()
            fields[name] = value
        return {"op": type(op).__name__.lower(), **fields, "actor": op.actor,
                "nonce": self.nonce,
                "signature": None if self.signature is None else self.signature.hex(),
                "hash": self.hash.hex()}


def _address(r: Reader, field: str) -> str:
    return str(Address(r.take(20, field)))


def _decode_params(raw: bytes) -> Params:
    if len(raw) > MAX_PARAMS_BYTES:
        raise MalformedOperationError(f"params are {len(raw)} bytes, at most "
                                      f"{MAX_PARAMS_BYTES}")
    try:
        params = Params.from_dict(json.loads(raw.decode("utf-8")))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError,
            ParameterError) as exc:
        raise MalformedOperationError(f"params: {exc}") from None
    if params_bytes(params) != raw:
        raise MalformedOperationError("params are not in their canonical JSON form")
    return params


def _utf8(raw: bytes, what: str, limit: int) -> str:
    if len(raw) > limit:
        raise MalformedOperationError(f"{what} is {len(raw)} bytes, at most {limit}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedOperationError(f"{what} is not UTF-8") from None


def _decode_post(r: Reader) -> PostTask:
    poster = _address(r, "poster")
    kernel_id = r.take(32, "kernel id").hex()
    code = r.uint(1, "claim kind")
    if code not in _KIND_OF_CODE:
        raise MalformedOperationError(f"unknown claim kind code {code}")
    units = r.uint(8, "work units")
    inputs = _decode_inputs(r)
    data_hash = r.take(32, "data hash")
    uri = _utf8(r.blob("data URI"), "data URI", MAX_URI_BYTES)
    return PostTask(poster, kernel_id, _KIND_OF_CODE[code], units, inputs, data_hash, uri,
                    r.uint(32, "fee"), r.uint(32, "bond"), r.uint(1, "min tier"),
                    r.uint(8, "deadline"))


def _decode_inputs(r: Reader) -> tuple[tuple[int, int], ...]:
    raw = r.blob("inputs")
    if len(raw) % 36 or len(raw) > 36 * MAX_TASK_INPUTS:
        raise MalformedOperationError(f"task inputs are {len(raw)} bytes, not a whole number "
                                      f"of at most {MAX_TASK_INPUTS} (position, value) pairs")
    return tuple((int.from_bytes(raw[i:i + 4], "big"),
                  int.from_bytes(raw[i + 4:i + 36], "big")) for i in range(0, len(raw), 36))


def _model_id(r: Reader) -> str:
    return _utf8(r.blob("model id"), "model id", MAX_MODEL_ID_BYTES)


def _decode_register_model(r: Reader) -> RegisterModel:
    owner, model_id, price = _address(r, "owner"), _model_id(r), r.uint(32, "price")
    raw = r.blob("kernels")
    if len(raw) % 36 or not 0 < len(raw) <= 36 * MAX_MODEL_KERNELS:
        raise MalformedOperationError(f"model kernels are {len(raw)} bytes, not a whole "
                                      f"number of 1 to {MAX_MODEL_KERNELS} (kernel id, "
                                      f"weights position) pairs")
    kernels = tuple((raw[i:i + 32].hex(), int.from_bytes(raw[i + 32:i + 36], "big"))
                    for i in range(0, len(raw), 36))
    op = RegisterModel(owner, model_id, price, kernels, r.uint(32, "commitment"))
    if kernels_bytes(op.kernels) != raw:
        raise MalformedOperationError("model kernels are not sorted by kernel id (the "
                                      "canonical order)")
    return op


def _decode_post_inference(r: Reader) -> PostInference:
    poster, model_id, version = _address(r, "poster"), _model_id(r), r.uint(8, "version")
    kernel_id = r.take(32, "kernel id").hex()
    units = r.uint(8, "work units")
    inputs = _decode_inputs(r)
    data_hash = r.take(32, "data hash")
    uri = _utf8(r.blob("data URI"), "data URI", MAX_URI_BYTES)
    return PostInference(poster, model_id, version, kernel_id, units, inputs, data_hash,
                         uri, r.uint(32, "fee"), r.uint(32, "price"), r.uint(32, "bond"),
                         r.uint(1, "min tier"), r.uint(8, "deadline"))


def _decode_action(r: Reader) -> GovernanceAction:
    raw_kind = r.blob("action kind")
    if len(raw_kind) > 64:
        raise MalformedOperationError(f"action kind is {len(raw_kind)} bytes, at most 64")
    try:
        kind = raw_kind.decode("ascii")
    except UnicodeDecodeError:
        raise MalformedOperationError("action kind is not ASCII") from None
    payload = r.blob("action payload")
    if len(payload) > MAX_ACTION_BYTES:
        raise MalformedOperationError(f"action payload is {len(payload)} bytes, at most "
                                      f"{MAX_ACTION_BYTES}")
    return GovernanceAction(kind, payload)


def _decode_post_job(r: Reader) -> PostJob:
    poster, model_id = _address(r, "poster"), _model_id(r)
    gradient = r.take(32, "gradient kernel").hex()
    aggregate = r.take(32, "aggregate kernel").hex()
    raw = r.blob("data commitments")
    if len(raw) % 32 or len(raw) > 32 * MAX_JOB_SHARDS:
        raise MalformedOperationError(f"data commitments are {len(raw)} bytes, not a whole "
                                      f"number of at most {MAX_JOB_SHARDS} 32-byte values")
    commitments = tuple(int.from_bytes(raw[i:i + 32], "big") for i in range(0, len(raw), 32))
    data_hash = r.take(32, "data hash")
    uri = _utf8(r.blob("data URI"), "data URI", MAX_URI_BYTES)
    return PostJob(poster, model_id, gradient, aggregate, commitments, data_hash, uri,
                   r.uint(4, "steps"), r.uint(32, "gradient fee"), r.uint(32, "aggregate fee"),
                   r.uint(32, "bond"), r.uint(1, "min tier"), r.uint(4, "window"))
