# SPDX-License-Identifier: MIT
"""The binary container shared by circom/snarkjs files (.r1cs, .wtns, .zkey, .ptau),
docs/formats.md, container: 4-byte magic, u32 version, u32 section count, then sections of
(u32 id, u64 size, payload). Sections are found through their headers, never by order;
the reader checks every size against the bytes actually present."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from zkcx.errors import ArgumentTypeError, FileFormatError

Source = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO


def read_source(source: Source) -> bytes:
    """The bytes of a path, a bytes-like object or a binary file object."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if hasattr(source, "read"):
        data = source.read()  # type: ignore[union-attr]
        if not isinstance(data, (bytes, bytearray)):
            raise ArgumentTypeError(f"file objects must be opened in binary mode ('rb'); this "
                                    f"one reads {type(data).__name__}")
        return bytes(data)
    with open(source, "rb") as fh:  # type: ignore[arg-type]
        return fh.read()


@dataclass(frozen=True)
class BinFile:
    """A parsed container: version and the payloads of each section id, in file order."""

    magic: bytes
    version: int
    sections: dict[int, list[memoryview]]
    name: str = "file"

    def section(self, section_id: int, what: str = "") -> memoryview:
        """The single section with this id; a missing or repeated one is an error."""
        found = self.sections.get(section_id, [])
        label = f"section {section_id}" + (f" ({what})" if what else "")
        if not found:
            raise FileFormatError(f"{self.name}: {label} is missing")
        if len(found) > 1:
            raise FileFormatError(f"{self.name}: {label} appears {len(found)} times")
        return found[0]

    def has(self, section_id: int) -> bool:
        return bool(self.sections.get(section_id))


def parse(data: bytes, magic: bytes, max_version: int, name: str = "file") -> BinFile:
    """Parse a container, checking the magic, the version and every section size."""
    view = memoryview(data)
    if len(data) < 12:
        raise FileFormatError(f"{name}: {len(data)} bytes is too short for a {magic!r} header")
    if bytes(view[:4]) != magic:
        raise FileFormatError(
            f"{name}: not a {magic.decode()} file (magic {bytes(view[:4])!r}, expected {magic!r})"
        )
    version, count = struct.unpack_from("<II", data, 4)
    if not 1 <= version <= max_version:
        raise FileFormatError(f"{name}: unsupported {magic.decode()} version {version}")
    sections: dict[int, list[memoryview]] = {}
    offset = 12
    for i in range(count):
        if offset + 12 > len(data):
            raise FileFormatError(f"{name}: truncated in the header of section {i + 1} of {count}")
        section_id, size = struct.unpack_from("<IQ", data, offset)
        offset += 12
        if size > len(data) - offset:
            raise FileFormatError(
                f"{name}: section {section_id} declares {size} bytes but only "
                f"{len(data) - offset} remain (truncated file?)"
            )
        sections.setdefault(section_id, []).append(view[offset : offset + size])
        offset += size
    if offset != len(data):
        extra = len(data) - offset
        raise FileFormatError(f"{name}: {extra} unexpected bytes after the last section")
    return BinFile(magic, version, sections, name)


def build(magic: bytes, version: int, sections: Iterable[tuple[int, bytes]]) -> bytes:
    """Serialise a container; sizes are written exactly."""
    items = list(sections)
    parts = [magic, struct.pack("<II", version, len(items))]
    for section_id, payload in items:
        parts.append(struct.pack("<IQ", section_id, len(payload)))
        parts.append(bytes(payload))
    return b"".join(parts)


def write_target(target: str | os.PathLike | BinaryIO, data: bytes) -> None:
    """Write bytes to a path or a binary file object."""
    if hasattr(target, "write"):
        target.write(data)  # type: ignore[union-attr]
        return
    with open(target, "wb") as fh:  # type: ignore[arg-type]
        fh.write(data)
