# SPDX-License-Identifier: MIT
"""snarkjs Groth16 ``.zkey`` files (docs/formats.md, .zkey), used in place (the file mapped,
as rapidsnark does) and written back byte for byte (sections in the file's order, the MPC
transcript kept).

Points are little-endian Montgomery affine coordinates, which is zkcx's native layout,
so each point section becomes a ``G1Vec``/``G2Vec`` view of the file's bytes after one
validation call. Coefficients (section 4) are stored by snarkjs as coef·R² mod r.
"""

from __future__ import annotations

import itertools
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from zkcx._bindings import zkey_coefs_csr, zkey_coefs_first_invalid
from zkcx.curve import G1, G2, G1Vec, G2Vec, PointVector
from zkcx.errors import (
    FileFormatError,
    InvalidArgumentError,
    InvalidKeyError,
    KeyFileChangedError,
    PointError,
)
from zkcx.field import FrVec
from zkcx.groth16.keys import Coefficients, ProvingKey
from zkcx.io import binfile
from zkcx.params import FQ_MODULUS, FR_MODULUS, MAX_CONSTRAINTS
from zkcx.r1cs import SparseMatrix

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
        return cls.from_zkey_bytes(data, check_subgroup=check_subgroup, copy=False)
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

    Nothing large is copied: given a path, the file is mapped read-only (as rapidsnark
    does) and the point sections A, B1, B2, C, H and IC are ``G1Vec``/``G2Vec`` views of
    the mapping (read-only arrays); given bytes, views of the bytes. The header (the
    verifying key) and the MPC transcript are copied. Section 4 (coefficients) is checked
    here in one native pass and decoded only when used: ``pk.coefficient_matrices()``
    builds the prover's CSR matrices from its bytes in C, ``pk.coefs`` decodes its entries
    (for the ceremony). A key whose file changes on disk after loading is refused when it
    is next used to prove (``KeyFileChangedError``, see ``ProvingKey.check_unchanged``);
    every proof is also verified before ``prove`` returns it. Truncating a mapped file
    while a proof reads it raises SIGBUS, as with any mapped file: the process then stops
    with a message naming the file and exit status 2 (``binfile.MappedFile``).

    Raises ``FileFormatError`` (a truncated, corrupt or inconsistent file, a point off
    its curve) or ``InvalidKeyError`` (a header or IC point at infinity); nothing else.

    The nVars points of section 7 (B2) are subgroup-checked only on request: it costs a
    scalar multiplication a point (seconds for large circuits), and a bad proving-key
    point cannot make an invalid proof verify — it only makes the prover's proofs fail,
    which ``prove`` detects."""
    data, mapped = binfile.map_source(source)
    f = binfile.parse(data, b"zkey", 2, name)
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
    source = None if mapped is None else _MappedKeySource(mapped, name)
    coefs = _check_coefs(f.section(4, "coefs"), n_wires, domain, name)
    if source is not None:
        source.release(f.section(4, "coefs"))  # read again when the matrices are built
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

    def points(cls, section_id: int, label: str, count: int, check_subgroup: bool = True):
        data = f.section(section_id, label)
        vec = _points(cls, data, count, f"{section_id} ({label})", name, check_subgroup)
        if source is not None:
            source.release(data)  # validated: its pages leave resident memory until used
        return vec

    pk = ProvingKey(
        n_wires=n_wires, n_public=n_public, domain_size=domain, **fields,
        ic=G1Vec._wrap(ic.limbs.copy()),
        coefs=coefs,
        a=points(G1Vec, 5, "A", n_wires),
        b1=points(G1Vec, 6, "B1", n_wires),
        b2=points(G2Vec, 7, "B2", n_wires, check_b2_subgroup),
        c=points(G1Vec, 8, "C", n_wires - n_public - 1),
        h=points(G1Vec, 9, "H", domain),
        contributions=bytes(f.section(10, "contributions")) if f.has(10) else b"",
        section_order=tuple(order),
    )
    if source is not None:
        pk.attach_source(source)
        coefs.when_built(source.release)
    return pk


class _MappedKeySource:
    """The file a key's sections are views of: refuses further use once it changed."""

    def __init__(self, mapped: binfile.MappedFile, name: str) -> None:
        self.mapped, self.name = mapped, name

    def release_pages(self) -> None:
        """Drop every page of the mapping from resident memory (see
        ``ProvingKey.release_pages``)."""
        self.mapped.release(0, self.mapped.size)

    def check_unchanged(self) -> None:
        change = self.mapped.changed()
        if change is not None:
            raise KeyFileChangedError(
                f"{self.name}: the proving key file changed on disk after it was read "
                f"({change}); its points are read in place, so it cannot be used any more: "
                f"read the key again")

    def release(self, section: memoryview) -> None:
        """Drop a section's pages from resident memory once it is decoded."""
        start = (np.frombuffer(section, dtype=np.uint8).ctypes.data
                 - np.frombuffer(self.mapped.buffer, dtype=np.uint8).ctypes.data)
        self.mapped.release(int(start), len(section))


