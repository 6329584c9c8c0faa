# SPDX-License-Identifier: MIT
"""The aggregate proof of SnarkPack (``AggregateProof``) and its compact binary format.

Bytes (all integers big-endian, every Fq coordinate 32 bytes little-endian Montgomery,
the zkey layout; G1 64 bytes, G2 128 bytes, the identity all zeros; GT elements in
torus form, 192 bytes: c in Fq6 with g = (c + w)/(c - w), c = 0 for 1):

    magic "zkcxagg" | version 1 (1 byte) | count (u32) | rounds m (u8)
    GT:  T_1, T_2 (commitment of A, B) | U_1, U_2 (of C) | Z_AB |
         per round: Z_L, Z_R, T_L1, T_L2, T_R1, T_R2, U_L1, U_L2, U_R1, U_R2
    G1:  Z_C | per round: C_L, C_R | A_final | C_final | w_final (2) | KZG opening of w (2)
    G2:  B_final | v_final (2) | KZG opening of v (2)

m = log2 of the count rounded up to a power of two (at least 2): 22.5 KB for 1,024
proofs (m = 10), 28.0 KB for 8,192 (docs/aggregation.md)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from zkcx import _bindings as native
from zkcx.curve import G1, G2
from zkcx.errors import AggregateFormatError, AggregationError, FieldRangeError, PointError

MAGIC = b"zkcxagg"
VERSION = 1
_HEADER = struct.Struct(">7sBIB")
GT_PER_ROUND = 10
GT_FIXED = 5
G1_FIXED = 7       # Z_C, A_final, C_final, w_final x2, w opening x2
G2_FIXED = 5       # B_final, v_final x2, v opening x2
GT_BYTES, G1_BYTES, G2_BYTES = 192, 64, 128
#: the largest number of rounds (2^28 proofs: a ptau's limit)
MAX_ROUNDS = 28


def padded_size(count: int) -> int:
    """The number of proofs an aggregate of ``count`` covers: ``count`` rounded up to a
    power of two, at least 2 (the last proof and its public inputs repeated)."""
    return max(2, 1 << (count - 1).bit_length())


@dataclass(frozen=True, eq=False)
class AggregateProof:
    """A SnarkPack aggregate of ``count`` Groth16 proofs of one verifying key.

    ``gt``: (5 + 10m, 48) uint64 GT elements (Montgomery Fq12) in the order of the byte
    format; ``z_c`` and ``c_lr`` ((m, 2) G1 points per round as an (m, 2, 8) array) the
    MIPP's G1 values; ``final_*`` the folded proof elements and commitment keys;
    ``open_v`` / ``open_w`` the KZG openings of the final keys."""

    count: int
    gt: np.ndarray
    z_c: G1
    c_lr: np.ndarray
    final_a: G1
    final_b: G2
    final_c: G1
    final_v: tuple[G2, G2]
    final_w: tuple[G1, G1]
    open_v: tuple[G2, G2]
    open_w: tuple[G1, G1]

    def __post_init__(self) -> None:
        if not isinstance(self.count, int) or isinstance(self.count, bool) or \
                not 1 <= self.count <= 1 << MAX_ROUNDS:
            raise AggregationError(f"an aggregate covers 1..2^{MAX_ROUNDS} proofs, got "
                                   f"{self.count!r}")
        m = self.rounds
        if self.gt.shape != (GT_FIXED + GT_PER_ROUND * m, 48) or self.gt.dtype != np.uint64:
            raise AggregationError(f"an aggregate of {self.count} proofs holds "
                                   f"{GT_FIXED + GT_PER_ROUND * m} GT elements")
        if self.c_lr.shape != (m, 2, 8) or self.c_lr.dtype != np.uint64:
            raise AggregationError(f"an aggregate of {self.count} proofs holds {m} rounds of "
                                   "two G1 points")

    @property
    def rounds(self) -> int:
        """m = log2 of the padded number of proofs."""
        return padded_size(self.count).bit_length() - 1

    def round_gt(self, j: int) -> np.ndarray:
        """Round j's (10, 48) GT elements: Z_L, Z_R, T_L1, T_L2, T_R1, T_R2, U_L1, U_L2,
        U_R1, U_R2."""
        start = GT_FIXED + GT_PER_ROUND * j
        return self.gt[start:start + GT_PER_ROUND]

    @property
    def size_bytes(self) -> int:
        """Length of ``to_bytes()``."""
        return encoded_size(self.count)

    def to_bytes(self) -> bytes:
        """The compact binary format (module docstring)."""
        g1s = [self.z_c.montgomery_limbs(), self.c_lr.tobytes(), self.final_a.montgomery_limbs(),
               self.final_c.montgomery_limbs()]
        g1s += [p.montgomery_limbs() for p in (*self.final_w, *self.open_w)]
        g2s = [p.montgomery_limbs() for p in (self.final_b, *self.final_v, *self.open_v)]
        return b"".join([_HEADER.pack(MAGIC, VERSION, self.count, self.rounds),
                         native.gt_compress(self.gt).tobytes(), *g1s, *g2s])

    @classmethod
    def from_bytes(cls, data: bytes) -> AggregateProof:
        """Parse and check (lengths, coordinate ranges, curve equations, G2 subgroup)
        ``to_bytes`` output; ``AggregateFormatError`` saying what is wrong."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise AggregateFormatError(f"an aggregate is bytes, got {type(data).__name__}")
        data = bytes(data)
        if len(data) < _HEADER.size:
            raise AggregateFormatError(f"{len(data)} bytes is too short for an aggregate "
                                       f"header ({_HEADER.size} bytes)")
        magic, version, count, rounds = _HEADER.unpack_from(data)
        if magic != MAGIC:
            raise AggregateFormatError("not a zkcx aggregate proof (bad magic bytes)")
        if version != VERSION:
            raise AggregateFormatError(f"aggregate format version {version}; this zkcx reads "
                                       f"version {VERSION}")
        if not 1 <= count <= 1 << MAX_ROUNDS or padded_size(count).bit_length() - 1 != rounds:
            raise AggregateFormatError(f"the header's count {count} and rounds {rounds} do "
                                       "not agree")
        if len(data) != encoded_size(count):
            raise AggregateFormatError(f"an aggregate of {count} proofs is "
                                       f"{encoded_size(count)} bytes, got {len(data)}")
        pos = _HEADER.size
        n_gt = GT_FIXED + GT_PER_ROUND * rounds
        forms = np.frombuffer(data, dtype=np.uint64, count=24 * n_gt, offset=pos)
        try:
            gt = native.gt_decompress(forms.reshape(n_gt, 24).copy())
        except FieldRangeError as e:
            raise AggregateFormatError(f"a GT element of the aggregate is malformed: {e}") \
                from None
        pos += GT_BYTES * n_gt

        def take(point_type: type, size: int, what: str) -> G1 | G2:
            nonlocal pos
            chunk = data[pos:pos + size]
            pos += size
            try:
                return point_type.from_montgomery_limbs(chunk, check_subgroup=True)
            except PointError as e:
                raise AggregateFormatError(f"{what} of the aggregate: {e}") from None

        z_c = take(G1, G1_BYTES, "Z_C")
        c_lr_points = [take(G1, G1_BYTES, f"round {k // 2} C_{'LR'[k % 2]}")
                       for k in range(2 * rounds)]
        c_lr = np.frombuffer(b"".join(p.montgomery_limbs() for p in c_lr_points),
                             dtype=np.uint64).reshape(rounds, 2, 8).copy()
        final_a = take(G1, G1_BYTES, "the final A")
        final_c = take(G1, G1_BYTES, "the final C")
        final_w = (take(G1, G1_BYTES, "the final w_1"), take(G1, G1_BYTES, "the final w_2"))
        open_w = (take(G1, G1_BYTES, "the opening of w_1"),
                  take(G1, G1_BYTES, "the opening of w_2"))
        final_b = take(G2, G2_BYTES, "the final B")
        final_v = (take(G2, G2_BYTES, "the final v_1"), take(G2, G2_BYTES, "the final v_2"))
        open_v = (take(G2, G2_BYTES, "the opening of v_1"),
                  take(G2, G2_BYTES, "the opening of v_2"))
        return cls(count, gt, z_c, c_lr, final_a, final_b, final_c, final_v, final_w,
                   open_v, open_w)


def encoded_size(count: int) -> int:
    """Bytes of the aggregate of ``count`` proofs."""
    m = padded_size(count).bit_length() - 1
    return (_HEADER.size + GT_BYTES * (GT_FIXED + GT_PER_ROUND * m)
            + G1_BYTES * (G1_FIXED + 2 * m) + G2_BYTES * G2_FIXED)
