# SPDX-License-Identifier: MIT
"""circom's ``.r1cs`` layout (docs/formats.md: .r1cs), parsed without numpy: version 1,
header (section 1: u32 n8, the 32-byte prime, u32 nWires, nPubOut, nPubIn, nPrvIn,
u64 nLabels, u32 m), constraints (section 2: per constraint the linear combinations A,
B, C, each ``u32 k`` then k terms ``u32 wire, 32-byte coefficient``), wire-to-label map
(section 3). The one parser behind ``zkcx.r1cs.read_r1cs`` (which copies the terms into
numpy matrices) and ``zkcx zkey new`` (whose terms go from the file's pages straight into
native buffers, ``zkcx.ceremony.zkey_new``).

Sizes are checked against the bytes present before anything is allocated: m
constraints need at least 12·m bytes of section 2, each term 36 bytes, and the wire map
8 bytes per wire; m and nWires are at most ``MAX_CONSTRAINTS`` and ``MAX_WIRES``. The
terms' wires (below nWires) and coefficients (below r) are checked by whoever copies them
out, in the same native pass (``wire_error``, ``coefficient_error`` word the errors)."""

from __future__ import annotations

import struct
from typing import Any, NamedTuple

from zkcx._bindings import r1cs_lc_scan
from zkcx.errors import FileFormatError
from zkcx.io import binfile
from zkcx.io.wtns import check_field
from zkcx.params import FR_MODULUS, MAX_CONSTRAINTS, MAX_WIRES

#: Bytes of the smallest constraint: three empty linear combinations (three u32 counts).
_MIN_CONSTRAINT_BYTES = 12


class R1csLayout(NamedTuple):
    """A parsed .r1cs: the header's counts, the constraints section (a view of the file's
    bytes) with the byte offset (``starts``) and term count (``ks``) of each of its 3m
    linear combinations (native ``int64_t`` buffers), the wire map's bytes (None when
    the file has none: ``checked_wire_map`` refuses that, after the terms' checks), and
    the mapping they live in (None for bytes given in memory)."""

    name: str
    n_wires: int
    n_pub_out: int
    n_pub_in: int
    n_prv_in: int
    n_labels: int
    m: int
    constraints: memoryview
    starts: Any
    ks: Any
    wire_map: memoryview | None
    mapped: binfile.MappedFile | None

    @property
    def n_public(self) -> int:
        """Public signals (outputs, then public inputs)."""
        return self.n_pub_out + self.n_pub_in


def parse_r1cs(source: binfile.Source, name: str = ".r1cs") -> R1csLayout:
    """Parse a circom .r1cs (version 1; sections in any order; custom gates refused); a
    path is mapped read-only. Raises ``FileFormatError`` for any malformed file, naming
    the count and the size; nothing else."""
    data, mapped = binfile.map_source(source)
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
    starts, ks, used, short = r1cs_lc_scan(constraints, 3 * m)
    if short >= 0:
        raise FileFormatError(f"{name}: constraints section truncated in constraint "
                              f"{short // 3}")
    if used != len(constraints):
        raise FileFormatError(f"{name}: {len(constraints) - used} stray bytes after the last "
                              f"constraint")
    wire_map = f.section(3, "wire map") if f.has(3) else None
    return R1csLayout(name, n_wires, n_out, n_in, n_prv, n_labels, m, constraints, starts,
                      ks, wire_map, mapped)


def checked_wire_map(layout: R1csLayout) -> memoryview:
    """The wire map (section 3: a u64 label per wire), which circom and zkcx always write;
    ``FileFormatError`` if it is missing or not 8 bytes per wire."""
    name, n_wires, wire_map = layout.name, layout.n_wires, layout.wire_map
    if wire_map is None:
        raise FileFormatError(f"{name}: the wire map (section 3) is missing; circom and zkcx "
                              f"always write it, and it backs the {n_wires} declared wires")
    if len(wire_map) != 8 * n_wires:
        raise FileFormatError(f"{name}: declares {n_wires} wires but the wire map has "
                              f"{len(wire_map)} bytes ({8 * n_wires} expected)")
    return wire_map


def wire_error(name: str, wire: int, n_wires: int) -> FileFormatError:
    """The error for a term naming a wire that does not exist."""
    return FileFormatError(f"{name}: a term names wire {wire} of {n_wires}")


def coefficient_error(name: str, value: int, where: str) -> FileFormatError:
    """The error for a coefficient not below r (``where``: which term)."""
    return FileFormatError(f"{name}: coefficient not below r ({where} is {value}, not "
                           f"below the Fr modulus {FR_MODULUS})")
