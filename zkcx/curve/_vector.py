# SPDX-License-Identifier: MIT
"""Point vectors ``G1Vec``/``G2Vec``: affine points stored natively in a numpy uint64
array of shape (n, 8) or (n, 16) (little-endian Montgomery coordinates, the zkey
layout; identity = zeros), with no Python object per point."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar

import numpy as np

from zkcx._bindings import g1_vec_first_invalid, g2_vec_first_invalid
from zkcx.curve._point import G1, G2, CurvePoint
from zkcx.errors import ArgumentTypeError, BufferLayoutError, PointError, SubgroupError


class PointVector:
    """Shared surface of G1Vec and G2Vec."""

    __slots__ = ("_a",)
    point_type: ClassVar[type[CurvePoint]]
    words: ClassVar[int]

    def __init__(self, limbs: np.ndarray, check_subgroup: bool = True) -> None:
        """Wrap (n, words) uint64 Montgomery affine coordinates without copying,
        validating every point in one native call."""
        self._check_layout(limbs)
        self._validate(limbs, check_subgroup)
        self._a = limbs

    @classmethod
    def _check_layout(cls, limbs: object) -> None:
        if not isinstance(limbs, np.ndarray):
            raise BufferLayoutError(f"points must be a numpy array, got {type(limbs).__name__}")
        if limbs.dtype != np.uint64 or limbs.ndim != 2 or limbs.shape[1] != cls.words:
            raise BufferLayoutError(
                f"{cls.__name__} needs a uint64 array of shape (n, {cls.words}), "
                f"got {limbs.dtype} {limbs.shape}"
            )
        if not limbs.flags.c_contiguous:
            raise BufferLayoutError("points must be C-contiguous (np.ascontiguousarray)")

    @classmethod
    def _validate(cls, limbs: np.ndarray, check_subgroup: bool) -> None:
        raise NotImplementedError

    @classmethod
    def _wrap(cls, limbs: np.ndarray) -> Any:
        obj = object.__new__(cls)
        obj._a = limbs
        return obj

    # -- constructors ------------------------------------------------------------
    @classmethod
    def from_points(cls, points: Iterable[CurvePoint]) -> Any:
        rows = []
        for i, p in enumerate(points):
            if not isinstance(p, cls.point_type):
                raise ArgumentTypeError(f"element {i} is {type(p).__name__}, not "
                                        f"{cls.point_type.__name__}")
            rows.append(p.montgomery_limbs())
        data = np.frombuffer(b"".join(rows), dtype=np.uint64).reshape(-1, cls.words)
        return cls._wrap(data.copy())

    @classmethod
    def from_montgomery(cls, limbs: np.ndarray, check_subgroup: bool = True) -> Any:
        """Wrap native-layout points (validated, not copied)."""
        return cls(limbs, check_subgroup)

    @classmethod
    def from_zkey_bytes(cls, data: bytes | memoryview, check_subgroup: bool = True,
                        copy: bool = True) -> Any:
        """From consecutive zkey point encodings (64 or 128 bytes each, little-endian
        Montgomery): the layout is the native one, so this is one copy and one check.
        ``copy=False`` wraps the bytes in place instead (a read-only view when ``data`` is
        read-only, e.g. a mapped file; it keeps ``data`` alive)."""
        raw = np.frombuffer(data, dtype=np.uint8)
        size = 8 * cls.words
        if raw.size % size:
            raise PointError(f"{raw.size} bytes is not a whole number of {size}-byte points")
        limbs = raw.view(np.uint64).reshape(-1, cls.words)
        return cls(limbs.copy() if copy else limbs, check_subgroup)

    @classmethod
    def identities(cls, n: int) -> Any:
        return cls._wrap(np.zeros((n, cls.words), dtype=np.uint64))

    @classmethod
    def concatenate(cls, vectors: Sequence[PointVector]) -> Any:
        for v in vectors:
            if not isinstance(v, cls):
                raise ArgumentTypeError(f"expected {cls.__name__}, got {type(v).__name__}")
        if not vectors:
            return cls.identities(0)
        return cls._wrap(np.concatenate([v._a for v in vectors]))

    # -- access ----------------------------------------------------------------------
    @property
    def limbs(self) -> np.ndarray:
        return self._a

    def to_zkey_bytes(self) -> bytes:
        return self._a.tobytes()

    def __len__(self) -> int:
        return self._a.shape[0]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            return self.point_type._wrap_bytes(self._a[int(key)].tobytes())
        if isinstance(key, slice):
            view = self._a[key]
            return self._wrap(view if view.flags.c_contiguous else np.ascontiguousarray(view))
        return self._wrap(np.ascontiguousarray(self._a[np.asarray(key)]))

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]

    def equals(self, other: object) -> bool:
        return isinstance(other, type(self)) and np.array_equal(self._a, other._a)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={len(self)})"


class G1Vec(PointVector):
    """Vector of G1 points, (n, 8) uint64."""

    __slots__ = ()
    point_type = G1
    words = 8

    @classmethod
    def _validate(cls, limbs: np.ndarray, check_subgroup: bool) -> None:
        bad = g1_vec_first_invalid(limbs)
        if bad >= 0:
            raise PointError(
                f"point {bad} is not a G1 point (coordinate >= p or not on the curve)"
            )


class G2Vec(PointVector):
    """Vector of G2 points, (n, 16) uint64."""

    __slots__ = ()
    point_type = G2
    words = 16

    @classmethod
    def _validate(cls, limbs: np.ndarray, check_subgroup: bool) -> None:
        bad = g2_vec_first_invalid(limbs, check_subgroup=False)
        if bad >= 0:
            raise PointError(
                f"point {bad} is not on the G2 twist curve (coordinate >= p or off the curve)"
            )
        if check_subgroup:
            bad = g2_vec_first_invalid(limbs, check_subgroup=True)
            if bad >= 0:
                raise SubgroupError(f"point {bad} is on the twist but not in the subgroup G2")

    def first_outside_subgroup(self) -> int | None:
        """The index of the first point outside the order-r subgroup (a scalar
        multiplication by r a point), or None when every point is in G2 (the identity
        included)."""
        bad = g2_vec_first_invalid(self._a, check_subgroup=True)
        return None if bad < 0 else bad
