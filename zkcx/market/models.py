# SPDX-License-Identifier: MIT
"""Registered models and their economics (Proof of Inference, Proof of Update): the
records, with exact JSON forms and state-root leaves, and :class:`ModelBook`, the part of
the market state that holds them.

A model (:class:`Model`) has an ``owner``, the inference kernels it may be served with
(each with the public-input position that carries the weights' commitment), a ``price``
per inference call in base units, a status (active, frozen: no new versions, retired: no
new inference tasks), its version chain (:class:`ModelVersion`: the weights' commitment,
the block, the contributor, the claim that made it, and whether governance has accepted
it into the revenue share table) and the share table itself: contributor → share, integers
over :data:`SHARE_DENOMINATOR` summing to it exactly.

The version chain is kept here, in the market state, and nowhere else: a registration
makes version 0 (accepted, the whole table to the owner); a training step accepted by the
layer above appends a version (``MarketDraft.extend_model``), pending until governance
accepts it (``zkcx.market.model_operations``: the ``model.accept-version`` action), which
then gives its contributor its share, diluting every holder pro rata.

An inference task is an ordinary task (``Task``) whose fee is the execution fee plus the
model's price at posting; its :class:`InferenceBill` records the model, the version served
and that price, so a later price change never alters a fee already in escrow.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from zkcx.errors import EncodingError
from zkcx.io.jsontext import decimal, short
from zkcx.market import _fields
from zkcx.market._fields import checked_id, decoded, record_fields
from zkcx.market._fields import hex32 as _hex32
from zkcx.market._fields import node_field as _node
from zkcx.market._fields import text as _text
from zkcx.market._fields import u as _u
from zkcx.market.errors import ModelError
from zkcx.market.tasks import MAX_HEIGHT, check_kernel_id
from zkcx.params import FR_MODULUS
from zkcx.rewards.claims import check_node_id
from zkcx.rewards.merkle import leaf_hash
from zkcx.rewards.mutable_state import MutableState

#: The revenue share table's denominator: shares are integers summing to exactly this.
SHARE_DENOMINATOR = 1_000_000
#: Longest model id, in UTF-8 bytes.
MAX_MODEL_ID_BYTES = 64
#: Most inference kernels one model may be served with.
MAX_MODEL_KERNELS = 16
#: Most entries of a share table.
MAX_SHARE_HOLDERS = 256
#: Most versions of one model.
MAX_MODEL_VERSIONS = 1 << 20
_NO_CLAIM = bytes(32)


class ModelStatus(enum.Enum):
    """Active (serves and takes versions), frozen (serves, takes no new version) or
    retired (takes no new inference task; tasks already posted are still paid)."""

    ACTIVE = "active"
    FROZEN = "frozen"
    RETIRED = "retired"

    __hash__ = object.__hash__


_STATUS_CODE = {status: index for index, status in enumerate(ModelStatus)}


# -- checks shared with the operations -------------------------------------------------------

def check_model_id(model_id: object, error: type[Exception] = ModelError) -> str:
    """A model id: printable text of 1 to MAX_MODEL_ID_BYTES UTF-8 bytes."""
    return checked_id(model_id,
                      lambda m: m.isprintable() and 0 < len(m.encode()) <= MAX_MODEL_ID_BYTES,
                      error, f"a model id is printable text of 1 to {MAX_MODEL_ID_BYTES} "
                             "UTF-8 bytes")


def check_commitment(value: object, what: str, error: type[Exception] = ModelError) -> int:
    """A weights commitment: a field element in [0, r)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < FR_MODULUS:
        raise error(f"{what} must be a field element in [0, r), got {short(value)}")
    return value


def check_count(value: object, what: str, bound: int, error: type[Exception] = ModelError,
                low: int = 0) -> int:
    """An int in [low, bound) (``zkcx.market._fields.check_count``, ModelError by
    default)."""
    return _fields.check_count(value, what, bound, error, low)


