# SPDX-License-Identifier: MIT
"""``verify_ptau``: the checks of ``snarkjs powersoftau verify``, each failure raised
with a message naming the contribution or section and what is wrong.

* Every contribution, against the one before it (the first against a new file: the
  generators and the ceremony's first challenge): a beacon's public key is the one its
  parameters derive; each of the three public keys proves knowledge of its secret for
  the challenge answered (e(g1_s, g2_spx) = e(g1_sx, g2_sp), g2_sp hashed from the
  challenge); its tau·G1, tau·G2, alpha·G1, beta·G1, beta·G2 are the previous ones
  times the secrets the keys commit to (pairing equalities).
* The last contribution: its points are the file's first points, and, for a file at
  its ceremony power, the next challenge it records is the hash of its response and
  the file's points (so the file is the one it produced).
* The powers: each of sections 2–5 holds successive powers of the one tau the last
  contribution commits to, checked with a random linear combination (two MSMs a
  section and one pairing equality), and the G2 points of sections 3 and 13 lie in G2
  (``zkcx.curve.subgroup``: a few MSMs with random small weights, then point by point
  only to name a bad one).
* The prepared sections, if present: each block is the Lagrange basis of the powers
  (``lagrange_check``: random vectors r, sum r_j·T_j = sum ntt(r)_i·L_i, all blocks
  of a section in one MSM per side).
Random values come from ``secrets`` (a cheater cannot predict them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zkcx.ceremony.lagrange_check import check_lagrange_sections
from zkcx.ceremony.phase1 import create_keys, proof_point
from zkcx.ceremony.ptau import Ptau, PtauContribution
from zkcx.ceremony.snarkjs_rng import beacon_stream
from zkcx.ceremony.transcript import first_challenge, next_challenge
from zkcx.curve import G1, G2, G2Vec, msm, pairing_check
from zkcx.curve.subgroup import first_outside_g2
from zkcx.errors import ArgumentTypeError, CeremonyError, ContributionError, TranscriptError
from zkcx.field import FrVec

Progress = Callable[[int, int, str], None]
_SECRETS = ("tau", "alpha", "beta")


@dataclass(frozen=True)
class PtauContributionRecord:
    """One verified contribution: its position (1-based), name, kind ("contribution" or
    "beacon"), the challenge it answered, its response hash (snarkjs's contribution
    hash), the challenge it left, and a beacon's parameters."""

    index: int
    name: str | None
    kind: str
    challenge: bytes
    response_hash: bytes
    next_challenge: bytes
    beacon_hash: bytes | None = None
    iterations_exp: int | None = None


@dataclass(frozen=True)
class PtauTranscript:
    """What ``verify_ptau`` checked: the ceremony's power and first challenge, every
    contribution in order, and whether the Lagrange sections were present (and so
    checked)."""

    power: int
    ceremony_power: int
    first_challenge: bytes
    contributions: tuple[PtauContributionRecord, ...]
    prepared: bool


@dataclass(frozen=True)
class _Points:
    """The five points a contribution leaves (or a new file's generators)."""

    tau_g1: G1
    tau_g2: G2
    alpha_g1: G1
    beta_g1: G1
    beta_g2: G2


def _same_ratio(a: G1, b: G1, c: G2, d: G2) -> bool:
    """snarkjs's sameRatio: none of the points is the identity and e(a, d) = e(b, c)."""
    if a.is_identity() or b.is_identity() or c.is_identity() or d.is_identity():
        return False
    return pairing_check([(a, d), (-b, c)])


def _label(index: int, c: PtauContribution) -> str:
    kind = "beacon" if c.is_beacon else "contribution"
    return f"{kind} #{index}" + (f" ({c.name!r})" if c.name else "")


def _check_contribution(index: int, c: PtauContribution, prev: _Points,
                        challenge: bytes) -> None:
    label = _label(index, c)
    if c.is_beacon:
        _, expected = create_keys(challenge, beacon_stream(c.beacon_hash, c.iterations_exp))
        for secret, ours, theirs in zip(_SECRETS, expected, c.keys):
            if ours != theirs:
                raise ContributionError(
                    f"{label}: its {secret} public key is not the one the beacon hash and "
                    f"2^{c.iterations_exp} iterations derive for the challenge it answers")
    g2_sp = []
    for personalization, (secret, key) in enumerate(zip(_SECRETS, c.keys)):
        point = proof_point(personalization, challenge, key.g1_s, key.g1_sx)
        if not _same_ratio(key.g1_s, key.g1_sx, point, key.g2_spx):
            raise ContributionError(
                f"{label}: the public key of {secret} has no valid proof of knowledge for "
                f"the challenge it answers (a wrong public key, or a broken hash chain: "
                f"the previous contribution's next challenge was altered)")
        g2_sp.append(point)
    tau, alpha, beta = c.keys
    checks = [
        ("tau·G1", _same_ratio(prev.tau_g1, c.tau_g1, g2_sp[0], tau.g2_spx)),
        ("tau·G2", _same_ratio(tau.g1_s, tau.g1_sx, prev.tau_g2, c.tau_g2)),
        ("alpha·G1", _same_ratio(prev.alpha_g1, c.alpha_g1, g2_sp[1], alpha.g2_spx)),
        ("beta·G1", _same_ratio(prev.beta_g1, c.beta_g1, g2_sp[2], beta.g2_spx)),
        ("beta·G2", _same_ratio(beta.g1_s, beta.g1_sx, prev.beta_g2, c.beta_g2)),
    ]
    for what, ok in checks:
        if not ok:
            raise ContributionError(f"{label}: its {what} does not follow from the previous "
                                    f"one by the secret its public key commits to")