class _ZkeyCoefficients(Coefficients):
    """Section 4 as the file's bytes (checked at load), decoded on first use: the
    prover's CSR matrices are built from the bytes in C (``matrices``); the entry arrays
    (``matrix``, ``row``, ``wire``, ``value``) are decoded when first asked for."""

    def __init__(self, records: memoryview, count: int, rows: int, wires: int,
                 name: str) -> None:
        object.__setattr__(self, "_records", records)
        object.__setattr__(self, "_shape", (count, rows, wires, name))
        object.__setattr__(self, "_built", None)

    def when_built(self, callback) -> None:
        """Call ``callback(records)`` once the CSR matrices are built (to drop the bytes
        from resident memory: the prover does not read them again)."""
        object.__setattr__(self, "_built", callback)

    def __len__(self) -> int:
        return self._shape[0]

    def __reduce__(self):
        return (Coefficients, self._decoded())

    def _decoded(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, FrVec]:
        cached = self.__dict__.get("_arrays")
        if cached is None:
            cached = _decode_coefs(self._records, *self._shape)
            object.__setattr__(self, "_arrays", cached)
        return cached

    matrix = property(lambda self: self._decoded()[0])
    row = property(lambda self: self._decoded()[1])
    wire = property(lambda self: self._decoded()[2])
    value = property(lambda self: self._decoded()[3])

    def records(self) -> memoryview:
        """The section's entries as stored (44 bytes each, after the count)."""
        return self._records

    def matrices(self, rows: int, wires: int) -> tuple[SparseMatrix, SparseMatrix]:
        count, my_rows, my_wires, name = self._shape
        if (rows, wires) != (my_rows, my_wires):
            return super().matrices(rows, wires)
        out = []
        for which in (0, 1):
            try:
                row_ptr, col, coef = zkey_coefs_csr(self._records, count, which, rows, wires)
            except InvalidArgumentError as exc:
                raise KeyFileChangedError(
                    f"{name}: section 4 (coefs) no longer passes the checks made when the "
                    f"key was read ({exc}): the file changed on disk; read the key again"
                ) from None
            out.append(SparseMatrix(row_ptr, col, FrVec._wrap(coef), wires))
        if self._built is not None:
            self._built(self._records)
        return out[0], out[1]


def _check_coefs(data: memoryview, n_wires: int, domain: int, name: str
                 ) -> _ZkeyCoefficients:
    if len(data) < 4:
        raise FileFormatError(f"{name}: coefs section is truncated")
    (count,) = struct.unpack_from("<I", data, 0)
    if len(data) != 4 + 44 * count:
        raise FileFormatError(f"{name}: coefs section has {len(data)} bytes for {count} entries")
    records = data[4:]
    index, problem = zkey_coefs_first_invalid(records, count, domain, n_wires)
    if index >= 0:
        kind = "is not below r" if "value" in problem else "is out of range"
        raise FileFormatError(f"{name}: coefs entry {index} {problem} (the entry {kind}; "
                              f"domainSize={domain}, nVars={n_wires})")
    return _ZkeyCoefficients(records, count, domain, n_wires, name)


def _decode_coefs(records: memoryview, count: int, rows: int, wires: int, name: str
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, FrVec]:
    rec = np.frombuffer(records, dtype=np.uint8).reshape(count, 44).copy()
    index, problem = zkey_coefs_first_invalid(rec, count, rows, wires)
    if index >= 0:
        raise KeyFileChangedError(f"{name}: coefs entry {index} {problem}, which it did not "
                                  f"when the key was read: the file changed on disk; read "
                                  f"the key again")
    head = rec[:, :12].copy().view("<u4").reshape(count, 3).astype(np.int64)
    stored = rec[:, 12:].copy().view("<u8").reshape(count, 4)
    # stored = coef·R² = (coef·R)·R: reading it as Montgomery limbs and converting to
    # canonical divides by R once, which leaves coef·R, the Montgomery form of coef.
    montgomery = FrVec._wrap(stored).to_canonical_limbs()
    return head[:, 0].astype(np.uint8), head[:, 1].copy(), head[:, 2].copy(), FrVec._wrap(
        montgomery)


