# SPDX-License-Identifier: MIT
"""snarkjs Groth16 ``.zkey`` files (docs/formats.md, .zkey), read into native buffers and
written back byte for byte (sections in the file's order, the MPC transcript kept).

Points are little-endian Montgomery affine coordinates, which is zkcx's native layout,
so each point section becomes a ``G1Vec``/``G2Vec`` with one copy and one validation
call. Coefficients (section 4) are stored by snarkjs as coef·R² mod r.
"""

from __future__ import annotations

import os
import struct
from typing import BinaryIO

import numpy as np

from zkcx._bindings import check_canonical
from zkcx.curve import G1, G2, G1Vec, G2Vec
from zkcx.errors import FileFormatError, InvalidKeyError, PointError
from zkcx.field import FrVec
from zkcx.groth16.keys import Coefficients, ProvingKey
from zkcx.io import binfile
from zkcx.params import FQ_MODULUS, FR_MODULUS, MAX_CONSTRAINTS

_Q = FQ_MODULUS.to_bytes(32, "little")
_R = FR_MODULUS.to_bytes(32, "little")
_HEADER_SIZE = 4 + 32 + 4 + 32 + 12 + 64 * 3 + 128 * 3


def _points(cls, data: memoryview, count: int, what: str, name: str,
            check_subgroup: bool = True):
    size = 8 * cls.words
    if len(data) != size * count:
        raise FileFormatError(f"{name}: section {what} has {len(data)} bytes, expected "
                              f"{count} points of {size} bytes")
    try:
        return cls.from_zkey_bytes(data, check_subgroup=check_subgroup)
    except PointError as exc:
        raise FileFormatError(f"{name}: section {what}: {exc}") from exc


def _point(cls, raw: bytes, what: str, name: str):
    try:
        return cls.from_montgomery_limbs(raw)
    except PointError as exc:
        raise FileFormatError(f"{name}: header {what}: {exc}") from exc


def read_zkey(source: binfile.Source, name: str = ".zkey",
              check_b2_subgroup: bool = False) -> ProvingKey:
    """Read a Groth16 zkey (version <= 2), validating every coefficient entry and every
    point's range and curve equation, and the subgroup membership of the header's G2
    points (the verifying key's). Every count is checked against the bytes present before
    anything is allocated (nVars points of 64 or 128 bytes, domainSize <= 2^28 H points,
    44 bytes per coefficient).

    Raises ``FileFormatError`` (a truncated, corrupt or inconsistent file, a point off
    its curve) or ``InvalidKeyError`` (a header or IC point at infinity); nothing else.

    The nVars points of section 7 (B2) are subgroup-checked only on request: it costs a
    scalar multiplication a point (seconds for large circuits), and a bad proving-key
    point cannot make an invalid proof verify — it only makes the prover's proofs fail,
    which ``prove`` detects."""
    f = binfile.parse(binfile.read_source(source), b"zkey", 2, name)
    protocol = bytes(f.section(1, "protocol"))
    if len(protocol) != 4 or struct.unpack("<I", protocol)[0] != 1:
        raise FileFormatError(f"{name}: not a Groth16 zkey (protocol section {protocol.hex()})")
    h = bytes(f.section(2, "Groth16 header"))
    if len(h) != _HEADER_SIZE:
        raise FileFormatError(f"{name}: Groth16 header is {len(h)} bytes, expected {_HEADER_SIZE}")
    n8q, q = struct.unpack_from("<I", h, 0)[0], h[4:36]
    n8r, r = struct.unpack_from("<I", h, 36)[0], h[40:72]
    if n8q != 32 or q != _Q or n8r != 32 or r != _R:
        raise FileFormatError(f"{name}: curve is not BN254 (q or r differ)")
    n_wires, n_public, domain = struct.unpack_from("<III", h, 72)
    if (domain == 0 or domain & (domain - 1) or domain > MAX_CONSTRAINTS
            or n_public + 1 > n_wires):
        raise FileFormatError(f"{name}: inconsistent sizes nVars={n_wires}, nPublic={n_public}, "
                              f"domainSize={domain} (a power of two up to {MAX_CONSTRAINTS})")
    off = 84
    fields = {}
    for what, cls, size in (("alpha_1", G1, 64), ("beta_1", G1, 64), ("beta_2", G2, 128),
                            ("gamma_2", G2, 128), ("delta_1", G1, 64), ("delta_2", G2, 128)):
        fields[what] = _point(cls, h[off : off + size], what, name)
        if fields[what].is_identity():
            raise InvalidKeyError(f"{name}: header point {what} is the point at infinity; "
                                  f"proofs of false statements would verify under this key")
        off += size
    coefs = _read_coefs(f.section(4, "coefs"), n_wires, domain, name)
    order = []
    seen = set()
    for section_id in f.sections:
        if section_id not in seen:
            order.append(section_id)
            seen.add(section_id)
    ic = _points(G1Vec, f.section(3, "IC"), n_public + 1, "3 (IC)", name)
    at_infinity = np.flatnonzero(~ic.limbs.any(axis=1))
    if at_infinity.size:
        raise InvalidKeyError(f"{name}: section 3 (IC) point {int(at_infinity[0])} is the "
                              f"point at infinity; its public signal would not be bound")
    return ProvingKey(
        n_wires=n_wires, n_public=n_public, domain_size=domain, **fields,
        ic=ic,
        coefs=coefs,
        a=_points(G1Vec, f.section(5, "A"), n_wires, "5 (A)", name),
        b1=_points(G1Vec, f.section(6, "B1"), n_wires, "6 (B1)", name),
        b2=_points(G2Vec, f.section(7, "B2"), n_wires, "7 (B2)", name, check_b2_subgroup),
        c=_points(G1Vec, f.section(8, "C"), n_wires - n_public - 1, "8 (C)", name),
        h=_points(G1Vec, f.section(9, "H"), domain, "9 (H)", name),
        contributions=bytes(f.section(10, "contributions")) if f.has(10) else b"",
        section_order=tuple(order),
    )


