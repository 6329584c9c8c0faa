# SPDX-License-Identifier: MIT
"""The snarkjs powers-of-tau layout (``.ptau``, docs/formats.md: .ptau), parsed and
validated without numpy: the one parser behind ``zkcx.ceremony.read_ptau`` (which wraps
the point sections as numpy vectors and reads the contributions) and ``zkcx zkey new``
(which hands the Lagrange blocks it needs to C as views of the mapped file).

Sections: 1 header (u32 n8, the 32-byte prime q, u32 power, u32 ceremony power), 2
tau^j·G1 (j < 2N - 1), 3 tau^j·G2, 4 alpha·tau^j·G1, 5 beta·tau^j·G1 (j < N), 6 beta·G2,
7 contributions, and once prepared 12–15: the same powers in the Lagrange basis of every
domain size M = 2^k, a block of M points from index M - 1 (up to M = 2N for section 12,
N for the others). Points are little-endian Montgomery affine coordinates (64 bytes in
G1, 128 in G2).

Checked here, once: the container, the header, every point section's size, section 6 on
its curve and in the subgroup, the first points of sections 2 and 3 the generators, the
prepared sections all present or none and their size-1 blocks equal to the first points
of sections 2–5. The point sections' points are checked (range, curve equation) a block
at a time when first used (``check_points``)."""

from __future__ import annotations

import struct
from typing import Any, NamedTuple

from zkcx._bindings import (
    G2_BINDING,
    g1_vec_first_invalid,
    g2_in_subgroup,
    g2_vec_first_invalid,
    words_from_bytes,
)
from zkcx.errors import FileFormatError, PtauPointError
from zkcx.io import binfile
from zkcx.params import FQ_MODULUS, G1_GENERATOR, G2_GENERATOR

MAGIC = b"ptau"
VERSION = 1
#: snarkjs refuses powers above 28 (Fr has 2^28-th roots of unity, no more).
MAX_POWER = 28
#: Section ids of the prepared (Lagrange-basis) sections, in file order.
LAGRANGE_SECTIONS = (12, 13, 14, 15)
CANONICAL_ORDER = (1, 2, 3, 4, 5, 6, 7, *LAGRANGE_SECTIONS)
HEADER = struct.Struct("<I32sII")
Q_BYTES = FQ_MODULUS.to_bytes(32, "little")
#: point section id -> (name in the file, in G2, points for N = 1 << power)
POINT_SECTIONS = {2: ("tauG1", False, lambda n: 2 * n - 1), 3: ("tauG2", True, lambda n: n),
                  4: ("alphaTauG1", False, lambda n: n), 5: ("betaTauG1", False, lambda n: n),
                  12: ("Lagrange tauG1", False, lambda n: 4 * n - 1),
                  13: ("Lagrange tauG2", True, lambda n: 2 * n - 1),
                  14: ("Lagrange alphaTauG1", False, lambda n: 2 * n - 1),
                  15: ("Lagrange betaTauG1", False, lambda n: 2 * n - 1)}


def _montgomery(*coordinates: int) -> bytes:
    return b"".join((c * (1 << 256) % FQ_MODULUS).to_bytes(32, "little") for c in coordinates)


#: The generators as the file stores them.
G1_GENERATOR_BYTES = _montgomery(*G1_GENERATOR)
G2_GENERATOR_BYTES = _montgomery(*G2_GENERATOR[0], *G2_GENERATOR[1])


class PtauLayout(NamedTuple):
    """A parsed, validated ptau: its powers, the point sections 2–5 (and 12–15 when
    prepared) and section 6 as views of ``data``, section 7's bytes (not parsed here),
    the sections' order in the file, and the mapping they live in (None for bytes given
    in memory)."""

    name: str
    power: int
    ceremony_power: int
    points: dict[int, memoryview]
    beta_g2: memoryview
    contributions: memoryview
    section_order: tuple[int, ...]
    data: Any
    mapped: binfile.MappedFile | None

    @property
    def size(self) -> int:
        """N = 2^power."""
        return 1 << self.power

    @property
    def is_prepared(self) -> bool:
        return 12 in self.points

    def block(self, section: int, start: int, stop: int) -> memoryview:
        """Points ``start``..``stop - 1`` of a point section, checked (``check_points``)."""
        view = self.points[section][point_size(section) * start : point_size(section) * stop]
        check_points(view, stop - start, section, self.name, start)
        return view


def point_size(section: int) -> int:
    """Bytes of one point of a point section."""
    return 128 if POINT_SECTIONS[section][1] else 64


