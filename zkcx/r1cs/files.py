# SPDX-License-Identifier: MIT
"""circom's ``.r1cs`` and ``.wtns`` files (docs/formats.md: .r1cs, .wtns), read and written with
numpy: no Python object per term or per witness value.

.r1cs: header (section 1), constraints (section 2: per constraint the linear
combinations A, B, C, each ``u32 k`` then k terms ``u32 wire, 32-byte coefficient``),
wire-to-label map (section 3). .wtns: version 2, header (section 1), values (section 2),
all plain little-endian values below r.
"""

from __future__ import annotations

import os
import struct
from typing import BinaryIO

import numpy as np

from zkcx._bindings import r1cs_lc_scan, r1cs_lc_terms
from zkcx.errors import FileFormatError
from zkcx.field import FrVec
from zkcx.io import binfile
from zkcx.io.wtns import check_field, parse_wtns, wtns_to_montgomery
from zkcx.params import FR_MODULUS, MAX_CONSTRAINTS, MAX_WIRES
from zkcx.r1cs.circuit import R1CS, Witness
from zkcx.r1cs.matrix import SparseMatrix

_PRIME_BYTES = FR_MODULUS.to_bytes(32, "little")
Target = str | os.PathLike | BinaryIO

#: Bytes of the smallest constraint: three empty linear combinations (three u32 counts).
_MIN_CONSTRAINT_BYTES = 12


# -- .r1cs ---------------------------------------------------------------------------
def read_r1cs(source: binfile.Source, name: str = ".r1cs") -> R1CS:
    """Read a circom .r1cs (version 1; sections in any order; custom gates refused).

    Sizes are checked against the bytes present before anything is allocated: m
    constraints need at least 12·m bytes of section 2, each term 36 bytes, and the wire
    map (section 3, which circom and zkcx always write) 8 bytes per wire, so a file's
    declared counts cannot outgrow it; m and nWires are at most ``MAX_CONSTRAINTS`` and
    ``MAX_WIRES`` (2^28). Raises ``FileFormatError`` for any malformed file, naming the
    count and the size; nothing else. A path is mapped, not read: the terms go from the
    file's pages straight into the matrices."""
    data, _mapped = binfile.map_source(source)
    f = binfile.parse(data, b"r1cs", 1, name)
    if f.has(4) or f.has(5):
        raise FileFormatError(f"{name}: has PLONK custom-gate sections, not usable with Groth16")
    header = bytes(f.section(1, "header"))
    if len(header) != 64:
        raise FileFormatError(f"{name}: header is {len(header)} bytes, expected 64")
    (n8,) = struct.unpack_from("<I", header, 0)
    check_field(n8, header[4:36], name)
    n_wires, n_out, n_in, n_prv = struct.unpack_from("<IIII", header, 36)
    (n_labels,) = struct.unpack_from("<Q", header, 52)
    (m,) = struct.unpack_from("<I", header, 60)
    if n_out + n_in + n_prv >= n_wires:
        raise FileFormatError(f"{name}: {n_wires} wires cannot hold the declared signals")
    if n_wires > MAX_WIRES:
        raise FileFormatError(f"{name}: declares {n_wires} wires, at most {MAX_WIRES}")
    if m > MAX_CONSTRAINTS:
        raise FileFormatError(f"{name}: declares {m} constraints, at most {MAX_CONSTRAINTS}")
    constraints = f.section(2, "constraints")
    if _MIN_CONSTRAINT_BYTES * m > len(constraints):
        raise FileFormatError(
            f"{name}: declares {m} constraints but the constraints section has "
            f"{len(constraints)} bytes, fewer than {_MIN_CONSTRAINT_BYTES} per constraint")
    matrices = _parse_constraints(constraints, m, n_wires, name)
    if not f.has(3):
        raise FileFormatError(f"{name}: the wire map (section 3) is missing; circom and zkcx "
                              f"always write it, and it backs the {n_wires} declared wires")
    raw = f.section(3, "wire map")
    if len(raw) != 8 * n_wires:
        raise FileFormatError(f"{name}: declares {n_wires} wires but the wire map has "
                              f"{len(raw)} bytes ({8 * n_wires} expected)")
    wire_labels = np.frombuffer(raw, dtype="<u8").astype(np.uint64)
    return R1CS(n_wires=n_wires, n_pub_out=n_out, n_pub_in=n_in, n_prv_in=n_prv,
                a=matrices[0], b=matrices[1], c=matrices[2], label_starts=[0],
                labels=["r1cs[]"], name=name, n_labels=n_labels, wire_labels=wire_labels)


