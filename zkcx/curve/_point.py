# SPDX-License-Identifier: MIT
"""BN254 points ``G1`` (over Fq) and ``G2`` (over Fq2, the sextic twist), and target
group elements ``GT`` (in Fq12), each stored natively as Montgomery limbs."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from zkcx import _bindings as native
from zkcx._bindings import new_words, words_bytes, words_from_bytes, words_from_int
from zkcx.errors import ArgumentTypeError, PointError, SubgroupError
from zkcx.field import FqVec, Fr
from zkcx.params import FQ_MODULUS, FR_MODULUS, G1_GENERATOR, G2_GENERATOR

Fq2Ints = tuple[int, int]


def _scalar_limbs(scalar: object) -> Any:
    """Plain limbs of a scalar: an Fr, or any int taken mod r (points have order r)."""
    if isinstance(scalar, Fr):
        value = int(scalar)
    elif isinstance(scalar, (int, np.integer)) and not isinstance(scalar, bool):
        value = int(scalar) % FR_MODULUS
    else:
        raise ArgumentTypeError(f"a point is multiplied by an Fr or an int, not "
                                f"{type(scalar).__name__}")
    return words_from_int(value)


def _check_coordinates(values: list[int], what: str) -> None:
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool):
            raise ArgumentTypeError(f"{what} coordinates are ints, got {type(v).__name__}")
        if not 0 <= v < FQ_MODULUS:
            raise PointError(f"{what} coordinate {v} is not below the base field modulus p")


class CurvePoint:
    """Shared surface of G1 and G2: immutable, hashable, +, -, scalar *, ==."""

    __slots__ = ("_c",)
    _words: ClassVar[int]
    binding: ClassVar[native.CurveBinding]

    # -- construction -----------------------------------------------------------
    @classmethod
    def _wrap(cls, cdata: Any) -> Any:
        obj = object.__new__(cls)
        obj._c = cdata
        return obj

    @classmethod
    def _wrap_bytes(cls, data: bytes) -> Any:
        """From trusted native-layout bytes (already validated), without checks."""
        return cls._wrap(words_from_bytes(data, cls._words))

    @classmethod
    def _new(cls) -> Any:
        return new_words(cls._words)

    @staticmethod
    def order() -> int:
        """The group order r."""
        return FR_MODULUS

    @classmethod
    def identity(cls) -> Any:
        """The point at infinity (stored as all-zero coordinates)."""
        return cls._wrap(cls._new())

    @classmethod
    def from_montgomery_limbs(cls, limbs: bytes | np.ndarray, check_subgroup: bool = True) -> Any:
        """From the native layout: affine coordinates as little-endian Montgomery limbs
        (the zkey encoding); all zeros is the identity. Validated."""
        data = bytes(limbs) if not isinstance(limbs, np.ndarray) else limbs.tobytes()
        if len(data) != 8 * cls._words:
            raise PointError(f"{cls.__name__} takes {8 * cls._words} bytes, got {len(data)}")
        c = words_from_bytes(data, cls._words)
        cls._validate(c, check_subgroup)
        return cls._wrap(c)

    @classmethod
    def _validate(cls, c: Any, check_subgroup: bool) -> None:
        if not cls.binding.is_on_curve(c):
            raise PointError(
                f"not a {cls.__name__} point: a coordinate is not below p or the point is "
                "not on the curve"
            )

    @classmethod
    def _from_coordinate_ints(cls, coords: list[int]) -> Any:
        # coords are checked below p by the caller; to Montgomery form in place (one
        # native call: decoding a proof's three points is on the verifier's path)
        c = words_from_bytes(b"".join(v.to_bytes(32, "little") for v in coords), cls._words)
        native.FQ_BINDING.vec_from_canonical(c, c, len(coords))
        return c

    # -- access -------------------------------------------------------------------
    def montgomery_limbs(self) -> bytes:
        """Affine coordinates as little-endian Montgomery limbs (zkey layout)."""
        return words_bytes(self._c)

    def _coordinate_ints(self) -> list[int]:
        limbs = np.frombuffer(self.montgomery_limbs(), dtype=np.uint64).reshape(-1, 4).copy()
        return FqVec.from_montgomery(limbs).to_ints()

    def is_identity(self) -> bool:
        return self.montgomery_limbs() == bytes(8 * self._words)

    # -- group law ----------------------------------------------------------------
    def _same(self, other: object) -> Any:
        if type(other) is not type(self):
            if isinstance(other, CurvePoint):
                raise ArgumentTypeError(f"cannot combine {type(self).__name__} with "
                                        f"{type(other).__name__}: they lie on different curves")
            return None
        return other

    def __add__(self, other: object) -> Any:
        o = self._same(other)
        if o is None:
            return NotImplemented
        out = self._new()
        self.binding.add(out, self._c, o._c)
        return self._wrap(out)

    def __neg__(self) -> Any:
        out = self._new()
        self.binding.neg(out, self._c)
        return self._wrap(out)

    def __sub__(self, other: object) -> Any:
        o = self._same(other)
        if o is None:
            return NotImplemented
        return self + (-o)

    def double(self) -> Any:
        out = self._new()
        self.binding.dbl(out, self._c)
        return self._wrap(out)

    def __mul__(self, scalar: object) -> Any:
        """[k]P for k an Fr or an int (ints are taken mod r)."""
        if isinstance(scalar, CurvePoint):
            return NotImplemented
        out = self._new()
        self.binding.mul(out, self._c, _scalar_limbs(scalar))
        return self._wrap(out)

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.binding.eq(self._c, other._c))  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.montgomery_limbs()))

    def __reduce__(self) -> tuple:
        return (type(self).from_montgomery_limbs, (self.montgomery_limbs(),))


class G1(CurvePoint):
    """A point of G1: y^2 = x^3 + 3 over Fq (cofactor 1, so on-curve means in-group).

    ``G1(x, y)`` takes canonical affine coordinates and checks them;
    ``G1.identity()`` is the point at infinity."""

    __slots__ = ()
    _words = 8
    binding = native.G1_BINDING

    def __init__(self, x: int, y: int) -> None:
        _check_coordinates([x, y], "G1")
        c = self._from_coordinate_ints([x, y])
        if x == 0 and y == 0:
            raise PointError("(0, 0) is not a G1 point; use G1.identity() for infinity")
        self._validate(c, True)
        self._c = c

    @classmethod
    def generator(cls) -> G1:
        return cls(*G1_GENERATOR)

    def to_affine(self) -> tuple[int, int] | None:
        """(x, y) as canonical ints, or None for the identity."""
        if self.is_identity():
            return None
        x, y = self._coordinate_ints()
        return x, y

    def __repr__(self) -> str:
        affine = self.to_affine()
        return "G1.identity()" if affine is None else f"G1({affine[0]}, {affine[1]})"


class G2(CurvePoint):
    """A point of G2: y^2 = x^3 + 3/(9+i) over Fq2, in the order-r subgroup.

    ``G2((x0, x1), (y0, y1))`` takes canonical coordinates c0 + c1*i (real part first,
    as snarkjs JSON) and checks the curve equation and subgroup membership."""

    __slots__ = ()
    _words = 16
    binding = native.G2_BINDING

    def __init__(self, x: Fq2Ints, y: Fq2Ints) -> None:
        coords = [*x, *y]
        if len(coords) != 4:
            raise PointError("G2 coordinates are two pairs (c0, c1)")
        _check_coordinates(coords, "G2")
        if not any(coords):
            raise PointError("((0, 0), (0, 0)) is not a G2 point; use G2.identity()")
        c = self._from_coordinate_ints(coords)
        self._validate(c, True)
        self._c = c

    @classmethod
    def _validate(cls, c: Any, check_subgroup: bool) -> None:
        super()._validate(c, check_subgroup)
        if check_subgroup and not native.g2_in_subgroup(c):
            raise SubgroupError(
                "the point is on the twist curve but not in the order-r subgroup G2"
            )

    @classmethod
    def generator(cls) -> G2:
        return cls(*G2_GENERATOR)

    def to_affine(self) -> tuple[Fq2Ints, Fq2Ints] | None:
        """((x0, x1), (y0, y1)) as canonical ints, or None for the identity."""
        if self.is_identity():
            return None
        x0, x1, y0, y1 = self._coordinate_ints()
        return (x0, x1), (y0, y1)

    def __repr__(self) -> str:
        affine = self.to_affine()
        return "G2.identity()" if affine is None else f"G2({affine[0]}, {affine[1]})"


class GT:
    """An element of the target group (order r in Fq12*), as pairings return it.

    Stored in the tower Fq6 = Fq2[v]/(v^3 - (9+i)), Fq12 = Fq6[w]/(w^2 - v).
    Multiplication is the group law; exponents are taken mod r."""

    __slots__ = ("_c",)
    _words = 48

    @classmethod
    def _wrap(cls, cdata: Any) -> GT:
        obj = object.__new__(cls)
        obj._c = cdata
        return obj

    @classmethod
    def one(cls) -> GT:
        c = new_words(native.GT_WORDS)
        native.fq12_one(c)
        return cls._wrap(c)

    def __mul__(self, other: object) -> Any:
        if not isinstance(other, GT):
            return NotImplemented
        out = new_words(native.GT_WORDS)
        native.fq12_mul(out, self._c, other._c)
        return self._wrap(out)

    def inverse(self) -> GT:
        out = new_words(native.GT_WORDS)
        native.fq12_inv(out, self._c)
        return self._wrap(out)

    def __truediv__(self, other: object) -> Any:
        if not isinstance(other, GT):
            return NotImplemented
        return self * other.inverse()

    def __pow__(self, exponent: object) -> Any:
        if isinstance(exponent, Fr):
            e = int(exponent)
        elif isinstance(exponent, int) and not isinstance(exponent, bool):
            e = exponent % FR_MODULUS
        else:
            return NotImplemented
        out = new_words(native.GT_WORDS)
        native.fq12_pow(out, self._c, words_from_int(e), 4)
        return self._wrap(out)

    def is_one(self) -> bool:
        return bool(native.fq12_is_one(self._c))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GT):
            return NotImplemented
        return bool(native.fq12_eq(self._c, other._c))

    def __hash__(self) -> int:
        return hash(words_bytes(self._c))

    def coefficients(self) -> list[int]:
        """The 12 Fq coefficients as canonical ints, in tower order
        c0.c0.c0, c0.c0.c1, c0.c1.c0, ..., c1.c2.c1."""
        limbs = np.frombuffer(words_bytes(self._c), dtype=np.uint64).reshape(12, 4).copy()
        return FqVec.from_montgomery(limbs).to_ints()

    def __repr__(self) -> str:
        return "GT.one()" if self.is_one() else f"GT({self.coefficients()[:2]}...)"
