# SPDX-License-Identifier: MIT
"""Economic parameters of the accountant as data: claim kinds, tiers, one ``Params`` set,
and the ``ParamSchedule`` that says which set governs which block height.

Every parameter is an integer; fractions are integers over a fixed denominator named in
the field (``_ppb``: parts per billion, ``_permille``: parts per thousand), so all the
accountant's arithmetic is exact.
"""

from __future__ import annotations

import bisect
import enum
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from zkcx.errors import ParameterError

#: Base units per token.
TOKEN = 10**18
#: The whole supply, in base units: all of it sits in the mining pool at genesis.
SUPPLY = 200_000_000 * TOKEN
#: Denominator of every ``_ppb`` parameter.
PPB = 1_000_000_000
#: Denominator of every ``_permille`` parameter.
PERMILLE = 1000
#: Cap on ``emission_ppb``: no block may release more than 1 % of the pool (10^7 ppb), so
#: even a parameter set passed by governance leaves 99 % of the pool after any block.
MAX_EMISSION_PPB = 10_000_000
#: Cap on ``reputation_max`` as a multiple of ``reputation_start``: the reputation factor
#: (reputation / reputation_start) never exceeds 4.
MAX_REPUTATION_FACTOR = 4
#: Cap on every tier's ``multiplier_permille`` and on ``stake_boost_max_permille`` (×10 and
#: +1000 %): with the reputation factor, no weight exceeds 10 · 11 · 4 = 440 times a fresh
#: tier-0 node's for the same work.
MAX_MULTIPLIER_PERMILLE = 10_000
#: Cap on ``max_task_attempts``.
MAX_TASK_ATTEMPTS = 1_000
#: Cap on voting periods and the activation delay (about 31 years of 1-second blocks):
#: keeps every height computed from them far inside u64.
MAX_PERIOD = 10**9


class ClaimKind(enum.Enum):
    """What a verified claim proves: a compute kernel, an inference, a training step, or
    the verification of other nodes' work."""

    COMPUTE = "compute"
    INFERENCE = "inference"
    TRAINING = "training"
    VERIFICATION = "verification"

    # Members are singletons compared by identity: the C-level identity hash keeps the
    # accountant's per-claim dict lookups cheap (Enum's own __hash__ is Python code).
    __hash__ = object.__hash__


