# SPDX-License-Identifier: MIT
"""Pure-Python reference for ``zkcx.field``: the same names and surface (``Fr``, ``Fq``,
``FrVec``, ``FqVec``), written for clarity with Python integers, so that tests can run
one law suite on both implementations and compare them value for value.

Slow by design; never used on a hot path.
"""

from __future__ import annotations

import secrets
import struct
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar

from zkcx.errors import (
    ArgumentTypeError,
    EncodingError,
    FieldMismatchError,
    FieldRangeError,
    FieldZeroDivisionError,
    LengthMismatchError,
)
from zkcx.params import FQ_MODULUS, FR_MODULUS


class FieldElement:
    """Canonical integer in [0, modulus)."""

    __slots__ = ("_v",)
    modulus: ClassVar[int]

    def __init__(self, value: int = 0) -> None:
        if isinstance(value, FieldElement):
            if type(value) is not type(self):
                raise FieldMismatchError(
                    f"cannot make {type(self).__name__} from {type(value).__name__}"
                )
            value = value._v
        if not isinstance(value, int) or isinstance(value, bool):
            raise ArgumentTypeError(f"{type(self).__name__}() takes an int, got "
                                    f"{type(value).__name__}")
        if not 0 <= value < self.modulus:
            raise FieldRangeError(f"{value} is not below the modulus")
        self._v = value

    @classmethod
    def reduce(cls, value: int) -> FieldElement:
        return cls(value % cls.modulus)

    @classmethod
    def from_bytes(cls, data: bytes, byteorder: str = "little") -> FieldElement:
        if len(data) != 32:
            raise EncodingError(f"a {cls.__name__} encoding is 32 bytes, got {len(data)}")
        return cls(int.from_bytes(data, byteorder))

    @classmethod
    def zero(cls) -> FieldElement:
        return cls(0)

    @classmethod
    def one(cls) -> FieldElement:
        return cls(1)

    def __int__(self) -> int:
        return self._v

    __index__ = __int__

    def to_bytes(self, byteorder: str = "little") -> bytes:
        return self._v.to_bytes(32, byteorder)

    def montgomery_bytes(self) -> bytes:
        return (self._v * (1 << 256) % self.modulus).to_bytes(32, "little")

    def _coerce(self, other: object) -> FieldElement | None:
        if type(other) is type(self):
            return other  # type: ignore[return-value]
        if isinstance(other, FieldElement):
            raise FieldMismatchError("different fields")
        if isinstance(other, int) and not isinstance(other, bool):
            return type(self)(other)
        return None

    def __add__(self, other: object) -> Any:
        o = self._coerce(other)
        return NotImplemented if o is None else type(self)((self._v + o._v) % self.modulus)

    __radd__ = __add__

    def __sub__(self, other: object) -> Any:
        o = self._coerce(other)
        return NotImplemented if o is None else type(self)((self._v - o._v) % self.modulus)

    def __rsub__(self, other: object) -> Any:
        o = self._coerce(other)
        return NotImplemented if o is None else type(self)((o._v - self._v) % self.modulus)

    def __mul__(self, other: object) -> Any:
        o = self._coerce(other)
        return NotImplemented if o is None else type(self)(self._v * o._v % self.modulus)

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Any:
        o = self._coerce(other)
        return NotImplemented if o is None else self * o.inverse()

    def __rtruediv__(self, other: object) -> Any:
        o = self._coerce(other)
        return NotImplemented if o is None else o * self.inverse()

    def __neg__(self) -> FieldElement:
        return type(self)((-self._v) % self.modulus)

    def __pos__(self) -> FieldElement:
        return self

    def square(self) -> FieldElement:
        return self * self

    def inverse(self) -> FieldElement:
        if self._v == 0:
            raise FieldZeroDivisionError("0 has no inverse")
        return type(self)(pow(self._v, self.modulus - 2, self.modulus))

    def __pow__(self, exponent: int) -> FieldElement:
        if exponent < 0:
            return self.inverse() ** (-exponent)
        return type(self)(pow(self._v, exponent, self.modulus))

    def is_zero(self) -> bool:
        return self._v == 0

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return self._v == other._v  # type: ignore[attr-defined]
        if isinstance(other, int) and not isinstance(other, bool):
            return self._v == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._v)

    def __bool__(self) -> bool:
        return self._v != 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._v})"


class Fr(FieldElement):
    __slots__ = ()
    modulus = FR_MODULUS


class Fq(FieldElement):
    __slots__ = ()
    modulus = FQ_MODULUS


def chacha20_block(key: bytes, counter: int, nonce: bytes = bytes(12)) -> bytes:
    """RFC 8439 ChaCha20 block function, written out for the reference."""

    def rotl(x: int, k: int) -> int:
        return ((x << k) | (x >> (32 - k))) & 0xFFFFFFFF

    def quarter(s: list[int], a: int, b: int, c: int, d: int) -> None:
        s[a] = (s[a] + s[b]) & 0xFFFFFFFF
        s[d] = rotl(s[d] ^ s[a], 16)
        s[c] = (s[c] + s[d]) & 0xFFFFFFFF
        s[b] = rotl(s[b] ^ s[c], 12)
        s[a] = (s[a] + s[b]) & 0xFFFFFFFF
        s[d] = rotl(s[d] ^ s[a], 8)
        s[c] = (s[c] + s[d]) & 0xFFFFFFFF
        s[b] = rotl(s[b] ^ s[c], 7)

    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    state += list(struct.unpack("<8I", key)) + [counter] + list(struct.unpack("<3I", nonce))
    work = list(state)
    for _ in range(10):
        quarter(work, 0, 4, 8, 12)
        quarter(work, 1, 5, 9, 13)
        quarter(work, 2, 6, 10, 14)
        quarter(work, 3, 7, 11, 15)
        quarter(work, 0, 5, 10, 15)
        quarter(work, 1, 6, 11, 12)
        quarter(work, 2, 7, 8, 13)
        quarter(work, 3, 4, 9, 14)
    return struct.pack("<16I", *[(w + s) & 0xFFFFFFFF for w, s in zip(work, state)])


