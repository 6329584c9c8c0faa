# SPDX-License-Identifier: MIT
"""Trusted setup as a network does it, file-compatible with snarkjs 0.7 both ways.

Phase 1 is a powers-of-tau ceremony over ``.ptau`` files (new, contribute, beacon, verify,
prepare); phase 2 turns a prepared ptau and a circuit into a ``.zkey`` and runs that
key's own ceremony (contribute, beacon, verify). A key whose transcript verifies was made
by nobody alone: forging proofs needs every contributor's secret.
"""

from zkcx.ceremony.ptau import (
    Ptau,
    PtauContribution,
    PtauKey,
    ptau_bytes,
    read_ptau,
    write_ptau,
)

__all__: list[str] = [
    "Ptau",
    "PtauContribution",
    "PtauKey",
    "ptau_bytes",
    "read_ptau",
    "write_ptau",
]
