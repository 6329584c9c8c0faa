# SPDX-License-Identifier: MIT
"""The Groth16 ``.zkey`` layout (docs/formats.md: .zkey), parsed and validated without
numpy: the one parser behind ``read_zkey`` (which wraps the sections as numpy point
vectors) and the numpy-free prover ``zkcx.groth16.lean`` (which hands them to C as they
are). Nothing large is copied: the sections are views of the file's bytes (a read-only
mapping for a path).

Sections: 1 protocol (u32 1 = Groth16), 2 header (curve, sizes, the six key points),
3 IC, 4 coefficients (u32 count, 44-byte records), 5 A, 6 B1, 7 B2, 8 C, 9 H (points in
Montgomery form, 64 bytes in G1, 128 in G2; the identity all zeros), 10 contributions.

Validation, once per load, each in one native pass: the header's curve and sizes, its
points on their curves (the G2 ones in the subgroup) and none the identity, every
coefficient record in range, every point of IC, A, B1, B2, C, H on its curve (B2's
subgroup only on request: see ``read_zkey``), no IC point the identity."""

import struct
from collections.abc import Iterator
from typing import Any, NamedTuple

from zkcx._bindings import (
    G1_BINDING,
    G2_BINDING,
    buffer_address,
    g1_vec_first_invalid,
    g2_in_subgroup,
    g2_vec_first_invalid,
    points_nonidentity,
    words_from_bytes,
    zkey_coefs_csr,
    zkey_coefs_first_invalid,
)
from zkcx.errors import (
    FileFormatError,
    InvalidArgumentError,
    InvalidKeyError,
    KeyFileChangedError,
)
from zkcx.io import binfile
from zkcx.params import FQ_MODULUS, FR_MODULUS, MAX_CONSTRAINTS

_Q = FQ_MODULUS.to_bytes(32, "little")
_R = FR_MODULUS.to_bytes(32, "little")
HEADER_SIZE = 4 + 32 + 4 + 32 + 12 + 64 * 3 + 128 * 3
#: the header's points, in file order, and whether each is in G2
HEADER_POINTS = (("alpha_1", False), ("beta_1", False), ("beta_2", True),
                 ("gamma_2", True), ("delta_1", False), ("delta_2", True))


class ZkeyLayout(NamedTuple):
    """A parsed, validated zkey: sizes, the header points (Montgomery bytes), the point
    sections and the coefficient records as views of ``data``, and the mapping they live
    in (None for bytes given in memory). (A named tuple: no ``dataclasses`` import on
    ``zkcx prove``'s start-up.)"""

    name: str
    n_wires: int
    n_public: int
    domain_size: int
    header_points: dict[str, bytes]
    ic: memoryview
    coef_count: int
    coef_records: memoryview
    a: memoryview
    b1: memoryview
    b2: memoryview
    c: memoryview
    h: memoryview
    contributions: bytes
    section_order: tuple[int, ...]
    mapped: binfile.MappedFile | None

    def release(self, section: memoryview) -> None:
        """Drop a section's pages from resident memory (a mapped key only): it is read
        again from the page cache when used."""
        release_section(self.mapped, section)

    def check_unchanged(self) -> None:
        """``check_unchanged`` of the key's mapping (nothing to do for bytes)."""
        if self.mapped is not None:
            check_unchanged(self.mapped, self.name)

    def matrices(self) -> tuple[tuple[Any, Any, Any, int], tuple[Any, Any, Any, int]]:
        """The CSR of the A and B coefficient matrices (``coefficient_csr``)."""
        return tuple(coefficient_csr(self.coef_records, self.coef_count, which,  # type: ignore[return-value]
                                     self.domain_size, self.n_wires, self.name)
                     for which in (0, 1))


def header_bytes(n_wires: int, n_public: int, domain: int, points: dict[str, bytes]) -> bytes:
    """Section 2 (the Groth16 header): the curve, the sizes and the six points
    (Montgomery bytes, ``HEADER_POINTS``' names)."""
    return b"".join([struct.pack("<I", 32), _Q, struct.pack("<I", 32), _R,
                     struct.pack("<III", n_wires, n_public, domain),
                     *(points[what] for what, _ in HEADER_POINTS)])


