# SPDX-License-Identifier: MIT
"""Governance of the parameters: proposals, stake-weighted votes, the tally, and the
emergency pause. The accountant applies the rules (``Propose`` and ``Vote`` operations
run in a block's step 2 with the token operations); this module holds a proposal's state,
its exact encodings and the arithmetic of the tally.

Rules, with the parameters of the block that carries the proposal (height h, set P: an
ongoing vote keeps the rules it started under, whatever passes meanwhile):

- **Propose.** The proposer's stake (at that point of the block) is at least
  P.proposal_min_stake: proposals cost a stake at risk of slashing, not nothing, so they
  cannot be spammed. The proposal names a whole parameter set (validated when it is
  built: nothing half-specified can pass) and an activation height. It gets the next id
  (0, 1, 2, …). Votes are taken in blocks h … voting_end = h + period − 1, where period
  is P.emergency_voting_period when the set differs from P only in ``paused`` (a pause
  or its lifting), else P.voting_period. The activation height must be ≥ voting_end +
  P.min_activation_delay (≥ 1), so a passed set always activates after the block that
  tallied it: every block is applied with parameters fixed before it began, and
  re-verifying a chain from genesis replays every change identically.
- **Vote.** Allowed while the proposal is open (blocks up to voting_end), only to an
  account whose stake is > 0 at that point (a vote from a non-staker is refused, not
  counted as zero, so it cannot clutter the state), and once per account and proposal:
  a second vote is refused, not replaced, so a vote is never counted twice.
- **Tally**, at the end of block voting_end (after its claims, payouts and slashing), in
  proposal id order. Each vote weighs the voter's stake *at the tally*, not when it
  voted: stake moved to another account after voting counts only where it is at the
  tally, so voting from two accounts with the same stake gains nothing, and stake
  slashed or unstaked since does not count. Unbonding stake does not vote. With yes and
  no the summed weights and T the total stake of all accounts at the tally, the proposal
  passes when yes > 0, (yes + no) · 10⁹ ≥ P.quorum_ppb · T and yes · 10⁹ ≥
  P.approval_ppb · (yes + no); otherwise it is rejected. All integers: nothing rounds.
- **Activation.** A passed proposal enters the schedule at its activation height: it
  replaces only an entry at that same height (so when two passed proposals activate at
  the same height, the one passed later, or with the higher id in the same block, wins)
  and leaves later entries in place (a vote never silently cancels another passed
  proposal; a later-activating one overrides it from its own height on).
- **Actions.** Instead of a parameter set, a proposal may carry a
  :class:`GovernanceAction`: a kind tag and opaque bytes that this layer never
  interprets (the market layer above defines kinds such as accepting a model version,
  freezing or retiring a model, and checks them when proposed). The vote, the tally and
  the activation height follow the same rules (the normal voting period); a passed action
  does not touch the parameter schedule: ``BlockOutcome.passed_actions`` reports it when
  it passes and ``BlockDraft.due_actions()`` hands it to the layer above in the block of
  its activation height, which applies it before anything else of that block.
- **Pause.** ``Params.paused``: a block governed by a paused set pays nothing (emission
  0, the pool untouched) and grants no reputation, but records its accepted claims
  (claims_accepted counts), applies penalties and slashing, releases unbonding and runs
  every operation, so governance can lift the pause the same way it set it.

Proposals stay in the state after they close (status, tally and votes kept), so the
state root commits the whole governance history.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zkcx.errors import EncodingError, InvalidOperationError, ParameterError
from zkcx.rewards.account import parse_amount
from zkcx.rewards.claims import check_node_id
from zkcx.rewards.params import PPB, Params

OPEN, PASSED, REJECTED = "open", "passed", "rejected"
#: Longest payload of a governance action, in bytes.
MAX_ACTION_BYTES = 4096
_ACTION_KIND = re.compile(r"[a-z][a-z0-9]*([.-][a-z0-9]+)*")
_ACTION_TAG = b"zkcx-gov-action-v1"
#: Status byte of each status in the leaf payload.
STATUS_CODES = {OPEN: 0, PASSED: 1, REJECTED: 2}


@dataclass(frozen=True, slots=True)
class GovernanceAction:
    """What a proposal may carry instead of a parameter set: ``kind`` (a tag of 1 to 64
    ASCII characters: lowercase letters and digits in words joined by "." or "-", e.g.
    "model.freeze") and ``payload`` (at most MAX_ACTION_BYTES bytes). The rewards layer
    stores, votes on and reports an action without interpreting it; the layer that
    defines the kind decodes the payload. InvalidOperationError when malformed."""

    kind: str
    payload: bytes

    def __post_init__(self) -> None:
        kind = self.kind
        if not isinstance(kind, str) or not 0 < len(kind) <= 64 \
                or _ACTION_KIND.fullmatch(kind) is None:
            raise InvalidOperationError(
                f"a governance action kind is 1 to 64 lowercase letters and digits in "
                f"words joined by '.' or '-', got {kind!r:.80}")
        if not isinstance(self.payload, bytes) or len(self.payload) > MAX_ACTION_BYTES:
            size = len(self.payload) if isinstance(self.payload, bytes) else None
            raise InvalidOperationError(
                f"a governance action payload is at most {MAX_ACTION_BYTES} bytes, got "
                f"{type(self.payload).__name__}" + (f" of {size}" if size is not None else ""))

    def digest(self) -> bytes:
        """SHA-256 of b"zkcx-gov-action-v1" ‖ 0x00 ‖ u8 len(kind) ‖ kind ‖ u32 len(payload)
        ‖ payload: what a proposal's leaf and signature commit to."""
        kind = self.kind.encode()
        return hashlib.sha256(b"".join([
            _ACTION_TAG, b"\x00", len(kind).to_bytes(1, "big"), kind,
            len(self.payload).to_bytes(4, "big"), self.payload])).digest()

    def to_dict(self) -> dict[str, str]:
        """{"kind": kind, "payload": lowercase hex}."""
        return {"kind": self.kind, "payload": self.payload.hex()}

    @classmethod
    def from_dict(cls, d: object) -> GovernanceAction:
        """Inverse of :meth:`to_dict`; EncodingError on anything malformed."""
        if not isinstance(d, Mapping) or set(d) != {"kind", "payload"}:
            raise EncodingError(f"a governance action has the fields kind, payload; got "
                                f"{d!r:.80}")
        raw = d["payload"]
        try:
            payload = bytes.fromhex(raw) if isinstance(raw, str) else None
        except ValueError:
            payload = None
        if payload is None or payload.hex() != raw:
            raise EncodingError(f"an action payload is lowercase hex, got {raw!r:.80}")
        try:
            return cls(d["kind"], payload)
        except InvalidOperationError as exc:
            raise EncodingError(str(exc)) from exc


