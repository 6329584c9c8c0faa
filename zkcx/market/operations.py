# SPDX-License-Identifier: MIT
"""The market's operations, carried by blocks beside the ledger's (Stake, Transfer, …) and
applied in order with them: ``PostTask``, ``CancelTask``, ``RegisterNode``. Each is a
frozen dataclass checked at construction for what needs no chain state (types, ranges,
sizes: ``MarketOperationError``); the rules that need the state (the kernel, the fee
minimum, the deadline, the balance) are checked when a block applies it
(``MarketDraft.operate``). Like the ledger's, each names the one account that acts and
must sign (``actor``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from zkcx.io.jsontext import short
from zkcx.market._fields import check_count
from zkcx.market.errors import MarketOperationError
from zkcx.market.tasks import MAX_HEIGHT, CapacityProfile, check_kernel_id, check_task_terms
from zkcx.rewards.claims import check_node_id
from zkcx.rewards.operations import OperationBase
from zkcx.rewards.params import ClaimKind


def _check_count(op: str, what: str, value: object, low: int, bound: int) -> None:
    check_count(value, f"{op}: {what}", bound, MarketOperationError, low)


@dataclass(frozen=True, slots=True)
class PostTask(OperationBase):
    """``poster`` requests a proof of kernel ``kernel_id`` (of claim ``kind`` and
    ``work_units``, which must be the kernel's: the poster signs what it pays for) on the
    inputs ``inputs`` ((public-input position, value) for every input position of the
    kernel), whose data lies off chain at ``data_uri`` with SHA-256 ``data_hash``. ``fee``
    (base units, ≥ work_units · min_fee_per_unit) leaves the poster's balance into escrow
    when the block applies the post; the executing node locks ``bond`` (may be 0) while
    assigned; only nodes of tier ≥ ``min_tier`` may execute it; it must be delivered by
    block ``deadline`` (> the posting height). The task gets the next task id."""

    ACTOR: ClassVar[str] = "poster"  # whose balance pays

    poster: str
    kernel_id: str
    kind: ClaimKind
    work_units: int
    inputs: tuple[tuple[int, int], ...]
    data_hash: bytes
    data_uri: str
    fee: int
    bond: int
    min_tier: int
    deadline: int

    def __post_init__(self) -> None:
        check_node_id(self.poster, MarketOperationError)
        check_kernel_id(self.kernel_id, MarketOperationError)
        try:
            object.__setattr__(self, "kind", ClaimKind(self.kind))
        except ValueError as exc:
            raise MarketOperationError(f"post task: unknown claim kind {short(self.kind)}"
                                       ) from exc
        check_task_terms(self, "post task", MarketOperationError)


@dataclass(frozen=True, slots=True)
class CancelTask(OperationBase):
    """``poster`` withdraws its task ``task_id`` while it is unassigned; the escrowed fee
    returns to its balance. An assigned task cannot be cancelled: a node may already be
    proving it."""

    ACTOR: ClassVar[str] = "poster"

    poster: str
    task_id: int

    def __post_init__(self) -> None:
        check_node_id(self.poster, MarketOperationError)
        _check_count("cancel task", "task_id", self.task_id, 0, MAX_HEIGHT)


@dataclass(frozen=True, slots=True)
class RegisterNode(OperationBase):
    """``node`` offers to execute tasks, with the capacity ``profile`` measured by
    ``zkcx bench``; registering again replaces the profile (a new measurement). Only
    registered nodes are assigned tasks."""

    ACTOR: ClassVar[str] = "node"

    node: str
    profile: CapacityProfile

    def __post_init__(self) -> None:
        check_node_id(self.node, MarketOperationError)
        if not isinstance(self.profile, CapacityProfile):
            raise MarketOperationError(f"register node: profile must be a CapacityProfile, "
                                       f"got {type(self.profile).__name__}")


MarketOperation = PostTask | CancelTask | RegisterNode
