# SPDX-License-Identifier: MIT
"""Variables and linear combinations of a constraint system.

A linear combination is a sparse map {variable index: coefficient mod r}, with the
constant term on variable 0 (the wire fixed to 1). Additions, subtractions and
scalings by constants cost no constraint; multiplying two non-constant combinations
asks the constraint system for one multiplication constraint (``cs.mul``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union

from zkcx.errors import ArgumentTypeError, CircuitError, InternalError
from zkcx.field import Fr
from zkcx.params import FR_MODULUS

if TYPE_CHECKING:  # pragma: no cover
    from zkcx.r1cs.system import ConstraintSystem

LCLike = Union["LinearCombination", "Variable", int, Fr]


def _constant(value: object) -> int | None:
    if isinstance(value, Fr):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value % FR_MODULUS
    return None


class LinearCombination:
    """sum_i c_i * x_i over the variables of one constraint system."""

    __slots__ = ("cs", "terms")

    def __init__(self, cs: ConstraintSystem | None, terms: dict[int, int] | None = None) -> None:
        self.cs = cs
        self.terms: dict[int, int] = {k: v for k, v in (terms or {}).items() if v}

    @classmethod
    def of(cls, value: LCLike, cs: ConstraintSystem | None = None) -> LinearCombination:
        """Coerce a variable, a constant (int or Fr) or a combination."""
        if isinstance(value, LinearCombination):
            return value
        if isinstance(value, Variable):
            return cls(value.cs, {value.index: 1})
        c = _constant(value)
        if c is None:
            raise ArgumentTypeError(f"cannot use {type(value).__name__} in a linear combination")
        return cls(cs, {0: c})

    def is_constant(self) -> bool:
        return all(k == 0 for k in self.terms)

    def constant_value(self) -> int:
        return self.terms.get(0, 0)

    def _merge_cs(self, other: LinearCombination) -> ConstraintSystem | None:
        if self.cs is not None and other.cs is not None and self.cs is not other.cs:
            raise CircuitError("cannot combine variables of two different constraint systems: "
                               "build each circuit from one ConstraintSystem")
        return self.cs if self.cs is not None else other.cs

    def __add__(self, other: LCLike) -> LinearCombination:
        o = LinearCombination.of(other, self.cs)
        terms = dict(self.terms)
        for k, v in o.terms.items():
            terms[k] = (terms.get(k, 0) + v) % FR_MODULUS
        return LinearCombination(self._merge_cs(o), terms)

    __radd__ = __add__

    def __neg__(self) -> LinearCombination:
        return LinearCombination(self.cs, {k: (-v) % FR_MODULUS for k, v in self.terms.items()})

    def __sub__(self, other: LCLike) -> LinearCombination:
        return self + (-LinearCombination.of(other, self.cs))

    def __rsub__(self, other: LCLike) -> LinearCombination:
        return LinearCombination.of(other, self.cs) - self

    def scale(self, factor: int | Fr) -> LinearCombination:
        c = _constant(factor)
        if c is None:
            raise ArgumentTypeError(f"cannot scale by {type(factor).__name__}")
        return LinearCombination(self.cs, {k: v * c % FR_MODULUS for k, v in self.terms.items()})

    def __mul__(self, other: LCLike) -> Any:
        c = _constant(other)
        if c is not None:
            return self.scale(c)
        o = LinearCombination.of(other, self.cs)
        if o.is_constant():
            return self.scale(o.constant_value())
        if self.is_constant():
            return o.scale(self.constant_value())
        cs = self._merge_cs(o)
        if cs is None:  # pragma: no cover - variables always carry their system
            raise InternalError("multiplying two combinations needs their constraint system")
        return cs.mul(self, o)

    __rmul__ = __mul__

    def __repr__(self) -> str:
        parts = [f"{v}*x{k}" if k else str(v) for k, v in sorted(self.terms.items())]
        return "LC(" + (" + ".join(parts) or "0") + ")"


class Variable:
    """A variable of a constraint system (a wire once the system is built)."""

    __slots__ = ("cs", "index")

    def __init__(self, cs: ConstraintSystem, index: int) -> None:
        self.cs = cs
        self.index = index

    def lc(self) -> LinearCombination:
        return LinearCombination(self.cs, {self.index: 1})

    def __add__(self, other: LCLike) -> LinearCombination:
        return self.lc() + other

    __radd__ = __add__

    def __sub__(self, other: LCLike) -> LinearCombination:
        return self.lc() - other

    def __rsub__(self, other: LCLike) -> LinearCombination:
        return LinearCombination.of(other, self.cs) - self.lc()

    def __neg__(self) -> LinearCombination:
        return -self.lc()

    def __mul__(self, other: LCLike) -> Any:
        return self.lc() * other

    __rmul__ = __mul__

    def __hash__(self) -> int:
        return hash((id(self.cs), self.index))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Variable) and other.cs is self.cs and other.index == self.index

    def __repr__(self) -> str:
        name = self.cs.name_of(self.index)
        return f"Variable({name or self.index})"
