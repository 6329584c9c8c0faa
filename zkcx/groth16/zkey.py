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

from zkcx._bindings import ffi, zkey_coefs_first_invalid
from zkcx.curve import G1, G2, G1Vec, G2Vec, PointVector
from zkcx.errors import KeyFileChangedError
from zkcx.field import FrVec
from zkcx.groth16.keys import Coefficients, ProvingKey
from zkcx.groth16.zkey_layout import (
    HEADER_POINTS,
    ZkeyLayout,
    check_unchanged,
    coefficient_csr,
    file_parts,
    header_bytes,
    parse_zkey,
)
from zkcx.io import binfile
from zkcx.r1cs import SparseMatrix


def _vector(cls, data: memoryview, count: int):
    """A validated section (``zkey_layout``) as a point vector viewing the bytes: in place
    at a 4-byte aligned address (every zkey section is), copied elsewhere."""
    limbs = np.frombuffer(data, dtype=np.uint64).reshape(count, cls.words)
    if limbs.ctypes.data % 4:
        limbs = limbs.copy()
    return cls._wrap(limbs)


def read_zkey(source: binfile.Source, name: str = ".zkey",
              check_b2_subgroup: bool = False) -> ProvingKey:
    """Read a Groth16 zkey (version <= 2), validating every coefficient entry and every
    point's range and curve equation, and the subgroup membership of the header's G2
    points (the verifying key's). Every count is checked against the bytes present before
    anything is allocated (nVars points of 64 or 128 bytes, domainSize <= 2^28 H points,
    44 bytes per coefficient). The parsing and the checks are ``zkey_layout.parse_zkey``'s,
    which the numpy-free prover (``zkcx.groth16.lean``) shares.

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
    return key_of_layout(parse_zkey(source, name, check_b2_subgroup))


def key_of_layout(layout: ZkeyLayout) -> ProvingKey:
    """The ``ProvingKey`` of a parsed zkey (``zkey_layout.parse_zkey``): its sections
    wrapped as point vectors (views of the file's bytes), section 4 decoded when used."""
    name = layout.name
    n_wires, n_public = layout.n_wires, layout.n_public
    source_file = None if layout.mapped is None else _MappedKeySource(layout.mapped, name)
    coefs = _ZkeyCoefficients(layout.coef_records, layout.coef_count, layout.domain_size,
                              n_wires, name)
    fields = {what: (G2 if g2 else G1).from_montgomery_limbs(layout.header_points[what])
              for what, g2 in HEADER_POINTS}
    pk = ProvingKey(
        n_wires=n_wires, n_public=n_public, domain_size=layout.domain_size, **fields,
        ic=G1Vec._wrap(np.frombuffer(layout.ic, dtype=np.uint64).reshape(-1, 8).copy()),
        coefs=coefs,
        a=_vector(G1Vec, layout.a, n_wires),
        b1=_vector(G1Vec, layout.b1, n_wires),
        b2=_vector(G2Vec, layout.b2, n_wires),
        c=_vector(G1Vec, layout.c, n_wires - n_public - 1),
        h=_vector(G1Vec, layout.h, layout.domain_size),
        contributions=layout.contributions,
        section_order=layout.section_order,
    )
    if source_file is not None:
        pk.attach_source(source_file)
        coefs.when_built(layout.release)
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
        check_unchanged(self.mapped, self.name)


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
            row_ptr, col, coef, nnz = coefficient_csr(self._records, count, which, rows,
                                                      wires, name)
            out.append(SparseMatrix(
                np.frombuffer(ffi.buffer(row_ptr), dtype=np.int64),
                np.frombuffer(ffi.buffer(col), dtype=np.int64)[:nnz],
                FrVec._wrap(np.frombuffer(ffi.buffer(coef), dtype=np.uint64)
                            .reshape(-1, 4)[:nnz]), wires))
        if self._built is not None:
            self._built(self._records)
        return out[0], out[1]


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
    header = header_bytes(pk.n_wires, pk.n_public, pk.domain_size,
                          {what: getattr(pk, what).montgomery_limbs()
                           for what, _ in HEADER_POINTS})
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
    return file_parts(sections, sizes, tuple(pk.section_order))


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
