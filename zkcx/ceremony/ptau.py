# SPDX-License-Identifier: MIT
"""snarkjs powers-of-tau files (``.ptau``, docs/formats.md, .ptau): read, validated, and
written back byte for byte.

A ptau of power p (N = 2^p) holds tau^j·G1 for j < 2N − 1, tau^j·G2, alpha·tau^j·G1 and
beta·tau^j·G1 for j < N, beta·G2, the ceremony's contributions (section 7) and, once
prepared for phase 2, the same powers in the Lagrange basis of every domain up to 2N
(sections 12–15). Points are little-endian Montgomery affine coordinates, zkcx's native
layout. A file read from a path is memory-mapped and its point sections are used in
place: a section's points are checked (range, curve equation) by one native call the
first time a block of them is used (``Ptau.section_points``, ``lagrange_block``), so a
circuit reading the blocks of its own size touches only those pages of a large file.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from zkcx.ceremony.transcript import partial_hash_problem, response_hash
from zkcx.curve import G1, G2, G1Vec, G2Vec, PointVector
from zkcx.errors import FileFormatError, InvalidArgumentError, PointError
from zkcx.io import binfile
from zkcx.io.ptau import CANONICAL_ORDER as _CANONICAL_ORDER
from zkcx.io.ptau import HEADER as _HEADER
from zkcx.io.ptau import (
    LAGRANGE_SECTIONS,
    MAGIC,
    MAX_POWER,
    POINT_SECTIONS,
    VERSION,
    PtauLayout,
    check_points,
    parse_ptau,
)
from zkcx.io.ptau import Q_BYTES as _Q

#: Bytes of a partial BLAKE2b state (blake2b-wasm's context: buffer, h, t, c, f).
PARTIAL_HASH_SIZE = 216
HASH_SIZE = 64
KIND_CONTRIBUTION = 0
KIND_BEACON = 1

_G1_SIZE = 64
_G2_SIZE = 128
_KEY_SIZE = 6 * _G1_SIZE + 3 * _G2_SIZE
_RECORD_FIXED = 3 * _G1_SIZE + 2 * _G2_SIZE + _KEY_SIZE + PARTIAL_HASH_SIZE + HASH_SIZE + 8
#: The point sections of a Ptau: section id -> (field, point class).
_POINT_FIELDS = {2: ("tau_g1", G1Vec), 3: ("tau_g2", G2Vec), 4: ("alpha_tau_g1", G1Vec),
                 5: ("beta_tau_g1", G1Vec), 12: ("lagrange_g1", G1Vec),
                 13: ("lagrange_g2", G2Vec), 14: ("lagrange_alpha_g1", G1Vec),
                 15: ("lagrange_beta_g1", G1Vec)}
_VECTOR_NAMES = frozenset(name for name, _ in _POINT_FIELDS.values())
#: Bytes hashed at a time by ``Ptau.file_hash`` over a mapped file.
_HASH_CHUNK = 1 << 22


class MappedSection:
    """A point section of a ptau read from a file: a read-only view of the file's bytes
    whose points are checked (coordinates below p, on the curve) by one native call per
    block, the first time the block is used; ``points`` raises ``PtauPointError`` (a
    ``FileFormatError``) naming the file, the section and the block for a bad point."""

    __slots__ = ("cls", "section", "what", "name", "_limbs", "_checked")

    def __init__(self, cls: type[PointVector], data: memoryview, section: int, what: str,
                 name: str) -> None:
        self.cls, self.section, self.what, self.name = cls, section, what, name
        self._limbs = np.frombuffer(data, dtype=np.uint64).reshape(-1, cls.words)
        self._checked: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return len(self._limbs)

    def raw(self, start: int, stop: int) -> np.ndarray:
        """Points ``start``..``stop - 1`` as stored, not checked (aligned: a view of the
        file, else a copy)."""
        block = self._limbs[start:stop]
        return block if block.flags.aligned else block.copy()

    def points(self, start: int, stop: int) -> PointVector:
        """Points ``start``..``stop - 1``, each checked once (only the runs of them no
        block asked for before covers: a section is often read in overlapping blocks)."""
        block = self.raw(start, stop)
        for lo, hi in self._unchecked(start, stop):
            check_points(block[lo - start : hi - start], hi - lo, self.section, self.name, lo)
            self._checked.append((lo, hi))
        return self.cls._wrap(block)

    def _unchecked(self, start: int, stop: int) -> list[tuple[int, int]]:
        """The runs of ``start``..``stop - 1`` outside every checked block, in order."""
        runs, at = [], start
        for a, b in sorted(self._checked):
            if b <= at:
                continue
            if a >= stop:
                break
            if a > at:
                runs.append((at, a))
            at = b
        if at < stop:
            runs.append((at, stop))
        return runs


@dataclass(frozen=True)
class PtauKey:
    """The public key of one secret (tau, alpha or beta) of a contribution: g1_s a G1
    point derived from the contributor's randomness, g1_sx = [x] g1_s, and g2_spx = [x]
    g2_sp where g2_sp is hashed from the challenge and g1_s, g1_sx (snarkjs keypair.js):
    a proof of knowledge of x bound to the transcript."""

    g1_s: G1
    g1_sx: G1
    g2_spx: G2


@dataclass(frozen=True)
class PtauContribution:
    """One record of section 7: the points after the contribution (tau·G1, tau·G2,
    alpha·G1, beta·G1, beta·G2), the public keys of its three secrets, the partial
    BLAKE2b state of its response hash (everything but the public key hashed), the hash
    of the challenge it leaves for the next contributor, its kind and parameters.

    ``name`` is None when the file carries no name parameter; ``iterations_exp`` and
    ``beacon_hash`` are set for a beacon (``kind`` 1) and None otherwise."""

    tau_g1: G1
    tau_g2: G2
    alpha_g1: G1
    beta_g1: G1
    beta_g2: G2
    tau_key: PtauKey
    alpha_key: PtauKey
    beta_key: PtauKey
    partial_hash: bytes
    next_challenge: bytes
    kind: int = KIND_CONTRIBUTION
    name: str | None = None
    iterations_exp: int | None = None
    beacon_hash: bytes | None = None

    @property
    def is_beacon(self) -> bool:
        return self.kind == KIND_BEACON

    @property
    def keys(self) -> tuple[PtauKey, PtauKey, PtauKey]:
        """(tau, alpha, beta) public keys, in snarkjs's order."""
        return self.tau_key, self.alpha_key, self.beta_key

    @property
    def response_hash(self) -> bytes:
        """The contribution's hash (snarkjs's "Contribution Response Hash"): its partial
        hash finished with its public key."""
        return response_hash(self.partial_hash, self.keys)


