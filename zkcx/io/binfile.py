# SPDX-License-Identifier: MIT
"""The binary container shared by circom/snarkjs files (.r1cs, .wtns, .zkey, .ptau),
docs/formats.md, container: 4-byte magic, u32 version, u32 section count, then sections of
(u32 id, u64 size, payload). Sections are found through their headers, never by order;
the reader checks every size against the bytes actually present."""

import contextlib
import mmap
import os
import stat
import struct
import weakref
from collections.abc import Iterable
from typing import BinaryIO, NamedTuple

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


class MappedFile:
    """A regular file mapped read-only (``mmap``), so that its sections can be used in
    place: pages are read from the page cache on first touch and shared with every other
    process mapping the file. The file stays open (and the mapping alive) as long as a
    view into ``buffer`` exists.

    Caveat of every mapped file: truncating it on disk while it is mapped makes reading
    the lost pages raise SIGBUS; the mapping is guarded so that the process then stops
    with a message naming the file and exit status 2 rather than dying silently (no
    recovery is possible mid-read). ``changed()`` tells, cheaply (one fstat),
    whether the file's size or modification time moved since it was mapped, so a caller
    can refuse to start work on a changed file; replacing the file (a new inode, as
    editors, ``cp`` over a removed file and ``os.replace`` do) is harmless: the mapping
    keeps the old one."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = os.fspath(path)
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        weakref.finalize(self, os.close, fd)
        self._fd = fd
        st = os.fstat(fd)
        self._stamp = (st.st_size, st.st_mtime_ns)
        self.buffer: bytes | mmap.mmap = b""
        if st.st_size:
            try:
                self.buffer = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # a file system without mmap: read it instead
                with open(fd, "rb", closefd=False) as fh:
                    self.buffer = fh.read()
            else:
                self._guard()

    def _guard(self) -> None:
        from zkcx._bindings import sigbus_guard, sigbus_unguard

        address = sigbus_guard(
            self.buffer,
            f"zkcx: {self.path} was truncated on disk while this process was reading it "
            f"through a mapping; stopping with nothing written\n")
        if address is not None:
            weakref.finalize(self, sigbus_unguard, address)

    @property
    def size(self) -> int:
        """The size of the file when it was mapped (the mapping's length)."""
        return self._stamp[0]

    def stat(self) -> os.stat_result:
        """``os.fstat`` of the mapped file (the inode mapped, whatever its path names now)."""
        return os.fstat(self._fd)

    def changed(self) -> str | None:
        """None while the mapped file keeps the size and modification time it had when it
        was mapped; otherwise what changed."""
        st = os.fstat(self._fd)
        if st.st_size != self._stamp[0]:
            return f"its size went from {self._stamp[0]} to {st.st_size} bytes"
        if st.st_mtime_ns != self._stamp[1]:
            return "it was modified"
        return None

    def release(self, start: int, length: int) -> None:
        """Tell the kernel the pages of [start, start + length) will not be read again
        soon (they leave this process's resident memory; reading them again is still
        correct, from the page cache)."""
        if not isinstance(self.buffer, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED"):
            return
        page = mmap.PAGESIZE
        lo = -(-start // page) * page
        hi = (start + length) // page * page
        if hi > lo:
            self.buffer.madvise(mmap.MADV_DONTNEED, lo, hi - lo)


def map_source(source: Source) -> tuple[bytes | bytearray | memoryview | mmap.mmap,
                                        MappedFile | None]:
    """The bytes of ``source`` without copying where possible: a path is mapped
    (``MappedFile``), a bytes-like object is used as it is, a file object is read."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return source, None
    if hasattr(source, "read"):
        return read_source(source), None
    mapped = MappedFile(source)  # type: ignore[arg-type]
    return mapped.buffer, mapped


class BinFile(NamedTuple):
    """A parsed container: version and the payloads of each section id, in file order.
    (A named tuple: ``dataclasses`` costs ~5 ms at the start-up of ``zkcx prove``.)"""

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


def parse(data: bytes | bytearray | memoryview | mmap.mmap, magic: bytes, max_version: int,
          name: str = "file") -> BinFile:
    """Parse a container, checking the magic, the version and every section size. The
    sections are views into ``data`` (nothing is copied: ``data`` may be a mapping)."""
    view = memoryview(data).cast("B")
    data = view
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
    """Write bytes to a path or a binary file object (``write_parts`` with one part)."""
    write_parts(target, [data])


def write_parts(target: str | os.PathLike | BinaryIO,
                parts: Iterable[bytes | bytearray | memoryview]) -> None:
    """Write the parts in turn to a path or a binary file object. A path naming a regular
    file (or nothing yet) is written to a temporary file beside it and renamed over it:
    a process that has the old file mapped (``MappedFile``: a key being proved from, or
    the key ``zkey contribute`` reads, whose sections the parts may be views of, when it
    writes back to the same path) keeps reading the old bytes instead of a truncated file
    (SIGBUS), and a failed write leaves the old file. The file keeps its permissions; a
    symbolic link keeps pointing to the new file."""
    if hasattr(target, "write"):
        for part in parts:
            target.write(part)  # type: ignore[union-attr]
        return
    path = os.path.realpath(os.fspath(target))  # type: ignore[arg-type]
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):  # a device, a FIFO: write through
        with open(path, "wb") as fh:
            for part in parts:
                fh.write(part)
        return
    folder, base = os.path.split(path)
    temp = os.path.join(folder, f".{base}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    try:
        with os.fdopen(fd, "wb") as fh:
            for part in parts:
                fh.write(part)
        if mode is not None:
            os.chmod(temp, stat.S_IMODE(mode))
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
