# SPDX-License-Identifier: MIT
"""What a catalogue entry asks of its kernel's trusted setup: the optional ``[ceremony]``
table of a catalogue file.

A kernel's proving key is safe only if nobody knows its toxic waste: it must come from a
public powers-of-tau file (phase 1) and a phase-2 ceremony with at least one honest
contributor (``zkcx.ceremony``). A catalogue file may say which ceremony its kernel's key
must come from::

    [ceremony]
    ptau_hash = "4f1a…"          # BLAKE2b-512 (128 hex digits, as b2sum prints) of the
                                 # prepared .ptau file the key was made from
    min_contributions = 2        # phase-2 contributions required (beacons not counted)
    final_beacon = true          # the last phase-2 step must be a random beacon

Every key is optional (``min_contributions`` defaults to 1, ``final_beacon`` to false);
an unknown key is refused. ``zkcx kernel register`` (``KernelRegistry.register_kernel``)
compares a key's verified transcript with these terms and refuses a key whose ceremony
does not meet them, or a key from an unsafe local setup. The terms are what the
catalogue asks, not evidence: the evidence is the transcript (``zkcx.ceremony.
verify_zkey``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from zkcx.errors import KernelSpecError

#: bytes of a BLAKE2b-512 file hash (a .ptau file's, a circuit's)
HASH_BYTES = 64
_HEX_HASH = re.compile(f"[0-9a-fA-F]{{{2 * HASH_BYTES}}}")
_KEYS = frozenset({"ptau_hash", "min_contributions", "final_beacon"})
#: the most contributions a catalogue may ask for (a bound on a number read from a file)
MAX_REQUIRED_CONTRIBUTIONS = 1 << 16


@dataclass(frozen=True)
class CeremonyTerms:
    """The ceremony a catalogue entry requires: the prepared ptau file's BLAKE2b-512
    hash (None: any ptau), the least number of phase-2 contributions (beacons not
    counted) and whether the last phase-2 step must be a beacon."""

    ptau_hash: bytes | None = None
    min_contributions: int = 1
    final_beacon: bool = False

    def __post_init__(self) -> None:
        if self.ptau_hash is not None and (type(self.ptau_hash) is not bytes
                                           or len(self.ptau_hash) != HASH_BYTES):
            raise KernelSpecError(f"ceremony ptau_hash must be {HASH_BYTES} bytes (a "
                                  f"BLAKE2b-512 hash), got {_short(self.ptau_hash)}")
        count = self.min_contributions
        if (isinstance(count, bool) or not isinstance(count, int)
                or not 1 <= count <= MAX_REQUIRED_CONTRIBUTIONS):
            raise KernelSpecError(f"ceremony min_contributions must be an integer in [1, "
                                  f"{MAX_REQUIRED_CONTRIBUTIONS}], got {_short(count)}")
        if not isinstance(self.final_beacon, bool):
            raise KernelSpecError(f"ceremony final_beacon must be true or false, got "
                                  f"{_short(self.final_beacon)}")

    @classmethod
    def from_table(cls, table: object, where: str = "kernel") -> CeremonyTerms:
        """The terms of a catalogue file's ``[ceremony]`` table (parsed TOML); a
        ``KernelSpecError`` names ``where`` and the key that is wrong."""
        if not isinstance(table, Mapping):
            raise KernelSpecError(f"{where}: ceremony must be a table ([ceremony]), got "
                                  f"{_short(table)}")
        unknown = set(table) - _KEYS
        if unknown:
            raise KernelSpecError(f"{where}: [ceremony] has unknown keys {sorted(unknown)}; "
                                  f"it takes {sorted(_KEYS)}")
        digest = table.get("ptau_hash")
        if digest is not None:
            digest = _hash_from_hex(digest, f"{where}: [ceremony] ptau_hash")
        try:
            return cls(digest, table.get("min_contributions", 1),
                       table.get("final_beacon", False))
        except KernelSpecError as exc:
            raise KernelSpecError(f"{where}: {exc}") from None

    def describe(self) -> str:
        """One line saying what the terms require."""
        parts = [f"ptau {self.ptau_hash.hex()[:16]}…" if self.ptau_hash else "any ptau",
                 f"at least {self.min_contributions} contribution"
                 + ("s" if self.min_contributions > 1 else "")]
        if self.final_beacon:
            parts.append("a final beacon")
        return ", ".join(parts)


def _hash_from_hex(text: object, what: str) -> bytes:
    """64 bytes from 128 hex digits (either case), or ``KernelSpecError``."""
    if not isinstance(text, str) or not _HEX_HASH.fullmatch(text):
        raise KernelSpecError(f"{what} must be {2 * HASH_BYTES} hex digits (the BLAKE2b-512 "
                              f"of the file, as b2sum prints it), got {_short(text)}")
    return bytes.fromhex(text)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