@dataclass(frozen=True, eq=False)
class Ptau:
    """A powers-of-tau file of power p (N = 2^p points per power section).

    ``tau_g1``: 2N − 1 points tau^j·G1; ``tau_g2``, ``alpha_tau_g1``, ``beta_tau_g1``: N
    points each; ``beta_g2``; ``contributions`` in ceremony order. The four ``lagrange_*``
    vectors are the prepared sections 12–15 (None in an unprepared file): for every domain
    size M = 2^k a block of M points L_i^(M)(tau)·Base starting at index M − 1, up to M = 2N
    for ``lagrange_g1`` and M = N for the others (see ``lagrange_block``).
    ``ceremony_power`` is the power the ceremony ran at (above ``power`` only in a
    truncated file). ``section_order`` is the order of the sections in the file read
    (written back in that order, so a read–write round trip is byte-identical).

    A ptau from ``read_ptau`` holds its point sections as ``MappedSection`` views of the
    file: reading an attribute (``ptau.tau_g1``) checks and returns the whole section,
    ``section_points`` and ``lagrange_block`` only the block asked for.

    Two ptaus are equal when their files are byte-identical."""

    power: int
    ceremony_power: int
    tau_g1: G1Vec
    tau_g2: G2Vec
    alpha_tau_g1: G1Vec
    beta_tau_g1: G1Vec
    beta_g2: G2
    contributions: tuple[PtauContribution, ...] = ()
    lagrange_g1: G1Vec | None = None
    lagrange_g2: G2Vec | None = None
    lagrange_alpha_g1: G1Vec | None = None
    lagrange_beta_g1: G1Vec | None = None
    section_order: tuple[int, ...] = field(default=(), repr=False)
    #: The file this ptau was read from, unchanged (set by read_ptau; None otherwise, and
    #: after dataclasses.replace).
    _file: Any = field(default=None, init=False, repr=False, compare=False)
    _mapped: Any = field(default=None, init=False, repr=False, compare=False)

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if name in _VECTOR_NAMES and isinstance(value, MappedSection):
            value = value.points(0, len(value))
            object.__setattr__(self, name, value)
        return value

    def _stored(self, name: str) -> Any:
        """A field as stored: a vector, a MappedSection or None (nothing checked)."""
        return object.__getattribute__(self, name)

    def __post_init__(self) -> None:
        if (not isinstance(self.power, int) or not 1 <= self.power <= MAX_POWER
                or not isinstance(self.ceremony_power, int)
                or not self.power <= self.ceremony_power <= MAX_POWER):
            raise InvalidArgumentError(f"a Ptau has 1 <= power <= ceremony_power <= "
                                       f"{MAX_POWER}, got {self.power!r} and "
                                       f"{self.ceremony_power!r}")
        n = 1 << self.power
        expected = [("tau_g1", G1Vec, 2 * n - 1), ("tau_g2", G2Vec, n),
                    ("alpha_tau_g1", G1Vec, n), ("beta_tau_g1", G1Vec, n)]
        prepared = [("lagrange_g1", G1Vec, 4 * n - 1), ("lagrange_g2", G2Vec, 2 * n - 1),
                    ("lagrange_alpha_g1", G1Vec, 2 * n - 1),
                    ("lagrange_beta_g1", G1Vec, 2 * n - 1)]
        present = [self._stored(name) is not None for name, _, _ in prepared]
        if any(present) and not all(present):
            raise InvalidArgumentError("a Ptau has all four Lagrange sections (12-15) or none")
        for name, cls, count in expected + (prepared if all(present) else []):
            value = self._stored(name)
            if isinstance(value, MappedSection) and value.cls is cls and len(value) == count:
                continue
            if not isinstance(value, cls) or len(value) != count:
                raise InvalidArgumentError(f"Ptau.{name} must be a {cls.__name__} of {count} "
                                           f"points for power {self.power}")
        if not isinstance(self.beta_g2, G2):
            raise InvalidArgumentError("Ptau.beta_g2 must be a G2 point")
        if not all(isinstance(c, PtauContribution) for c in self.contributions):
            raise InvalidArgumentError("Ptau.contributions must be PtauContribution records")

    @property
    def size(self) -> int:
        """N = 2^power."""
        return 1 << self.power

    @property
    def is_prepared(self) -> bool:
        """Whether the Lagrange sections 12–15 are present (``prepare_ptau``)."""
        return self._stored("lagrange_g1") is not None

    @property
    def file_hash(self) -> bytes:
        """BLAKE2b-512 of the file's bytes (what ``b2sum`` prints for the file): of a
        file read from a path, hashed from its mapping a few MB at a time."""
        h = hashlib.blake2b(digest_size=64)
        data = self._file
        if data is None:
            for part in _file_parts(self):
                h.update(part)
            return h.digest()
        view = memoryview(data)
        for start in range(0, len(data), _HASH_CHUNK):
            h.update(view[start : start + _HASH_CHUNK])
            if self._mapped is not None:  # hashed pages need not stay resident
                self._mapped.release(start, _HASH_CHUNK)
        view.release()
        return h.digest()

    def file_identity(self) -> tuple[int, int, int, int] | None:
        """(device, inode, size, modification time in ns) of the file this ptau is
        mapped from, or None for one read from bytes: a hash of the same file taken
        elsewhere (``zkcx zkey verify`` hashes it beside its imports) is this file's
        ``file_hash`` when it names the same identity."""
        if self._mapped is None:
            return None
        st = self._mapped.stat()
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def release_pages(self) -> None:
        """Drop the pages of the mapped file read so far from resident memory (they are
        read again from the page cache if used again): for long computations that are
        done with the blocks they read. Nothing for a ptau not read from a path."""
        if self._mapped is not None:
            self._mapped.release(0, self._mapped.size)

    def section_points(self, section: int, start: int, stop: int) -> PointVector:
        """Points ``start``..``stop - 1`` of a point section (2–5, 12–15), checked (range
        and curve equation) the first time they are used; the rest of the section is not
        read."""
        if section not in _POINT_FIELDS:
            raise InvalidArgumentError(f"section_points: section must be one of 2-5 or "
                                       f"12-15, got {section!r}")
        name = _POINT_FIELDS[section][0]
        stored = self._stored(name)
        if stored is None:
            raise InvalidArgumentError("this ptau is not prepared for phase 2 (no sections "
                                       "12-15); run prepare_ptau (`zkcx ptau prepare`) first")
        if not (isinstance(start, int) and isinstance(stop, int)
                and 0 <= start <= stop <= len(stored)):
            raise InvalidArgumentError(f"section_points: need 0 <= start <= stop <= "
                                       f"{len(stored)} for section {section}, got {start!r}, "
                                       f"{stop!r}")
        if isinstance(stored, MappedSection):
            return stored.points(start, stop)
        return stored[start:stop]

    def first_point_bytes(self, section: int) -> bytes:
        """The first point of a point section as the file stores it (not checked)."""
        stored = self._stored(_POINT_FIELDS[section][0])
        if isinstance(stored, MappedSection):
            return stored.raw(0, 1).tobytes()
        return stored.limbs[:1].tobytes()

    def lagrange_block(self, section: int, size: int) -> PointVector:
        """The block of a prepared section (12–15) for domain size ``size`` (a power of
        two, at most 2N for section 12 and N for the others): L_i^(size)(tau)·Base for
        i < size, Base = G1, G2, alpha·G1, beta·G1. Section 12's block of size 2N is
        computed with tau^(2N−1) taken as 0, as snarkjs does (docs/formats.md)."""
        if section not in LAGRANGE_SECTIONS:
            raise InvalidArgumentError(f"lagrange_block: section must be one of 12, 13, 14, "
                                       f"15, got {section!r}")
        if not self.is_prepared:
            raise InvalidArgumentError("this ptau is not prepared for phase 2 (no sections "
                                       "12-15); run prepare_ptau (`zkcx ptau prepare`) first")
        largest = (len(self._stored(_POINT_FIELDS[section][0])) + 1) // 2
        if (not isinstance(size, int) or isinstance(size, bool) or size < 1
                or size & (size - 1) or size > largest):
            raise InvalidArgumentError(f"lagrange_block: size must be a power of two up to "
                                       f"{largest} for section {section}, got {size!r}")
        return self.section_points(section, size - 1, 2 * size - 1)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ptau):
            return NotImplemented
        return ptau_bytes(self) == ptau_bytes(other)

    __hash__ = None  # type: ignore[assignment]


