# SPDX-License-Identifier: MIT
"""Native field vectors ``FrVec`` and ``FqVec``: a numpy ``uint64`` array of shape
(n, 4) in Montgomery form, handed to C without copying.

Every loop over elements runs in C (multi-threaded above a few thousand elements,
with the GIL released by cffi); Python only checks types, lengths and ranges first.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar

import numpy as np

from zkcx._bindings import (
    FieldBinding,
    byte_ptr,
    check_canonical,
    check_limb_buffer,
    check_same_length,
    int64_ptr,
    new_words,
    ptr,
    words_from_bytes,
)
from zkcx.errors import (
    ArgumentTypeError,
    EncodingError,
    FieldMismatchError,
    FieldRangeError,
    FieldZeroDivisionError,
    InvalidArgumentError,
)
from zkcx.field._scalar import FieldElement, Fq, Fr

_MAX_RANDOM = 2**32  # ChaCha20 block counter is 32 bits


class FieldVector:
    """A vector of field elements with numpy-like operators.

    ``a + b``, ``a - b``, ``a * b`` are elementwise (vectors of equal length, or a
    vector and a scalar); ``a @ b`` is the dot product; indexing with an int gives a
    scalar, with a slice a view (a copy for strided slices), with an index array a copy.
    """

    __slots__ = ("_a",)
    scalar_type: ClassVar[type[FieldElement]]
    binding: ClassVar[FieldBinding]

    def __init__(self, limbs: np.ndarray) -> None:
        """Wrap Montgomery limbs (n, 4) uint64 without copying; values are checked to
        be below the modulus. Prefer the ``from_*`` constructors."""
        check_limb_buffer(limbs, "limbs")
        check_canonical(limbs, self.binding, "Montgomery limb row")
        self._a = limbs

    @classmethod
    def _wrap(cls, limbs: np.ndarray) -> FieldVector:
        obj = object.__new__(cls)
        obj._a = limbs
        return obj

    @classmethod
    def _empty(cls, n: int) -> np.ndarray:
        return np.empty((n, 4), dtype=np.uint64)

    # -- constructors ------------------------------------------------------------
    @classmethod
    def zeros(cls, n: int) -> FieldVector:
        return cls._wrap(np.zeros((_length(n), 4), dtype=np.uint64))

    @classmethod
    def ones(cls, n: int) -> FieldVector:
        return cls.full(n, cls.scalar_type.one())

    @classmethod
    def full(cls, n: int, value: FieldElement | int) -> FieldVector:
        s = cls._scalar(value)
        a = np.empty((_length(n), 4), dtype=np.uint64)
        a[:] = np.frombuffer(s.montgomery_bytes(), dtype=np.uint64)
        return cls._wrap(a)

    @classmethod
    def from_ints(cls, values: Iterable[int] | np.ndarray) -> FieldVector:
        """From canonical integers 0 <= v < modulus (a list of Python ints, or a numpy
        integer array with no negative entries)."""
        if isinstance(values, np.ndarray):
            if values.dtype.kind not in "iu":
                raise ArgumentTypeError(f"from_ints needs integers, got dtype {values.dtype}")
            flat = values.reshape(-1)
            if flat.dtype.kind == "i" and flat.size and flat.min() < 0:
                index = int(np.flatnonzero(flat < 0)[0])
                raise FieldRangeError(
                    f"value at index {index} is negative ({int(flat[index])}); canonical "
                    "values are >= 0 (use from_int64 to embed signed integers)"
                )
            if flat.dtype == np.uint64:
                limbs = np.zeros((flat.size, 4), dtype=np.uint64)
                limbs[:, 0] = flat
                return cls.from_canonical_limbs(limbs)
            return cls.from_int64(flat.astype(np.int64))
        values = list(values)
        for i, v in enumerate(values):
            if not isinstance(v, int) or isinstance(v, bool):
                if isinstance(v, FieldElement):
                    raise ArgumentTypeError(
                        f"element {i} is a {type(v).__name__}; use {cls.__name__}.from_elements"
                    )
                raise ArgumentTypeError(f"element {i} is {type(v).__name__}, not int")
            if not 0 <= v < cls.binding.modulus:
                raise FieldRangeError(
                    f"value at index {i} is {v}, not a canonical {cls.binding.name} value "
                    f"(0 <= v < {cls.binding.modulus}); reduce it first if that is intended"
                )
        data = b"".join(v.to_bytes(32, "little") for v in values)
        return cls.from_bytes(data, "little")

    @classmethod
    def from_elements(cls, elements: Iterable[FieldElement]) -> FieldVector:
        elements = [cls._scalar(e) for e in elements]
        data = b"".join(e.montgomery_bytes() for e in elements)
        return cls._wrap(np.frombuffer(data, dtype=np.uint64).reshape(-1, 4).copy())

    @classmethod
    def from_int64(cls, values: np.ndarray | Sequence[int]) -> FieldVector:
        """Embed signed 64-bit integers: v -> v mod modulus (negative v -> modulus - |v|)."""
        arr = np.ascontiguousarray(values, dtype=np.int64).reshape(-1)
        out = cls._empty(arr.size)
        cls.binding.vec_from_int64(ptr(out), int64_ptr(arr), arr.size)
        return cls._wrap(out)

    @classmethod
    def from_canonical_limbs(cls, limbs: np.ndarray) -> FieldVector:
        """From canonical (not Montgomery) limbs, shape (n, 4) uint64."""
        check_limb_buffer(limbs, "canonical limbs")
        check_canonical(limbs, cls.binding)
        out = cls._empty(limbs.shape[0])
        cls.binding.vec_from_canonical(ptr(out), ptr(limbs), limbs.shape[0])
        return cls._wrap(out)

    @classmethod
    def from_bytes(
        cls, data: bytes | bytearray | memoryview, byteorder: str = "little"
    ) -> FieldVector:
        """From consecutive 32-byte canonical encodings (little- or big-endian)."""
        if byteorder not in ("little", "big"):
            raise InvalidArgumentError(f"byteorder must be 'little' or 'big', got {byteorder!r}")
        raw = np.frombuffer(data, dtype=np.uint8)
        if raw.size % 32:
            raise EncodingError(f"byte length {raw.size} is not a multiple of 32 (one 32-byte "
                                "encoding per element)")
        n = raw.size // 32
        words = raw.view("<u8" if byteorder == "little" else ">u8").reshape(n, 4)
        limbs = words if byteorder == "little" else words[:, ::-1]
        check_canonical(limbs.astype(np.uint64), cls.binding)
        out = cls._empty(n)
        cls.binding.vec_from_bytes(ptr(out), byte_ptr(raw), n, byteorder == "big")
        return cls._wrap(out)

    @classmethod
    def from_montgomery(cls, limbs: np.ndarray) -> FieldVector:
        """Wrap Montgomery limbs (n, 4) uint64 without copying (checked < modulus)."""
        return cls(limbs)

    @classmethod
    def random(cls, n: int, seed: bytes | int | None = None) -> FieldVector:
        """n uniform elements. With a seed (32 bytes, or an int below 2^256) the vector
        is reproducible: element i = (ChaCha20 block i under key=seed) mod modulus.
        Without one the key comes from the OS (``secrets``)."""
        n = _length(n)
        if n > _MAX_RANDOM:
            raise InvalidArgumentError(f"at most 2^32 elements per seed, asked for {n}: draw "
                                       "larger vectors in parts with different seeds")
        key = _seed_key(seed)
        out = cls._empty(n)
        cls.binding.vec_random(ptr(out), n, key, 0)
        return cls._wrap(out)

    @classmethod
    def powers(cls, x: FieldElement | int, n: int) -> FieldVector:
        """[1, x, x^2, ..., x^(n-1)]."""
        s = cls._scalar(x)
        out = cls._empty(_length(n))
        cls.binding.vec_powers(ptr(out), s._c, out.shape[0])
        return cls._wrap(out)

    @classmethod
    def concatenate(cls, vectors: Sequence[FieldVector]) -> FieldVector:
        for v in vectors:
            cls._check_type(v)
        if not vectors:
            return cls.zeros(0)
        return cls._wrap(np.concatenate([v._a for v in vectors]))

    # -- conversion --------------------------------------------------------------
    @property
    def limbs(self) -> np.ndarray:
        """The underlying (n, 4) uint64 Montgomery array (shared, not copied)."""
        return self._a

    def to_canonical_limbs(self) -> np.ndarray:
        out = self._empty(len(self))
        self.binding.vec_to_canonical(ptr(out), ptr(self._a), len(self))
        return out

    def to_bytes(self, byteorder: str = "little") -> bytes:
        if byteorder not in ("little", "big"):
            raise InvalidArgumentError(f"byteorder must be 'little' or 'big', got {byteorder!r}")
        out = np.empty(32 * len(self), dtype=np.uint8)
        self.binding.vec_to_bytes(byte_ptr(out), ptr(self._a), len(self), byteorder == "big")
        return out.tobytes()

    def to_ints(self) -> list[int]:
        data = self.to_bytes("little")
        return [int.from_bytes(data[i : i + 32], "little") for i in range(0, len(data), 32)]

    def copy(self) -> FieldVector:
        return self._wrap(self._a.copy())

    # -- container protocol ---------------------------------------------------------
    def __len__(self) -> int:
        return self._a.shape[0]

    def __iter__(self) -> Iterator[FieldElement]:
        for i in range(len(self)):
            yield self[i]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            row = self._a[int(key)]
            return self.scalar_type._from_cdata(words_from_bytes(row.tobytes(), 4))
        if isinstance(key, slice):
            view = self._a[key]
            return self._wrap(view if view.flags.c_contiguous else np.ascontiguousarray(view))
        index = np.asarray(key)
        if index.dtype == bool or index.dtype.kind in "iu":
            return self._wrap(np.ascontiguousarray(self._a[index]))
        raise ArgumentTypeError(f"cannot index {type(self).__name__} with {type(key).__name__}")

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(value, FieldVector):
            self._check_type(value)
            self._a[key] = value._a
        else:
            s = self._scalar(value)
            self._a[key] = np.frombuffer(s.montgomery_bytes(), dtype=np.uint64)

    # -- arithmetic ------------------------------------------------------------------
    @classmethod
    def _check_type(cls, other: object) -> None:
        if not isinstance(other, cls):
            if isinstance(other, FieldVector):
                raise FieldMismatchError(
                    f"cannot combine {cls.__name__} with {type(other).__name__}"
                )
            raise ArgumentTypeError(f"expected {cls.__name__}, got {type(other).__name__}")

    @classmethod
    def _scalar(cls, value: object) -> FieldElement:
        if isinstance(value, cls.scalar_type):
            return value
        if isinstance(value, FieldElement):
            raise FieldMismatchError(
                f"cannot combine {cls.__name__} with {type(value).__name__}"
            )
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return cls.scalar_type(int(value))
        raise ArgumentTypeError(f"expected {cls.scalar_type.__name__} or int, got "
                                f"{type(value).__name__}")

    @classmethod
    def _scalar_operand(cls, value: object) -> FieldElement | None:
        """``_scalar(value)``, or None when ``value`` is no scalar operand (the operator
        then returns NotImplemented); a scalar of another field still raises
        FieldMismatchError."""
        try:
            return cls._scalar(value)
        except TypeError as exc:
            if isinstance(exc, FieldMismatchError):
                raise
            return None

    def _elementwise(
        self, other: object, native: Any, scalar_native: Any, in_place: bool = False
    ) -> Any:
        """``native`` (vector op vector) or ``scalar_native`` (vector op scalar, or None
        where there is none) of this vector's field, into a new vector or in place."""
        n = len(self)
        out = self._a if in_place else self._empty(n)
        if in_place and not out.flags.writeable:
            raise InvalidArgumentError(f"this {type(self).__name__} is read-only (it wraps a "
                                       "read-only buffer): change a .copy() in place instead")
        if isinstance(other, FieldVector):
            self._check_type(other)
            check_same_length(n, len(other))
            native(ptr(out), ptr(self._a), ptr(other._a), n)
            return self if in_place else self._wrap(out)
        if scalar_native is None:
            return NotImplemented
        s = self._scalar_operand(other)
        if s is None:
            return NotImplemented
        scalar_native(ptr(out), ptr(self._a), s._c, n)
        return self if in_place else self._wrap(out)

    def __add__(self, other: object) -> Any:
        return self._elementwise(other, self.binding.vec_add, self.binding.vec_add_scalar)

    __radd__ = __add__

    def __sub__(self, other: object) -> Any:
        if isinstance(other, FieldVector):
            return self._elementwise(other, self.binding.vec_sub, None)
        s = self._scalar_operand(other)
        if s is None:
            return NotImplemented
        return self + (-s)

    def __rsub__(self, other: object) -> Any:
        return (-self) + other

    def __mul__(self, other: object) -> Any:
        return self._elementwise(other, self.binding.vec_mul, self.binding.vec_scale)

    __rmul__ = __mul__

    # In place, like numpy: the result is written into this vector's buffer (and so
    # into every view that shares it), saving an allocation on large vectors.
    def __iadd__(self, other: object) -> Any:
        return self._elementwise(other, self.binding.vec_add, self.binding.vec_add_scalar,
                                 in_place=True)

    def __isub__(self, other: object) -> Any:
        if isinstance(other, FieldVector):
            return self._elementwise(other, self.binding.vec_sub, None, in_place=True)
        return self._elementwise(-self._scalar(other), self.binding.vec_add,
                                 self.binding.vec_add_scalar, in_place=True)

    def __imul__(self, other: object) -> Any:
        return self._elementwise(other, self.binding.vec_mul, self.binding.vec_scale,
                                 in_place=True)

    def __neg__(self) -> FieldVector:
        out = self._empty(len(self))
        self.binding.vec_neg(ptr(out), ptr(self._a), len(self))
        return self._wrap(out)

    def square(self) -> FieldVector:
        out = self._empty(len(self))
        self.binding.vec_sqr(ptr(out), ptr(self._a), len(self))
        return self._wrap(out)

    def dot(self, other: FieldVector) -> FieldElement:
        """sum_i a_i * b_i."""
        self._check_type(other)
        check_same_length(len(self), len(other))
        out = new_words(4)
        self.binding.vec_dot(out, ptr(self._a), ptr(other._a), len(self))
        return self.scalar_type._from_cdata(out)

    def __matmul__(self, other: object) -> Any:
        if not isinstance(other, FieldVector):
            return NotImplemented
        return self.dot(other)

    def sum(self) -> FieldElement:
        out = new_words(4)
        self.binding.vec_sum(out, ptr(self._a), len(self))
        return self.scalar_type._from_cdata(out)

    def inverse(self, zeros: str = "raise") -> FieldVector:
        """Elementwise inverse by Montgomery's batch trick (one inversion in all).

        ``zeros="raise"`` (default) raises FieldZeroDivisionError naming the first zero;
        ``zeros="zero"`` maps each zero to zero (as gnark's BatchInvert does)."""
        if zeros not in ("raise", "zero"):
            raise InvalidArgumentError(f"zeros must be 'raise' or 'zero', got {zeros!r}")
        out = self._empty(len(self))
        count = self.binding.vec_batch_inv(ptr(out), ptr(self._a), len(self))
        if count and zeros == "raise":
            first = int(np.flatnonzero(~self._a.any(axis=1))[0])
            raise FieldZeroDivisionError(
                f"{count} zero element(s) in batch inversion, the first at index {first}; "
                "pass zeros='zero' to map zeros to zero"
            )
        return self._wrap(out)

    # -- comparison --------------------------------------------------------------------
    def __eq__(self, other: object) -> Any:  # numpy-like: elementwise
        if isinstance(other, FieldVector):
            self._check_type(other)
            check_same_length(len(self), len(other))
            return np.all(self._a == other._a, axis=1)
        if isinstance(other, (FieldElement, int)):
            s = self._scalar(other)
            return np.all(self._a == np.frombuffer(s.montgomery_bytes(), dtype=np.uint64), axis=1)
        return NotImplemented

    def __ne__(self, other: object) -> Any:
        result = self.__eq__(other)
        return result if result is NotImplemented else ~result

    __hash__ = None  # type: ignore[assignment]

    def equals(self, other: object) -> bool:
        """Whole-vector equality (same field, same length, same elements)."""
        return (
            isinstance(other, type(self))
            and len(self) == len(other)
            and bool(np.array_equal(self._a, other._a))
        )

    def __repr__(self) -> str:
        n = len(self)
        head = self[: min(n, 3)].to_ints()
        more = ", ..." if n > 3 else ""
        return f"{type(self).__name__}(n={n}, [{', '.join(map(str, head))}{more}])"


def _length(n: object) -> int:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise InvalidArgumentError(f"length must be a non-negative integer, got {n!r}")
    return int(n)


def _seed_key(seed: bytes | int | None) -> bytes:
    if seed is None:
        return secrets.token_bytes(32)
    if isinstance(seed, (bytes, bytearray)):
        if len(seed) != 32:
            raise InvalidArgumentError(f"a seed is 32 bytes, got {len(seed)}")
        return bytes(seed)
    if isinstance(seed, int) and not isinstance(seed, bool):
        if not 0 <= seed < 2**256:
            raise InvalidArgumentError("an integer seed must satisfy 0 <= seed < 2^256")
        return seed.to_bytes(32, "little")
    raise ArgumentTypeError(f"seed must be 32 bytes, an int or None, got {type(seed).__name__}")


class FrVec(FieldVector):
    """Vector over Fr (the scalar field)."""

    __slots__ = ()
    scalar_type = Fr
    binding = Fr.binding


class FqVec(FieldVector):
    """Vector over Fq (the base field)."""

    __slots__ = ()
    scalar_type = Fq
    binding = Fq.binding
