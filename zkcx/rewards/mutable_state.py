# SPDX-License-Identifier: MIT
"""``MutableState``: ``copy()`` and ``==`` for the chain's mutable state objects (the
ledger, the market and its books), written once from their slots."""

from __future__ import annotations

from typing import Any, TypeVar

S = TypeVar("S", bound="MutableState")


class MutableState:
    """A mixin for a class with ``__slots__``. ``copy()``: an independent twin, every
    slot copied by its value's own ``copy()`` when it has one (lists, dicts, sets and
    nested states: shallow, as the records they hold are immutable) and shared otherwise
    (ints, bytes, None and immutable objects). ``==``: the slots named in ``_COMPARED``
    are equal (the others are caches derived from them). Unhashable: the object is
    mutable."""

    __slots__ = ()
    _COMPARED: tuple[str, ...] = ()

    def copy(self: S) -> S:
        """An independent copy (see the class docstring)."""
        twin = object.__new__(type(self))
        for klass in type(self).__mro__:
            for name in getattr(klass, "__slots__", ()):
                value: Any = getattr(self, name)
                setattr(twin, name, value.copy() if hasattr(value, "copy") else value)
        return twin

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._COMPARED)

    __hash__ = None  # type: ignore[assignment]  # mutable