def file_parts(sections: dict[int, Any], sizes: dict[int, int],
               order: tuple[int, ...]) -> Iterator[bytes | memoryview]:
    """A zkey's bytes in pieces, in file order (``order`` first, then the other sections
    in id order): the container header, then each section's header and payload.
    ``sections`` maps an id to a function giving its payload's pieces, called when the
    section is reached (so a late section can wait for its content); ``sizes`` gives the
    size of those whose pieces are not all known up front (the others are summed)."""
    ids = [s for s in order if s in sections]
    ids += [s for s in sorted(sections) if s not in ids]
    yield b"zkey" + struct.pack("<II", 1, len(ids))
    for section_id in ids:
        payload = sections[section_id]()
        size = sizes.get(section_id)
        if size is None:
            payload = list(payload)
            size = sum(memoryview(part).nbytes for part in payload)
        yield struct.pack("<IQ", section_id, size)
        yield from payload


def check_unchanged(mapped: binfile.MappedFile, name: str) -> None:
    """``KeyFileChangedError`` once the mapped key file's size or modification time moved
    since it was read (one ``fstat``): its points are used in place."""
    change = mapped.changed()
    if change is not None:
        raise KeyFileChangedError(
            f"{name}: the proving key file changed on disk after it was read "
            f"({change}); its points are read in place, so it cannot be used any more: "
            f"read the key again")


def coefficient_csr(records: memoryview, count: int, which: int, rows: int, wires: int,
                    name: str) -> tuple[Any, Any, Any, int]:
    """(row_ptr, col, Montgomery coef, nnz) of matrix 0 (A) or 1 (B) of a key's checked
    coefficient records, built in C into native buffers (``zkey_coefs_csr``); records
    that no longer pass the load's checks mean the file changed on disk
    (``KeyFileChangedError``)."""
    try:
        return zkey_coefs_csr(records, count, which, rows, wires)
    except InvalidArgumentError as exc:
        raise KeyFileChangedError(
            f"{name}: section 4 (coefs) no longer passes the checks made when the "
            f"key was read ({exc}): the file changed on disk; read the key again"
        ) from None


def release_section(mapped: binfile.MappedFile | None, section: memoryview) -> None:
    """Drop the pages of ``section``, a view of ``mapped``, from resident memory."""
    if mapped is None or len(section) == 0:
        return
    mapped.release(buffer_address(section) - buffer_address(mapped.buffer), len(section))


def _point_error(what: str, g2: bool, name: str, raw: bytes) -> None:
    """The header's ``what``: FileFormatError off its curve (or, in G2, its subgroup),
    InvalidKeyError for the identity."""
    words = words_from_bytes(raw, 16 if g2 else 8)
    binding = G2_BINDING if g2 else G1_BINDING
    if not binding.is_on_curve(words):
        raise FileFormatError(f"{name}: header {what}: not a {binding.name} point: a "
                              f"coordinate is not below p or the point is not on the curve")
    if g2 and not g2_in_subgroup(words):
        raise FileFormatError(f"{name}: header {what}: the point is on the twist curve but "
                              f"not in the order-r subgroup G2")
    if raw == bytes(len(raw)):
        raise InvalidKeyError(f"{name}: header point {what} is the point at infinity; "
                              f"proofs of false statements would verify under this key")