@dataclass(frozen=True)
class Tier:
    """A node tier: a node belongs to the highest tier whose ``min_stake`` (base units) and
    ``min_reputation`` it both reaches; the tier scales its claims' weight by
    ``multiplier_permille / 1000`` and lets it earn only from ``kinds``."""

    name: str
    min_stake: int
    min_reputation: int
    multiplier_permille: int
    kinds: frozenset[ClaimKind]

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kinds", frozenset(ClaimKind(k) for k in self.kinds))
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"tier {self.name!r} has an unknown claim kind: {exc}") from exc
        _require_int(f"tier {self.name!r} min_stake", self.min_stake, 0, SUPPLY)
        _require_int(f"tier {self.name!r} min_reputation", self.min_reputation, 0, None)
        _require_int(f"tier {self.name!r} multiplier_permille", self.multiplier_permille,
                     1, MAX_MULTIPLIER_PERMILLE)
        if not isinstance(self.name, str) or not self.name:
            raise ParameterError("a tier needs a non-empty name")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (amounts as decimal strings, kinds sorted)."""
        return {
            "name": self.name,
            "min_stake": str(self.min_stake),
            "min_reputation": self.min_reputation,
            "multiplier_permille": self.multiplier_permille,
            "kinds": sorted(k.value for k in self.kinds),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Tier:
        """Inverse of :meth:`to_dict`."""
        try:
            return cls(name=d["name"], min_stake=int(d["min_stake"]),
                       min_reputation=d["min_reputation"],
                       multiplier_permille=d["multiplier_permille"],
                       kinds=frozenset(ClaimKind(k) for k in d["kinds"]))
        except (KeyError, TypeError, ValueError, OverflowError, AttributeError) as exc:
            if isinstance(exc, ParameterError):
                raise
            raise ParameterError(f"malformed tier: {type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class Params:
    """One version of the economic parameters (validated at construction).

    - emission (package docstring, step 4): ``emission_ppb`` (share of the pool a block
      may release, at most ``MAX_EMISSION_PPB``) and ``emission_per_unit`` (base units
      per weighted work unit): E = min(floor(pool · emission_ppb / 10⁹),
      Σ work_units · kind_weight · emission_per_unit) over the block's paid claims.
    - fees: a node's emission in a block is at most Σ floor(fee · ``emission_fee_cap_ppb``
      / 10⁹) over its claims; the market sends ``pool_fee_ppb`` of every fee it pays to
      the pool (so emission_fee_cap_ppb < pool_fee_ppb: paying yourself loses) and
      refuses a task whose fee is below work_units · ``min_fee_per_unit``; a claim is
      paid work only when its fee reaches that floor.
    - ``kind_weights``: weight of each claim kind (non-negative ints; a missing kind
      weighs 0).
    - ``tiers``: ordered from tier 0 upwards; tier 0 needs stake 0 and reputation 0 (every
      node has a tier); thresholds never decrease, each tier's kinds include the previous
      tier's, and every tier above tier 0 needs a reputation above ``reputation_start``
      (a new account is in no tier but tier 0) and at most ``reputation_max``.
    - stake boost: b(s) = 1 + (``stake_boost_max_permille``/1000) · min(s, cap)/cap with
      cap = ``stake_boost_cap`` (base units, > 0).
    - reputation: starts at ``reputation_start``; a block adds min(``reputation_gain_max``,
      u // ``reputation_units_per_point``) for u paid work units of the node; above the
      start it decays by ``reputation_decay_per_block`` per block (never below the
      start); − ``reputation_penalty`` per invalid proof; clamped to [``reputation_min``,
      ``reputation_max``] with reputation_max ≤ 4 · reputation_start; factor
      ρ(r) = r / ``reputation_start``.
    - ``slash_ppb``: share of a node's stake (and of each unbonding entry) moved back to
      the pool per invalid proof: floor(amount · σ / 10⁹).
    - ``unbonding_delay``: blocks between an unstake at height h and its release at the
      start of block h + delay.
    - market (``zkcx.market``): ``late_reputation_penalty`` (reputation lost by a node
      that misses a task's deadline), ``late_bond_slash_ppb`` (share of its bond that goes
      to the pool), ``max_task_attempts`` (assignments before a task expires and its fee
      returns to the poster).
    - governance (see ``zkcx.rewards.governance``): ``voting_period`` (blocks a proposal
      is open for votes; ``emergency_voting_period`` for a proposal whose only change is
      ``paused``), ``quorum_ppb`` (share of the total stake that must vote),
      ``approval_ppb`` (share of the voting stake that must vote yes; above one half, so
      a proposal and its opposite cannot both pass), ``min_activation_delay`` (blocks
      from the end of the vote to the earliest activation), ``proposal_min_stake`` (stake
      needed to propose, against spam).
    - ``paused``: a block governed by a paused set pays nothing (emission 0) and grants
      no reputation; claims are still recorded, penalties and slashing still apply.

    Multipliers are bounded (``MAX_MULTIPLIER_PERMILLE``), so is the reputation factor
    (``MAX_REPUTATION_FACTOR``); every tier is reachable (reputation_gain_max > 0 when a
    tier needs more than the start).
    """

    emission_ppb: int
    kind_weights: Mapping[ClaimKind, int]
    tiers: tuple[Tier, ...]
    stake_boost_max_permille: int
    stake_boost_cap: int
    reputation_start: int
    reputation_min: int
    reputation_max: int
    reputation_gain_max: int
    reputation_units_per_point: int
    reputation_decay_per_block: int
    reputation_penalty: int
    slash_ppb: int
    unbonding_delay: int
    emission_per_unit: int
    emission_fee_cap_ppb: int
    pool_fee_ppb: int
    min_fee_per_unit: int
    late_reputation_penalty: int = 50
    late_bond_slash_ppb: int = 100_000_000  # 10 % of the bond
    max_task_attempts: int = 3
    voting_period: int = 17_280  # 2 days of 10-second blocks
    emergency_voting_period: int = 360  # 1 hour
    quorum_ppb: int = 400_000_000  # 40 % of the total stake votes
    approval_ppb: int = 666_666_667  # two thirds of the voting stake says yes
    min_activation_delay: int = 360  # 1 hour between the vote's end and the change
    proposal_min_stake: int = 10_000 * TOKEN  # the "trusted" tier's stake
    paused: bool = False
    _weights: tuple[tuple[ClaimKind, int], ...] = field(init=False, repr=False,
                                                          compare=False)
    _digest: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _require_int("emission_ppb", self.emission_ppb, 0, MAX_EMISSION_PPB)
        if not isinstance(self.kind_weights, Mapping):
            raise ParameterError("kind_weights must map ClaimKind to an int weight")
        weights: dict[ClaimKind, int] = {}
        for kind, weight in self.kind_weights.items():
            try:
                kind = ClaimKind(kind)
            except ValueError as exc:
                raise ParameterError(f"kind_weights has an unknown claim kind {kind!r}") from exc
            _require_int(f"kind weight of {kind.value}", weight, 0, None)
            weights[kind] = weight
        full = tuple((k, weights.get(k, 0)) for k in ClaimKind)
        object.__setattr__(self, "kind_weights", dict(full))
        object.__setattr__(self, "_weights", full)
        tiers = tuple(self.tiers)
        object.__setattr__(self, "tiers", tiers)
        _validate_tiers(tiers)
        _require_int("stake_boost_max_permille", self.stake_boost_max_permille, 0,
                     MAX_MULTIPLIER_PERMILLE)
        _require_int("stake_boost_cap", self.stake_boost_cap, 1, SUPPLY)
        self._validate_reputation(tiers)
        _require_int("slash_ppb", self.slash_ppb, 0, PPB)
        _require_int("unbonding_delay", self.unbonding_delay, 1, None)
        self._validate_fees()
        _require_int("late_reputation_penalty", self.late_reputation_penalty, 0, None)
        _require_int("late_bond_slash_ppb", self.late_bond_slash_ppb, 0, PPB)
        _require_int("max_task_attempts", self.max_task_attempts, 1, MAX_TASK_ATTEMPTS)
        _require_int("voting_period", self.voting_period, 1, MAX_PERIOD)
        _require_int("emergency_voting_period", self.emergency_voting_period, 1, MAX_PERIOD)
        _require_int("quorum_ppb", self.quorum_ppb, 1, PPB)
        _require_int("approval_ppb", self.approval_ppb, PPB // 2 + 1, PPB)
        _require_int("min_activation_delay", self.min_activation_delay, 1, MAX_PERIOD)
        _require_int("proposal_min_stake", self.proposal_min_stake, 1, SUPPLY)
        if not isinstance(self.paused, bool):
            raise ParameterError(f"paused must be a bool, got {self.paused!r}")
        object.__setattr__(self, "_digest", hashlib.sha256(
            b"zkcx-rewards-params-v2" + _canonical_json(self.to_dict())).digest())

    def _validate_reputation(self, tiers: tuple[Tier, ...]) -> None:
        _require_int("reputation_min", self.reputation_min, 0, None)
        _require_int("reputation_max", self.reputation_max, self.reputation_min, None)
        _require_int("reputation_start", self.reputation_start, max(self.reputation_min, 1),
                     self.reputation_max)
        if self.reputation_max > MAX_REPUTATION_FACTOR * self.reputation_start:
            raise ParameterError(
                f"reputation_max = {self.reputation_max} is above {MAX_REPUTATION_FACTOR} × "
                f"reputation_start = {MAX_REPUTATION_FACTOR * self.reputation_start}: the "
                "reputation factor would multiply pay without bound")
        _require_int("reputation_gain_max", self.reputation_gain_max, 0, None)
        _require_int("reputation_units_per_point", self.reputation_units_per_point, 1, None)
        _require_int("reputation_decay_per_block", self.reputation_decay_per_block, 0, None)
        _require_int("reputation_penalty", self.reputation_penalty, 0, None)
        for tier in tiers[1:]:
            if tier.min_reputation <= self.reputation_start:
                raise ParameterError(
                    f"tier {tier.name!r} needs reputation {tier.min_reputation}, not above "
                    f"reputation_start {self.reputation_start}: a new account (or a "
                    "penalised node's fresh one) would enter it at once")
            if tier.min_reputation > self.reputation_max:
                raise ParameterError(
                    f"tier {tier.name!r} needs more reputation than reputation_max "
                    f"{self.reputation_max}: no node could reach it")
        if len(tiers) > 1 and self.reputation_gain_max == 0:
            raise ParameterError(f"reputation_gain_max is 0: no node could reach tier "
                                 f"{tiers[1].name!r}")

    def _validate_fees(self) -> None:
        _require_int("emission_per_unit", self.emission_per_unit, 0, SUPPLY)
        _require_int("pool_fee_ppb", self.pool_fee_ppb, 0, PPB)
        _require_int("emission_fee_cap_ppb", self.emission_fee_cap_ppb, 0, PPB)
        if self.emission_fee_cap_ppb >= self.pool_fee_ppb:
            raise ParameterError(
                f"emission_fee_cap_ppb = {self.emission_fee_cap_ppb} must be below "
                f"pool_fee_ppb = {self.pool_fee_ppb}: else a node paying itself a fee gets "
                "back more than it paid")
        _require_int("min_fee_per_unit", self.min_fee_per_unit, 0, SUPPLY)

    def __hash__(self) -> int:
        return hash(self.digest())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Params):
            return NotImplemented
        return self._digest == other._digest

    def kind_weight(self, kind: ClaimKind) -> int:
        """The weight of claims of ``kind``."""
        return self.kind_weights[kind]

    def tier_index(self, stake: int, reputation: int) -> int:
        """Index of the highest tier with min_stake ≤ stake and min_reputation ≤ reputation."""
        index = 0
        for tier in self.tiers[1:]:  # thresholds never decrease: stop at the first miss
            if stake < tier.min_stake or reputation < tier.min_reputation:
                break
            index += 1
        return index

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form: ints, amounts in base units as decimal strings."""
        return {
            "emission_ppb": self.emission_ppb,
            "kind_weights": {k.value: w for k, w in self._weights},
            "tiers": [t.to_dict() for t in self.tiers],
            "stake_boost_max_permille": self.stake_boost_max_permille,
            "stake_boost_cap": str(self.stake_boost_cap),
            "reputation_start": self.reputation_start,
            "reputation_min": self.reputation_min,
            "reputation_max": self.reputation_max,
            "reputation_gain_max": self.reputation_gain_max,
            "reputation_units_per_point": self.reputation_units_per_point,
            "reputation_decay_per_block": self.reputation_decay_per_block,
            "reputation_penalty": self.reputation_penalty,
            "slash_ppb": self.slash_ppb,
            "unbonding_delay": self.unbonding_delay,
            "emission_per_unit": str(self.emission_per_unit),
            "emission_fee_cap_ppb": self.emission_fee_cap_ppb,
            "pool_fee_ppb": self.pool_fee_ppb,
            "min_fee_per_unit": str(self.min_fee_per_unit),
            "late_reputation_penalty": self.late_reputation_penalty,
            "late_bond_slash_ppb": self.late_bond_slash_ppb,
            "max_task_attempts": self.max_task_attempts,
            "voting_period": self.voting_period,
            "emergency_voting_period": self.emergency_voting_period,
            "quorum_ppb": self.quorum_ppb,
            "approval_ppb": self.approval_ppb,
            "min_activation_delay": self.min_activation_delay,
            "proposal_min_stake": str(self.proposal_min_stake),
            "paused": self.paused,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Params:
        """Inverse of :meth:`to_dict`; raises ParameterError on a malformed dict."""
        try:
            kw = dict(d)
            kw["kind_weights"] = {ClaimKind(k): w for k, w in kw["kind_weights"].items()}
            kw["tiers"] = tuple(Tier.from_dict(t) for t in kw["tiers"])
            kw["stake_boost_cap"] = _decimal(kw["stake_boost_cap"])
            kw["proposal_min_stake"] = _decimal(kw["proposal_min_stake"])
            kw["emission_per_unit"] = _decimal(kw["emission_per_unit"])
            kw["min_fee_per_unit"] = _decimal(kw["min_fee_per_unit"])
            if set(kw) != set(_FIELDS):
                raise ParameterError(f"a parameter set has the fields {sorted(_FIELDS)}, "
                                     f"got {sorted(kw)}")
            return cls(**kw)
        except ParameterError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise ParameterError(f"malformed parameter set: {type(exc).__name__}: "
                                 f"{exc}") from exc

    def replace(self, **changes: Any) -> Params:
        """A copy with some fields changed (validated)."""
        kw = {name: getattr(self, name) for name in _FIELDS}
        kw.update(changes)
        return Params(**kw)

    def differs_only_in_pause(self, other: Params) -> bool:
        """True when ``other`` is this set with ``paused`` flipped and nothing else
        changed (an emergency proposal)."""
        return other.paused != self.paused and other.replace(paused=self.paused) == self

    def digest(self) -> bytes:
        """SHA-256 of b"zkcx-rewards-params-v2" ‖ canonical JSON of :meth:`to_dict`
        (sorted keys, no spaces, UTF-8); computed once, at construction."""
        return self._digest


_FIELDS = tuple(f.name for f in fields(Params) if f.init)


class ParamSchedule:
    """Sorted (activation_height, Params) pairs; ``at(h)`` is the set with the greatest
    activation height ≤ h. The first pair activates at height 0, so every height has a
    set; a change takes effect exactly at its height."""

    __slots__ = ("_heights", "_params")

    def __init__(self, entries: Iterable[tuple[int, Params]]) -> None:
        pairs = list(entries)
        if not pairs:
            raise ParameterError("a parameter schedule needs at least one entry (at height 0)")
        heights: list[int] = []
        params: list[Params] = []
        for item in pairs:
            try:
                height, p = item
            except (TypeError, ValueError) as exc:
                raise ParameterError(
                    f"schedule entries are (activation_height, Params) pairs, got {item!r}"
                ) from exc
            _require_int("activation height", height, 0, None)
            if not isinstance(p, Params):
                raise ParameterError(f"schedule entry at {height} is not a Params: {p!r}")
            if heights and height <= heights[-1]:
                raise ParameterError(
                    f"activation heights must strictly increase: {height} after {heights[-1]}"
                )
            heights.append(height)
            params.append(p)
        if heights[0] != 0:
            raise ParameterError(f"the first parameter set must activate at 0, not {heights[0]}")
        self._heights = tuple(heights)
        self._params = tuple(params)

    def at(self, height: int) -> Params:
        """The parameter set governing block ``height``."""
        if not isinstance(height, int) or height < 0:
            raise ParameterError(f"a block height is an int ≥ 0, got {height!r}")
        return self._params[bisect.bisect_right(self._heights, height) - 1]

    @property
    def entries(self) -> tuple[tuple[int, Params], ...]:
        """The (activation_height, Params) pairs, in order."""
        return tuple(zip(self._heights, self._params))

    def with_change(self, activation_height: int, params: Params) -> ParamSchedule:
        """A new schedule where ``params`` governs from ``activation_height`` on (entries at
        or after that height are replaced)."""
        _require_int("activation height", activation_height, 0, None)
        kept = [(h, p) for h, p in self.entries if h < activation_height]
        return ParamSchedule([*kept, (activation_height, params)])

    def with_entry(self, activation_height: int, params: Params) -> ParamSchedule:
        """A new schedule where ``params`` governs from ``activation_height`` until the next
        later entry (an entry at that same height is replaced, later ones are kept): how a
        passed proposal enters the schedule."""
        _require_int("activation height", activation_height, 0, None)
        kept = [(h, p) for h, p in self.entries if h != activation_height]
        return ParamSchedule(sorted([*kept, (activation_height, params)],
                                    key=lambda entry: entry[0]))

    def agrees_until(self, other: ParamSchedule, height: int) -> bool:
        """True when both schedules give the same parameters at every height ≤ ``height``."""
        cut = [h for h in (*self._heights, *other._heights) if h <= height]
        return all(self.at(h) == other.at(h) for h in cut) if height >= 0 else True

    def to_list(self) -> list[dict[str, Any]]:
        """JSON-able form."""
        return [{"height": h, "params": p.to_dict()} for h, p in self.entries]

    @classmethod
    def from_list(cls, items: Sequence[Mapping[str, Any]]) -> ParamSchedule:
        """Inverse of :meth:`to_list`."""
        try:
            return cls([(item["height"], Params.from_dict(item["params"])) for item in items])
        except (KeyError, TypeError, AttributeError) as exc:
            raise ParameterError(f"malformed parameter schedule: {exc}") from exc

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParamSchedule):
            return NotImplemented
        return self.entries == other.entries

    def __hash__(self) -> int:
        return hash(self.entries)

    def __repr__(self) -> str:
        return f"ParamSchedule(activation heights {list(self._heights)})"


def _require_int(name: str, value: object, low: int, high: int | None) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ParameterError(f"{name} must be an int, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"[{low}, {high}]" if high is not None else f"≥ {low}"
        raise ParameterError(f"{name} = {value} is out of range {bound}")


def _validate_tiers(tiers: tuple[Tier, ...]) -> None:
    if not tiers or not all(isinstance(t, Tier) for t in tiers):
        raise ParameterError("tiers must be a non-empty sequence of Tier")
    if tiers[0].min_stake != 0 or tiers[0].min_reputation != 0:
        raise ParameterError("tier 0 must need stake 0 and reputation 0 so every node has one")
    for lower, upper in zip(tiers, tiers[1:]):
        if upper.min_stake < lower.min_stake or upper.min_reputation < lower.min_reputation:
            raise ParameterError(
                f"tier {upper.name!r} needs less than tier {lower.name!r}: thresholds must "
                "not decrease"
            )
        if not lower.kinds <= upper.kinds:
            raise ParameterError(
                f"tier {upper.name!r} must allow every kind tier {lower.name!r} allows"
            )
    if len({t.name for t in tiers}) != len(tiers):
        raise ParameterError("tier names must be distinct")


def _decimal(text: object) -> int:
    if not isinstance(text, str) or not text.isascii() or not text.isdigit():
        raise ParameterError(f"an amount is a decimal string of digits, got {text!r}")
    return int(text)


def _canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


_C, _I, _T, _V = (ClaimKind.COMPUTE, ClaimKind.INFERENCE, ClaimKind.TRAINING,
                  ClaimKind.VERIFICATION)

#: The default economics (see the package docstring for the reasoning behind each number).
DEFAULT_PARAMS = Params(
    emission_ppb=55,  # pool half-life ≈ ln 2 / 55e-9 ≈ 12.6 M blocks (4 years at 10 s)
    kind_weights={_C: 1, _I: 2, _T: 4, _V: 1},
    tiers=(
        Tier("open", 0, 0, 1000, frozenset({_C, _I})),
        Tier("staked", 1_000 * TOKEN, 1100, 1250, frozenset({_C, _I, _T})),
        Tier("trusted", 10_000 * TOKEN, 1500, 1500, frozenset({_C, _I, _T, _V})),
    ),
    stake_boost_max_permille=500,
    stake_boost_cap=100_000 * TOKEN,
    reputation_start=1000,
    reputation_min=0,
    reputation_max=2000,
    reputation_gain_max=10,  # per block: at most +10 whatever the work
    reputation_units_per_point=1_000,  # a point per 1,000 paid work units
    reputation_decay_per_block=1,
    reputation_penalty=100,
    slash_ppb=100_000_000,  # 10 % per invalid proof
    unbonding_delay=100,
    emission_per_unit=250_000_000_000,  # min_fee_per_unit × emission_fee_cap: 2.5e-7 token
    emission_fee_cap_ppb=50_000_000,  # 5 % of the fee
    pool_fee_ppb=100_000_000,  # 10 % of every fee to the pool
    min_fee_per_unit=5_000_000_000_000,  # 5e-6 token: 0.01 token for 2,000 constraints
)

#: One parameter set from genesis on.
DEFAULT_SCHEDULE = ParamSchedule([(0, DEFAULT_PARAMS)])
