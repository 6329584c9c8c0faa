# SPDX-License-Identifier: MIT
"""circom's ``.wtns`` layout (docs/formats.md: .wtns), parsed without numpy: version <= 2,
header (section 1: u32 n8, the 32-byte prime, u32 count), values (section 2: count
32-byte little-endian values below r). Shared by ``zkcx.r1cs.read_wtns`` (into an FrVec)
and the numpy-free prover ``zkcx.groth16.lean`` (into a native buffer): one parser,
one conversion (checked below r and to Montgomery form in one native pass, read in
place from the file's mapping)."""

from __future__ import annotations

import struct
from typing import Any

from zkcx._bindings import fr_from_le_bytes_checked
from zkcx.errors import FileFormatError
from zkcx.io import binfile
from zkcx.params import FR_MODULUS

_PRIME_BYTES = FR_MODULUS.to_bytes(32, "little")


def check_field(n8: int, prime: bytes, name: str) -> None:
    """FileFormatError unless a circom header names BN254's scalar field (32-byte r)."""
    if n8 != 32:
        raise FileFormatError(f"{name}: field element size {n8}, zkcx supports BN254 (32)")
    if prime != _PRIME_BYTES:
        raise FileFormatError(
            f"{name}: prime {int.from_bytes(prime, 'little')} is not the BN254 scalar field r"
        )


def parse_wtns(data: Any, name: str = ".wtns") -> tuple[int, memoryview]:
    """(count, the values' bytes) of a .wtns held in ``data`` (bytes or a mapping; the
    values are a view, not a copy). Raises ``FileFormatError`` for any malformed file."""
    f = binfile.parse(data, b"wtns", 2, name)
    header = bytes(f.section(1, "header"))
    if len(header) != 40:
        raise FileFormatError(f"{name}: header is {len(header)} bytes, expected 40")
    (n8,) = struct.unpack_from("<I", header, 0)
    check_field(n8, header[4:36], name)
    (n,) = struct.unpack_from("<I", header, 36)
    values = f.section(2, "witness values")
    if len(values) != 32 * n:
        raise FileFormatError(f"{name}: {len(values)} bytes of values for {n} witness entries")
    return n, values


def wtns_to_montgomery(out: Any, values: memoryview, n: int, name: str = ".wtns") -> None:
    """Fill ``out`` (a buffer of 4n uint64 words) with the Montgomery form of the n values
    of ``parse_wtns``; ``FileFormatError`` naming the first value not below r."""
    bad = fr_from_le_bytes_checked(out, values, n)
    if bad >= 0:
        value = int.from_bytes(values[32 * bad : 32 * bad + 32], "little")
        raise FileFormatError(f"{name}: witness value not below r (value at index {bad} is "
                              f"{value}, not below the Fr modulus {FR_MODULUS})")
