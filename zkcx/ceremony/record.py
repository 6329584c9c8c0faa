# SPDX-License-Identifier: MIT
"""What a verified phase-2 ceremony proves, in a few hashes: the record a registry keeps.

A ``CeremonyRecord`` names the prepared ptau a key was made from (the BLAKE2b-512 of the
file's bytes), the circuit (the key's circuit hash, snarkjs's csHash) and each
contribution in order: its transcript hash (the hash snarkjs prints as the contribution
hash), the contributor's name and whether it was a contribution or a beacon. Anyone can
recheck a record by running ``verify_zkey`` on the circuit, the ptau and the key.

JSON form (hashes as lowercase hex, 128 characters each)::

    {"ptau_hash": "...", "circuit_hash": "...",
     "contributions": [{"hash": "...", "name": "alice", "kind": "contribution"}, ...]}
"""

from __future__ import annotations

from dataclasses import dataclass

from zkcx.errors import CeremonyRecordError
from zkcx.io.jsontext import short

#: Length in bytes of every hash in a record (BLAKE2b-512).
HASH_BYTES = 64

#: The kinds of contribution: a party's secret, or a public beacon's deterministic one.
KINDS = ("contribution", "beacon")


def _checked_hash(value: object, what: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != HASH_BYTES:
        shown = f"{len(value)} bytes" if isinstance(value, bytes) else type(value).__name__
        raise CeremonyRecordError(f"{what} is a {HASH_BYTES}-byte BLAKE2b-512 hash, got "
                                  f"{shown}")
    return value


def _hash_from_hex(value: object, what: str) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * HASH_BYTES:
        raise CeremonyRecordError(f"{what} is {2 * HASH_BYTES} hex characters, got "
                                  f"{short(value)}")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise CeremonyRecordError(f"{what} is not hex: {short(value)}") from None


def _exact_keys(obj: object, keys: set[str], what: str) -> dict:
    if not isinstance(obj, dict) or set(obj) != keys:
        raise CeremonyRecordError(f"{what} is a JSON object with exactly the keys "
                                  f"{sorted(keys)}, got {short(obj)}")
    return obj


@dataclass(frozen=True)
class ContributionRecord:
    """One phase-2 contribution: its transcript ``hash`` (64 bytes), the contributor's
    ``name`` and its ``kind``, ``"contribution"`` or ``"beacon"``."""

    hash: bytes
    name: str
    kind: str

    def __post_init__(self) -> None:
        _checked_hash(self.hash, "a contribution hash")
        if not isinstance(self.name, str):
            raise CeremonyRecordError(f"a contribution name is a string, got "
                                      f"{type(self.name).__name__}")
        if self.kind not in KINDS:
            raise CeremonyRecordError(f"a contribution's kind is one of {KINDS}, got "
                                      f"{short(self.kind)}")

    def to_json(self) -> dict:
        """``{"hash": hex, "name": str, "kind": str}``."""
        return {"hash": self.hash.hex(), "name": self.name, "kind": self.kind}

    @classmethod
    def from_json(cls, obj: object) -> ContributionRecord:
        """Inverse of :meth:`to_json`; raises ``CeremonyRecordError`` naming the bad field."""
        data = _exact_keys(obj, {"hash", "name", "kind"}, "a contribution record")
        return cls(_hash_from_hex(data["hash"], "a contribution hash"), data["name"],
                   data["kind"])


@dataclass(frozen=True)
class CeremonyRecord:
    """A verified ceremony: ``ptau_hash`` (BLAKE2b-512 of the prepared ptau file),
    ``circuit_hash`` (the key's csHash) and the ``contributions`` in order."""

    ptau_hash: bytes
    circuit_hash: bytes
    contributions: tuple[ContributionRecord, ...]

    def __post_init__(self) -> None:
        _checked_hash(self.ptau_hash, "the ptau hash")
        _checked_hash(self.circuit_hash, "the circuit hash")
        if not isinstance(self.contributions, tuple) or not all(
                isinstance(c, ContributionRecord) for c in self.contributions):
            raise CeremonyRecordError("a ceremony record's contributions are a tuple of "
                                      "ContributionRecord")

    def to_json(self) -> dict:
        """The JSON-able object of the module docstring."""
        return {"ptau_hash": self.ptau_hash.hex(), "circuit_hash": self.circuit_hash.hex(),
                "contributions": [c.to_json() for c in self.contributions]}

    @classmethod
    def from_json(cls, obj: object) -> CeremonyRecord:
        """Inverse of :meth:`to_json` (strict: exactly its keys); raises
        ``CeremonyRecordError`` naming what is wrong."""
        data = _exact_keys(obj, {"ptau_hash", "circuit_hash", "contributions"},
                           "a ceremony record")
        items = data["contributions"]
        if not isinstance(items, list):
            raise CeremonyRecordError(f"a ceremony record's contributions are a JSON list, "
                                      f"got {short(items)}")
        return cls(_hash_from_hex(data["ptau_hash"], "the ptau hash"),
                   _hash_from_hex(data["circuit_hash"], "the circuit hash"),
                   tuple(ContributionRecord.from_json(c) for c in items))
