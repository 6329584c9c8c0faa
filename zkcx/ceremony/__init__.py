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

from typing import TYPE_CHECKING

from zkcx._lazy import make_lazy

#: the package's names -> the module defining each, imported on first use (PEP 562) so
#: that importing a numpy-free module of the package (``zkcx.ceremony.zkey_new``, which
#: ``zkcx zkey new`` runs) does not load the rest, and numpy with it
_NAMES = {
    "beacon_ptau": "zkcx.ceremony.phase1",
    "contribute_ptau": "zkcx.ceremony.phase1",
    "new_ptau": "zkcx.ceremony.phase1",
    "prepare_ptau": "zkcx.ceremony.phase1_prepare",
    "PtauContributionRecord": "zkcx.ceremony.phase1_verify",
    "PtauTranscript": "zkcx.ceremony.phase1_verify",
    "verify_ptau": "zkcx.ceremony.phase1_verify",
    "Ptau": "zkcx.ceremony.ptau",
    "PtauContribution": "zkcx.ceremony.ptau",
    "PtauKey": "zkcx.ceremony.ptau",
    "ptau_bytes": "zkcx.ceremony.ptau",
    "read_ptau": "zkcx.ceremony.ptau",
    "write_ptau": "zkcx.ceremony.ptau",
    "CeremonyRecord": "zkcx.ceremony.record",
    "ContributionRecord": "zkcx.ceremony.record",
    "beacon_zkey": "zkcx.ceremony.zkey_contribute",
    "contribute_zkey": "zkcx.ceremony.zkey_contribute",
    "transcript_of": "zkcx.ceremony.zkey_contribute",
    "new_zkey": "zkcx.ceremony.zkey_new",
    "write_new_zkey": "zkcx.ceremony.zkey_new",
    "check_zkey": "zkcx.ceremony.zkey_verify",
    "contribution_records": "zkcx.ceremony.zkey_verify",
    "verify_zkey": "zkcx.ceremony.zkey_verify",
}


__getattr__, __dir__ = make_lazy(__name__, _NAMES)

if TYPE_CHECKING:
    from zkcx.ceremony.phase1 import beacon_ptau, contribute_ptau, new_ptau
    from zkcx.ceremony.phase1_prepare import prepare_ptau
    from zkcx.ceremony.phase1_verify import (
        PtauContributionRecord,
        PtauTranscript,
        verify_ptau,
    )
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
    from zkcx.ceremony.zkey_verify import check_zkey, contribution_records, verify_zkey



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
    "check_zkey",
    "contribution_records",
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