def _check_last(ptau: Ptau, last: PtauContribution, label: str) -> None:
    """The file's first points are the last contribution's."""
    pairs = [("section 2 (tauG1) point 1", ptau.tau_g1[1], last.tau_g1),
             ("section 3 (tauG2) point 1", ptau.tau_g2[1], last.tau_g2),
             ("section 4 (alphaTauG1) point 0", ptau.alpha_tau_g1[0], last.alpha_g1),
             ("section 5 (betaTauG1) point 0", ptau.beta_tau_g1[0], last.beta_g1),
             ("section 6 (betaG2)", ptau.beta_g2, last.beta_g2)]
    for what, ours, theirs in pairs:
        if ours != theirs:
            raise ContributionError(f"{what} is not the one {label} recorded: the file's "
                                    f"points are not that contribution's")


def _check_powers(ptau: Ptau, last: PtauContribution) -> None:
    """Sections 2–5 are successive powers of the tau of the last contribution: with
    random r, R1 = sum r_i P_i and R2 = sum r_i P_(i+1) satisfy R2 = [tau] R1."""
    g1, g2 = G1.generator(), G2.generator()
    sections = [("section 2 (tauG1)", ptau.tau_g1), ("section 4 (alphaTauG1)",
                                                     ptau.alpha_tau_g1),
                ("section 5 (betaTauG1)", ptau.beta_tau_g1)]
    for what, points in sections:
        if len(points) < 2:
            continue
        r = FrVec.random(len(points) - 1)
        r1, r2 = msm(points[:-1], r), msm(points[1:], r)
        if not pairing_check([(r1, last.tau_g2), (-r2, g2)]):
            raise ContributionError(f"{what}: the points are not successive powers of one "
                                    f"tau (the one the last contribution's tau·G2 holds)")
    if len(ptau.tau_g2) >= 2:
        r = FrVec.random(len(ptau.tau_g2) - 1)
        r1, r2 = msm(ptau.tau_g2[:-1], r), msm(ptau.tau_g2[1:], r)
        if not pairing_check([(last.tau_g1, r1), (-g1, r2)]):
            raise ContributionError("section 3 (tauG2): the points are not successive "
                                    "powers of one tau (the one the last contribution's "
                                    "tau·G1 holds)")


def _check_subgroup(points: G2Vec, what: str) -> None:
    bad = first_outside_g2(points)
    if bad is not None:
        raise CeremonyError(f"{what}: point {bad} is on the twist curve but not in the "
                            f"order-r subgroup G2")


def verify_ptau(ptau: Ptau, progress: Progress | None = None) -> PtauTranscript:
    """Verify a ptau's whole transcript and points (see the module docstring), raising
    ``ContributionError`` (a contribution or the points it left do not check out),
    ``TranscriptError`` (the last contribution's next challenge is not the hash of the
    file), ``LagrangeSectionError`` (a wrong Lagrange block) or ``CeremonyError`` (no
    contribution at all, a G2 point outside the subgroup), each naming what is wrong. A
    file with no contribution is refused: its secrets are all 1."""
    if not isinstance(ptau, Ptau):
        raise ArgumentTypeError(f"expected a Ptau, got {type(ptau).__name__}")
    if not ptau.contributions:
        raise CeremonyError("this ptau has no contribution: every secret is 1 and anyone "
                            "can forge proofs with keys made from it")
    count = len(ptau.contributions)
    total = count + 3 + (1 if ptau.is_prepared else 0)

    def report(done: int, what: str) -> None:
        if progress:
            progress(done, total, what)

    first = first_challenge(ptau.ceremony_power)
    prev = _Points(G1.generator(), G2.generator(), G1.generator(), G1.generator(),
                   G2.generator())
    challenge = first
    records = []
    for index, c in enumerate(ptau.contributions, start=1):
        _check_contribution(index, c, prev, challenge)
        records.append(PtauContributionRecord(
            index=index, name=c.name, kind="beacon" if c.is_beacon else "contribution",
            challenge=challenge, response_hash=c.response_hash,
            next_challenge=c.next_challenge, beacon_hash=c.beacon_hash,
            iterations_exp=c.iterations_exp))
        prev = _Points(c.tau_g1, c.tau_g2, c.alpha_g1, c.beta_g1, c.beta_g2)
        challenge = c.next_challenge
        report(index, "contributions")
    last = ptau.contributions[-1]
    label = _label(count, last)
    _check_last(ptau, last, label)
    if ptau.power == ptau.ceremony_power:
        sections = [ptau.tau_g1, ptau.tau_g2, ptau.alpha_tau_g1, ptau.beta_tau_g1,
                    G2Vec.from_points([ptau.beta_g2])]
        if next_challenge(last.response_hash, sections) != last.next_challenge:
            raise TranscriptError(f"the next challenge {label} recorded is not the hash of "
                                  f"its response and the file's points: the points or its "
                                  f"hashes were altered")
    report(count + 1, "next challenge")
    _check_subgroup(ptau.tau_g2, "section 3 (tauG2)")
    _check_powers(ptau, last)
    report(count + 2, "powers")
    if ptau.is_prepared:
        _check_subgroup(ptau.lagrange_g2, "section 13 (Lagrange tauG2)")  # type: ignore
        check_lagrange_sections(ptau)
        report(count + 3, "Lagrange sections")
    report(total, "done")
    return PtauTranscript(power=ptau.power, ceremony_power=ptau.ceremony_power,
                          first_challenge=first, contributions=tuple(records),
                          prepared=ptau.is_prepared)