def _read_coefs(data: memoryview, n_wires: int, domain: int, name: str) -> Coefficients:
    if len(data) < 4:
        raise FileFormatError(f"{name}: coefs section is truncated")
    (count,) = struct.unpack_from("<I", data, 0)
    if len(data) != 4 + 44 * count:
        raise FileFormatError(f"{name}: coefs section has {len(data)} bytes for {count} entries")
    rec = np.frombuffer(data, dtype=np.uint8, offset=4).reshape(count, 44)
    head = rec[:, :12].copy().view("<u4").reshape(count, 3).astype(np.int64)
    matrix, row, wire = head[:, 0], head[:, 1], head[:, 2]
    if count and (matrix.max() > 1 or row.max() >= domain or wire.max() >= n_wires):
        raise FileFormatError(f"{name}: a coefs entry names a matrix, row or wire out of range")
    stored = rec[:, 12:].copy().view("<u8").reshape(count, 4).astype(np.uint64)
    try:
        check_canonical(stored, FrVec.binding, "coefs value")
    except ValueError as exc:
        raise FileFormatError(f"{name}: {exc}") from exc
    # stored = coef·R² = (coef·R)·R: reading it as Montgomery limbs and converting to
    # canonical divides by R once, which leaves coef·R, the Montgomery form of coef.
    montgomery = FrVec._wrap(stored).to_canonical_limbs()
    return Coefficients(matrix.astype(np.uint8), row, wire, FrVec._wrap(montgomery))


def _coefs_bytes(coefs: Coefficients) -> bytes:
    n = len(coefs)
    rec = np.zeros((n, 44), dtype=np.uint8)
    head = np.stack([coefs.matrix.astype("<u4"), coefs.row.astype("<u4"),
                     coefs.wire.astype("<u4")], axis=1)
    rec[:, :12] = head.view(np.uint8).reshape(n, 12)
    stored = FrVec.from_canonical_limbs(np.ascontiguousarray(coefs.value.limbs)).limbs
    rec[:, 12:] = stored.astype("<u8").view(np.uint8).reshape(n, 32)
    return struct.pack("<I", n) + rec.tobytes()


def zkey_bytes(pk: ProvingKey) -> bytes:
    """Serialise a proving key as snarkjs 0.7 writes it (version 1)."""
    header = b"".join([
        struct.pack("<I", 32), _Q, struct.pack("<I", 32), _R,
        struct.pack("<III", pk.n_wires, pk.n_public, pk.domain_size),
        pk.alpha_1.montgomery_limbs(), pk.beta_1.montgomery_limbs(),
        pk.beta_2.montgomery_limbs(), pk.gamma_2.montgomery_limbs(),
        pk.delta_1.montgomery_limbs(), pk.delta_2.montgomery_limbs(),
    ])
    sections = {
        1: struct.pack("<I", 1), 2: header, 3: pk.ic.to_zkey_bytes(), 4: _coefs_bytes(pk.coefs),
        5: pk.a.to_zkey_bytes(), 6: pk.b1.to_zkey_bytes(), 7: pk.b2.to_zkey_bytes(),
        8: pk.c.to_zkey_bytes(), 9: pk.h.to_zkey_bytes(), 10: pk.contributions,
    }
    order = [s for s in pk.section_order if s in sections]
    order += [s for s in sections if s not in order]
    return binfile.build(b"zkey", 1, [(s, sections[s]) for s in order])


def write_zkey(pk: ProvingKey, target: str | os.PathLike | BinaryIO) -> None:
    binfile.write_target(target, zkey_bytes(pk))
