# SPDX-License-Identifier: MIT
"""Trusted setup as a network does it, file-compatible with snarkjs 0.7 both ways.

Phase 1 is a powers-of-tau ceremony over ``.ptau`` files (new, contribute, beacon, verify,
prepare); phase 2 turns a prepared ptau and a circuit into a ``.zkey`` and runs that
key's own ceremony (contribute, beacon, verify). A key whose transcript verifies was made
by nobody alone: forging proofs needs every contributor's secret.

Phase 2: ``new_zkey`` (snarkjs's ``groth16 setup``; ``write_new_zkey`` also writes it),
``contribute_zkey``, ``beacon_zkey``, ``verify_zkey`` (returns the ``CeremonyRecord``),
``transcript_of`` (section 10).
"""

from zkcx.ceremony.phase1 import beacon_ptau, contribute_ptau, new_ptau
from zkcx.ceremony.phase1_prepare import prepare_ptau
from zkcx.ceremony.phase1_verify import PtauContributionRecord, PtauTranscript, verify_ptau
from zkcx.ceremony.ptau import (
    Ptau,
    PtauContribution,
    PtauKey,
    ptau_bytes,
    read_ptau,
    write_ptau,
)
from zkcx.ceremony.record import CeremonyRecord, ContributionRecord
from zkcx.ceremony.zkey_contribute import beacon_zkey, contribute_zkey, transcript_of
from zkcx.ceremony.zkey_new import new_zkey, write_new_zkey
from zkcx.ceremony.zkey_verify import verify_zkey

__all__: list[str] = [
    "CeremonyRecord",
    "ContributionRecord",
    "Ptau",
    "PtauContribution",
    "PtauContributionRecord",
    "PtauKey",
    "PtauTranscript",
    "beacon_ptau",
    "beacon_zkey",
    "contribute_ptau",
    "contribute_zkey",
    "new_ptau",
    "new_zkey",
    "write_new_zkey",
    "prepare_ptau",
    "ptau_bytes",
    "read_ptau",
    "verify_ptau",
    "verify_zkey",
    "write_ptau",
    "transcript_of",
]
