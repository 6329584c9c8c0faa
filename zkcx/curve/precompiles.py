# SPDX-License-Identifier: MIT
"""Ethereum's BN254 precompiles, with their exact input rules (EIP-196, EIP-197):
``ecadd`` (0x06), ``ecmul`` (0x07) and ``ecpairing`` (0x08).

Input shorter than a precompile reads is right-padded with zeros and longer input is
truncated (add, mul); the pairing input must be a multiple of 192 bytes. Where the EVM
call would fail (coordinate >= p, point off its curve, G2 point outside the subgroup,
bad pairing length) these raise ``PrecompileError``.
"""

from __future__ import annotations

from zkcx.curve import encoding
from zkcx.curve._point import G1
from zkcx.curve.pairing import pairing_check
from zkcx.errors import PointError, PrecompileError


def _pad(data: bytes, size: int) -> bytes:
    return bytes(data[:size]).ljust(size, b"\x00")


def _g1(data: bytes) -> G1:
    try:
        return encoding.g1_from_evm(data)
    except PointError as exc:
        raise PrecompileError(str(exc)) from exc


def ecadd(data: bytes) -> bytes:
    """0x06: the sum of two G1 points, 64 bytes out."""
    data = _pad(data, 128)
    return encoding.g1_to_evm(_g1(data[:64]) + _g1(data[64:]))


def ecmul(data: bytes) -> bytes:
    """0x07: [k]P for any 256-bit k (values >= r included), 64 bytes out."""
    data = _pad(data, 96)
    point = _g1(data[:64])
    k = int.from_bytes(data[64:96], "big")
    return encoding.g1_to_evm(point * (k % G1.order()))


def ecpairing(data: bytes) -> bytes:
    """0x08: 32-byte big-endian 1 if prod e(P_i, Q_i) = 1 else 0."""
    data = bytes(data)
    if len(data) % 192:
        raise PrecompileError(f"pairing input length {len(data)} is not a multiple of 192")
    pairs = []
    for off in range(0, len(data), 192):
        try:
            pairs.append(
                (encoding.g1_from_evm(data[off : off + 64]),
                 encoding.g2_from_evm(data[off + 64 : off + 192]))
            )
        except PointError as exc:
            raise PrecompileError(f"pair {off // 192}: {exc}") from exc
    return (1 if pairing_check(pairs) else 0).to_bytes(32, "big")
