# SPDX-License-Identifier: MIT
"""``verify_zkey``: check a phase-2 key against its circuit and ptau, as snarkjs's
``zkey verify`` does, and return the ``CeremonyRecord`` it proves.

The key is compared with the initial key rebuilt from the r1cs and the ptau
(``new_zkey``): the same sizes, alpha and beta (the ptau's), gamma the generator, the
same circuit hash, and sections 3–7 (IC, coefficients, A, B1, B2) identical. Every
contribution must sign the transcript hash of everything before it, prove knowledge of
its secret d (e(g1_s, g2_spx) = e(g1_sx, g2_sp) with g2_sp = hash_to_g2(transcript)) and
move delta by that same d (e(delta_before, g2_spx) = e(delta_after, g2_sp)); a beacon's
key must be the one its public hash gives. The header's delta_1 must be the last
contribution's and delta_2 its G2 twin, and sections 8 (C) and 9 (H) the initial key's
divided by delta: one random linear combination of each side, computed with native
MSMs, related by a pairing check.

The ptau's Lagrange blocks the key is built from (sizes n and 2n of section 12 — H is
the odd points of the latter — and n of sections 13–15) must be the Lagrange transform
of its powers (``check_lagrange_blocks``: one NTT and two MSMs a section): otherwise a
ptau whose prepared sections were replaced by points of someone's own choosing (the
Lagrange basis of a tau they know) would make a key that matches "its" ptau. The G2
block (section 13, size n) must lie in the subgroup G2 (``zkcx.curve.subgroup``: a few
MSMs with random small weights). Only these blocks of the ptau are read.

A key without any contribution has delta = 1: anyone with the ptau can forge proofs for
it, so it is refused (``UnsafeKeyError``) unless ``allow_unsafe`` is passed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from zkcx.ceremony.lagrange_check import check_lagrange_blocks, random_scalars
from zkcx.ceremony.ptau import LAGRANGE_SECTIONS, Ptau
from zkcx.ceremony.record import CeremonyRecord, ContributionRecord
from zkcx.ceremony.snarkjs_rng import beacon_stream, hash_to_g2
from zkcx.ceremony.zkey_new import new_zkey
from zkcx.ceremony.zkey_transcript import Phase2Transcript, read_transcript
from zkcx.curve import G1, G2, PointVector, msm, pairing_check
from zkcx.curve.subgroup import first_outside_g2
from zkcx.errors import (
    ContributionError,
    LagrangeSectionError,
    TranscriptError,
    UnsafeKeyError,
    ZkeyMismatchError,
)
from zkcx.groth16.keys import ProvingKey
from zkcx.r1cs import R1CS

Progress = Callable[[int, int, str], None]


def same_ratio(g1_s: G1, g1_sx: G1, g2_s: G2, g2_sx: G2) -> bool:
    """Whether g1_sx / g1_s = g2_sx / g2_s as discrete logarithms (e(g1_s, g2_sx) =
    e(g1_sx, g2_s)), no point being the identity (snarkjs's sameRatio)."""
    if any(p.is_identity() for p in (g1_s, g1_sx, g2_s, g2_sx)):
        return False
    return pairing_check([(g1_s, g2_sx), (-g1_sx, g2_s)])


def _who(i: int, name: str | None) -> str:
    return f"contribution {i + 1}" + (f" ({name!r})" if name else "")


def _check_contributions(transcript: Phase2Transcript) -> G1:
    """The hash chain, each proof of knowledge, the delta chain and the beacons; returns
    the last delta (the generator when there is no contribution)."""
    delta = G1.generator()
    for i, c in enumerate(transcript.contributions):
        who = _who(i, c.name)
        before = Phase2Transcript(transcript.cs_hash, transcript.contributions[:i])
        if before.transcript_for(c.g1_s, c.g1_sx) != c.transcript:
            raise TranscriptError(f"{who}: its transcript hash is not the hash of the "
                                  "transcript before it (the hash chain is broken)")
        g2_sp = hash_to_g2(c.transcript)
        if not same_ratio(c.g1_s, c.g1_sx, g2_sp, c.g2_spx):
            raise ContributionError(f"{who}: its public key (g1_s, g1_sx, g2_spx) does not "
                                    "prove knowledge of its secret")
        if not same_ratio(delta, c.delta_after, g2_sp, c.g2_spx):
            raise ContributionError(f"{who}: delta after it is not delta before it times "
                                    "the secret its public key proves")
        if c.is_beacon:
            if c.beacon_hash is None or c.iterations_exp is None:
                raise ContributionError(f"{who}: a beacon without its hash or iterations")
            stream = beacon_stream(c.beacon_hash, c.iterations_exp)
            d = stream.fr()
            g1_s = stream.g1()
            if g1_s != c.g1_s or g1_s * d != c.g1_sx:
                raise ContributionError(f"{who}: the beacon's key is not the one its hash "
                                        f"{c.beacon_hash.hex()} and 2^{c.iterations_exp} "
                                        "iterations give")
        delta = c.delta_after
    return delta


_SECTIONS = (("ic", 3, "IC"), ("a", 5, "A"), ("b1", 6, "B1"), ("b2", 7, "B2"))


def _check_matches(pk: ProvingKey, init: ProvingKey, transcript: Phase2Transcript,
                   init_hash: bytes) -> None:
    if (pk.n_wires, pk.n_public, pk.domain_size) != (init.n_wires, init.n_public,
                                                     init.domain_size):
        raise ZkeyMismatchError(
            f"the key is for another circuit: it has {pk.n_wires} wires, {pk.n_public} "
            f"public signals and a domain of {pk.domain_size}; this circuit has "
            f"{init.n_wires}, {init.n_public} and {init.domain_size}")
    for field in ("alpha_1", "beta_1", "beta_2"):
        if getattr(pk, field) != getattr(init, field):
            raise ZkeyMismatchError(f"the key's {field} is not this ptau's: the key was made "
                                    "from another powers-of-tau file")
    if pk.gamma_2 != init.gamma_2:
        raise ZkeyMismatchError("the key's gamma_2 is not the G2 generator zkey new sets")
    if transcript.cs_hash != init_hash:
        raise ZkeyMismatchError("the key's circuit hash differs from the one rebuilt from "
                                "this circuit and ptau: it was made for another circuit or "
                                "from another ptau")
    for field, section, label in _SECTIONS:
        if not getattr(pk, field).limbs.tobytes() == getattr(init, field).limbs.tobytes():
            raise ZkeyMismatchError(f"section {section} ({label}) differs from the key "
                                    "rebuilt from this circuit and ptau")
    mine, theirs = pk.coefs, init.coefs
    if not (len(mine) == len(theirs) and np.array_equal(mine.matrix, theirs.matrix)
            and np.array_equal(mine.row, theirs.row) and np.array_equal(mine.wire, theirs.wire)
            and mine.value.equals(theirs.value)):
        raise ZkeyMismatchError("section 4 (coefficients) differs from the key rebuilt from "
                                "this circuit and ptau")


def _check_scaled(mine: PointVector, initial: PointVector, delta_2: G2, section: int,
                  label: str) -> None:
    """``mine`` = ``initial`` / delta, checked on one random combination of each."""
    if len(mine) == 0:
        return
    rho = random_scalars(len(mine))
    combined_initial, combined_mine = msm(initial, rho), msm(mine, rho)
    if combined_initial.is_identity() and combined_mine.is_identity():
        return
    if not same_ratio(combined_mine, combined_initial, G2.generator(), delta_2):
        raise ContributionError(f"section {section} ({label}) is not the initial key's "
                                "divided by the key's delta")


def verify_zkey(r1cs: R1CS, ptau: Ptau, pk: ProvingKey, *, allow_unsafe: bool = False,
                progress: Progress | None = None) -> CeremonyRecord:
    """Verify ``pk`` (a phase-2 key) against ``r1cs`` and the prepared ``ptau`` it claims
    (module docstring) and return the record of its ceremony. Raises
    ``LagrangeSectionError`` (a block of the ptau's prepared sections the key uses is
    not the Lagrange transform of its powers, or a G2 point of it outside G2),
    ``ZkeyMismatchError`` (another circuit or
    ptau, a section that is not the rebuilt key's), ``TranscriptError`` (a broken hash
    chain), ``ContributionError`` (a proof of knowledge, a delta or a rescaled section
    that fails), ``UnsafeKeyError`` (no contribution, unless ``allow_unsafe``) or
    ``FileFormatError`` (a malformed section 10), each naming what is wrong."""
    report = progress or (lambda done, total, step: None)
    total = 5
    report(0, total, "rebuilding the initial key")
    init = new_zkey(r1cs, ptau)
    report(1, total, "the ptau's Lagrange blocks")
    n = init.domain_size
    bad = first_outside_g2(ptau.lagrange_block(13, n))
    if bad is not None:
        raise LagrangeSectionError(f"section 13 (Lagrange tauG2): point {n - 1 + bad} (in "
                                   f"the block of size {n} the key is made from) is on the "
                                   f"twist curve but not in the order-r subgroup G2")
    for section in LAGRANGE_SECTIONS:
        check_lagrange_blocks(ptau, section, (n, 2 * n) if section == 12 else (n,))
        ptau.release_pages()  # each section's blocks are read once
    init_hash = read_transcript(init.contributions).cs_hash
    transcript = read_transcript(pk.contributions)
    _check_matches(pk, init, transcript, init_hash)
    report(2, total, "contributions")
    delta = _check_contributions(transcript)
    if pk.delta_1 != delta:
        raise ContributionError("the key's delta_1 is not the last contribution's delta")
    if not same_ratio(G1.generator(), delta, G2.generator(), pk.delta_2):
        raise ContributionError("the key's delta_2 is not the G2 counterpart of its delta_1")
    report(3, total, "section 8 (C)")
    _check_scaled(pk.c, init.c, pk.delta_2, 8, "C")
    report(4, total, "section 9 (H)")
    _check_scaled(pk.h, init.h, pk.delta_2, 9, "H")
    if not transcript.contributions and not allow_unsafe:
        raise UnsafeKeyError("the key has no phase-2 contribution (delta is the generator): "
                             "anyone holding the ptau can forge proofs for it; add one with "
                             "`zkcx zkey contribute` (or pass allow_unsafe to accept it)")
    report(total, total, "done")
    return CeremonyRecord(
        ptau_hash=ptau.file_hash, circuit_hash=transcript.cs_hash,
        contributions=tuple(ContributionRecord(c.contribution_hash(), c.name or "",
                                               "beacon" if c.is_beacon else "contribution")
                            for c in transcript.contributions))


