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

from zkcx._bindings import ffi, first_not_below, r1cs_lc_terms
from zkcx.field import FrVec
from zkcx.io import binfile
from zkcx.io.r1cs import R1csLayout, checked_wire_map, coefficient_error, parse_r1cs, wire_error
from zkcx.io.wtns import parse_wtns, wtns_to_montgomery
from zkcx.params import FR_MODULUS
from zkcx.r1cs.circuit import R1CS, Witness
from zkcx.r1cs.matrix import SparseMatrix

_PRIME_BYTES = FR_MODULUS.to_bytes(32, "little")
Target = str | os.PathLike | BinaryIO


# -- .r1cs ---------------------------------------------------------------------------
def read_r1cs(source: binfile.Source, name: str = ".r1cs") -> R1CS:
    """Read a circom .r1cs (version 1; sections in any order; custom gates refused).

    The layout is parsed and its sizes checked by ``zkcx.io.r1cs.parse_r1cs`` (before
    anything is allocated; m and nWires at most ``MAX_CONSTRAINTS`` and ``MAX_WIRES``,
    2^28); the terms are copied in C into the matrices, their wires checked below nWires
    and their coefficients below r. Raises ``FileFormatError`` for any malformed file,
    naming the count and the size; nothing else. A path is mapped, not read: the terms
    go from the file's pages straight into the matrices."""
    layout = parse_r1cs(source, name)
    matrices = _matrices(layout)
    wire_labels = np.frombuffer(checked_wire_map(layout), dtype="<u8").astype(np.uint64)
    return R1CS(n_wires=layout.n_wires, n_pub_out=layout.n_pub_out,
                n_pub_in=layout.n_pub_in, n_prv_in=layout.n_prv_in,
                a=matrices[0], b=matrices[1], c=matrices[2], label_starts=[0],
                labels=["r1cs[]"], name=name, n_labels=layout.n_labels,
                wire_labels=wire_labels)


def _matrices(layout: R1csLayout) -> list[SparseMatrix]:
    """The A, B, C matrices (CSR) of a parsed .r1cs, their terms copied in C."""
    m, n_wires, name = layout.m, layout.n_wires, layout.name
    ks_all = np.frombuffer(ffi.buffer(layout.ks, 8 * 3 * m), dtype=np.int64)
    result = []
    for which in range(3):
        row_ptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(ks_all[which::3], out=row_ptr[1:])
        nnz = int(row_ptr[-1])
        wires = np.empty(nnz, dtype=np.int64)
        limbs = np.empty((nnz, 4), dtype=np.uint64)
        bad = r1cs_lc_terms(layout.constraints, layout.starts, layout.ks, m, which, n_wires,
                            wires, limbs)
        if bad >= 0:
            raise wire_error(name, int(wires[bad]), n_wires)
        high = first_not_below(limbs, FR_MODULUS)
        if high >= 0:
            row = int(np.searchsorted(row_ptr, high, side="right")) - 1
            value = int.from_bytes(limbs[high].astype("<u8").tobytes(), "little")
            raise coefficient_error(name, value, f"a term of constraint {row}")
        result.append(SparseMatrix(row_ptr, wires, FrVec.from_canonical_limbs(limbs), n_wires))
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
