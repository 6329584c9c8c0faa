# SPDX-License-Identifier: MIT
"""Native field scalars ``Fr`` and ``Fq``: immutable, hashable, Montgomery limbs in C."""

from __future__ import annotations

from typing import Any, ClassVar

from zkcx._bindings import (
    FQ_BINDING,
    FR_BINDING,
    FieldBinding,
    new_words,
    words_are_zero,
    words_bytes,
    words_from_bytes,
    words_from_int,
)
from zkcx.errors import (
    ArgumentTypeError,
    EncodingError,
    FieldMismatchError,
    FieldRangeError,
    InvalidArgumentError,
)
from zkcx.params import FQ_MODULUS, FR_MODULUS


class FieldElement:
    """An element of a prime field, stored natively as 4 Montgomery limbs.

    Construct from a canonical integer ``0 <= value < modulus``; use ``reduce`` for any
    integer taken mod the modulus. Arithmetic with plain ints coerces them the same
    strict way, so a value out of range is an error rather than a silent reduction.
    """

    __slots__ = ("_c",)
    binding: ClassVar[FieldBinding]
    modulus: ClassVar[int]

    def __init__(self, value: int = 0) -> None:
        if isinstance(value, FieldElement):
            if type(value) is not type(self):
                raise FieldMismatchError(
                    f"cannot make {type(self).__name__} from {type(value).__name__}"
                )
            self._c = value._c
            return
        if not isinstance(value, int) or isinstance(value, bool):
            raise ArgumentTypeError(f"{type(self).__name__}() takes an int, got "
                                    f"{type(value).__name__}")
        if not 0 <= value < self.modulus:
            raise FieldRangeError(
                f"{value} is not a canonical {type(self).__name__} value: it must satisfy "
                f"0 <= value < {self.modulus}; use {type(self).__name__}.reduce(value) to "
                "reduce it"
            )
        self._c = new_words(4)
        self.binding.vec_from_canonical(self._c, words_from_int(value), 1)

    # -- construction -------------------------------------------------------------
    @classmethod
    def reduce(cls, value: int) -> FieldElement:
        """The element ``value mod modulus`` for any integer (negative ones included)."""
        return cls(value % cls.modulus)

    @classmethod
    def _from_cdata(cls, cdata: Any) -> FieldElement:
        obj = object.__new__(cls)
        obj._c = cdata
        return obj

    @classmethod
    def from_montgomery_bytes(cls, data: bytes) -> FieldElement:
        """From 32 little-endian bytes of the Montgomery form (as in zkey files)."""
        if len(data) != 32:
            raise EncodingError(f"a Montgomery-form {cls.__name__} is 32 bytes, got {len(data)}")
        value = int.from_bytes(data, "little")
        if value >= cls.modulus:
            raise FieldRangeError(f"Montgomery value {value} is not below the modulus")
        return cls._from_cdata(words_from_bytes(data, 4))

    @classmethod
    def from_bytes(cls, data: bytes, byteorder: str = "little") -> FieldElement:
        """From a 32-byte canonical encoding, little- or big-endian."""
        if byteorder not in ("little", "big"):
            raise InvalidArgumentError(f"byteorder must be 'little' or 'big', got {byteorder!r}")
        if len(data) != 32:
            raise EncodingError(f"a {cls.__name__} encoding is 32 bytes, got {len(data)}")
        return cls(int.from_bytes(data, byteorder))

    @classmethod
    def zero(cls) -> FieldElement:
        return cls(0)

    @classmethod
    def one(cls) -> FieldElement:
        return cls(1)

    # -- conversion ---------------------------------------------------------------
    def __int__(self) -> int:
        plain = new_words(4)
        self.binding.vec_to_canonical(plain, self._c, 1)
        return int.from_bytes(words_bytes(plain), "little")

    __index__ = __int__

    def to_bytes(self, byteorder: str = "little") -> bytes:
        """32-byte canonical encoding."""
        if byteorder not in ("little", "big"):
            raise InvalidArgumentError(f"byteorder must be 'little' or 'big', got {byteorder!r}")
        return int(self).to_bytes(32, byteorder)

    def montgomery_bytes(self) -> bytes:
        """32 little-endian bytes of the Montgomery form."""
        return words_bytes(self._c)

    # -- arithmetic ---------------------------------------------------------------
    def _coerce(self, other: object) -> FieldElement | None:
        if type(other) is type(self):
            return other  # type: ignore[return-value]
        if isinstance(other, FieldElement):
            raise FieldMismatchError(
                f"cannot combine {type(self).__name__} with {type(other).__name__}"
            )
        if isinstance(other, int) and not isinstance(other, bool):
            return type(self)(other)
        return None

    def _binary(self, other: object, native: Any, swap: bool = False) -> Any:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        out = new_words(4)
        a, b = (o._c, self._c) if swap else (self._c, o._c)
        native(out, a, b)
        return self._from_cdata(out)

    def __add__(self, other: object) -> Any:
        return self._binary(other, self.binding.add)

    __radd__ = __add__

    def __sub__(self, other: object) -> Any:
        return self._binary(other, self.binding.sub)

    def __rsub__(self, other: object) -> Any:
        return self._binary(other, self.binding.sub, swap=True)

    def __mul__(self, other: object) -> Any:
        return self._binary(other, self.binding.mul)

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Any:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return self * o.inverse()

    def __rtruediv__(self, other: object) -> Any:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return o * self.inverse()

    def __neg__(self) -> FieldElement:
        out = new_words(4)
        self.binding.neg(out, self._c)
        return self._from_cdata(out)

    def __pos__(self) -> FieldElement:
        return self

    def square(self) -> FieldElement:
        out = new_words(4)
        self.binding.sqr(out, self._c)
        return self._from_cdata(out)

    def inverse(self) -> FieldElement:
        """x^-1 (binary extended Euclid in C); raises FieldZeroDivisionError for 0."""
        out = new_words(4)
        self.binding.inv(out, self._c)
        return self._from_cdata(out)

    def __pow__(self, exponent: int) -> FieldElement:
        """x^e for any integer e; a negative e inverts first. Exponents are reduced
        mod (modulus - 1) by Fermat's little theorem (0^0 = 1)."""
        if not isinstance(exponent, int) or isinstance(exponent, bool):
            return NotImplemented
        base = self
        if exponent < 0:
            base = self.inverse()
            exponent = -exponent
        if exponent >= self.modulus - 1 and not self.is_zero():
            exponent %= self.modulus - 1
        elif exponent >= 2**256:
            exponent = 1  # 0 to a huge positive power is 0
        out = new_words(4)
        self.binding.pow(out, base._c, words_from_int(exponent))
        return self._from_cdata(out)

    def is_zero(self) -> bool:
        return words_are_zero(self._c)

    # -- comparison and hashing ---------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return bool(self.binding.eq(self._c, other._c))  # type: ignore[attr-defined]
        if isinstance(other, int) and not isinstance(other, bool):
            return 0 <= other < self.modulus and int(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(int(self))  # equal to the int it equals, as Python requires

    def __bool__(self) -> bool:
        return not self.is_zero()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"

    def __reduce__(self) -> tuple:
        return (type(self), (int(self),))


class Fr(FieldElement):
    """Element of the BN254 scalar field, r = 218882...5617 (circuits, witnesses)."""

    __slots__ = ()
    binding = FR_BINDING
    modulus = FR_MODULUS


class Fq(FieldElement):
    """Element of the BN254 base field, p = 218882...8583 (curve coordinates)."""

    __slots__ = ()
    binding = FQ_BINDING
    modulus = FQ_MODULUS
