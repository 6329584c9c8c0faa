# SPDX-License-Identifier: MIT
"""Token operations a block may carry besides claims: stake, unstake and transfer.

Every token starts in the mining pool, so a node can only stake or transfer what it has
earned from verified claims (tier 0 earns compute and inference work without any stake).
Operations run in order, each against the state the previous one left; the first invalid
one raises (InsufficientFundsError, InvalidOperationError) and the whole block is
left unapplied.
"""

from __future__ import annotations

from dataclasses import dataclass

from zkcx.errors import InvalidOperationError
from zkcx.rewards.claims import check_node_id


def _check_amount(op: str, amount: object) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidOperationError(f"{op}: amount must be a positive int of base units, "
                                    f"got {amount!r}")


@dataclass(frozen=True, slots=True)
class Stake:
    """Move ``amount`` base units of ``node_id``'s balance into its stake."""

    node_id: str
    amount: int

    def __post_init__(self) -> None:
        check_node_id(self.node_id, InvalidOperationError)
        _check_amount("stake", self.amount)


@dataclass(frozen=True, slots=True)
class Unstake:
    """Move ``amount`` of ``node_id``'s stake into unbonding; it returns to the balance at
    the start of block h + unbonding_delay (h: the block carrying this operation) and stays
    slashable until then."""

    node_id: str
    amount: int

    def __post_init__(self) -> None:
        check_node_id(self.node_id, InvalidOperationError)
        _check_amount("unstake", self.amount)


@dataclass(frozen=True, slots=True)
class Transfer:
    """Move ``amount`` of ``src``'s balance to ``dst``'s balance."""

    src: str
    dst: str
    amount: int

    def __post_init__(self) -> None:
        check_node_id(self.src, InvalidOperationError)
        check_node_id(self.dst, InvalidOperationError)
        _check_amount("transfer", self.amount)
        if self.src == self.dst:
            raise InvalidOperationError(f"transfer from {self.src!r} to itself")


Operation = Stake | Unstake | Transfer