def check_points(data: Any, count: int, section: int, name: str, start: int = 0) -> None:
    """``PtauPointError`` (a ``FileFormatError``) naming the first of ``count`` points of
    a point section (the section's points ``start``.., any buffer) whose coordinates are
    not below p or which is off its curve (a G2 point's subgroup is not checked here)."""
    what, g2, _ = POINT_SECTIONS[section]
    bad = g2_vec_first_invalid(data, False, count) if g2 else g1_vec_first_invalid(data, count)
    if bad >= 0:
        raise PtauPointError(f"{name}: section {section} ({what}): point {start + bad} is not "
                             f"on its curve (a coordinate >= p or off the curve)")


def parse_ptau(source: binfile.Source, name: str = ".ptau") -> PtauLayout:
    """Parse and validate a ptau's layout (module docstring; a path is mapped
    read-only). Raises ``FileFormatError`` naming the file and the problem; nothing
    else."""
    data, mapped = binfile.map_source(source)
    f = binfile.parse(data, MAGIC, VERSION, name)
    unknown = sorted(set(f.sections) - set(CANONICAL_ORDER))
    if unknown:
        raise FileFormatError(f"{name}: unexpected section {unknown[0]} (a ptau has sections "
                              f"1-7 and, once prepared, 12-15)")
    header = f.section(1, "header")
    if len(header) != HEADER.size:
        raise FileFormatError(f"{name}: header is {len(header)} bytes, expected {HEADER.size}")
    n8, q, power, ceremony_power = HEADER.unpack(header)
    if n8 != 32 or q != Q_BYTES:
        raise FileFormatError(f"{name}: the curve is not BN254 (field size {n8}, prime differs)")
    if not 1 <= power <= MAX_POWER:
        raise FileFormatError(f"{name}: power {power} is outside 1..{MAX_POWER}")
    if not power <= ceremony_power <= MAX_POWER:
        raise FileFormatError(f"{name}: ceremony power {ceremony_power} is below the power "
                              f"{power} or above {MAX_POWER}")
    n = 1 << power
    points = {section: _section(f, section, n, name) for section in (2, 3, 4, 5)}
    beta_g2 = f.section(6, "betaG2")
    if len(beta_g2) != 128:
        raise FileFormatError(f"{name}: section 6 (betaG2) has {len(beta_g2)} bytes, "
                              f"expected 1 points of 128 bytes for this power")
    words = words_from_bytes(bytes(beta_g2), 16)
    if not G2_BINDING.is_on_curve(words):
        raise FileFormatError(f"{name}: section 6 (betaG2): point 0 is not on its curve (a "
                              f"coordinate >= p or off the curve)")
    if not g2_in_subgroup(words):
        raise FileFormatError(f"{name}: section 6 (betaG2): the point is not in the "
                              f"order-r subgroup G2")
    for section, generator, group in ((2, G1_GENERATOR_BYTES, "G1"),
                                      (3, G2_GENERATOR_BYTES, "G2")):
        check_points(points[section], 1, section, name)
        if bytes(points[section][: len(generator)]) != generator:
            raise FileFormatError(f"{name}: section {section} ({POINT_SECTIONS[section][0]}): "
                                  f"the first point (tau^0·{group}) is not the {group} "
                                  f"generator")
    contributions = f.section(7, "contributions")
    present = [s for s in LAGRANGE_SECTIONS if f.has(s)]
    if present:
        if len(present) != 4:
            missing = sorted(set(LAGRANGE_SECTIONS) - set(present))
            raise FileFormatError(f"{name}: prepared sections 12-15 are incomplete: section "
                                  f"{missing[0]} is missing")
        for section in LAGRANGE_SECTIONS:
            points[section] = _section(f, section, n, name)
        for section in LAGRANGE_SECTIONS:
            size = point_size(section)
            check_points(points[section], 1, section, name)
            check_points(points[section - 10], 1, section - 10, name)
            if bytes(points[section][:size]) != bytes(points[section - 10][:size]):
                raise FileFormatError(f"{name}: section {section}: the size-1 Lagrange block "
                                      f"differs from the first point of section "
                                      f"{section - 10} (the file was not prepared from "
                                      f"these powers)")
    order: list[int] = []
    for section_id in f.sections:
        if section_id not in order:
            order.append(section_id)
    return PtauLayout(name, power, ceremony_power, points, beta_g2, contributions,
                      tuple(order), data, mapped)


def _section(f: binfile.BinFile, section: int, n: int, name: str) -> memoryview:
    what, _, count = POINT_SECTIONS[section]
    data = f.section(section, what)
    size = point_size(section)
    if len(data) != size * count(n):
        raise FileFormatError(f"{name}: section {section} ({what}) has {len(data)} bytes, "
                              f"expected {count(n)} points of {size} bytes for this power")
    return data
