# SPDX-License-Identifier: MIT
"""Operations a block may carry besides claims: stake, unstake and transfer of tokens, and
the governance operations propose and vote (rules in ``zkcx.rewards.governance``).

Every token starts in the mining pool, so a node can only stake or transfer what it has
earned from verified claims (tier 0 earns compute and inference work without any stake).
Operations run in order, each against the state the previous one left. ``apply_block``
raises on the first invalid one (InsufficientFundsError, GovernanceError,
InvalidOperationError) and leaves the whole block unapplied;
``Accountant.screen_operations`` instead names each invalid one so the rollup can drop
it. Every operation names the one account that acts (``actor``): the account whose
signature the rollup requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from zkcx.errors import InvalidOperationError
from zkcx.rewards.claims import check_node_id
from zkcx.rewards.governance import GovernanceAction
from zkcx.rewards.params import Params


def _check_amount(op: str, amount: object) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidOperationError(f"{op}: amount must be a positive int of base units, "
                                    f"got {amount!r}")



class OperationBase:
    """Base of the operations a block carries (the ledger's and the market's): ``actor``,
    the account that acts and must sign, is the field the class's ``ACTOR`` names."""

    __slots__ = ()
    ACTOR: ClassVar[str]

    @property
    def actor(self) -> str:
        """The account that acts (and must sign): the field named by ``ACTOR``."""
        return getattr(self, self.ACTOR)


@dataclass(frozen=True, slots=True)
class _StakeMove(OperationBase):
    """``node_id`` moves ``amount`` base units of its own (``VERB``: the operation's
    name in messages)."""

    ACTOR: ClassVar[str] = "node_id"
    VERB: ClassVar[str]

    node_id: str
    amount: int

    def __post_init__(self) -> None:
        check_node_id(self.node_id, InvalidOperationError)
        _check_amount(self.VERB, self.amount)


@dataclass(frozen=True, slots=True)
class Stake(_StakeMove):
    """Move ``amount`` base units of ``node_id``'s balance into its stake."""

    VERB: ClassVar[str] = "stake"


@dataclass(frozen=True, slots=True)
class Unstake(_StakeMove):
    """Move ``amount`` of ``node_id``'s stake into unbonding; it returns to the balance at
    the start of block h + unbonding_delay (h: the block carrying this operation) and stays
    slashable until then."""

    VERB: ClassVar[str] = "unstake"


@dataclass(frozen=True, slots=True)
class Transfer(OperationBase):
    """Move ``amount`` of ``src``'s balance to ``dst``'s balance."""

    ACTOR: ClassVar[str] = "src"  # whose balance pays

    src: str
    dst: str
    amount: int

    def __post_init__(self) -> None:
        check_node_id(self.src, InvalidOperationError)
        check_node_id(self.dst, InvalidOperationError)
        _check_amount("transfer", self.amount)
        if self.src == self.dst:
            raise InvalidOperationError(f"transfer from {self.src!r} to itself")


@dataclass(frozen=True, slots=True)
class Propose(OperationBase):
    """``proposer`` proposes that ``params`` (a whole parameter set, see
    ``Params.replace``) govern from block ``activation_height`` on, or, when ``params``
    is a :class:`~zkcx.rewards.governance.GovernanceAction`, that the layer defining the
    action's kind apply it at block ``activation_height``. The proposal gets the next
    proposal id (0, 1, 2, … in the order proposals are applied)."""

    ACTOR: ClassVar[str] = "proposer"

    proposer: str
    params: Params | GovernanceAction
    activation_height: int

    def __post_init__(self) -> None:
        check_node_id(self.proposer, InvalidOperationError)
        if not isinstance(self.params, (Params, GovernanceAction)):
            raise InvalidOperationError(f"propose: params must be a Params or a "
                                        f"GovernanceAction, got {type(self.params).__name__}")
        height = self.activation_height
        if not isinstance(height, int) or isinstance(height, bool) or not 0 <= height < 2**63:
            raise InvalidOperationError(f"propose: activation height must be an int in "
                                        f"[0, 2^63), got {height!r}")

    @property
    def action(self) -> GovernanceAction | None:
        """The action proposed, or None for a parameter set."""
        return self.params if isinstance(self.params, GovernanceAction) else None


@dataclass(frozen=True, slots=True)
class Vote(OperationBase):
    """``voter`` votes for (``support`` True) or against proposal ``proposal_id``."""

    ACTOR: ClassVar[str] = "voter"

    voter: str
    proposal_id: int
    support: bool

    def __post_init__(self) -> None:
        check_node_id(self.voter, InvalidOperationError)
        pid = self.proposal_id
        if not isinstance(pid, int) or isinstance(pid, bool) or not 0 <= pid < 2**63:
            raise InvalidOperationError(f"vote: proposal id must be an int in [0, 2^63), "
                                        f"got {pid!r}")
        if not isinstance(self.support, bool):
            raise InvalidOperationError(f"vote: support must be True or False, got "
                                        f"{self.support!r}")


Operation = Stake | Unstake | Transfer | Propose | Vote
