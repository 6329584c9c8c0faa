# SPDX-License-Identifier: MIT
"""Blocks: a header that commits everything, and a body of claims and operations.

Header encoding (``BlockHeader.to_bytes``; integers big-endian):

    u16 version | u64 height | 32 parent hash | u64 timestamp | 32 claims root
    | 32 statements root | 32 state root | 32 models root | u256 emission | 32 body hash

* claims root = ``zkcx.rewards.merkle_root`` of the accepted claims' hashes, in body order;
* statements root = ``zkcx.rewards.merkle_root`` of the accepted claims' statement
  commitments (``ClaimStatement.commitment``: node, task, kernel, kind, public inputs,
  model; no proof), in body order (``statements_root``): what a light client checks a
  block's light view against (``LightBlock``, ``verify_chain_light``) without any proof
  or the body;
* state root = ``Market.state_root()`` after the block;
* models root = ``Market.models_root()`` after the block: the market's model records and
  inference bills (version chains, share tables, prices, status), which the state root
  commits too; named apart so a reader of headers follows the models alone;
* emission = what the block released from the mining pool (``BlockOutcome.emission``);
* body hash = SHA-256("zkcx-body-v1" || 0x00 || body encoding): the header commits the
  rejected claims (slashing depends on them) and the operations too.

Block hash = SHA-256("zkcx-block-v1" || 0x00 || header encoding). Block 0's parent is
the genesis hash (``genesis_hash``), which commits the initial market state (its ledger
with the parameter schedule and genesis grants included, and its models).

Versions: this module writes and reads version 4 headers only (version 4 headers carry
the statements root and version 4 bodies end with the aggregates, below; a version 3
block has none, and is refused like version 2). Version 2 headers (zkcx before issue
14's last step) had the root of the rollup's own model registry as models
root, a mirror of the market's version chains that no longer exists; a version 2 chain
cannot be replayed against it, so ``BlockHeader.from_bytes`` refuses such a header with
``MalformedBlockError`` naming the version it expects (a chain of version 2 blocks is
made again from genesis: ``zkcx chain init``).

Body encoding: u32 n, n × blob(claim bytes) (accepted, in the order received) | u32 m,
m × rejected claim | u32 k, k × blob(signed operation bytes) (applied, in the order
received) | u32 j, j × rejected operation | u32 a, a × (text kernel id |
blob(aggregate bytes)), where a rejected claim or operation is (u32 index in the
received list | text reason | text detail | blob(raw bytes)). Claim and
signed-operation bytes are those of ``Claim.to_bytes`` and ``SignedOperation.to_bytes``.

Aggregates (issue 19, docs/aggregation.md): on a chain that keeps an aggregation verifier
key, a block carries, per kernel key with accepted claims, in increasing kernel id order,
the SnarkPack aggregate (``groth16.AggregateProof.to_bytes``) of those claims' proofs in
block order, bound to ``aggregate_label(chain id, parent hash, height, kernel id)`` so it
verifies in this block only. The body hash covers them; a chain without the key has none.

Genesis hash = SHA-256("zkcx-genesis-v3" || 0x00 || blob(market state bytes) || u64
chain id): block 0's parent, so every block commits the chain id that its signatures are
checked against.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from zkcx.errors import ArgumentTypeError, EncodingError
from zkcx.io.jsontext import short
from zkcx.rewards.merkle import merkle_root
from zkcx.rollup._codec import Reader, Writer, tagged_hash
from zkcx.rollup.claim import Claim, ClaimStatement
from zkcx.rollup.errors import MalformedBlockError, MalformedClaimError, MalformedOperationError
from zkcx.rollup.signing import check_chain_id
from zkcx.rollup.transactions import SignedOperation

BLOCK_VERSION = 4
_BLOCK_TAG, _BODY_TAG, _GENESIS_TAG = b"zkcx-block-v1", b"zkcx-body-v1", b"zkcx-genesis-v3"
_CLAIM_TAG = b"zkcx-claim-v1"
_AGGREGATE_LABEL_TAG = b"zkcx-aggregate-label-v1"

#: A block's aggregates: (kernel id, aggregate proof bytes) in increasing kernel id order.
Aggregates = tuple[tuple[str, bytes], ...]


class RejectReason(enum.Enum):
    """Why a block builder turned a claim or an operation away (the order of the checks:
    ``zkcx.rollup.builder``); operations are malformed, unsigned, bad-signature,
    bad-nonce or invalid-operation (refused by the market's block draft)."""

    MALFORMED = "malformed"                  # bytes that do not decode to a claim
    UNSIGNED = "unsigned"                    # no signature
    BAD_SIGNATURE = "bad-signature"          # signature of another account or of none
    BAD_NONCE = "bad-nonce"                  # not the account's next nonce
    DUPLICATE = "duplicate"                  # an earlier valid claim has the statement
    REPLAYED = "replayed"                    # statement already accepted by the chain
    UNKNOWN_KERNEL = "unknown-kernel"        # kernel id not in the kernel registry
    KIND_NOT_ALLOWED = "kind-not-allowed"    # not the kernel's one claim kind
    PUBLIC_INPUT_COUNT = "public-input-count"  # not the kernel's number of public inputs
    PUBLIC_INPUT_BOUNDS = "public-input-out-of-bounds"  # outside the kernel's public bounds
    BINDING_MISMATCH = "binding-mismatch"    # binding input is not claim_binding(node, task)
    INELIGIBLE = "ineligible"                # the node's tier may not earn this kind
    INVALID_PROOF = "invalid-proof"          # Groth16 verification failed (slashed)
    NO_SUCH_TASK = "no-such-task"            # the task id names no posted task
    TASK_CLOSED = "task-closed"              # the task is done, cancelled, expired or late
    NOT_ASSIGNEE = "not-assignee"            # the task is assigned to another node (or none)
    TASK_KERNEL_MISMATCH = "task-kernel-mismatch"  # not the kernel the task names
    TASK_INPUT_MISMATCH = "task-input-mismatch"    # inputs differ from the task's
    MODEL_MISMATCH = "model-mismatch"        # not the model's current version (or its job's)
    UNKNOWN_MODEL = "unknown-model"          # names a model the market has not registered
    MODEL_FROZEN = "model-frozen"            # a training step of a frozen model
    MODEL_RETIRED = "model-retired"          # a training step of a retired model
    INVALID_OPERATION = "invalid-operation"  # an operation the market or ledger refuses


def raw_claim_hash(data: bytes) -> bytes:
    """The claim hash of claim bytes, decodable or not (equals ``Claim.claim_hash``)."""
    return tagged_hash(_CLAIM_TAG, data)


@dataclass(frozen=True)
class RejectedClaim:
    """A claim turned away: its position among the claims the builder received, the
    reason, a human-readable detail, and its bytes as received."""

    index: int
    reason: RejectReason
    detail: str
    data: bytes

    @property
    def claim_hash(self) -> bytes:
        return raw_claim_hash(self.data)


@dataclass(frozen=True)
class RejectedOperation:
    """An operation turned away: its position among the operations the builder received,
    the reason, a human-readable detail, and its bytes as received."""

    index: int
    reason: RejectReason
    detail: str
    data: bytes


@dataclass(frozen=True)
class BlockHeader:
    """See the module docstring for the fields and their encoding."""

    version: int
    height: int
    parent_hash: bytes
    timestamp: int
    claims_root: bytes
    statements_root: bytes
    state_root: bytes
    models_root: bytes
    emission: int
    body_hash: bytes

    def to_bytes(self) -> bytes:
        w = Writer().uint(self.version, 2).uint(self.height, 8).fixed(self.parent_hash, 32)
        w.uint(self.timestamp, 8).fixed(self.claims_root, 32)
        w.fixed(self.statements_root, 32).fixed(self.state_root, 32)
        w.fixed(self.models_root, 32).uint(self.emission, 32).fixed(self.body_hash, 32)
        return w.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> BlockHeader:
        """Inverse of :meth:`to_bytes`; ``MalformedBlockError`` for anything else, a
        header of another version included (module docstring: versions)."""
        try:
            r = Reader(data, "block header")
            version = r.uint(2, "version")
            if version != BLOCK_VERSION:
                raise MalformedBlockError(_version_problem(version))
            out = cls(version, r.uint(8, "height"), r.take(32, "parent hash"),
                      r.uint(8, "timestamp"), r.take(32, "claims root"),
                      r.take(32, "statements root"), r.take(32, "state root"),
                      r.take(32, "models root"),
                      r.uint(32, "emission"), r.take(32, "body hash"))
            r.finish()
        except EncodingError as exc:
            raise MalformedBlockError(str(exc)) from exc
        return out

    @property
    def hash(self) -> bytes:
        """SHA-256("zkcx-block-v1" || 0x00 || header bytes)."""
        return tagged_hash(_BLOCK_TAG, self.to_bytes())

    def to_json(self) -> dict:
        """For display: the fields with hashes in hex and the emission as a decimal
        string, plus the block hash."""
        return {
            "hash": self.hash.hex(), "version": self.version, "height": self.height,
            "parent_hash": self.parent_hash.hex(), "timestamp": self.timestamp,
            "claims_root": self.claims_root.hex(),
            "statements_root": self.statements_root.hex(), "state_root": self.state_root.hex(),
            "models_root": self.models_root.hex(), "emission": str(self.emission),
            "body_hash": self.body_hash.hex(),
        }

    @classmethod
    def from_json(cls, obj: object) -> BlockHeader:
        """Inverse of :meth:`to_json`; the ``hash`` given must be the header's own.
        ``MalformedBlockError`` for anything else."""
        fields = ("version", "height", "parent_hash", "timestamp", "claims_root",
                  "statements_root", "state_root", "models_root", "emission", "body_hash")
        if not isinstance(obj, dict) or any(f not in obj for f in fields):
            raise MalformedBlockError(f"a block header is a JSON object with {fields}, got "
                                      f"{short(obj)}")
        try:
            def digest(name: str) -> bytes:
                value = obj[name]
                if not isinstance(value, str) or len(value) != 64:
                    raise MalformedBlockError(f"block header: {name} must be 64 hex digits, "
                                              f"got {short(value)}")
                return bytes.fromhex(value)

            def integer(name: str) -> int:
                value = obj[name]
                if isinstance(value, str) and value.isdigit() and len(value) <= 80:
                    value = int(value)
                if not isinstance(value, int) or isinstance(value, bool):
                    raise MalformedBlockError(f"block header: {name} must be an integer, "
                                              f"got {short(value)}")
                return value

            header = cls(integer("version"), integer("height"), digest("parent_hash"),
                         integer("timestamp"), digest("claims_root"),
                         digest("statements_root"), digest("state_root"),
                         digest("models_root"), integer("emission"), digest("body_hash"))
            header = cls.from_bytes(header.to_bytes())
        except (ValueError, EncodingError) as exc:
            raise MalformedBlockError(f"block header: {exc}") from None
        if "hash" in obj and obj["hash"] != header.hash.hex():
            raise MalformedBlockError("block header: its hash is not the hash of its fields")
        return header


class _NamedByHeader:
    """A block's or light view's hash and height: its header's."""

    header: BlockHeader

    @property
    def hash(self) -> bytes:
        return self.header.hash

    @property
    def height(self) -> int:
        return self.header.height


@dataclass(frozen=True)
class Block(_NamedByHeader):
    """A sealed block: header, accepted claims, rejected claims, applied operations,
    rejected operations, and the aggregate proofs of the accepted claims per kernel key
    (module docstring; empty on a chain without an aggregation key)."""

    header: BlockHeader
    accepted: tuple[Claim, ...]
    rejected: tuple[RejectedClaim, ...]
    operations: tuple[SignedOperation, ...] = ()
    rejected_operations: tuple[RejectedOperation, ...] = ()
    aggregates: Aggregates = ()

    def summary(self) -> dict:
        """For display: the header's ``to_json``, the accepted claims (hash, node, kind,
        task), the rejected ones (index, hash, reason, detail), the applied operations and
        the rejected ones (index, reason, detail)."""
        return {
            "header": self.header.to_json(),
            "accepted": [{"claim_hash": c.claim_hash.hex(), "node_id": c.node_id,
                          "kind": c.kind.value, "task_id": c.task_id} for c in self.accepted],
            "rejected": [{"index": r.index, "claim_hash": r.claim_hash.hex(),
                          "reason": r.reason.value, "detail": r.detail} for r in self.rejected],
            "operations": [op.to_json() for op in self.operations],
            "rejected_operations": [{"index": r.index, "reason": r.reason.value,
                                     "detail": r.detail} for r in self.rejected_operations],
            "aggregates": [{"kernel_id": k, "bytes": len(a)} for k, a in self.aggregates],
        }

    def light(self) -> LightBlock:
        """What light verification reads of the block (``LightBlock``): the header, the
        accepted claims' statements and the aggregates; no proof and no body."""
        return LightBlock(self.header, tuple(c.statement for c in self.accepted),
                          self.aggregates)

    def light_view(self) -> dict:
        """``self.light().to_json()``: the operator's ``GET /v1/blocks/{height}/light``."""
        return self.light().to_json()

    def body_bytes(self) -> bytes:
        return encode_body(self.accepted, self.rejected, self.operations,
                           self.rejected_operations, self.aggregates)

    def received(self) -> list[Claim | bytes]:
        """The claims as the builder received them, in order (accepted and rejected
        merged back by their positions): accepted ones as ``Claim``, rejected ones as the
        bytes received."""
        return _merge(self.accepted, self.rejected, "claim")

    def received_operations(self) -> list[SignedOperation | bytes]:
        """The operations as the builder received them, in order: applied ones as
        ``SignedOperation``, rejected ones as the bytes received."""
        return _merge(self.operations, self.rejected_operations, "operation")

    def to_bytes(self) -> bytes:
        """blob(header) | body."""
        return Writer().blob(self.header.to_bytes()).getvalue() + self.body_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Block:
        """Inverse of :meth:`to_bytes`; ``MalformedBlockError`` (truncated or trailing
        bytes, an accepted claim that does not decode, an unknown reject reason or
        operation); nothing else."""
        r = Reader(data, "block")
        try:
            header = BlockHeader.from_bytes(r.blob("header"))
        except EncodingError as exc:
            raise MalformedBlockError(str(exc)) from exc
        return cls(header, *decode_body(r.rest()))


@dataclass(frozen=True)
class LightBlock(_NamedByHeader):
    """A block's light view: its header, its accepted claims' statements in body order
    (``ClaimStatement``: no proof, nonce or signature) and its aggregates. The header's
    statements root commits the statements and each aggregate proves those of its kernel,
    so ``verify_chain_light`` checks a chain from these alone."""

    header: BlockHeader
    statements: tuple[ClaimStatement, ...]
    aggregates: Aggregates = ()

    def to_json(self) -> dict:
        """The header's ``to_json``, the statements' ``to_json`` and the aggregates
        (kernel id, aggregate bytes in hex)."""
        return {
            "header": self.header.to_json(),
            "statements": [s.to_json() for s in self.statements],
            "aggregates": [{"kernel_id": k, "aggregate": a.hex()} for k, a in self.aggregates],
        }

    @classmethod
    def from_json(cls, obj: object) -> LightBlock:
        """Inverse of :meth:`to_json` (extra keys, such as the operator's ``height`` and
        ``hash``, are ignored); ``MalformedBlockError`` says what is wrong."""
        if not isinstance(obj, dict) or not all(
                isinstance(obj.get(k), t) for k, t in (("header", dict), ("statements", list),
                                                       ("aggregates", list))):
            raise MalformedBlockError(f"a light block is a JSON object with header, "
                                      f"statements and aggregates, got {short(obj)}")
        header = BlockHeader.from_json(obj["header"])
        try:
            statements = tuple(ClaimStatement.from_json(s) for s in obj["statements"])
        except MalformedClaimError as exc:
            raise MalformedBlockError(f"light block statement: {exc}") from exc
        aggregates = []
        for entry in obj["aggregates"]:
            kernel_id = entry.get("kernel_id") if isinstance(entry, dict) else None
            data = entry.get("aggregate") if isinstance(entry, dict) else None
            try:
                raw = bytes.fromhex(data) if isinstance(data, str) else None
            except ValueError:
                raw = None
            if not isinstance(kernel_id, str) or raw is None:
                raise MalformedBlockError(f"a light block's aggregate is an object with "
                                          f"kernel_id and aggregate (hex), got "
                                          f"{short(entry)}")
            aggregates.append((kernel_id, raw))
        _check_aggregate_order(aggregates, MalformedBlockError)
        return cls(header, statements, tuple(aggregates))


def statements_root(statements: Sequence[ClaimStatement]) -> bytes:
    """The header's statements root: the Merkle root of the statements' commitments, in
    the order given (body order)."""
    return merkle_root([s.commitment for s in statements])


def _merge(accepted, rejected, what: str) -> list:
    out: list = [None] * (len(accepted) + len(rejected))
    for r in rejected:
        if not 0 <= r.index < len(out) or out[r.index] is not None:
            raise MalformedBlockError(f"rejected {what} index {r.index} is out of place")
        out[r.index] = r.data
    items = iter(accepted)
    return [x if x is not None else next(items) for x in out]


def _write_rejected(w: Writer, rejected) -> None:
    w.uint(len(rejected), 4)
    for rc in rejected:
        w.uint(rc.index, 4).text(rc.reason.value).text(rc.detail[:1000]).blob(rc.data)


def _read_rejected(r: Reader, cls, what: str) -> tuple:
    out = []
    for _ in range(r.uint(4, f"rejected {what} count")):
        index, reason = r.uint(4, "index"), r.text("reason")
        try:
            why = RejectReason(reason)
        except ValueError:
            raise MalformedBlockError(f"unknown reject reason {reason!r}") from None
        out.append(cls(index, why, r.text("detail"), r.blob(what)))
    return tuple(out)


def encode_body(accepted: Sequence[Claim], rejected: Sequence[RejectedClaim],
                operations: Sequence[SignedOperation] = (),
                rejected_operations: Sequence[RejectedOperation] = (),
                aggregates: Aggregates = ()) -> bytes:
    """The body encoding (module docstring)."""
    w = Writer().uint(len(accepted), 4)
    for c in accepted:
        w.blob(c.to_bytes())
    _write_rejected(w, rejected)
    w.uint(len(operations), 4)
    for op in operations:
        w.blob(op.to_bytes())
    _write_rejected(w, rejected_operations)
    _check_aggregate_order(aggregates, ArgumentTypeError)
    w.uint(len(aggregates), 4)
    for kernel_id, data in aggregates:
        w.text(kernel_id).blob(bytes(data))
    return w.getvalue()


def _check_aggregate_order(aggregates, error: type[Exception]) -> None:
    ids = [k for k, _a in aggregates]
    if any(a >= b for a, b in zip(ids, ids[1:])):
        raise error("a block's aggregates are one per kernel id, in increasing kernel id "
                    "order")


def decode_body(data: bytes) -> tuple[tuple[Claim, ...], tuple[RejectedClaim, ...],
                                      tuple[SignedOperation, ...],
                                      tuple[RejectedOperation, ...], Aggregates]:
    """Inverse of :func:`encode_body`; accepted claims and applied operations must
    decode (aggregates are kept as bytes: verification decodes them)."""
    try:
        r = Reader(data, "block body")
        accepted = tuple(Claim.from_bytes(r.blob("claim"))
                         for _ in range(r.uint(4, "accepted count")))
        rejected = _read_rejected(r, RejectedClaim, "claim")
        operations = tuple(SignedOperation.from_bytes(r.blob("operation"))
                           for _ in range(r.uint(4, "operation count")))
        rejected_ops = _read_rejected(r, RejectedOperation, "operation")
        aggregates = tuple((r.text("kernel id"), r.blob("aggregate"))
                           for _ in range(r.uint(4, "aggregate count")))
        _check_aggregate_order(aggregates, MalformedBlockError)
        r.finish()
    except MalformedBlockError:
        raise
    except (EncodingError, MalformedClaimError, MalformedOperationError) as exc:
        raise MalformedBlockError(f"block body: {exc}") from exc
    return accepted, rejected, operations, rejected_ops, aggregates


def body_hash(body: bytes) -> bytes:
    return tagged_hash(_BODY_TAG, body)


def aggregate_label(chain_id: int, parent_hash: bytes, height: int, kernel_id: str) -> bytes:
    """The transcript label of a block's aggregate for one kernel key:
    SHA-256("zkcx-aggregate-label-v1" || 0x00 || u64 chain id || parent hash || u64
    height || kernel id bytes), so that an aggregate verifies in its block only."""
    return tagged_hash(_AGGREGATE_LABEL_TAG, Writer().uint(check_chain_id(chain_id), 8)
                       .fixed(bytes(parent_hash), 32).uint(height, 8)
                       .text(kernel_id).getvalue())


def genesis_hash(market_state: bytes, chain_id: int) -> bytes:
    """SHA-256("zkcx-genesis-v3" || 0x00 || blob(market state bytes) || u64 chain id):
    block 0's parent hash."""
    return tagged_hash(_GENESIS_TAG, Writer().blob(market_state)
                       .uint(check_chain_id(chain_id), 8).getvalue())


def _version_problem(version: int) -> str:
    """Why a header of ``version`` is refused (module docstring: versions)."""
    if version == 3:
        return (f"block version 3, this zkcx reads version {BLOCK_VERSION} only: version 4 "
                "bodies carry the aggregate proofs of their claims (make the chain again "
                "from genesis: `zkcx chain init`)")
    if version == 2:
        return (f"block version 2, this zkcx reads version {BLOCK_VERSION} only: a version 2 "
                "header's models root is the root of the rollup's former model registry, "
                "which a replay no longer computes (make the chain again from genesis)")
    return f"block version {version}, this zkcx reads version {BLOCK_VERSION}"
