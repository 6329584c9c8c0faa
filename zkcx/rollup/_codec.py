# SPDX-License-Identifier: MIT
"""Canonical byte encodings of the rollup: big-endian fixed-width integers and
length-prefixed fields, written by ``Writer`` and read back, with every length checked,
by ``Reader``. One encoding per value, so equal values have equal bytes and hashes."""

from __future__ import annotations

import hashlib

from zkcx.errors import ArgumentTypeError, EncodingError


def tagged_hash(tag: bytes, *parts: bytes) -> bytes:
    """SHA-256(tag || 0x00 || parts...): the domain-separated hash of the rollup.

    Every tag is a distinct ASCII string (``zkcx-claim-v1``, ``zkcx-block-v1``, ...) and
    no tag is a prefix of another followed by 0x00, so hashes of different kinds of
    object never collide by construction."""
    h = hashlib.sha256(tag + b"\x00")
    for part in parts:
        h.update(part)
    return h.digest()


class Writer:
    """Accumulates a canonical encoding."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def uint(self, value: int, width: int) -> Writer:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 \
                or value >= 1 << (8 * width):
            raise EncodingError(f"{value!r} does not fit an unsigned {8 * width}-bit field")
        self._parts.append(value.to_bytes(width, "big"))
        return self

    def fixed(self, data: bytes, size: int) -> Writer:
        if len(data) != size:
            raise EncodingError(f"a fixed field takes {size} bytes, got {len(data)}")
        self._parts.append(bytes(data))
        return self

    def blob(self, data: bytes) -> Writer:
        """u32 length, then the bytes."""
        self.uint(len(data), 4)
        self._parts.append(bytes(data))
        return self

    def text(self, value: str) -> Writer:
        """u16 length, then UTF-8 (a str with a lone surrogate is an ``EncodingError``)."""
        try:
            raw = value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise EncodingError(f"text {value[:40]!r} is not valid UTF-8 (a lone "
                                f"surrogate?)") from exc
        self.uint(len(raw), 2)
        self._parts.append(raw)
        return self

    def getvalue(self) -> bytes:
        return b"".join(self._parts)


class Reader:
    """Reads a canonical encoding back; raises ``EncodingError`` naming the field on
    truncation, and ``finish`` rejects trailing bytes."""

    def __init__(self, data: bytes, what: str) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ArgumentTypeError(f"{what} must be bytes, got {type(data).__name__}")
        self._data = bytes(data)
        self._pos = 0
        self._what = what

    def take(self, size: int, field: str) -> bytes:
        end = self._pos + size
        if end > len(self._data):
            raise EncodingError(
                f"{self._what} is truncated: {field} needs {size} bytes at offset "
                f"{self._pos}, {len(self._data) - self._pos} left"
            )
        out = self._data[self._pos:end]
        self._pos = end
        return out

    def uint(self, width: int, field: str) -> int:
        return int.from_bytes(self.take(width, field), "big")

    def blob(self, field: str) -> bytes:
        return self.take(self.uint(4, field + " length"), field)

    def text(self, field: str) -> str:
        raw = self.take(self.uint(2, field + " length"), field)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EncodingError(f"{self._what}: {field} is not UTF-8") from exc

    def rest(self) -> bytes:
        """Every byte not read yet."""
        out = self._data[self._pos:]
        self._pos = len(self._data)
        return out

    def finish(self) -> None:
        if self._pos != len(self._data):
            raise EncodingError(
                f"{self._what} has {len(self._data) - self._pos} trailing bytes"
            )