# -- reading ---------------------------------------------------------------------------


def read_ptau(source: binfile.Source, name: str = ".ptau") -> Ptau:
    """Read a ptau file (a path, bytes or a binary file object), validating it:

    * the container (magic ``ptau``, version 1, section sizes), BN254 in the header,
      1 <= power <= ceremony power <= 28, and no section other than 1–7 and 12–15;
    * every section's size is the one its power fixes (section 7 excepted), the prepared
      sections 12–15 all present or all absent;
    * every point's coordinates below p and on its curve: the G2 points used alone in
      pairings (section 6, and the points and public keys of every contribution), also
      in the order-r subgroup, here; the point sections 2–5 and 12–15 when first used
      (a whole section when its attribute is read, a block through ``section_points`` or
      ``lagrange_block``), which raises the same ``FileFormatError`` then. The points of
      sections 3 and 13 are subgroup-checked by ``verify_ptau`` (and the block a key
      uses by ``verify_zkey``), not here;
    * tau^0·G1 and tau^0·G2 (the first points of sections 2 and 3) the generators, and
      the size-1 Lagrange blocks equal to the first points of sections 2–5;
    * section 7 parsed fully: each record's kind (0 or 1), parameters (strictly
      ascending, known types, a UTF-8 name, a beacon's iterations and hash present
      exactly for a beacon), partial hash state well formed, nothing left over.

    Raises ``FileFormatError`` naming the file and the problem; nothing else. Whether
    the contributions are valid (proofs of knowledge, hash chain, powers of one tau) is
    ``verify_ptau``'s question."""
    if isinstance(source, (bytearray, memoryview)):
        source = bytes(source)  # points are used in place: not from a buffer that may change
    layout = parse_ptau(source, name)
    ptau = _read(layout)
    object.__setattr__(ptau, "_file", layout.data)
    object.__setattr__(ptau, "_mapped", layout.mapped)
    return ptau


