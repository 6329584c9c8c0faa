# SPDX-License-Identifier: MIT
"""The operations and governance actions of registered models (``zkcx.market.models``).

Operations, carried by blocks beside the others and applied in order
(``MarketDraft.operate``), each naming the one account that acts and signs (``actor``):

- :class:`RegisterModel` — an owner registers a model: its id, price per inference call,
  the inference kernels it may be served with (each with the public-input position of the
  weights' commitment) and version 0's weights commitment. The owner holds the whole
  share table.
- :class:`SetPrice` — the owner, and only the owner, changes the price of later inference
  tasks (a task posted earlier keeps the price it escrowed).
- :class:`PostInference` — a requester posts an inference task on a version of a model:
  a task of one of the model's kernels whose inputs fix that version's commitment at the
  weights position; ``fee`` is the execution fee (≥ work units · min_fee_per_unit, paid
  to the node less the pool fee, as for any task) and ``price`` the model's price, which
  must be the current one (the poster signs what it pays); fee + price is escrowed.

Governance actions (Proof of Update), carried by a ``Propose`` whose ``params`` is the
action's :meth:`~AcceptVersion.action` (a ``GovernanceAction``: kind tag + bytes that the
rewards layer stores and votes on without reading), checked by the market when proposed
and applied at the activation height when passed:

- :class:`AcceptVersion` (kind ``model.accept-version``) — version v of a model, made by
  ``contributor``, enters the share table with ``share`` / SHARE_DENOMINATOR: every holder
  is diluted pro rata (``zkcx.market.models.diluted``);
- :class:`FreezeModel` (``model.freeze``) — no new versions;
- :class:`RetireModel` (``model.retire``) — no new inference tasks.

Action payloads (integers big-endian unsigned, text = u8 length ‖ UTF-8):
accept-version: text model_id ‖ u64 version ‖ text contributor ‖ u32 share;
freeze, retire: text model_id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from zkcx.errors import EncodingError
from zkcx.io.jsontext import short
from zkcx.market._fields import text as _text
from zkcx.market.errors import ModelError
from zkcx.market.models import (
    MAX_MODEL_KERNELS,
    MAX_MODEL_VERSIONS,
    SHARE_DENOMINATOR,
    ServingKernel,
    check_commitment,
    check_count,
    check_model_id,
)
from zkcx.market.tasks import check_kernel_id, check_task_terms
from zkcx.rewards.claims import check_node_id
from zkcx.rewards.governance import GovernanceAction
from zkcx.rewards.operations import OperationBase

#: Kind tags of the market's governance actions.
ACCEPT_VERSION, FREEZE_MODEL, RETIRE_MODEL = ("model.accept-version", "model.freeze",
                                              "model.retire")


@dataclass(frozen=True, slots=True)
class _ModelPrice(OperationBase):
    """``owner`` names ``price`` base units per inference call of model ``model_id``
    (``VERB``: the operation's name in messages)."""

    ACTOR: ClassVar[str] = "owner"
    VERB: ClassVar[str]

    owner: str
    model_id: str
    price: int

    def __post_init__(self) -> None:
        check_node_id(self.owner, ModelError)
        check_model_id(self.model_id)
        check_count(self.price, f"{self.VERB}: price", 1 << 256)


@dataclass(frozen=True, slots=True)
class RegisterModel(_ModelPrice):
    """``owner`` registers model ``model_id`` (not yet registered) at ``price`` base units
    per inference call, served with ``kernels`` (ServingKernel, or (kernel id, weights
    position) pairs; each must be an inference kernel of the chain's registry that a task
    may name, its weights position one of its input positions), version 0 = weights
    ``commitment``."""

    VERB: ClassVar[str] = "register model"

    kernels: tuple[ServingKernel, ...]
    commitment: int

    def __post_init__(self) -> None:
        _ModelPrice.__post_init__(self)
        check_commitment(self.commitment, "register model: commitment")
        object.__setattr__(self, "kernels", serving_kernels(self.kernels))


@dataclass(frozen=True, slots=True)
class SetPrice(_ModelPrice):
    """``owner`` sets the price per inference call of its model ``model_id`` to ``price``
    base units, for inference tasks posted from then on."""

    VERB: ClassVar[str] = "set price"


@dataclass(frozen=True, slots=True)
class PostInference(OperationBase):
    """``poster`` requests one inference call of version ``version`` of model
    ``model_id`` with kernel ``kernel_id`` (one of the model's) of ``work_units`` (the
    kernel's), on ``inputs`` ((public-input position, value) for every input position of
    the kernel; the weights position holds the version's commitment), data off chain at
    ``data_uri`` with SHA-256 ``data_hash``. ``fee``: the execution fee; ``price``: the
    model's current price; fee + price leave the poster's balance into escrow. ``bond``,
    ``min_tier``, ``deadline``: as for ``PostTask``."""

    ACTOR: ClassVar[str] = "poster"  # whose balance pays

    poster: str
    model_id: str
    version: int
    kernel_id: str
    work_units: int
    inputs: tuple[tuple[int, int], ...]
    data_hash: bytes
    data_uri: str
    fee: int
    price: int
    bond: int
    min_tier: int
    deadline: int

    def __post_init__(self) -> None:
        check_node_id(self.poster, ModelError)
        check_model_id(self.model_id)
        check_count(self.version, "post inference: version", MAX_MODEL_VERSIONS)
        check_kernel_id(self.kernel_id, ModelError)
        check_task_terms(self, "post inference", ModelError)
        check_count(self.price, "post inference: price", 1 << 256)


def serving_kernels(kernels: object) -> tuple[ServingKernel, ...]:
    """``kernels`` (ServingKernel or (kernel id, weights position) pairs) as a tuple
    sorted by kernel id: 1 to MAX_MODEL_KERNELS distinct kernels (ModelError)."""
    if isinstance(kernels, (str, bytes)) or not isinstance(kernels, Iterable):
        raise ModelError(f"kernels must be (kernel id, weights position) pairs, got "
                         f"{short(kernels)}")
    out = []
    for item in kernels:
        if isinstance(item, ServingKernel):
            out.append(item)
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            out.append(ServingKernel(item[0], item[1]))
        else:
            raise ModelError(f"a serving kernel is (kernel id, weights position), got "
                             f"{short(item)}")
        if len(out) > MAX_MODEL_KERNELS:
            break
    ids = [k.kernel_id for k in out]
    if not 0 < len(ids) <= MAX_MODEL_KERNELS or len(set(ids)) != len(ids):
        raise ModelError(f"a model is served with 1 to {MAX_MODEL_KERNELS} distinct kernels, "
                         f"got {len(ids)} ({len(set(ids))} distinct)")
    return tuple(sorted(out, key=lambda k: k.kernel_id))


# -- governance actions ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AcceptVersion:
    """Governance accepts version ``version`` of ``model_id``, made by ``contributor``,
    into the share table with ``share`` / SHARE_DENOMINATOR (0 < share < D)."""

    model_id: str
    version: int
    contributor: str
    share: int

    def __post_init__(self) -> None:
        check_model_id(self.model_id)
        check_count(self.version, "accept version: version", MAX_MODEL_VERSIONS, low=1)
        check_node_id(self.contributor, ModelError)
        check_count(self.share, "accept version: share", SHARE_DENOMINATOR, low=1)

    def action(self) -> GovernanceAction:
        """The GovernanceAction a Propose carries."""
        return GovernanceAction(ACCEPT_VERSION, b"".join([
            _text(self.model_id), self.version.to_bytes(8, "big"), _text(self.contributor),
            self.share.to_bytes(4, "big")]))


@dataclass(frozen=True, slots=True)
class _ModelStatusAction:
    """A governance action that names only ``model_id`` (its kind: the class's KIND)."""

    KIND: ClassVar[str]

    model_id: str

    def __post_init__(self) -> None:
        check_model_id(self.model_id)

    def action(self) -> GovernanceAction:
        """The GovernanceAction a Propose carries."""
        return GovernanceAction(self.KIND, _text(self.model_id))


@dataclass(frozen=True, slots=True)
class FreezeModel(_ModelStatusAction):
    """Governance freezes ``model_id``: it takes no new version."""

    KIND: ClassVar[str] = FREEZE_MODEL


@dataclass(frozen=True, slots=True)
class RetireModel(_ModelStatusAction):
    """Governance retires ``model_id``: it takes no new inference task (nor version)."""

    KIND: ClassVar[str] = RETIRE_MODEL


ModelAction = AcceptVersion | FreezeModel | RetireModel


def model_action(action: GovernanceAction) -> ModelAction:
    """Decode a GovernanceAction of the market's kinds (module docstring): the exact
    payload, nothing left over; ModelError for another kind or a malformed payload."""
    if not isinstance(action, GovernanceAction):
        raise ModelError(f"not a GovernanceAction: {short(action)}")
    if action.kind not in (ACCEPT_VERSION, FREEZE_MODEL, RETIRE_MODEL):
        raise ModelError(f"the market knows no governance action {action.kind!r} (it "
                         f"knows {ACCEPT_VERSION}, {FREEZE_MODEL}, {RETIRE_MODEL})")
    data = action.payload
    try:
        model_id, at = _read_text(data, 0, "model id")
        if action.kind in (FREEZE_MODEL, RETIRE_MODEL):
            out: ModelAction = (FreezeModel if action.kind == FREEZE_MODEL
                                else RetireModel)(model_id)
        else:
            if len(data) < at + 8:
                raise EncodingError("the version is cut short")
            version = int.from_bytes(data[at:at + 8], "big")
            contributor, at = _read_text(data, at + 8, "contributor")
            if len(data) < at + 4:
                raise EncodingError("the share is cut short")
            share = int.from_bytes(data[at:at + 4], "big")
            at += 4
            out = AcceptVersion(model_id, version, contributor, share)
        if at != len(data):
            raise EncodingError(f"{len(data) - at} bytes after the payload")
    except (EncodingError, UnicodeDecodeError) as exc:
        raise ModelError(f"malformed {action.kind} action: {exc}") from None
    return out


def _read_text(data: bytes, at: int, what: str) -> tuple[str, int]:
    if len(data) <= at:
        raise EncodingError(f"the {what} is missing")
    size = data[at]
    end = at + 1 + size
    if len(data) < end:
        raise EncodingError(f"the {what} is cut short")
    return data[at + 1:end].decode(), end
