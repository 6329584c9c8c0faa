# SPDX-License-Identifier: MIT
"""A PNG read without an imaging library: its chunks checked (CRC, order), its IDAT
inflated with zlib and its rows unfiltered (PNG spec, section 9) into a numpy array of
pixels. Enough for a screenshot: 8-bit grey, RGB or RGBA, not interlaced."""

from __future__ import annotations

import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> channels (8-bit samples)


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of each chunk, every CRC checked."""
    assert data[:8] == SIGNATURE, "not a PNG file"
    out, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, payload = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + payload) == crc, f"bad CRC in chunk {kind!r}"
        out.append((kind, payload))
        pos += 12 + length
    assert out[0][0] == b"IHDR" and out[-1][0] == b"IEND", "chunks out of order"
    return out


def pixels(data: bytes) -> np.ndarray:
    """The image as an array (height, width, channels) of uint8."""
    parts = chunks(data)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", parts[0][1])
    assert depth == 8 and colour in _CHANNELS and interlace == 0, "an unsupported PNG"
    bpp = _CHANNELS[colour]
    raw = zlib.decompress(b"".join(p for k, p in parts if k == b"IDAT"))
    stride = width * bpp
    assert len(raw) == height * (stride + 1), "IDAT does not hold the image's rows"
    rows = np.frombuffer(raw, np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), np.uint8)
    prev = np.zeros(stride, np.uint8)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:]
        if kind == 0:
            cur = line.copy()
        elif kind == 1:  # sub: a running sum along each channel
            cur = (np.cumsum(line.reshape(width, bpp).astype(np.uint32), axis=0) % 256
                   ).astype(np.uint8).reshape(stride)
        elif kind == 2:
            cur = line + prev
        else:
            cur = _sequential(kind, line, prev, bpp)
        out[y] = cur
        prev = cur
    return out.reshape(height, width, bpp)


def _sequential(kind: int, line: np.ndarray, prev: np.ndarray, bpp: int) -> np.ndarray:
    """Average (3) and Paeth (4) rows: each byte depends on the one to its left."""
    assert kind in (3, 4), f"unknown filter type {kind}"
    cur = bytearray(len(line))
    up, raw = prev.tolist(), line.tolist()
    for i, x in enumerate(raw):
        a = cur[i - bpp] if i >= bpp else 0
        b = up[i]
        if kind == 3:
            cur[i] = (x + (a + b) // 2) & 0xFF
        else:
            c = up[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur[i] = (x + pred) & 0xFF
    return np.frombuffer(bytes(cur), np.uint8)