def _read(layout: PtauLayout) -> Ptau:
    """The Ptau of a parsed layout: its point sections as ``MappedSection`` views, its
    contributions read (section 7)."""
    name = layout.name

    def mapped(section: int) -> MappedSection:
        cls = G2Vec if section in (3, 13) else G1Vec
        return MappedSection(cls, layout.points[section], section,
                             POINT_SECTIONS[section][0], name)

    contributions = _read_contributions(layout.contributions, name)
    lagrange: list[MappedSection | None] = [None] * 4
    if layout.is_prepared:
        lagrange = [mapped(section) for section in LAGRANGE_SECTIONS]
    return Ptau(
        power=layout.power, ceremony_power=layout.ceremony_power,
        tau_g1=mapped(2), tau_g2=mapped(3),  # type: ignore[arg-type]
        alpha_tau_g1=mapped(4), beta_tau_g1=mapped(5),  # type: ignore[arg-type]
        beta_g2=G2.from_montgomery_limbs(bytes(layout.beta_g2), check_subgroup=False),
        contributions=contributions,
        lagrange_g1=lagrange[0], lagrange_g2=lagrange[1],  # type: ignore[arg-type]
        lagrange_alpha_g1=lagrange[2], lagrange_beta_g1=lagrange[3],  # type: ignore[arg-type]
        section_order=layout.section_order,
    )


