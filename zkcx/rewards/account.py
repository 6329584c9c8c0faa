# SPDX-License-Identifier: MIT
"""A node's account and its exact byte encoding (the state-root leaf payload)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zkcx.errors import EncodingError


@dataclass(frozen=True, slots=True)
class Account:
    """One node's state. Amounts in base units.

    - ``balance``: spendable tokens; ``stake``: bonded tokens (boost, tier, slashable);
    - ``unbonding``: (amount, release_height) entries, ordered by release height, still
      slashable until released into the balance at the start of block release_height;
    - ``held``: tokens of this account locked by the market (task fees in escrow and
      execution bonds; the market keeps the per-task detail);
    - ``reputation`` and ``reputation_height``, the height of the block that last wrote
      this account (its reputation is up to date at that height; decay runs from there);
      counters ``claims_accepted``, ``proofs_invalid``, ``earned_total``
      (all rewards ever paid) and ``slashed_total`` (all stake ever slashed);
    - ``nonce``: how many of this account's signed transactions blocks have included
      (the rollup decides it; the accountant records it, so a signature over a nonce can
      be used once).
    """

    balance: int = 0
    stake: int = 0
    unbonding: tuple[tuple[int, int], ...] = ()
    reputation: int = 0
    claims_accepted: int = 0
    proofs_invalid: int = 0
    earned_total: int = 0
    slashed_total: int = 0
    nonce: int = 0
    held: int = 0
    reputation_height: int = 0

    @property
    def unbonding_total(self) -> int:
        """Sum of the unbonding amounts."""
        return sum(a for a, _ in self.unbonding)

    def leaf_payload(self, node_id: str) -> bytes:
        """The state-root leaf payload, all integers big-endian unsigned:

        b"A" ‖ u8 len(id) ‖ id (UTF-8) ‖ u256 balance ‖ u256 stake ‖ u256 held ‖
        u64 reputation ‖ u64 reputation_height ‖ u64 claims_accepted ‖ u64 proofs_invalid ‖
        u256 earned_total ‖ u256 slashed_total ‖ u64 nonce ‖ u32 n ‖
        n × (u256 amount ‖ u64 release_height)
        """
        ident = node_id.encode()
        # the fixed fields as one integer of 1632 bits: one to_bytes call instead of twelve
        fixed = ((((((((((self.balance << 256 | self.stake) << 256 | self.held) << 64
                        | self.reputation) << 64 | self.reputation_height) << 64
                      | self.claims_accepted) << 64 | self.proofs_invalid) << 256
                    | self.earned_total) << 256 | self.slashed_total) << 64
                  | self.nonce) << 32 | len(self.unbonding))
        head = b"A" + len(ident).to_bytes(1, "big") + ident + fixed.to_bytes(204, "big")
        if not self.unbonding:
            return head
        return head + b"".join(amount.to_bytes(32, "big") + release.to_bytes(8, "big")
                               for amount, release in self.unbonding)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (amounts as decimal strings)."""
        return {
            "balance": str(self.balance),
            "stake": str(self.stake),
            "unbonding": [[str(a), h] for a, h in self.unbonding],
            "held": str(self.held),
            "reputation": self.reputation,
            "reputation_height": self.reputation_height,
            "claims_accepted": self.claims_accepted,
            "proofs_invalid": self.proofs_invalid,
            "earned_total": str(self.earned_total),
            "slashed_total": str(self.slashed_total),
            "nonce": self.nonce,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Account:
        """Inverse of :meth:`to_dict`; raises EncodingError on anything malformed."""
        try:
            acc = cls(
                balance=parse_amount(d["balance"]),
                stake=parse_amount(d["stake"]),
                unbonding=tuple((parse_amount(a), _count(h)) for a, h in d["unbonding"]),
                held=parse_amount(d["held"]),
                reputation=_count(d["reputation"]),
                reputation_height=_count(d["reputation_height"]),
                claims_accepted=_count(d["claims_accepted"]),
                proofs_invalid=_count(d["proofs_invalid"]),
                earned_total=parse_amount(d["earned_total"]),
                slashed_total=parse_amount(d["slashed_total"]),
                nonce=_count(d["nonce"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EncodingError(f"malformed account {d!r}: {exc}") from exc
        heights = [h for _, h in acc.unbonding]
        if heights != sorted(heights) or any(a == 0 for a, _ in acc.unbonding):
            raise EncodingError("unbonding entries must be non-zero and ordered by height")
        if set(d) != set(acc.to_dict()):
            raise EncodingError(f"account has unexpected fields: {sorted(d)}")
        return acc


def parse_amount(text: object) -> int:
    """An amount of base units from its JSON form (a decimal string below 2^256);
    EncodingError otherwise."""
    if not isinstance(text, str) or not text.isdigit() or not text.isascii():
        raise EncodingError(f"an amount is a decimal string of digits, got {text!r}")
    value = int(text)
    if value >= 1 << 256:
        raise EncodingError(f"amount {value} does not fit 256 bits (at most 2^256 - 1)")
    return value


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << 64:
        raise EncodingError(f"a count is an int in [0, 2^64), got {value!r}")
    return value