def _check_points(data: memoryview, count: int, g2: bool, what: str, name: str,
                  check_subgroup: bool = False) -> memoryview:
    size = 128 if g2 else 64
    if len(data) != size * count:
        raise FileFormatError(f"{name}: section {what} has {len(data)} bytes, expected "
                              f"{count} points of {size} bytes")
    if not g2:
        bad = g1_vec_first_invalid(data, count)
        if bad >= 0:
            raise FileFormatError(f"{name}: section {what}: point {bad} is not a G1 point "
                                  f"(coordinate >= p or not on the curve)")
        return data
    bad = g2_vec_first_invalid(data, False, count)
    if bad >= 0:
        raise FileFormatError(f"{name}: section {what}: point {bad} is not on the G2 twist "
                              f"curve (coordinate >= p or off the curve)")
    if check_subgroup:
        bad = g2_vec_first_invalid(data, True, count)
        if bad >= 0:
            raise FileFormatError(f"{name}: section {what}: point {bad} is on the twist but "
                                  f"not in the subgroup G2")
    return data


def _check_coefs(data: memoryview, n_wires: int, domain: int, name: str
                 ) -> tuple[int, memoryview]:
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
    return count, records


def parse_zkey(source: binfile.Source, name: str = ".zkey",
               check_b2_subgroup: bool = False, *, identity_ic_ok: bool = False) -> ZkeyLayout:
    """Parse and validate a Groth16 zkey (version <= 2); a path is mapped read-only
    (``binfile.MappedFile``: its SIGBUS guard and change detection). Every count is
    checked against the bytes present. Each section's pages leave resident memory once
    it is validated (they are read again, from the page cache, when used). Raises
    ``FileFormatError`` (a truncated, corrupt or inconsistent file, a point off its
    curve) or ``InvalidKeyError`` (a header or IC point at infinity); nothing else.
    ``identity_ic_ok`` lets IC points at infinity through: for a key zkcx has just made
    (``new_zkey`` from a ptau with tau = 1 makes one, as snarkjs does), not for one to
    prove or verify with."""
    data, mapped = binfile.map_source(source)
    f = binfile.parse(data, b"zkey", 2, name)
    protocol = bytes(f.section(1, "protocol"))
    if len(protocol) != 4 or struct.unpack("<I", protocol)[0] != 1:
        raise FileFormatError(f"{name}: not a Groth16 zkey (protocol section {protocol.hex()})")
    h = bytes(f.section(2, "Groth16 header"))
    if len(h) != HEADER_SIZE:
        raise FileFormatError(f"{name}: Groth16 header is {len(h)} bytes, expected {HEADER_SIZE}")
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
    header_points = {}
    for what, g2 in HEADER_POINTS:
        size = 128 if g2 else 64
        header_points[what] = h[off : off + size]
        _point_error(what, g2, name, header_points[what])
        off += size
    coef_section = f.section(4, "coefs")
    coef_count, coef_records = _check_coefs(coef_section, n_wires, domain, name)
    release_section(mapped, coef_section)  # read again when the matrices are built
    order: list[int] = []
    for section_id in f.sections:
        if section_id not in order:
            order.append(section_id)
    ic = _check_points(f.section(3, "IC"), n_public + 1, False, "3 (IC)", name)
    index, count = points_nonidentity(ic, n_public + 1, 8)
    if count < n_public + 1 and not identity_ic_ok:
        first = next(i for i in range(count + 1) if i == count or index[i] != i)
        raise InvalidKeyError(f"{name}: section 3 (IC) point {first} is the point at "
                              f"infinity; its public signal would not be bound")

    def points(section_id: int, label: str, count: int, g2: bool,
               check_subgroup: bool = False) -> memoryview:
        view = _check_points(f.section(section_id, label), count, g2,
                             f"{section_id} ({label})", name, check_subgroup)
        release_section(mapped, view)  # validated: its pages leave resident memory until used
        return view

    return ZkeyLayout(
        name=name, n_wires=n_wires, n_public=n_public, domain_size=domain,
        header_points=header_points, ic=ic, coef_count=coef_count, coef_records=coef_records,
        a=points(5, "A", n_wires, False),
        b1=points(6, "B1", n_wires, False),
        b2=points(7, "B2", n_wires, True, check_b2_subgroup),
        c=points(8, "C", n_wires - n_public - 1, False),
        h=points(9, "H", domain, False),
        contributions=bytes(f.section(10, "contributions")) if f.has(10) else b"",
        section_order=tuple(order), mapped=mapped,
    )