class FieldVector:
    """A list of canonical integers with the surface of the native vectors."""

    __slots__ = ("_v",)
    scalar_type: ClassVar[type[FieldElement]]

    def __init__(self, values: Iterable[int]) -> None:
        self._v = [int(v) for v in values]

    @property
    def modulus(self) -> int:
        return self.scalar_type.modulus

    @classmethod
    def zeros(cls, n: int) -> FieldVector:
        return cls([0] * n)

    @classmethod
    def ones(cls, n: int) -> FieldVector:
        return cls([1] * n)

    @classmethod
    def full(cls, n: int, value: Any) -> FieldVector:
        return cls([int(cls.scalar_type(int(value)))] * n)

    @classmethod
    def from_ints(cls, values: Iterable[int]) -> FieldVector:
        values = [int(v) for v in values]
        for i, v in enumerate(values):
            if not 0 <= v < cls.scalar_type.modulus:
                raise FieldRangeError(f"value at index {i} out of range")
        return cls(values)

    @classmethod
    def from_int64(cls, values: Iterable[int]) -> FieldVector:
        return cls([int(v) % cls.scalar_type.modulus for v in values])

    @classmethod
    def from_bytes(cls, data: bytes, byteorder: str = "little") -> FieldVector:
        if len(data) % 32:
            raise EncodingError(f"byte length {len(data)} is not a multiple of 32")
        return cls.from_ints(
            int.from_bytes(data[i : i + 32], byteorder) for i in range(0, len(data), 32)
        )

    @classmethod
    def random(cls, n: int, seed: bytes | int | None = None) -> FieldVector:
        if seed is None:
            key = secrets.token_bytes(32)
        elif isinstance(seed, int):
            key = seed.to_bytes(32, "little")
        else:
            key = bytes(seed)
        p = cls.scalar_type.modulus
        return cls([int.from_bytes(chacha20_block(key, i), "little") % p for i in range(n)])

    @classmethod
    def powers(cls, x: Any, n: int) -> FieldVector:
        p = cls.scalar_type.modulus
        return cls([pow(int(x), i, p) for i in range(n)])

    @classmethod
    def concatenate(cls, vectors: Sequence[FieldVector]) -> FieldVector:
        return cls([v for vec in vectors for v in vec._v])

    def to_ints(self) -> list[int]:
        return list(self._v)

    def to_bytes(self, byteorder: str = "little") -> bytes:
        return b"".join(v.to_bytes(32, byteorder) for v in self._v)

    def copy(self) -> FieldVector:
        return type(self)(self._v)

    def __len__(self) -> int:
        return len(self._v)

    def __iter__(self) -> Iterator[FieldElement]:
        return (self.scalar_type(v) for v in self._v)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, int):
            return self.scalar_type(self._v[key])
        if isinstance(key, slice):
            return type(self)(self._v[key])
        return type(self)([self._v[int(i)] for i in key])

    def _other(self, other: object) -> list[int] | int:
        if isinstance(other, FieldVector):
            if type(other) is not type(self):
                raise FieldMismatchError("different fields")
            if len(other) != len(self):
                raise LengthMismatchError(f"lengths {len(self)} and {len(other)}")
            return other._v
        if isinstance(other, FieldElement) and not isinstance(other, self.scalar_type):
            raise FieldMismatchError("different fields")
        return int(self.scalar_type(int(other)))  # type: ignore[arg-type]

    def _map(self, other: object, op: Any) -> FieldVector:
        o = self._other(other)
        p = self.modulus
        if isinstance(o, list):
            return type(self)(op(a, b) % p for a, b in zip(self._v, o))
        return type(self)(op(a, o) % p for a in self._v)

    def __add__(self, other: object) -> FieldVector:
        return self._map(other, lambda a, b: a + b)

    __radd__ = __add__

    def __sub__(self, other: object) -> FieldVector:
        return self._map(other, lambda a, b: a - b)

    def __rsub__(self, other: object) -> FieldVector:
        return (-self) + other

    def __mul__(self, other: object) -> FieldVector:
        return self._map(other, lambda a, b: a * b)

    __rmul__ = __mul__

    def __neg__(self) -> FieldVector:
        return type(self)((-a) % self.modulus for a in self._v)

    def square(self) -> FieldVector:
        return self * self

    def dot(self, other: FieldVector) -> FieldElement:
        o = self._other(other)
        return self.scalar_type(sum(a * b for a, b in zip(self._v, o)) % self.modulus)

    __matmul__ = dot

    def sum(self) -> FieldElement:
        return self.scalar_type(sum(self._v) % self.modulus)

    def inverse(self, zeros: str = "raise") -> FieldVector:
        p = self.modulus
        if zeros == "raise" and 0 in self._v:
            raise FieldZeroDivisionError(f"zero at index {self._v.index(0)}")
        return type(self)(pow(a, p - 2, p) if a else 0 for a in self._v)

    def equals(self, other: object) -> bool:
        return type(other) is type(self) and self._v == other._v  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._v!r})"


class FrVec(FieldVector):
    __slots__ = ()
    scalar_type = Fr


class FqVec(FieldVector):
    __slots__ = ()
    scalar_type = Fq
