# SPDX-License-Identifier: MIT
"""The declared ranges of a kernel's public signals, and the verifier's check of them.

A kernel's circuit range-checks its private inputs, but not its public ones: a public
input is a value the verifier reads, so the verifier checks it (``Kernel`` docstring).
Groth16 itself accepts any field element as a public input, so a verifier that skips the
check accepts nonsense: ``scale`` with the public scalar s = (r+1)/2 (1/2 in the field)
has a valid proof that floor(s·X / 2^f) = 0 for X = 128, while the integer s (about
-1.1e76) times X / 2^f is about -5.5e75.

``PublicBounds`` says, for each public signal in order, what a verifier must require:
either any field element (commitments, the claim binding, hashes) or a signed integer in
[low, high] (carried in Fr as v mod r; -2^63 <= low <= high < 2^63). It is built from
runs ``(count, low, high)``, with ``(count, None, None)`` for any field element;
adjacent runs of the same range are merged, so two descriptions of the same ranges are
equal. ``Kernel.public_bounds()`` derives it from a kernel's spec, and
``Kernel.check_public`` uses it; the rollup's kernel registry keeps it beside each
verifying key.

JSON (``to_json``): a list of ``{"count": n, "range": [low, high]}`` and
``{"count": n, "range": "field"}`` objects, in signal order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from zkcx.errors import (
    EncodingError,
    InternalError,
    KernelInputError,
    KernelSpecError,
    PublicBoundsError,
    SignalIndexError,
)
from zkcx.params import FR_MODULUS

#: the JSON ``range`` of a signal that may be any field element
FIELD = "field"
#: most public signals a description may declare (far above any circuit's)
MAX_SIGNALS = 1 << 28
_INT64 = (-(1 << 63), (1 << 63) - 1)
_HALF = (FR_MODULUS - 1) // 2

Run = tuple[int, int | None, int | None]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _signed(value: int) -> int:
    """A canonical field element read as a signed integer (v - r above (r - 1)/2)."""
    return value - FR_MODULUS if value > _HALF else value


@dataclass(frozen=True)
class PublicBounds:
    """Per public signal, in order: any field element, or a signed integer in [low, high].
    See the module docstring."""

    runs: tuple[Run, ...]

    def __init__(self, runs: Iterable[Sequence[int | None]]) -> None:
        merged: list[Run] = []
        total = 0
        for item in runs:
            if isinstance(item, (str, bytes)) or len(item) != 3:
                raise KernelSpecError(f"a run of public bounds is (count, low, high), got "
                                      f"{item!r}")
            count, low, high = item
            if not _is_int(count) or count < 1:
                raise KernelSpecError(f"a run of public bounds needs a positive count, got "
                                      f"{count!r}")
            if (low is None) != (high is None):
                raise KernelSpecError("a run is bounded on both sides or on neither (any "
                                      f"field element), got [{low!r}, {high!r}]")
            if low is not None and not (
                    _is_int(low) and _is_int(high) and _INT64[0] <= low <= high <= _INT64[1]):
                raise KernelSpecError(f"a public-signal range is two ints low <= high within "
                                      f"int64, got [{low!r}, {high!r}]")
            total += count
            if total > MAX_SIGNALS:
                raise KernelSpecError(f"public bounds declare more than {MAX_SIGNALS} signals")
            if merged and merged[-1][1:] == (low, high):
                merged[-1] = (merged[-1][0] + count, low, high)
            else:
                merged.append((count, low, high))
        object.__setattr__(self, "runs", tuple(merged))

    @classmethod
    def unbounded(cls, n_public: int) -> PublicBounds:
        """Every one of ``n_public`` signals may be any field element: the explicit
        declaration for a circuit whose public inputs its constraints bound themselves
        (or that has none)."""
        return cls([(n_public, None, None)] if n_public else [])

    @property
    def n_public(self) -> int:
        """The number of public signals described."""
        return sum(count for count, _low, _high in self.runs)

    def range_of(self, index: int) -> tuple[int, int] | None:
        """Signal ``index``'s range (low, high), or None when it may be any field element."""
        if not 0 <= index < self.n_public:
            raise SignalIndexError(f"signal {index} does not exist: these bounds describe "
                                   f"signals 0 to {self.n_public - 1}")
        for count, low, high in self.runs:
            if index < count:
                return None if low is None else (low, high)
            index -= count
        raise InternalError(f"the runs of these bounds do not cover signal {index}")

    @cached_property
    def _thresholds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per signal: the canonical images a = low mod r and b = high mod r (object
        arrays), and whether [low, high] wraps around r (low < 0 <= high: the allowed set
        is [a, r) and [0, b]). Any field element is [0, r - 1], unwrapped."""
        counts = [count for count, _l, _h in self.runs]
        a = [0 if low is None else low % FR_MODULUS for _c, low, _h in self.runs]
        b = [FR_MODULUS - 1 if high is None else high % FR_MODULUS for _c, _l, high in self.runs]
        wraps = [low is not None and low < 0 <= high for _c, low, high in self.runs]
        return (np.repeat(np.array(a, dtype=object), counts),
                np.repeat(np.array(b, dtype=object), counts),
                np.repeat(np.array(wraps, dtype=bool), counts))

    def violations(self, public: Sequence[int]) -> np.ndarray:
        """Indexes (ascending) of the signals outside their range: values that are not
        canonical field elements (ints in [0, r)) included. ``public`` must have
        ``n_public`` values (``KernelInputError`` otherwise)."""
        if len(public) != self.n_public:
            raise KernelInputError(f"{len(public)} public signals, the bounds declare "
                                   f"{self.n_public}")
        if len(public) == 0:
            return np.zeros(0, dtype=np.int64)
        # vectorized over an object array of Python ints: NumPy's loops run the
        # comparisons; a value that is not an int becomes -1, outside every range
        if not set(map(type, public)) <= {int}:
            public = [v if type(v) is int else -1 for v in public]
        values = np.array(public, dtype=object)
        a, b, wraps = self._thresholds
        canonical = (values >= 0) & (values < FR_MODULUS)
        above, below = values >= a, values <= b
        inside = np.where(wraps, above | below, above & below) & canonical
        return np.flatnonzero(~inside)

    def first_violation(self, public: Sequence[int]) -> int | None:
        """The first signal outside its range, or None when every one is inside."""
        bad = self.violations(public)
        return int(bad[0]) if bad.size else None

    def check(self, public: Sequence[int],
              describe: Callable[[int], str] | None = None) -> None:
        """Raise ``PublicBoundsError`` naming the first signal outside its range
        (``describe(index)`` names it, e.g. ``Kernel.public_inputs[index]``), or
        ``KernelInputError`` when ``public`` is not ``n_public`` values long."""
        error = self._error(public, describe)
        if error is not None:
            raise error

    def problem(self, public: Sequence[int]) -> str:
        """Why ``public`` leaves the bounds (``check``'s message), or "" when it does not."""
        error = self._error(public, None)
        return "" if error is None else str(error)

    def _error(self, public: Sequence[int],
               describe: Callable[[int], str] | None) -> PublicBoundsError | None:
        index = self.first_violation(public)
        if index is None:
            return None
        value = public[index]
        name = f"public signal {index}" + (f" ({describe(index)})" if describe else "")
        bound = self.range_of(index)
        if not (type(value) is int and 0 <= value < FR_MODULUS):
            return PublicBoundsError(index, value, bound,
                                     f"{name} is {value!r}, not a field element (an int in "
                                     "[0, r))")
        shown = _signed(value)
        text = str(shown) if abs(shown) < 1 << 64 else f"{shown:.3e} (field element {value})"
        assert bound is not None
        return PublicBoundsError(index, value, bound,
                                 f"{name} is {text}, outside its declared range "
                                 f"[{bound[0]}, {bound[1]}]: a proof of it proves nothing "
                                 "about the kernel's integers")

    # -- JSON ---------------------------------------------------------------------------
    def to_json(self) -> list[dict]:
        """The JSON-able runs (module docstring)."""
        return [{"count": count, "range": FIELD if low is None else [low, high]}
                for count, low, high in self.runs]

    @classmethod
    def from_json(cls, obj: object) -> PublicBounds:
        """Inverse of :meth:`to_json`, refusing anything else with ``EncodingError``."""
        if not isinstance(obj, list):
            raise EncodingError(f"public bounds are a JSON list of runs, got "
                                f"{type(obj).__name__}")
        runs: list[Run] = []
        for i, item in enumerate(obj):
            if not isinstance(item, dict) or set(item) != {"count", "range"}:
                raise EncodingError(f"public bounds run {i} is not an object with exactly "
                                    "\"count\" and \"range\"")
            rng = item["range"]
            if rng == FIELD:
                runs.append((item["count"], None, None))
            elif isinstance(rng, list) and len(rng) == 2:
                runs.append((item["count"], rng[0], rng[1]))
            else:
                raise EncodingError(f"public bounds run {i}: range is [low, high] or "
                                    f"\"{FIELD}\", got {str(rng)[:80]}")
        try:
            return cls(runs)
        except KernelSpecError as exc:
            raise EncodingError(f"public bounds: {exc}") from None
