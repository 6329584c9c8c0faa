# SPDX-License-Identifier: MIT
"""Signed operations: a rewards operation (stake, unstake, transfer, propose, vote) with
its actor's nonce and signature, as a block carries it.

Canonical encoding (``SignedOperation.to_bytes``; integers big-endian, addresses as their
20 bytes):

    u8 kind | fields | u64 nonce | 65-byte signature r || s || v (65 zero bytes: unsigned)

    kind 1 stake, 2 unstake:  20 node | u256 amount
    kind 3 transfer:          20 from | 20 to | u256 amount
    kind 4 propose:           20 proposer | blob(params: canonical JSON of
                              ``Params.to_dict``, sorted keys, no spaces) | u64 activation
    kind 5 vote:              20 voter | u64 proposal id | u8 support (0 or 1)

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

A proposal signs ``Params.digest()`` (SHA-256 of the same canonical JSON, tagged), which
fixes every parameter of the set; the block carries the whole set.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass

from zkcx.accounts import Address, Domain, Signature, Signer, StructType
from zkcx.errors import EncodingError, InvalidOperationError, ParameterError, SignatureError
from zkcx.rewards.operations import Operation, Propose, Stake, Transfer, Unstake, Vote
from zkcx.rewards.params import Params
from zkcx.rollup._codec import Reader, Writer, tagged_hash
from zkcx.rollup.errors import MalformedOperationError
from zkcx.rollup.signing import account_address, recovered_signer

_TAG = b"zkcx-operation-v1"
_NO_SIGNATURE = bytes(65)
#: Longest params JSON a proposal may carry (a parameter set is ~1 KiB).
MAX_PARAMS_BYTES = 1 << 16
#: Longest encoding of a signed operation.
MAX_OPERATION_BYTES = 1 + 20 + 4 + MAX_PARAMS_BYTES + 8 + 8 + 65

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
}
_KIND = {Stake: 1, Unstake: 2, Transfer: 3, Propose: 4, Vote: 5}


def params_bytes(params: Params) -> bytes:
    """The canonical JSON of ``params.to_dict()`` (sorted keys, no spaces, UTF-8)."""
    return json.dumps(params.to_dict(), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def _addresses(op: Operation) -> dict[str, str]:
    if type(op) in (Stake, Unstake):
        return {"node": op.node_id}
    if type(op) is Transfer:
        return {"from": op.src, "to": op.dst}
    if type(op) is Propose:
        return {"proposer": op.proposer}
    return {"voter": op.voter}


@dataclass(frozen=True)
class SignedOperation:
    """An operation, its actor's nonce and signature (None: unsigned)."""

    operation: Operation
    nonce: int = 0
    signature: Signature | None = None

    def __post_init__(self) -> None:
        if type(self.operation) not in _KIND:
            raise MalformedOperationError(f"not a rewards operation: {self.operation!r:.80}")
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
        if type(op) is Propose:
            values.update(paramsDigest=op.params.digest(),
                          activationHeight=op.activation_height)
        elif type(op) is Vote:
            values.update(proposalId=op.proposal_id, support=op.support)
        else:
            values["amount"] = op.amount
        values["nonce"] = self.nonce
        return domain.digest(OPERATION_TYPES[type(op)], values)

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
        w = Writer().uint(_KIND[type(op)], 1)
        for name in _addresses(op).values():
            w.fixed(bytes(Address.from_hex(name)), 20)
        if type(op) is Propose:
            w.blob(params_bytes(op.params)).uint(op.activation_height, 8)
        elif type(op) is Vote:
            w.uint(op.proposal_id, 8).uint(int(op.support), 1)
        else:
            w.uint(op.amount, 32)
        w.uint(self.nonce, 8)
        w.fixed(_NO_SIGNATURE if self.signature is None else bytes(self.signature), 65)
        return w.getvalue()

    @functools.cached_property
    def hash(self) -> bytes:
        """SHA-256("zkcx-operation-v1" || 0x00 || to_bytes())."""
        return tagged_hash(_TAG, self._encoding)

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
        """For display: the kind, its fields (amounts as decimal strings, a proposal's
        params digest in hex), the actor, the nonce, the signature in hex and the
        hash."""
        op = self.operation
        fields = {}
        for name in op.__slots__:
            value = getattr(op, name)
            if name == "amount":
                value = str(value)
            elif name == "params":
                name, value = "params_digest", value.digest().hex()
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
