# SPDX-License-Identifier: MIT
"""The accountant's input: a claim whose proof has already been verified."""

from __future__ import annotations

from dataclasses import dataclass

from zkcx.errors import ClaimError
from zkcx.io.jsontext import check_text
from zkcx.rewards.params import ClaimKind

#: Longest node id, in UTF-8 bytes (it is length-prefixed by one byte in the state root).
MAX_NODE_ID_BYTES = 255


@dataclass(frozen=True, slots=True)
class VerifiedClaim:
    """A claim the rollup has verified: who earns (``node_id``), for what (``kind``), how
    much work (``work_units`` = the kernel's constraint count, supplied by the rollup from
    the kernel, never by the node), its unique 32-byte ``claim_hash`` and the task ``fee``
    (base units) the claim was paid, which bounds the emission it can earn."""

    node_id: str
    kind: ClaimKind
    work_units: int
    claim_hash: bytes
    fee: int = 0

    def __post_init__(self) -> None:
        check_node_id(self.node_id)
        if not isinstance(self.kind, ClaimKind):
            try:
                object.__setattr__(self, "kind", ClaimKind(self.kind))
            except ValueError as exc:
                raise ClaimError(f"unknown claim kind {self.kind!r}; one of "
                                 f"{[k.value for k in ClaimKind]}") from exc
        wu = self.work_units
        if not isinstance(wu, int) or isinstance(wu, bool) or wu <= 0:
            raise ClaimError(f"work_units must be a positive int (the kernel's constraint "
                             f"count), got {wu!r}")
        if not isinstance(self.claim_hash, bytes) or len(self.claim_hash) != 32:
            raise ClaimError(f"claim_hash must be 32 bytes, got {self.claim_hash!r}")
        fee = self.fee
        if not isinstance(fee, int) or isinstance(fee, bool) or not 0 <= fee < 1 << 256:
            raise ClaimError(f"fee must be an int of base units in [0, 2^256), got {fee!r}")


def check_node_id(node_id: object, error: type[Exception] = ClaimError) -> None:
    """Raise ``error`` unless ``node_id`` is a non-empty str of at most 255 UTF-8 bytes."""
    check_text(node_id, "node id", MAX_NODE_ID_BYTES, error)