# -- records ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ServingKernel:
    """An inference kernel a model may be served with, and the public-input position that
    carries the model weights' commitment in its proofs (an inference task fixes it to the
    commitment of the version it names, so a proof with other weights does not match)."""

    kernel_id: str
    weights_position: int

    def __post_init__(self) -> None:
        check_kernel_id(self.kernel_id, ModelError)
        check_count(self.weights_position, "weights_position", 1 << 32)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"kernel_id": self.kernel_id, "weights_position": self.weights_position}


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """Version of a model: the weights' ``commitment``, the block ``height`` that made it,
    its ``contributor``, the ``claim_hash`` of the training claim that made it (32 zero
    bytes for a registration), whether governance ``accepted`` it into the share table and
    the ``share`` it granted then (0 while pending)."""

    commitment: int
    height: int
    contributor: str
    claim_hash: bytes
    accepted: bool
    share: int

    def payload(self) -> bytes:
        """u256 commitment ‖ u64 height ‖ text contributor ‖ 32-byte claim hash ‖
        u8 accepted ‖ u32 share."""
        return b"".join([_u(self.commitment, 32), _u(self.height, 8), _text(self.contributor),
                         self.claim_hash, _u(int(self.accepted), 1), _u(self.share, 4)])

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"commitment": str(self.commitment), "height": self.height,
                "contributor": self.contributor, "claim_hash": self.claim_hash.hex(),
                "accepted": self.accepted, "share": self.share}

    @classmethod
    def from_dict(cls, d: object) -> ModelVersion:
        """Inverse of :meth:`to_dict`; EncodingError on anything malformed."""
        d = record_fields(d, ("commitment", "height", "contributor", "claim_hash", "accepted",
                              "share"), "a model version")
        if not isinstance(d["accepted"], bool):
            raise EncodingError(f"accepted must be true or false, got {short(d['accepted'])}")
        check_node_id(d["contributor"], EncodingError)
        return cls(decimal(d["commitment"], "commitment", FR_MODULUS, EncodingError,
                           allow_int=False, bound_name="r"),
                   check_count(d["height"], "height", MAX_HEIGHT, EncodingError),
                   d["contributor"], _hex32(d["claim_hash"], "claim_hash"), d["accepted"],
                   check_count(d["share"], "share", SHARE_DENOMINATOR + 1, EncodingError))