def _parse_constraints(section: memoryview, m: int, n_wires: int, name: str):
    """The A, B, C matrices (CSR) of a constraints section, scanned and copied in C."""
    count = 3 * m
    starts, ks, used, short = r1cs_lc_scan(section, count)
    if short >= 0:
        raise FileFormatError(f"{name}: constraints section truncated in constraint "
                              f"{short // 3}")
    if used != len(section):
        raise FileFormatError(f"{name}: {len(section) - used} stray bytes after the last "
                              f"constraint")
    result = []
    for which in range(3):
        k = ks[which::3]
        row_ptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(k, out=row_ptr[1:])
        wires, limbs, bad = r1cs_lc_terms(section, starts, ks, m, which, n_wires,
                                          int(row_ptr[-1]))
        if bad >= 0:
            raise FileFormatError(f"{name}: a term names wire {wires[bad]} of {n_wires}")
        try:
            coefs = FrVec.from_canonical_limbs(limbs)
        except ValueError as exc:
            raise FileFormatError(f"{name}: coefficient not below r ({exc})") from exc
        result.append(SparseMatrix(row_ptr, wires, coefs, n_wires))
    return result


def write_r1cs(r1cs: R1CS, target: Target) -> None:
    """Write circom's .r1cs (version 1, sections 1, 2, 3). Terms are written in the
    stored order: ascending wires for built systems, the original order for read ones
    (circom does not always sort), so a read file writes back identically."""
    m = r1cs.n_constraints
    counts = np.stack([np.diff(mat.row_ptr) for mat in (r1cs.a, r1cs.b, r1cs.c)], axis=1)
    words_per_lc = 1 + 9 * counts.reshape(-1)  # LC order: constraint-major, then A, B, C
    lc_start = np.zeros(3 * m + 1, dtype=np.int64)
    np.cumsum(words_per_lc, out=lc_start[1:])
    out = np.zeros(int(lc_start[-1]), dtype="<u4")
    out[lc_start[:-1]] = counts.reshape(-1)
    for which, mat in enumerate((r1cs.a, r1cs.b, r1cs.c)):
        rows = mat.rows_of_terms()
        canon = mat.coef.to_canonical_limbs()
        position = np.arange(mat.nnz, dtype=np.int64) - mat.row_ptr[rows]
        word = lc_start[3 * rows + which] + 1 + 9 * position
        terms = np.empty((mat.nnz, 9), dtype="<u4")
        terms[:, 0] = mat.col
        terms[:, 1:] = canon.astype("<u8").view("<u4").reshape(-1, 8)
        out[word[:, None] + np.arange(9)] = terms
    n_labels = r1cs.n_labels if r1cs.n_labels is not None else r1cs.n_wires
    header = (struct.pack("<I", 32) + _PRIME_BYTES
              + struct.pack("<IIIIQI", r1cs.n_wires, r1cs.n_pub_out, r1cs.n_pub_in,
                            r1cs.n_prv_in, n_labels, m))
    labels = r1cs.wire_labels if r1cs.wire_labels is not None else np.arange(r1cs.n_wires)
    wire_map = np.asarray(labels, dtype="<u8").tobytes()
    data = binfile.build(b"r1cs", 1, [(1, header), (2, out.tobytes()), (3, wire_map)])
    binfile.write_target(target, data)


# -- .wtns ---------------------------------------------------------------------------
def read_wtns(source: binfile.Source, name: str = ".wtns") -> FrVec:
    """Read a .wtns (version <= 2) into an FrVec of all wire values (values < r). The
    declared count must match the 32-byte values present before anything is allocated.
    A path is mapped, not read: the values go from the file's pages straight into the
    FrVec (checked below r and converted in one native pass, no other copy;
    ``zkcx.io.wtns``). Raises ``FileFormatError`` for any malformed file; nothing else."""
    data, _mapped = binfile.map_source(source)
    n, values = parse_wtns(data, name)
    limbs = np.empty((n, 4), dtype=np.uint64)
    wtns_to_montgomery(limbs, values, n, name)
    return FrVec._wrap(limbs)


def write_wtns(witness: Witness | FrVec, target: Target) -> None:
    """Write a .wtns, version 2."""
    values = witness.values if isinstance(witness, Witness) else witness
    header = struct.pack("<I", 32) + _PRIME_BYTES + struct.pack("<I", len(values))
    data = binfile.build(b"wtns", 2, [(1, header), (2, values.to_bytes("little"))])
    binfile.write_target(target, data)
