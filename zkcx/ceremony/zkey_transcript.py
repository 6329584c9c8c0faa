# SPDX-License-Identifier: MIT
"""The phase-2 transcript: a ``.zkey``'s section 10, and the hashes chained through it.

Section 10 holds the circuit hash (64 bytes, BLAKE2b-512 over the key as ``zkey new``
made it) and the contributions in order. Each contribution records delta·G1 after it
(``delta_after``), its proof of knowledge of its secret d — ``g1_s`` (a point drawn from
the contributor's randomness), ``g1_sx`` = d·g1_s and ``g2_spx`` = d·g2_sp where g2_sp
is ``hash_to_g2(transcript)`` — the 64-byte ``transcript`` hash it signed, its kind (0 a
contribution, 1 a beacon) and its parameters (name; a beacon's iteration exponent and
hash).

The transcript hash of contribution i is BLAKE2b-512 of the circuit hash, then for each
earlier contribution its public key (``delta_after``, ``g1_s``, ``g1_sx``, ``g2_spx`` in
uncompressed form, then its transcript), then the new ``g1_s`` and ``g1_sx``. The
contribution's own hash (what snarkjs prints, and what a ``ContributionRecord`` keeps)
is BLAKE2b-512 of its public key alone.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from zkcx.curve import G1, G2
from zkcx.curve.encoding import g1_to_evm, g2_to_evm
from zkcx.errors import FileFormatError, InvalidArgumentError, PointError

HASH_BYTES = 64
KIND_CONTRIBUTION = 0
KIND_BEACON = 1
#: snarkjs keeps the first 64 characters of a contributor's name.
MAX_NAME_CHARS = 64
_PARAM_NAME, _PARAM_ITERATIONS, _PARAM_BEACON_HASH = 1, 2, 3


@dataclass(frozen=True)
class Phase2Contribution:
    """One record of section 10 (module docstring)."""

    delta_after: G1
    g1_s: G1
    g1_sx: G1
    g2_spx: G2
    transcript: bytes
    kind: int = KIND_CONTRIBUTION
    name: str | None = None
    iterations_exp: int | None = None
    beacon_hash: bytes | None = None

    @property
    def is_beacon(self) -> bool:
        return self.kind == KIND_BEACON

    def public_key_bytes(self) -> bytes:
        """The public key as it enters hashes: four points uncompressed, the transcript."""
        return (g1_to_evm(self.delta_after) + g1_to_evm(self.g1_s) + g1_to_evm(self.g1_sx)
                + g2_to_evm(self.g2_spx) + self.transcript)

    def contribution_hash(self) -> bytes:
        """BLAKE2b-512 of the public key: the hash snarkjs prints for the contribution."""
        return hashlib.blake2b(self.public_key_bytes()).digest()


@dataclass(frozen=True)
class Phase2Transcript:
    """Section 10: the circuit hash and the contributions, oldest first."""

    cs_hash: bytes
    contributions: tuple[Phase2Contribution, ...] = ()

    def challenge_hasher(self) -> hashlib._Hash:  # type: ignore[name-defined]
        """A BLAKE2b-512 hasher fed the circuit hash and every contribution's public key:
        what the next contributor's transcript hash continues."""
        h = hashlib.blake2b(self.cs_hash)
        for c in self.contributions:
            h.update(c.public_key_bytes())
        return h

    def transcript_for(self, g1_s: G1, g1_sx: G1) -> bytes:
        """The transcript hash the next contribution, with these points, signs."""
        h = self.challenge_hasher()
        h.update(g1_to_evm(g1_s) + g1_to_evm(g1_sx))
        return h.digest()

    def with_contribution(self, contribution: Phase2Contribution) -> Phase2Transcript:
        return Phase2Transcript(self.cs_hash, (*self.contributions, contribution))


def _point(cls, data: bytes, what: str, name: str):
    try:
        return cls.from_montgomery_limbs(data)
    except PointError as exc:
        raise FileFormatError(f"{name}: section 10: {what}: {exc}") from exc