@dataclass(frozen=True)
class Proposal:
    """One proposal: who proposed which parameter set (or which :class:`GovernanceAction`)
    from which height, when its vote ends, the votes (voter → support), and after the
    tally its status and weights (``yes_stake``, ``no_stake``, ``total_stake``: all 0
    while open)."""

    proposal_id: int
    proposer: str
    params: Params | GovernanceAction
    activation_height: int
    proposed_height: int
    voting_end: int
    votes: Mapping[str, bool] = field(default_factory=dict)
    status: str = OPEN
    yes_stake: int = 0
    no_stake: int = 0
    total_stake: int = 0

    @property
    def is_open(self) -> bool:
        """True until the tally."""
        return self.status == OPEN

    @property
    def action(self) -> GovernanceAction | None:
        """The action this proposal carries, or None for a parameter set."""
        return self.params if isinstance(self.params, GovernanceAction) else None

    def leaf_payload(self) -> bytes:
        """The state-root leaf payload, all integers big-endian unsigned:

        b"P" ‖ u64 id ‖ u8 len(proposer) ‖ proposer (UTF-8) ‖ 32-byte params digest ‖
        u64 activation_height ‖ u64 proposed_height ‖ u64 voting_end ‖ u8 status
        (0 open, 1 passed, 2 rejected) ‖ u256 yes_stake ‖ u256 no_stake ‖ u256 total_stake
        ‖ u32 n ‖ n × (u8 len(voter) ‖ voter ‖ u8 support), voters in UTF-8 byte order

        A proposal carrying an action has the tag b"Q" instead of b"P" (b"A" tags an
        account's leaf) and the action's :meth:`GovernanceAction.digest` (which covers its
        kind) instead of the params digest; a parameter proposal's leaf is unchanged.
        """
        ident = self.proposer.encode()
        action = self.action
        parts = [b"P" if action is None else b"Q", self.proposal_id.to_bytes(8, "big"),
                 len(ident).to_bytes(1, "big"), ident, self.params.digest(),
                 self.activation_height.to_bytes(8, "big"),
                 self.proposed_height.to_bytes(8, "big"), self.voting_end.to_bytes(8, "big"),
                 STATUS_CODES[self.status].to_bytes(1, "big"),
                 self.yes_stake.to_bytes(32, "big"), self.no_stake.to_bytes(32, "big"),
                 self.total_stake.to_bytes(32, "big"), len(self.votes).to_bytes(4, "big")]
        for voter in sorted(map(str.encode, self.votes)):
            parts += [len(voter).to_bytes(1, "big"), voter,
                      b"\x01" if self.votes[voter.decode()] else b"\x00"]
        return b"".join(parts)

    def tallied(self, stake_of: Callable[[str], int], total_stake: int,
                rules: Params) -> Proposal:
        """This proposal closed: each vote weighs ``stake_of(voter)`` (the stake at the
        tally); passed or rejected by ``rules`` (the parameters of its proposal block)."""
        yes = no = 0
        for voter, support in self.votes.items():
            if support:
                yes += stake_of(voter)
            else:
                no += stake_of(voter)
        status = PASSED if passes(yes, no, total_stake, rules) else REJECTED
        return Proposal(self.proposal_id, self.proposer, self.params,
                        self.activation_height, self.proposed_height, self.voting_end,
                        dict(self.votes), status, yes, no, total_stake)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (amounts as decimal strings, votes sorted by voter); a proposal
        carrying an action has the field "action" (:meth:`GovernanceAction.to_dict`)
        instead of "params"."""
        action = self.action
        subject = ("params", self.params.to_dict()) if action is None else (
            "action", action.to_dict())
        return {
            "id": self.proposal_id,
            "proposer": self.proposer,
            subject[0]: subject[1],
            "activation_height": self.activation_height,
            "proposed_height": self.proposed_height,
            "voting_end": self.voting_end,
            "votes": {v: self.votes[v] for v in sorted(self.votes)},
            "status": self.status,
            "yes_stake": str(self.yes_stake),
            "no_stake": str(self.no_stake),
            "total_stake": str(self.total_stake),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Proposal:
        """Inverse of :meth:`to_dict`; raises EncodingError on anything malformed."""
        try:
            if set(d) != _DICT_FIELDS and set(d) != _ACTION_FIELDS:
                raise EncodingError(f"a proposal has the fields {sorted(_DICT_FIELDS)} "
                                    f"(\"action\" instead of \"params\" for an action), "
                                    f"got {sorted(d)}")
            check_node_id(d["proposer"], EncodingError)
            votes = d["votes"]
            if not isinstance(votes, Mapping):
                raise EncodingError("a proposal's votes must be an object")
            for voter, support in votes.items():
                check_node_id(voter, EncodingError)
                if not isinstance(support, bool):
                    raise EncodingError(f"vote of {voter!r} must be true or false")
            if d["status"] not in STATUS_CODES:
                raise EncodingError(f"unknown proposal status {d['status']!r}")
            out = cls(
                proposal_id=_height(d["id"]),
                proposer=d["proposer"],
                params=(Params.from_dict(d["params"]) if "params" in d
                        else GovernanceAction.from_dict(d["action"])),
                activation_height=_height(d["activation_height"]),
                proposed_height=_height(d["proposed_height"]),
                voting_end=_height(d["voting_end"]),
                votes=dict(votes),
                status=d["status"],
                yes_stake=parse_amount(d["yes_stake"]),
                no_stake=parse_amount(d["no_stake"]),
                total_stake=parse_amount(d["total_stake"]),
            )
        except (KeyError, TypeError, AttributeError, ParameterError) as exc:
            raise EncodingError(f"malformed proposal: {exc}") from exc
        if not out.proposed_height <= out.voting_end < out.activation_height:
            raise EncodingError(f"proposal {out.proposal_id}: heights must satisfy proposed "
                                "≤ voting end < activation")
        if out.is_open and (out.yes_stake or out.no_stake or out.total_stake):
            raise EncodingError(f"open proposal {out.proposal_id} carries a tally")
        return out


def passes(yes: int, no: int, total_stake: int, rules: Params) -> bool:
    """The tally's verdict: some yes weight, quorum (yes + no ≥ quorum · total stake) and
    approval (yes ≥ approval · (yes + no)), in exact integers."""
    voted = yes + no
    return (yes > 0 and voted * PPB >= rules.quorum_ppb * total_stake
            and yes * PPB >= rules.approval_ppb * voted)


_DICT_FIELDS = {"id", "proposer", "params", "activation_height", "proposed_height",
                "voting_end", "votes", "status", "yes_stake", "no_stake", "total_stake"}
_ACTION_FIELDS = (_DICT_FIELDS - {"params"}) | {"action"}


def _height(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        raise EncodingError(f"expected an int in [0, 2^63), got {value!r}")
    return value