#: Records of zkey section 4 (and points of a strided vector) encoded per piece written.
_WRITE_CHUNK = 1 << 16
_COEF_RECORD = np.dtype([("matrix", "<u4"), ("row", "<u4"), ("wire", "<u4"),
                         ("value", "<u8", (4,))])  # packed: 44 bytes


def _coefs_parts(coefs: Coefficients) -> list[bytes | memoryview] | Iterator[bytes]:
    """Section 4's bytes in pieces: the count, then the records (those of a key read from
    a file as they are; built ones a chunk at a time, so no copy of the section)."""
    n = len(coefs)
    if isinstance(coefs, _ZkeyCoefficients):
        return [struct.pack("<I", n), coefs.records()]
    return itertools.chain([struct.pack("<I", n)], _coef_records(coefs))


def _coef_records(coefs: Coefficients) -> Iterator[bytes]:
    for lo in range(0, len(coefs), _WRITE_CHUNK):
        hi = min(lo + _WRITE_CHUNK, len(coefs))
        rec = np.empty(hi - lo, dtype=_COEF_RECORD)
        rec["matrix"], rec["row"], rec["wire"] = (coefs.matrix[lo:hi], coefs.row[lo:hi],
                                                  coefs.wire[lo:hi])
        # stored = coef·R²: the Montgomery limbs (coef·R) taken as canonical, times R
        rec["value"] = FrVec.from_canonical_limbs(
            np.ascontiguousarray(coefs.value.limbs[lo:hi])).limbs
        yield rec.tobytes()


def _points_parts(vec: PointVector) -> list[memoryview] | Iterator[bytes]:
    """A point section's bytes: a view of a contiguous vector, else chunks."""
    limbs = vec.limbs
    if limbs.flags.c_contiguous:
        return [memoryview(limbs).cast("B")]
    return (np.ascontiguousarray(limbs[lo : lo + _WRITE_CHUNK]).tobytes()
            for lo in range(0, len(limbs), _WRITE_CHUNK))


def _zkey_parts(pk: ProvingKey) -> Iterator[bytes | memoryview]:
    """The file's bytes in pieces (container header, section headers, payloads; point
    sections as views of their vectors), so that writing copies no section whole."""
    header = b"".join([
        struct.pack("<I", 32), _Q, struct.pack("<I", 32), _R,
        struct.pack("<III", pk.n_wires, pk.n_public, pk.domain_size),
        pk.alpha_1.montgomery_limbs(), pk.beta_1.montgomery_limbs(),
        pk.beta_2.montgomery_limbs(), pk.gamma_2.montgomery_limbs(),
        pk.delta_1.montgomery_limbs(), pk.delta_2.montgomery_limbs(),
    ])
    sizes = {4: 4 + 44 * len(pk.coefs)}
    for section_id, vec in ((3, pk.ic), (5, pk.a), (6, pk.b1), (7, pk.b2), (8, pk.c),
                            (9, pk.h)):
        sizes[section_id] = vec.limbs.nbytes
    sections = {
        1: lambda: [struct.pack("<I", 1)], 2: lambda: [header],
        3: lambda: _points_parts(pk.ic), 4: lambda: _coefs_parts(pk.coefs),
        5: lambda: _points_parts(pk.a), 6: lambda: _points_parts(pk.b1),
        7: lambda: _points_parts(pk.b2), 8: lambda: _points_parts(pk.c),
        9: lambda: _points_parts(pk.h), 10: lambda: [pk.contributions],
    }
    order = [s for s in pk.section_order if s in sections]
    order += [s for s in sections if s not in order]
    yield b"zkey" + struct.pack("<II", 1, len(order))
    for section_id in order:
        payload = sections[section_id]()
        size = sizes.get(section_id)
        if size is None:
            size = sum(memoryview(part).nbytes for part in payload)
        yield struct.pack("<IQ", section_id, size)
        yield from payload


def zkey_parts(pk: ProvingKey) -> Iterator[bytes | memoryview]:
    """The bytes of ``zkey_bytes(pk)`` in pieces, in file order (section 10's payload is
    ``pk.contributions`` itself, the last piece of a key in snarkjs's setup order)."""
    return _zkey_parts(pk)


def zkey_bytes(pk: ProvingKey) -> bytes:
    """Serialise a proving key as snarkjs 0.7 writes it (version 1)."""
    return b"".join(_zkey_parts(pk))


def write_zkey(pk: ProvingKey, target: str | os.PathLike | BinaryIO) -> None:
    """Write a proving key (as ``zkey_bytes``) section by section, without building the
    whole file in memory; a path is written beside and renamed over (``binfile.
    write_parts``), so writing back to the file a mapped key was read from is safe."""
    binfile.write_parts(target, _zkey_parts(pk))
