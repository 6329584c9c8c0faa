# SPDX-License-Identifier: MIT
"""Phase-2 contributions: ``contribute_zkey`` (a party's secret) and ``beacon_zkey`` (a
public beacon's deterministic one), each as snarkjs's ``zkey contribute`` and ``zkey
beacon`` make it, so that either tool verifies the other's.

A contribution draws a secret d and a point g1_s from a ChaCha stream (seeded from the
operating system's randomness and the caller's entropy, or from the beacon), signs the
transcript hash (zkcx.ceremony.zkey_transcript) with g1_sx = d·g1_s and g2_spx =
d·hash_to_g2(transcript), multiplies delta (both groups) by d and the C and H sections by
1/d, and appends its record to section 10. The other sections are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from zkcx.ceremony.snarkjs_rng import ChaChaStream, beacon_stream, entropy_stream, hash_to_g2
from zkcx.ceremony.zkey_transcript import (
    KIND_BEACON,
    KIND_CONTRIBUTION,
    Phase2Contribution,
    Phase2Transcript,
    read_transcript,
    transcript_bytes,
)
from zkcx.curve import mul_all
from zkcx.errors import InvalidArgumentError
from zkcx.groth16.keys import ProvingKey

#: The section order snarkjs writes after a contribution or a beacon.
CONTRIBUTED_SECTION_ORDER = tuple(range(1, 11))
#: snarkjs's bounds on a beacon's iteration exponent (2^e SHA-256 rounds).
MIN_BEACON_EXP, MAX_BEACON_EXP = 10, 63

Progress = Callable[[int, int, str], None]


def transcript_of(pk: ProvingKey, name: str = ".zkey") -> Phase2Transcript:
    """The key's section 10, parsed (``FileFormatError`` when it is malformed)."""
    return read_transcript(pk.contributions, name)


def _contribute(pk: ProvingKey, stream: ChaChaStream, kind: int, name: str | None,
                iterations_exp: int | None, beacon_hash: bytes | None,
                progress: Progress | None) -> ProvingKey:
    report = progress or (lambda done, total, step: None)
    report(0, 3, "proof of knowledge")
    transcript = transcript_of(pk)
    d = stream.fr()
    g1_s = stream.g1()
    g1_sx = g1_s * d
    signed = transcript.transcript_for(g1_s, g1_sx)
    g2_spx = hash_to_g2(signed) * d
    delta_1, delta_2 = pk.delta_1 * d, pk.delta_2 * d
    record = Phase2Contribution(delta_1, g1_s, g1_sx, g2_spx, signed, kind, name or None,
                                iterations_exp, beacon_hash)
    inverse = d.inverse()
    report(1, 3, "C points times 1/delta")
    c = mul_all(pk.c, inverse)
    report(2, 3, "H points times 1/delta")
    h = mul_all(pk.h, inverse)
    del d, inverse, stream  # the secret: never kept
    out = replace(pk, delta_1=delta_1, delta_2=delta_2, c=c, h=h,
                  contributions=transcript_bytes(transcript.with_contribution(record)),
                  section_order=CONTRIBUTED_SECTION_ORDER)
    report(3, 3, "done")
    return out


def contribute_zkey(pk: ProvingKey, name: str, entropy: bytes | str | None = None, *,
                    progress: Progress | None = None) -> ProvingKey:
    """``pk`` with one more contribution whose secret comes from the operating system's
    randomness (``secrets``) mixed with ``entropy``; the secret is discarded. ``name``
    (its first 64 characters) is recorded in the transcript. The contribution's hash,
    to publish, is ``transcript_of(out).contributions[-1].contribution_hash()``."""
    return _contribute(pk, entropy_stream(entropy), KIND_CONTRIBUTION, name, None, None,
                       progress)


def beacon_zkey(pk: ProvingKey, beacon_hash: bytes, iterations_exp: int, name: str, *,
                progress: Progress | None = None) -> ProvingKey:
    """``pk`` with a final beacon contribution: its secret comes from ``beacon_hash``
    after 2^``iterations_exp`` SHA-256 rounds, so anyone can recompute it; the result is
    byte-identical to snarkjs's ``zkey beacon`` with the same arguments. A beacon hash is
    1 to 255 bytes, the exponent 10 to 63 (snarkjs's bounds)."""
    if not isinstance(beacon_hash, bytes) or not 1 <= len(beacon_hash) <= 255:
        raise InvalidArgumentError("a beacon hash is 1 to 255 bytes")
    if not isinstance(iterations_exp, int) or not (
            MIN_BEACON_EXP <= iterations_exp <= MAX_BEACON_EXP):
        raise InvalidArgumentError(f"the beacon's iteration exponent is an int from "
                                   f"{MIN_BEACON_EXP} to {MAX_BEACON_EXP}, got "
                                   f"{iterations_exp!r}")
    return _contribute(pk, beacon_stream(beacon_hash, iterations_exp), KIND_BEACON, name,
                       iterations_exp, beacon_hash, progress)