def read_transcript(raw: bytes, name: str = ".zkey") -> Phase2Transcript:
    """Parse section 10; raises ``FileFormatError`` naming the contribution and what is
    wrong with it (a truncated record, a point off its curve, unsorted or unknown
    parameters)."""
    raw = bytes(raw)
    if len(raw) < HASH_BYTES + 4:
        raise FileFormatError(f"{name}: section 10 (contributions) is truncated")
    cs_hash = raw[:HASH_BYTES]
    (count,) = struct.unpack_from("<I", raw, HASH_BYTES)
    pos = HASH_BYTES + 4
    out = []
    fixed = 3 * 64 + 128 + HASH_BYTES + 8
    for i in range(count):
        where = f"contribution {i + 1}"
        if len(raw) - pos < fixed:
            raise FileFormatError(f"{name}: section 10: {where} is truncated")
        delta_after = _point(G1, raw[pos : pos + 64], f"{where} deltaAfter", name)
        g1_s = _point(G1, raw[pos + 64 : pos + 128], f"{where} g1_s", name)
        g1_sx = _point(G1, raw[pos + 128 : pos + 192], f"{where} g1_sx", name)
        g2_spx = _point(G2, raw[pos + 192 : pos + 320], f"{where} g2_spx", name)
        transcript = raw[pos + 320 : pos + 384]
        kind, length = struct.unpack_from("<II", raw, pos + 384)
        pos += fixed
        if kind not in (KIND_CONTRIBUTION, KIND_BEACON):
            raise FileFormatError(f"{name}: section 10: {where} has kind {kind}, not 0 "
                                  "(contribution) or 1 (beacon)")
        if len(raw) - pos < length:
            raise FileFormatError(f"{name}: section 10: {where}'s parameters are truncated")
        params = _read_params(raw[pos : pos + length], where, name)
        pos += length
        out.append(Phase2Contribution(delta_after, g1_s, g1_sx, g2_spx, transcript, kind,
                                      **params))
    if pos != len(raw):
        raise FileFormatError(f"{name}: section 10 has {len(raw) - pos} bytes after its "
                              f"{count} contributions")
    return Phase2Transcript(cs_hash, tuple(out))


def _read_params(data: bytes, where: str, name: str) -> dict:
    params: dict = {}
    pos, last = 0, 0

    def take(size: int) -> bytes:
        nonlocal pos
        if len(data) - pos < size:
            raise FileFormatError(f"{name}: section 10: {where}'s parameters are truncated")
        out = data[pos : pos + size]
        pos += size
        return out

    while pos < len(data):
        kind = take(1)[0]
        if kind <= last:
            raise FileFormatError(f"{name}: section 10: {where}'s parameters are not in "
                                  "ascending order")
        last = kind
        if kind == _PARAM_NAME:
            params["name"] = take(take(1)[0]).decode("utf-8", errors="replace")
        elif kind == _PARAM_ITERATIONS:
            params["iterations_exp"] = take(1)[0]
        elif kind == _PARAM_BEACON_HASH:
            params["beacon_hash"] = take(take(1)[0])
        else:
            raise FileFormatError(f"{name}: section 10: {where} has an unknown parameter "
                                  f"type {kind}")
    return params


def _params_bytes(c: Phase2Contribution) -> bytes:
    out = bytearray()
    if c.name:
        text = c.name[:MAX_NAME_CHARS].encode()
        if len(text) > 255:
            raise InvalidArgumentError("a contributor's name is at most 255 bytes of UTF-8")
        out += bytes([_PARAM_NAME, len(text)]) + text
    if c.kind == KIND_BEACON:
        assert c.iterations_exp is not None and c.beacon_hash is not None
        out += bytes([_PARAM_ITERATIONS, c.iterations_exp])
        out += bytes([_PARAM_BEACON_HASH, len(c.beacon_hash)]) + c.beacon_hash
    return bytes(out)


def transcript_bytes(transcript: Phase2Transcript) -> bytes:
    """Section 10 as snarkjs writes it (its parameters in ascending type order)."""
    parts = [transcript.cs_hash, struct.pack("<I", len(transcript.contributions))]
    for c in transcript.contributions:
        params = _params_bytes(c)
        parts += [c.delta_after.montgomery_limbs(), c.g1_s.montgomery_limbs(),
                  c.g1_sx.montgomery_limbs(), c.g2_spx.montgomery_limbs(), c.transcript,
                  struct.pack("<II", c.kind, len(params)), params]
    return b"".join(parts)