@dataclass(frozen=True, slots=True)
class Model:
    """A registered model (module docstring). ``kernels``: sorted by kernel id, distinct;
    ``shares``: (contributor, share) sorted by contributor (UTF-8 bytes), each share > 0,
    summing to SHARE_DENOMINATOR; ``versions``: version v at index v."""

    model_id: str
    owner: str
    kernels: tuple[ServingKernel, ...]
    price: int
    status: ModelStatus
    shares: tuple[tuple[str, int], ...]
    versions: tuple[ModelVersion, ...]
    registered_height: int

    def kernel(self, kernel_id: str) -> ServingKernel | None:
        """The serving kernel ``kernel_id`` of this model, or None."""
        return next((k for k in self.kernels if k.kernel_id == kernel_id), None)

    @property
    def share_table(self) -> dict[str, int]:
        """The share table as a dict."""
        return dict(self.shares)

    def split(self, amount: int) -> tuple[tuple[str, int], ...]:
        """``amount`` split by the share table: each holder floor(amount · share /
        SHARE_DENOMINATOR), the remainder of the divisions to the owner (who may hold no
        share); (address, amount) sorted by address, entries of 0 left out. The parts sum
        to ``amount`` exactly."""
        parts = {holder: amount * share // SHARE_DENOMINATOR for holder, share in self.shares}
        rest = amount - sum(parts.values())
        parts[self.owner] = parts.get(self.owner, 0) + rest
        return tuple((h, parts[h]) for h in sorted(parts, key=str.encode) if parts[h])

    def leaf_payload(self) -> bytes:
        """The state-root leaf payload, integers big-endian unsigned, text = u8 length ‖
        UTF-8:

        b"D" ‖ text model_id ‖ text owner ‖ u8 k ‖ k × (32-byte kernel id ‖ u32 weights
        position) ‖ u256 price ‖ u8 status (0 active, 1 frozen, 2 retired) ‖
        u64 registered_height ‖ u16 m ‖ m × (text holder ‖ u32 share) ‖ u32 v ‖
        v × :meth:`ModelVersion.payload`."""
        return b"".join([
            b"D", _text(self.model_id), _text(self.owner), _u(len(self.kernels), 1),
            *(bytes.fromhex(k.kernel_id) + _u(k.weights_position, 4) for k in self.kernels),
            _u(self.price, 32), _u(_STATUS_CODE[self.status], 1),
            _u(self.registered_height, 8), _u(len(self.shares), 2),
            *(_text(h) + _u(s, 4) for h, s in self.shares), _u(len(self.versions), 4),
            *(v.payload() for v in self.versions)])

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (price and commitments as decimal strings)."""
        return {
            "model_id": self.model_id,
            "owner": self.owner,
            "kernels": [k.to_dict() for k in self.kernels],
            "price": str(self.price),
            "status": self.status.value,
            "shares": {h: s for h, s in self.shares},
            "versions": [v.to_dict() for v in self.versions],
            "registered_height": self.registered_height,
        }

    @classmethod
    def from_dict(cls, d: object) -> Model:
        """Inverse of :meth:`to_dict`: every field checked, then the record's consistency
        (:meth:`consistency_problem`); EncodingError otherwise."""
        d = record_fields(d, _MODEL_FIELDS, "a model")
        def build() -> Model:
            kernels = d["kernels"]
            shares = d["shares"]
            versions = d["versions"]
            if not isinstance(kernels, list) or not all(
                    isinstance(k, Mapping) and set(k) == {"kernel_id", "weights_position"}
                    for k in kernels):
                raise EncodingError("kernels must be a list of {kernel_id, weights_position}")
            if not isinstance(shares, Mapping):
                raise EncodingError("shares must be an object: holder → share")
            if not isinstance(versions, list):
                raise EncodingError("versions must be a list")
            for holder, share in shares.items():
                check_node_id(holder, EncodingError)
                check_count(share, f"share of {holder!r}", SHARE_DENOMINATOR + 1, EncodingError)
            return cls(
                model_id=check_model_id(d["model_id"], EncodingError),
                owner=_node(d["owner"]),
                kernels=tuple(ServingKernel(k["kernel_id"], k["weights_position"])
                              for k in kernels),
                price=decimal(d["price"], "price", 1 << 256, EncodingError, allow_int=False),
                status=ModelStatus(d["status"]),
                shares=tuple((h, shares[h]) for h in sorted(shares, key=str.encode)),
                versions=tuple(ModelVersion.from_dict(v) for v in versions),
                registered_height=check_count(d["registered_height"], "registered_height",
                                              MAX_HEIGHT, EncodingError),
            )

        return decoded("model", build, lambda model: f"model {model.model_id!r}")

    def consistency_problem(self) -> str | None:
        """What is inconsistent in this record, or None: kernels distinct and sorted, 1 to
        MAX_MODEL_KERNELS; shares positive, sorted, distinct, at most MAX_SHARE_HOLDERS,
        summing to SHARE_DENOMINATOR; version 0 accepted with the whole table, made at
        registration by the owner; each accepted version's share at most the
        denominator, each pending one 0; heights not decreasing."""
        ids = [k.kernel_id for k in self.kernels]
        if not 0 < len(ids) <= MAX_MODEL_KERNELS or ids != sorted(set(ids)):
            return f"1 to {MAX_MODEL_KERNELS} distinct kernels, sorted by id"
        holders = [h for h, _ in self.shares]
        if len(holders) > MAX_SHARE_HOLDERS or holders != sorted(set(holders),
                                                                 key=str.encode):
            return f"at most {MAX_SHARE_HOLDERS} distinct share holders, sorted"
        if any(s <= 0 for _, s in self.shares) or sum(s for _, s in self.shares) \
                != SHARE_DENOMINATOR:
            return f"positive shares summing to {SHARE_DENOMINATOR}"
        if not 0 < len(self.versions) <= MAX_MODEL_VERSIONS:
            return "a model has version 0 at least"
        first = self.versions[0]
        if (first.contributor != self.owner or not first.accepted
                or first.share != SHARE_DENOMINATOR or first.claim_hash != _NO_CLAIM
                or first.height != self.registered_height):
            return "version 0 is the owner's registration, accepted with the whole table"
        previous = first.height
        for number, version in enumerate(self.versions):
            if version.height < previous:
                return f"version {number} is older than the one before"
            if not version.accepted and version.share:
                return f"pending version {number} holds a share"
            if version.accepted and not 0 < version.share <= SHARE_DENOMINATOR:
                return f"accepted version {number} has no share"
            previous = version.height
        return None


_MODEL_FIELDS = ("model_id", "owner", "kernels", "price", "status", "shares", "versions",
                 "registered_height")


@dataclass(frozen=True, slots=True)
class InferenceBill:
    """Inference task ``task_id`` serves version ``version`` of model ``model_id`` at
    ``price`` (the model's price when the task was posted, escrowed inside the task's fee
    beside the execution fee)."""

    task_id: int
    model_id: str
    version: int
    price: int

    def leaf_payload(self) -> bytes:
        """b"I" ‖ u64 task_id ‖ text model_id ‖ u64 version ‖ u256 price."""
        return b"".join([b"I", _u(self.task_id, 8), _text(self.model_id),
                         _u(self.version, 8), _u(self.price, 32)])

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"task_id": self.task_id, "model_id": self.model_id, "version": self.version,
                "price": str(self.price)}

    @classmethod
    def from_dict(cls, d: object) -> InferenceBill:
        """Inverse of :meth:`to_dict`; EncodingError on anything malformed."""
        d = record_fields(d, ("task_id", "model_id", "version", "price"), "an inference bill")
        return cls(check_count(d["task_id"], "task_id", MAX_HEIGHT, EncodingError),
                   check_model_id(d["model_id"], EncodingError),
                   check_count(d["version"], "version", MAX_MODEL_VERSIONS, EncodingError),
                   decimal(d["price"], "price", 1 << 256, EncodingError, allow_int=False))


def diluted(shares: Iterable[tuple[str, int]], owner: str, contributor: str,
            share: int) -> tuple[tuple[str, int], ...]:
    """The share table after ``contributor`` is granted ``share`` (0 < share <
    SHARE_DENOMINATOR): every holder keeps floor(s · (D − share) / D), the contributor
    gains ``share`` on top, the rounding remainder goes to ``owner``; sorted, zeros
    dropped, summing to D exactly."""
    keep = SHARE_DENOMINATOR - share
    table = {h: s * keep // SHARE_DENOMINATOR for h, s in shares}
    table[contributor] = table.get(contributor, 0) + share
    table[owner] = table.get(owner, 0) + SHARE_DENOMINATOR - sum(table.values())
    return tuple((h, table[h]) for h in sorted(table, key=str.encode) if table[h])


def weights_index(model: Model) -> dict[tuple[str, int, int], str]:
    """(kernel id, weights position, commitment) → model id for every serving kernel and
    version of ``model``."""
    return {(k.kernel_id, k.weights_position, v.commitment): model.model_id
            for k in model.kernels for v in model.versions}


# -- the book --------------------------------------------------------------------------------

class ModelBook(MutableState):
    """The models and the inference bills of a market (module docstring), with the leaf
    hashes the market root takes: one per model in model-id order (UTF-8 bytes), then one
    per bill in task-id order. Written only by a committed ``MarketDraft``."""

    __slots__ = ("_models", "_model_leaves", "_bills", "_bill_leaves", "_weights")
    _COMPARED = ("_models", "_bills")  # the rest: caches

    def __init__(self) -> None:
        self._models: dict[str, Model] = {}
        self._model_leaves: dict[str, bytes] = {}
        self._bills: dict[int, InferenceBill] = {}
        self._bill_leaves: dict[int, bytes] = {}
        # (kernel id, weights position, commitment) → model id, over every version
        self._weights: dict[tuple[str, int, int], str] = {}

    @property
    def models(self) -> Mapping[str, Model]:
        """The models by id (do not modify)."""
        return self._models

    @property
    def bills(self) -> Mapping[int, InferenceBill]:
        """The inference bills by task id (do not modify)."""
        return self._bills

    def model_of_weights(self, kernel_id: str, position: int, commitment: int) -> str | None:
        """The model one of whose versions has weights ``commitment``, served with kernel
        ``kernel_id`` whose weights are at public input ``position``, or None."""
        return self._weights.get((kernel_id, position, commitment))

    def leaves(self) -> list[bytes]:
        """Leaf hashes for the market root: models by id, then bills by task id."""
        out = [self._model_leaves[m] for m in sorted(self._models, key=str.encode)]
        out.extend(self._bill_leaves[t] for t in sorted(self._bills))
        return out

    def write(self, models: Mapping[str, Model], bills: Mapping[int, InferenceBill]) -> None:
        """Write a committed draft's new or changed models and new bills."""
        for model_id, model in models.items():
            self._models[model_id] = model
            self._model_leaves[model_id] = leaf_hash(model.leaf_payload())
            self._weights.update(weights_index(model))
        for task_id, bill in bills.items():
            self._bills[task_id] = bill
            self._bill_leaves[task_id] = leaf_hash(bill.leaf_payload())

    def to_dict(self) -> dict[str, Any]:
        """{"models": {id: Model.to_dict}, "inference": [InferenceBill.to_dict by task
        id]}."""
        return {"models": {m: self._models[m].to_dict()
                           for m in sorted(self._models, key=str.encode)},
                "inference": [self._bills[t].to_dict() for t in sorted(self._bills)]}

    @classmethod
    def from_dict(cls, models: object, bills: object) -> ModelBook:
        """Inverse of :meth:`to_dict` (its two fields); EncodingError on anything
        malformed (the market checks the bills against its tasks)."""
        if not isinstance(models, Mapping):
            raise EncodingError("models must be an object: model id → model")
        if not isinstance(bills, list):
            raise EncodingError("inference must be a list of bills")
        book = cls()
        parsed = {}
        for model_id, item in models.items():
            model = Model.from_dict(item)
            if model.model_id != model_id:
                raise EncodingError(f"model {short(model_id)} holds the record of "
                                    f"{model.model_id!r}")
            parsed[model_id] = model
        by_task = {}
        for item in bills:
            bill = InferenceBill.from_dict(item)
            if bill.task_id in by_task:
                raise EncodingError(f"task {bill.task_id} has two inference bills")
            by_task[bill.task_id] = bill
        book.write(parsed, by_task)
        return book