class _Cursor:
    """Reads a contributions section front to back, naming the record on failure."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data, self.pos, self.name, self.where = data, 0, name, "section 7"

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise FileFormatError(f"{self.name}: {self.where}: truncated in its {what}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u32(self, what: str) -> int:
        return struct.unpack("<I", self.take(4, what))[0]

    def point(self, cls: type[G1] | type[G2], what: str) -> G1 | G2:
        raw = self.take(_G1_SIZE if cls is G1 else _G2_SIZE, what)
        try:
            return cls.from_montgomery_limbs(raw, check_subgroup=True)
        except PointError as exc:
            raise FileFormatError(f"{self.name}: {self.where}: {what}: {exc}") from exc


def _read_contributions(section: memoryview, name: str) -> tuple[PtauContribution, ...]:
    cur = _Cursor(bytes(section), name)
    count = cur.u32("contribution count")
    if count * _RECORD_FIXED > len(cur.data) - 4:
        raise FileFormatError(f"{name}: section 7 declares {count} contributions but holds "
                              f"{len(cur.data)} bytes (at least {_RECORD_FIXED} each)")
    records = []
    for i in range(count):
        cur.where = f"section 7, contribution #{i + 1}"
        records.append(_read_record(cur))
    if cur.pos != len(cur.data):
        raise FileFormatError(f"{name}: section 7 has {len(cur.data) - cur.pos} bytes after "
                              f"its {count} contributions")
    return tuple(records)


def _read_record(cur: _Cursor) -> PtauContribution:
    points = {
        "tau_g1": cur.point(G1, "tauG1"), "tau_g2": cur.point(G2, "tauG2"),
        "alpha_g1": cur.point(G1, "alphaG1"), "beta_g1": cur.point(G1, "betaG1"),
        "beta_g2": cur.point(G2, "betaG2"),
    }
    g1 = [cur.point(G1, f"public key {w}") for w in ("tau g1_s", "tau g1_sx", "alpha g1_s",
                                                       "alpha g1_sx", "beta g1_s", "beta g1_sx")]
    g2 = [cur.point(G2, f"public key {w} g2_spx") for w in ("tau", "alpha", "beta")]
    keys = [PtauKey(g1[2 * k], g1[2 * k + 1], g2[k]) for k in range(3)]  # type: ignore[arg-type]
    partial = cur.take(PARTIAL_HASH_SIZE, "partial hash")
    problem = partial_hash_problem(partial)
    if problem:
        raise FileFormatError(f"{cur.name}: {cur.where}: the partial hash state is malformed "
                              f"({problem})")
    next_challenge = cur.take(HASH_SIZE, "next challenge hash")
    kind = cur.u32("type")
    if kind not in (KIND_CONTRIBUTION, KIND_BEACON):
        raise FileFormatError(f"{cur.name}: {cur.where}: unknown type {kind} (0 contribution, "
                              f"1 beacon)")
    params = _read_params(cur, cur.u32("parameters length"))
    if kind == KIND_BEACON and ("iterations_exp" not in params or "beacon_hash" not in params):
        raise FileFormatError(f"{cur.name}: {cur.where}: a beacon without its iterations and "
                              f"beacon hash parameters")
    if kind == KIND_CONTRIBUTION and ("iterations_exp" in params or "beacon_hash" in params):
        raise FileFormatError(f"{cur.name}: {cur.where}: a contribution (type 0) with beacon "
                              f"parameters")
    return PtauContribution(**points, tau_key=keys[0], alpha_key=keys[1],  # type: ignore[arg-type]
                            beta_key=keys[2], partial_hash=partial,
                            next_challenge=next_challenge, kind=kind, **params)


def _read_params(cur: _Cursor, length: int) -> dict:
    raw = cur.take(length, "parameters")
    params: dict = {}
    pos, last = 0, 0

    def take(n: int, what: str) -> bytes:
        nonlocal pos
        if pos + n > len(raw):
            raise FileFormatError(f"{cur.name}: {cur.where}: parameters end inside the {what}")
        pos += n
        return raw[pos - n : pos]

    while pos < len(raw):
        kind = take(1, "parameter type")[0]
        if kind <= last:
            raise FileFormatError(f"{cur.name}: {cur.where}: parameter {kind} after {last} "
                                  f"(they must be in strictly ascending order)")
        last = kind
        if kind == 1:
            encoded = take(take(1, "name length")[0], "name")
            try:
                params["name"] = encoded.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FileFormatError(f"{cur.name}: {cur.where}: the name is not UTF-8") from exc
        elif kind == 2:
            params["iterations_exp"] = take(1, "iterations exponent")[0]
        elif kind == 3:
            params["beacon_hash"] = take(take(1, "beacon hash length")[0], "beacon hash")
        else:
            raise FileFormatError(f"{cur.name}: {cur.where}: unknown parameter type {kind} "
                                  f"(1 name, 2 iterations, 3 beacon hash)")
    return params


# -- writing ---------------------------------------------------------------------------


def _params_bytes(c: PtauContribution) -> bytes:
    out = bytearray()
    if c.name is not None:
        encoded = c.name.encode("utf-8")
        if len(encoded) > 255:
            raise InvalidArgumentError(f"a contribution name takes at most 255 UTF-8 bytes, "
                                       f"this one {len(encoded)}")
        out += bytes([1, len(encoded)]) + encoded
    if c.iterations_exp is not None:
        out += bytes([2, c.iterations_exp])
    if c.beacon_hash is not None:
        if len(c.beacon_hash) > 255:
            raise InvalidArgumentError(f"a beacon hash takes at most 255 bytes, this one "
                                       f"{len(c.beacon_hash)}")
        out += bytes([3, len(c.beacon_hash)]) + c.beacon_hash
    return bytes(out)


def contribution_record(c: PtauContribution) -> bytes:
    """One contribution as section 7 stores it."""
    params = _params_bytes(c)
    return b"".join([
        c.tau_g1.montgomery_limbs(), c.tau_g2.montgomery_limbs(), c.alpha_g1.montgomery_limbs(),
        c.beta_g1.montgomery_limbs(), c.beta_g2.montgomery_limbs(),
        *(k.g1_s.montgomery_limbs() + k.g1_sx.montgomery_limbs() for k in c.keys),
        *(k.g2_spx.montgomery_limbs() for k in c.keys),
        c.partial_hash, c.next_challenge, struct.pack("<II", c.kind, len(params)), params,
    ])


def _sections(ptau: Ptau) -> dict[int, bytes | memoryview]:
    out: dict[int, bytes | memoryview] = {
        1: _HEADER.pack(32, _Q, ptau.power, ptau.ceremony_power),
        2: memoryview(ptau.tau_g1.limbs).cast("B"),
        3: memoryview(ptau.tau_g2.limbs).cast("B"),
        4: memoryview(ptau.alpha_tau_g1.limbs).cast("B"),
        5: memoryview(ptau.beta_tau_g1.limbs).cast("B"),
        6: ptau.beta_g2.montgomery_limbs(),
        7: struct.pack("<I", len(ptau.contributions))
        + b"".join(contribution_record(c) for c in ptau.contributions),
    }
    prepared = (ptau.lagrange_g1, ptau.lagrange_g2, ptau.lagrange_alpha_g1,
                ptau.lagrange_beta_g1)
    if ptau.is_prepared:
        for section, points in zip(LAGRANGE_SECTIONS, prepared):
            out[section] = memoryview(points.limbs).cast("B")  # type: ignore[union-attr]
    return out


def _file_parts(ptau: Ptau) -> Iterator[bytes | memoryview]:
    """The file's bytes in pieces (section headers and payloads, the point sections as
    views of their vectors), so writing and hashing copy nothing large."""
    sections = _sections(ptau)
    order = [s for s in ptau.section_order if s in sections]
    order += [s for s in _CANONICAL_ORDER if s in sections and s not in order]
    yield MAGIC + struct.pack("<II", VERSION, len(order))
    for section_id in order:
        payload = sections[section_id]
        yield struct.pack("<IQ", section_id, len(payload))
        yield payload


def ptau_bytes(ptau: Ptau) -> bytes:
    """The ptau file's bytes (version 1, as snarkjs writes it)."""
    return b"".join(_file_parts(ptau))


def write_ptau(ptau: Ptau, target: str | os.PathLike | BinaryIO) -> None:
    """Write a ptau file to a path or a binary file object, section by section; a path
    is written beside and renamed over (``binfile.write_parts``), so writing back to the
    file a mapped ptau was read from does not truncate the sections being written."""
    binfile.write_parts(target, _file_parts(ptau))
