# SPDX-License-Identifier: MIT
"""Point encodings (docs/formats.md: Montgomery form, JSON, EVM):

* EVM: 32-byte big-endian plain coordinates; G1 = x || y (64 bytes), G2 =
  x.c1 || x.c0 || y.c1 || y.c0 (128 bytes, imaginary part first); identity all zeros.
* snarkjs JSON: decimal strings (or JSON ints) of at most 100 digits, each below p;
  G1 ``[x, y, "1"]``, G2 ``[[x0, x1], [y0, y1], ["1", "0"]]``
  (real part first); infinity ``["0", "1", "0"]``. On reading, a third coordinate of 0
  is infinity, 1 is affine, anything else is Jacobian (X/Z^2, Y/Z^3), as snarkjs reads.
* zkey binary: little-endian Montgomery ("LEM") affine coordinates, G2 in c0, c1 order;
  identity all zeros.
* snarkjs's hashing encodings (ffjavascript's toRprUncompressed / toRprCompressed,
  hashed in .ptau and .zkey transcripts), for whole vectors at once: the uncompressed
  one is the EVM encoding (``points_to_evm``); ``to_compressed`` is x alone in that
  byte order, its first byte or-ed with 0x80 when y is "negative" (above (p − 1)/2; for
  G2, y.c1 decides unless it is 0, then y.c0), the identity 0x40 then zeros.

Every decoder checks length, coordinate range (< p), the curve equation and, for G2,
subgroup membership, and raises a ``PointError`` (a coordinate >= p, a point off its
curve or outside its subgroup) or an ``EncodingError`` (a wrong length, type or shape, a
negative or non-decimal coordinate) saying which failed; nothing else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zkcx.curve._point import G1, G2
from zkcx.curve._vector import G1Vec, G2Vec, PointVector
from zkcx.errors import ArgumentTypeError, EncodingError, PointError
from zkcx.field import FqVec
from zkcx.io.jsontext import decimal, g1_json, g2_json, short
from zkcx.params import FQ_MODULUS

_P = FQ_MODULUS


# -- EVM ----------------------------------------------------------------------------
def _be_words(data: bytes, count: int, what: str) -> list[int]:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ArgumentTypeError(f"{what} must be bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) != 32 * count:
        raise EncodingError(f"{what} is {32 * count} bytes, got {len(data)}")
    words = [int.from_bytes(data[32 * i : 32 * i + 32], "big") for i in range(count)]
    for w in words:
        if w >= _P:
            raise PointError(f"{what} has a coordinate {w} that is not below p")
    return words


def g1_to_evm(point: G1) -> bytes:
    """64 bytes: x || y big-endian; the identity is 64 zero bytes."""
    affine = point.to_affine()
    if affine is None:
        return bytes(64)
    return b"".join(c.to_bytes(32, "big") for c in affine)


def points_to_evm(points: PointVector) -> bytes:
    """The EVM encoding of every point of a G1Vec or G2Vec, concatenated (64 or 128
    bytes a point, identity all zeros) in a few native calls; snarkjs calls it the
    uncompressed form and hashes points in it."""
    if not isinstance(points, PointVector):
        raise ArgumentTypeError(f"points_to_evm takes a G1Vec or G2Vec, got "
                                f"{type(points).__name__}")
    limbs = points.limbs
    if isinstance(points, G2Vec):  # per point x.c0, x.c1, y.c0, y.c1 -> c1 first
        # a view with each coordinate's pair reversed (one strided copy below: a
        # quarter of the time of the fancy index [1, 0, 3, 2])
        limbs = limbs.reshape(-1, 2, 2, 4)[:, :, ::-1, :]
    coordinates = np.ascontiguousarray(limbs).reshape(-1, 4)
    return FqVec._wrap(coordinates).to_bytes("big")


def g1_from_evm(data: bytes) -> G1:
    """Decode 64 EVM bytes (all zeros = identity), checking range and curve."""
    x, y = _be_words(data, 2, "an EVM G1 point")
    if x == 0 and y == 0:
        return G1.identity()
    return G1(x, y)


def g2_to_evm(point: G2) -> bytes:
    """128 bytes: x.c1 || x.c0 || y.c1 || y.c0 big-endian (EIP-197 order)."""
    affine = point.to_affine()
    if affine is None:
        return bytes(128)
    (x0, x1), (y0, y1) = affine
    return b"".join(c.to_bytes(32, "big") for c in (x1, x0, y1, y0))


def g2_from_evm(data: bytes) -> G2:
    """Decode 128 EVM bytes (imaginary parts first), checking range, curve, subgroup."""
    x1, x0, y1, y0 = _be_words(data, 4, "an EVM G2 point")
    if not (x0 or x1 or y0 or y1):
        return G2.identity()
    return G2((x0, x1), (y0, y1))


# -- snarkjs JSON -------------------------------------------------------------------
def _decimal(value: Any, what: str) -> int:
    v = decimal(value, what, error=EncodingError)  # a non-negative int of <= 100 digits
    if v >= _P:
        raise PointError(f"{what}: coordinate {short(v)} is not below p")
    return v


def _triple(obj: Any, what: str) -> list[Any]:
    if not isinstance(obj, (list, tuple)) or len(obj) not in (2, 3):
        raise EncodingError(f"{what} must be a list of 2 or 3 coordinates, got {short(obj)}")
    return list(obj)


def g1_to_json(point: G1) -> list[str]:
    return g1_json(point.to_affine())


def g1_from_json(obj: Any) -> G1:
    coords = _triple(obj, "a G1 point")
    x, y = _decimal(coords[0], "G1 x"), _decimal(coords[1], "G1 y")
    z = _decimal(coords[2], "G1 z") if len(coords) == 3 else 1
    if z == 0:
        return G1.identity()
    if z != 1:  # Jacobian, as snarkjs reads it
        zi = pow(z, -1, _P)
        x, y = x * zi * zi % _P, y * zi * zi * zi % _P
    return G1(x, y)


def _fq2(obj: Any, what: str) -> tuple[int, int]:
    if not isinstance(obj, (list, tuple)) or len(obj) != 2:
        raise EncodingError(f"{what} must be a pair [c0, c1], got {short(obj)}")
    return _decimal(obj[0], what + ".c0"), _decimal(obj[1], what + ".c1")


def _fq2_mul(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return (a[0] * b[0] - a[1] * b[1]) % _P, (a[0] * b[1] + a[1] * b[0]) % _P


def _fq2_inv(a: tuple[int, int]) -> tuple[int, int]:
    norm_inv = pow(a[0] * a[0] + a[1] * a[1], -1, _P)
    return a[0] * norm_inv % _P, (-a[1]) * norm_inv % _P


def g2_to_json(point: G2) -> list[list[str]]:
    return g2_json(point.to_affine())


def g2_from_json(obj: Any) -> G2:
    coords = _triple(obj, "a G2 point")
    x, y = _fq2(coords[0], "G2 x"), _fq2(coords[1], "G2 y")
    z = _fq2(coords[2], "G2 z") if len(coords) == 3 else (1, 0)
    if z == (0, 0):
        return G2.identity()
    if z != (1, 0):
        zi = _fq2_inv(z)
        zi2 = _fq2_mul(zi, zi)
        x, y = _fq2_mul(x, zi2), _fq2_mul(y, _fq2_mul(zi2, zi))
    return G2(x, y)


# -- zkey binary (little-endian Montgomery) ---------------------------------------
def g1_to_zkey(point: G1) -> bytes:
    return point.montgomery_limbs()


def g1_from_zkey(data: bytes) -> G1:
    if len(data) != 64:
        raise EncodingError(f"a zkey G1 point is 64 bytes, got {len(data)}")
    return G1.from_montgomery_limbs(bytes(data))


def g2_to_zkey(point: G2) -> bytes:
    return point.montgomery_limbs()


def g2_from_zkey(data: bytes) -> G2:
    if len(data) != 128:
        raise EncodingError(f"a zkey G2 point is 128 bytes, got {len(data)}")
    return G2.from_montgomery_limbs(bytes(data))


# -- snarkjs hashing encodings, vectorised -----------------------------------------
_HALF_P_LIMBS = np.array([((_P - 1) // 2 >> (64 * i)) & (2**64 - 1) for i in range(4)],
                         dtype=np.uint64)


def _plain_coordinates(points: PointVector) -> np.ndarray:
    """(n, k, 4) uint64: each coordinate's plain limbs (G1: x, y; G2: x.c0, x.c1, y.c0,
    y.c1), from one native conversion out of Montgomery form."""
    if not isinstance(points, (G1Vec, G2Vec)):
        raise ArgumentTypeError(f"expected a G1Vec or G2Vec, got {type(points).__name__}")
    plain = FqVec.from_montgomery(points.limbs.reshape(-1, 4)).to_canonical_limbs()
    return plain.reshape(len(points), points.words // 4, 4)


def _big_endian(plain: np.ndarray, order: list[int]) -> np.ndarray:
    """(n, 32·len(order)) uint8: the chosen coordinates as 32-byte big-endian integers."""
    words = plain[:, order, ::-1].astype(">u8")
    return words.view(np.uint8).reshape(len(plain), 32 * len(order))


def to_compressed(points: PointVector) -> np.ndarray:
    """snarkjs's compressed encoding of every point, (n, 32) or (n, 64) uint8: x in the
    uncompressed byte order, 0x80 set in the first byte when y is above (p − 1)/2 (for
    G2: y.c1, or y.c0 when y.c1 = 0); the identity is 0x40 followed by zeros."""
    plain = _plain_coordinates(points)
    g1 = points.words == 8
    out = _big_endian(plain, [0] if g1 else [1, 0])
    if g1:
        deciding = plain[:, 1]
    else:
        c0, c1 = plain[:, 2], plain[:, 3]
        deciding = np.where(c1.any(axis=1, keepdims=True), c1, c0)
    above = np.zeros(len(points), dtype=bool)
    equal = np.ones(len(points), dtype=bool)
    for limb in range(3, -1, -1):
        above |= equal & (deciding[:, limb] > _HALF_P_LIMBS[limb])
        equal &= deciding[:, limb] == _HALF_P_LIMBS[limb]
    out[above, 0] |= 0x80
    identity = ~points.limbs.any(axis=1)
    out[identity] = 0
    out[identity, 0] = 0x40
    return out
