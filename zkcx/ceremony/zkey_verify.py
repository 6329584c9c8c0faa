# SPDX-License-Identifier: MIT
"""``verify_zkey``: check a phase-2 key against its circuit and ptau, as snarkjs's
``zkey verify`` does, and return the ``CeremonyRecord`` it proves.

What is checked:

1. The key against the initial key rebuilt from the r1cs and the ptau (``new_zkey``):
   the same sizes, alpha and beta (the ptau's), gamma the generator, the same circuit
   hash, and sections 3–7 (IC, coefficients, A, B1, B2) identical.
2. The ptau's Lagrange blocks the key is built from — sizes n and 2n of section 12 (H is
   the odd points of the latter) and n of sections 13–15 — are the Lagrange transform
   of its powers (sections 2–5): otherwise a ptau whose prepared sections were replaced
   by points of someone's own choosing (the Lagrange basis of a tau they know) would
   make a key that matches "its" ptau. The G2 block (section 13) must lie in the
   subgroup G2 (2^-64: ``zkcx.curve.subgroup``'s rounds but one, and the fast path's
   check of Z below, which is worth one more round). Only these blocks of the ptau are
   read.
3. Every contribution signs the transcript hash of everything before it, proves
   knowledge of its secret d (e(g1_s, g2_spx) = e(g1_sx, g2_sp) with g2_sp =
   hash_to_g2(transcript)) and moves delta by that same d (e(delta_before, g2_spx) =
   e(delta_after, g2_sp)); a beacon's key must be the one its public hash gives. The
   header's delta_1 is the last contribution's, delta_2 its G2 twin.
4. Sections 8 (C) and 9 (H) are the initial key's divided by delta.

How (the fast path): 2 and 4 are one random identity, one pairing check. With s, sigma,
y, rho_c, rho_h independent random weights of RANDOM_BITS bits (``lagrange_check``), a
and b two random nonzero multipliers in Fr (``random_multiplier``), T_j, aT_j, bT_j,
T2_j the powers of sections 2, 4, 5 and 3, L, aL, bL, L2 the blocks of 12, 14, 15 and
13, alpha_1 and beta_1 the first points of sections 4 and 5 (the key's, checked in 1),
the stars the values the tau powers define (L* the transform of T, H*_i =
L*^(2n)_(2i+1)) and C0 the rebuilt key's C (sums of the blocks' points):

    e(P, G2) · e(Q, delta_2) · e(−(G1 + a·alpha_1 + b·beta_1), Z) = 1,
    P = sum s·L (the blocks n and 2n of 12)
        − the tau powers' MSM (coefficients intt(s), sigma's, y's and H's, so that it
          sums s·L* − sum_(i<n) sigma_i L*_i − sum_(j<n) y_j T_j + H* terms)
        − sum rho_c C0
        + a·(sum_(i<n) sigma_i aL_i + sum_(j<n) y_j aT_j)
        + b·(sum_(i<n) sigma_i bL_i + sum_(j<n) y_j bT_j),
    Q = sum rho_c C + sum rho_h H (the key's sections 8 and 9),
    Z = sum_(i<n) sigma_i L2_i + sum_(j<n) y_j T2_j, checked in G2.

delta_2 is subgroup-checked on reading, Z here, so the pairings are bilinear and the
check says that one discrete logarithm is zero (lower case: the logarithms of the
points, of their G2 components for G2 points; alpha, beta those of alpha_1, beta_1):

    sum s (l − l*) + sum_(i<n) sigma_i c_i + sum_(j<n) y_j d_j
    + sum rho_c,w (delta·c_w − c0_w) + sum rho_h,i (delta·h_i − h*_i) = 0,
    c_i = (l*_i − l2_i) + a (al_i − alpha·l2_i) + b (bl_i − beta·l2_i),
    d_j = (t_j − t2_j) + a (at_j − alpha·t2_j) + b (bt_j − beta·t2_j).

Each c_i is an affine function of (a, b), identically zero only when l2_i = l*_i (its
constant term) and then al_i = alpha·l*_i and bl_i = beta·l*_i (its coefficients);
each d_j likewise only when t2_j = t_j, at_j = alpha·t_j and bt_j = beta·t_j. If
anything is wrong, either some c_i or d_j is not identically zero — a and b, drawn
independently of everything, make it zero with probability at most 1/(r − 1), and
when it is not zero, fixing every weight but sigma_i (y_j) leaves at most one value of
it that passes — or they all are and an error of block 12 (l − l*), C or H has its own
weight: the identity's polynomial in the weights is not zero and a wrong key or block
passes with probability at most 2^-RANDOM_BITS + 1/(r − 1) (below 2^-64 · (1 + 2^-189)).
The rebuilt C0 is a constant of that polynomial (it is made from the file's blocks, not
from the weights), so a block's error stays with its own weight wherever else it goes.

No error means: the G1 blocks of 12 are their transforms; block 13 is the twin of the
transform of tauG1 and the first n tauG2 powers are the tauG1 powers' twins, so block 13
is the transform of tauG2 (a twist point of tauG2 outside G2 slips through Z's check
with probability 1/10069 at most, as it slips through a comparison of block 13 with its
transform); the first n powers of sections 4 and 5 are alpha and beta times tau's, and
blocks 14 and 15 alpha and beta times L*: they are the transforms of sections 4 and 5.
Z's check is also one more round of block 13's subgroup check: a point L2_k with a
component Q outside G2 (of order at least 10069, the twist's cofactor's smallest prime)
leaves Z outside G2 unless sigma_k Q cancels the rest, one residue class of sigma_k
modulo that order (1/10069 at most, the other weights fixed), independent of the
``ROUNDS`` − 1 rounds of ``first_outside_g2`` (each at most 2^-13): 2^-52 / 10069 <
2^-65 together, the bound of the five rounds alone. C and H are C* and H* over delta
(C0 is C*: its blocks are right). That is every check of 2 and 4, and one more the ptau
should pass (its tau powers' twins: ``zkcx ptau verify`` checks them all, and a key on a
ptau that fails it is refused), with one full-size MSM (the tau powers, up to 2n − 1):
the blocks, sections 3-5 and the key take 64-bit weights, and sections 4 and 5 are
weighed through alpha_1 and beta_1 in the pairing rather than by a transform of their
own.

Only when the fast path fails are the checks made one at a time
(``check_lagrange_blocks`` per section, the tauG2 twins, the rebuilt key's sections,
the contributions, C and H against the rebuilt key), so the error names what is wrong,
in that order.

A key without any contribution has delta = 1: anyone with the ptau can forge proofs for
it, so it is refused (``UnsafeKeyError``) unless ``allow_unsafe`` is passed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from zkcx._bindings import set_local_threads
from zkcx._threads import ThreadCall
from zkcx.ceremony.lagrange_check import (
    PowerCoefficients,
    block_terms,
    check_lagrange_blocks,
    powers_used,
    random_multiplier,
    random_scalars,
    weighted_total,
)
from zkcx.ceremony.ptau import LAGRANGE_SECTIONS, Ptau
from zkcx.ceremony.record import CeremonyRecord, ContributionRecord
from zkcx.ceremony.snarkjs_rng import beacon_stream, hash_to_g2
from zkcx.ceremony.zkey_new import new_zkey
from zkcx.ceremony.zkey_transcript import Phase2Transcript, read_transcript
from zkcx.curve import G1, G2, G2Vec, PointVector, msm, pairing_check
from zkcx.curve.subgroup import ROUNDS, first_outside_g2
from zkcx.errors import (
    CeremonyError,
    ContributionError,
    FileFormatError,
    LagrangeSectionError,
    TranscriptError,
    UnsafeKeyError,
    ZkeyMismatchError,
)
from zkcx.field import FrVec
from zkcx.groth16.keys import ProvingKey
from zkcx.groth16.setup import domain_size_for
from zkcx.r1cs import R1CS

Progress = Callable[[int, int, str], None]
T = TypeVar("T")


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
        if not np.array_equal(getattr(pk, field).limbs, getattr(init, field).limbs):
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


def _same_shape(pk: ProvingKey, r1cs: R1CS, n: int) -> bool:
    """Whether the key has the sizes ``r1cs`` gives (a domain of n): the fast path's
    identity weighs its sections by wire."""
    wires, public = r1cs.n_wires, r1cs.n_public
    return ((pk.n_wires, pk.n_public, pk.domain_size) == (wires, public, n)
            and [len(pk.ic), len(pk.a), len(pk.b1), len(pk.b2), len(pk.c), len(pk.h)]
            == [public + 1, wires, wires, wires, wires - public - 1, n])


class _KeyIdentity:
    """The random identity of the module docstring over the ptau's blocks the key is
    made from, its powers and sections 8 (C) and 9 (H) of the key, in two steps:
    building it draws the weights (``rho_c``, C's, drawn by the caller: the rebuilt
    key's C is summed with them where it is made), moves them onto the tau powers and
    sums the G2 side (z; little memory, so it runs beside the rebuilt key); ``holds``,
    given the rebuilt C's sum, sums the G1 sides, one MSM at a time (the ptau's pages
    given back after each), and makes the pairing check."""

    def __init__(self, ptau: Ptau, pk: ProvingKey, n: int, rho_c: FrVec) -> None:
        self.ptau, self.pk = ptau, pk
        self.tau = tau = PowerCoefficients(ptau, 2, powers_used(ptau, 12, 2 * n))
        self.blocks = block_terms(ptau, 12, (n, 2 * n), tau)
        # block 13 against the G1 transform (sigma), tauG2 against tauG1 (y): in G2, z;
        # blocks 14, 15 (sigma) and sections 4, 5 (y) against alpha and beta times them
        sigma, y = random_scalars(n), random_scalars(n)
        tau.add_values(n, -sigma)
        tau.add(-y)
        self.z = weighted_total(ptau, [(13, n - 1, 2 * n - 1, sigma), (3, 0, n, y)])
        self.scaled_by = [(random_multiplier(), ptau.section_points(section, 0, 1)[0],
                           [(block, n - 1, 2 * n - 1, sigma), (section, 0, n, y)])
                          for section, block in ((4, 14), (5, 15))]
        # H*: sum_i rho_i H*_i = sum_i rho_i L^(2n)_(2i+1), the odd points of the 2n block
        rho_h = random_scalars(n)
        spread = FrVec.zeros(2 * n)
        spread.limbs[1::2] = rho_h.limbs
        tau.add_values(2 * n, spread)
        self.scaled = [(points, weights) for points, weights in ((pk.c, rho_c), (pk.h, rho_h))
                       if len(points)]
        tau.coefficients()  # its inverse NTTs now, while the rebuilt key runs

    def holds(self, initial_c: G1) -> bool:
        """The pairing check, ``initial_c`` the rebuilt key's C summed with ``rho_c``."""
        if G2Vec.from_points([self.z]).first_outside_subgroup() is not None:
            return False
        plain = weighted_total(self.ptau, self.blocks) - self.tau.total() - initial_c
        z_side = G1.generator()
        for multiplier, first, terms in self.scaled_by:
            plain = plain + weighted_total(self.ptau, terms) * multiplier
            z_side = z_side + first * multiplier
        scaled = G1.identity()
        for points, weights in self.scaled:
            scaled = scaled + msm(points, weights)
        self.pk.release_pages()
        return pairing_check([(plain, G2.generator()), (scaled, self.pk.delta_2),
                              (-z_side, self.z)])


def _initial_c_total(init: ProvingKey, rho_c: FrVec | None) -> G1 | None:
    """sum_w rho_c,w C0_w over the rebuilt key's C (None without weights, or weights
    for another number of points: then there is no identity to check)."""
    if rho_c is None or len(rho_c) != len(init.c):
        return None
    return msm(init.c, rho_c) if len(rho_c) else G1.identity()


def _key_identity_holds(r1cs: R1CS, ptau: Ptau, pk: ProvingKey, n: int) -> bool:
    """``_KeyIdentity`` in one go (the key rebuilt for its C)."""
    rho_c = random_scalars(len(pk.c))
    initial_c = _initial_c_total(new_zkey(r1cs, ptau), rho_c)
    return initial_c is not None and _KeyIdentity(ptau, pk, n, rho_c).holds(initial_c)


def _check_tau_g2(ptau: Ptau, n: int) -> None:
    """The first n points of section 3 are the G2 twins of section 2's (one random
    combination of each, a pairing)."""
    y = random_scalars(n)
    y1, y2 = msm(ptau.section_points(2, 0, n), y), msm(ptau.section_points(3, 0, n), y)
    if (G2Vec.from_points([y2]).first_outside_subgroup() is not None
            or not pairing_check([(y1, G2.generator()), (-G1.generator(), y2)])):
        raise ContributionError(f"section 3 (tauG2): its first {n} points are not the G2 "
                                "counterparts of section 2's tau powers: this ptau's powers "
                                "are not those of one tau (`zkcx ptau verify` says more)")


def _check_in_detail(r1cs: R1CS, ptau: Ptau, pk: ProvingKey, init: ProvingKey) -> None:
    """The checks of the fast path one at a time, in the order of their messages: raises
    the error naming the first that fails (the fast path failed, so one does)."""
    n = init.domain_size
    _check_g2_block(ptau, n, ROUNDS)  # what Z's check added to the rounds, in full
    for section in LAGRANGE_SECTIONS:
        check_lagrange_blocks(ptau, section, (n, 2 * n) if section == 12 else (n,))
    _check_tau_g2(ptau, n)
    transcript = read_transcript(pk.contributions)
    _check_matches(pk, init, transcript, read_transcript(init.contributions).cs_hash)
    _check_deltas(pk, transcript)
    _check_scaled(pk.c, init.c, pk.delta_2, 8, "C")
    _check_scaled(pk.h, init.h, pk.delta_2, 9, "H")
    raise ContributionError("the key and the ptau's Lagrange blocks fail the random check "
                            "together but pass each check alone: verify the key again")


def _check_deltas(pk: ProvingKey, transcript: Phase2Transcript) -> None:
    delta = _check_contributions(transcript)
    if pk.delta_1 != delta:
        raise ContributionError("the key's delta_1 is not the last contribution's delta")
    if not same_ratio(G1.generator(), delta, G2.generator(), pk.delta_2):
        raise ContributionError("the key's delta_2 is not the G2 counterpart of its delta_1")


#: Rounds of block 13's subgroup check before the fast path, whose check of Z makes one
#: more (module docstring).
_G2_BLOCK_ROUNDS = ROUNDS - 1


def _check_g2_block(ptau: Ptau, n: int, rounds: int = _G2_BLOCK_ROUNDS) -> None:
    """The G2 block of size n (section 13) in G2 (``rounds`` rounds of
    ``first_outside_g2``), or ``LagrangeSectionError`` naming the first point outside;
    nothing for a ptau ``new_zkey`` refuses (it names why)."""
    if not ptau.is_prepared or n > ptau.size:
        return
    bad = first_outside_g2(ptau.lagrange_block(13, n), rounds)
    ptau.release_pages()
    if bad is not None:
        raise LagrangeSectionError(f"section 13 (Lagrange tauG2): point {n - 1 + bad} (in "
                                   f"the block of size {n} the key is made from) is on the "
                                   f"twist curve but not in the order-r subgroup G2")


def _mismatch(r1cs: R1CS, ptau: Ptau, pk: ProvingKey, rho_c: FrVec | None
              ) -> tuple[CeremonyError | FileFormatError | None, G1 | None]:
    """The key against the initial key rebuilt from ``r1cs`` and ``ptau`` (whose own
    errors are raised): the error naming the first thing that differs, or a malformed
    section 10, or None; and the rebuilt C summed with ``rho_c`` (``_initial_c_total``).
    The rebuilt key is dropped here, its memory given back."""
    init = new_zkey(r1cs, ptau)
    initial_c = _initial_c_total(init, rho_c)
    try:
        _check_matches(pk, init, read_transcript(pk.contributions),
                       read_transcript(init.contributions).cs_hash)
    except (CeremonyError, FileFormatError) as exc:
        return exc, initial_c
    finally:
        pk.release_pages()
    return None, initial_c


def _give_back_freed_memory() -> None:
    """Return the C heap's free memory to the system (glibc's ``malloc_trim``): the
    rebuilt key's arrays, freed, would otherwise stay resident beside the identity's
    (about 35 MB at 2^16). Nothing where the C library has no such call."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _on_one_core(fn: Callable[..., T], *args: object) -> ThreadCall[T]:
    """``fn(*args)`` on a thread of its own whose native calls use one thread."""
    return ThreadCall(fn, *args, name=f"zkey_verify:{fn.__name__}",
                      setup=lambda: set_local_threads(1))


def _transcript_checked(pk: ProvingKey) -> Phase2Transcript:
    transcript = read_transcript(pk.contributions)
    _check_deltas(pk, transcript)
    return transcript


def verify_zkey(r1cs: R1CS, ptau: Ptau, pk: ProvingKey, *, allow_unsafe: bool = False,
                progress: Progress | None = None,
                ptau_hash: Callable[[], bytes | None] | None = None) -> CeremonyRecord:
    """Verify ``pk`` (a phase-2 key) against ``r1cs`` and the prepared ``ptau`` it claims
    (module docstring) and return the record of its ceremony: ``check_zkey``, and the
    ptau file's hash. Raises what ``check_zkey`` raises.

    ``ptau_hash``: for a caller that hashes the ptau's file itself (the CLI starts it
    before its imports), a call returning its BLAKE2b-512 (``Ptau.file_hash``), or None
    to have it hashed here, on a thread of its own beside the checks; it only enters the
    record."""
    hashed = _on_one_core(lambda: ptau.file_hash) if ptau_hash is None else None
    try:
        transcript = check_zkey(r1cs, ptau, pk, allow_unsafe=allow_unsafe, progress=progress)
    finally:  # nothing left running
        if hashed is not None:
            hashed.wait()
    # the worker's hash, or the caller's (or here, if it has none)
    digest = hashed.result() if hashed is not None else ptau_hash() if ptau_hash else None
    return CeremonyRecord(ptau_hash=digest or ptau.file_hash,
                          circuit_hash=transcript.cs_hash,
                          contributions=contribution_records(transcript))


def contribution_records(transcript: Phase2Transcript) -> tuple[ContributionRecord, ...]:
    """What a ``CeremonyRecord`` says of each contribution of ``transcript``."""
    return tuple(ContributionRecord(c.contribution_hash(), c.name or "",
                                    "beacon" if c.is_beacon else "contribution")
                 for c in transcript.contributions)


def check_zkey(r1cs: R1CS, ptau: Ptau, pk: ProvingKey, *, allow_unsafe: bool = False,
               progress: Progress | None = None) -> Phase2Transcript:
    """Check ``pk`` (a phase-2 key) against ``r1cs`` and the prepared ``ptau`` it claims
    (module docstring) and return its transcript (section 10), every contribution
    checked: ``verify_zkey`` without the ptau file's hash, which only its record names.
    Raises ``LagrangeSectionError`` (a block of the ptau's prepared sections the key uses
    is not the Lagrange transform of its powers, or a G2 point of it outside G2),
    ``ZkeyMismatchError`` (another circuit or
    ptau, a section that is not the rebuilt key's), ``TranscriptError`` (a broken hash
    chain), ``ContributionError`` (a proof of knowledge, a delta or a rescaled section
    that fails, or a ptau whose tauG2 powers are not its tauG1 powers'),
    ``UnsafeKeyError`` (no contribution, unless ``allow_unsafe``) or
    ``FileFormatError`` (a malformed section 10), each naming what is wrong.

    The independent parts run side by side, each on a thread of its own with one native
    thread: the rebuilt key (compared with the key, its C summed with the identity's
    weights), the contributions and the G2 block's subgroup check; the identity's
    weights and its G2 side on the calling thread; then the identity's G1 MSMs, once
    the rebuilt key is dropped (the two never hold their memory at once). The errors
    are raised in the order above."""
    report = progress or (lambda done, total, step: None)
    total = 3
    report(0, total, "the initial key, the ptau's Lagrange blocks, sections 8 (C) and 9 (H)")
    n = domain_size_for(r1cs)
    shaped = _same_shape(pk, r1cs, n) and ptau.is_prepared and n <= ptau.size
    rho_c = random_scalars(len(pk.c)) if shaped else None
    rebuilt = _on_one_core(_mismatch, r1cs, ptau, pk, rho_c)
    checked = _on_one_core(_transcript_checked, pk)
    g2_block = _on_one_core(_check_g2_block, ptau, n)
    try:
        try:
            identity = _KeyIdentity(ptau, pk, n, rho_c) if rho_c is not None else None
            failure = None
        except Exception as exc:  # raised below, after new_zkey's own errors
            identity, failure = None, exc
        # the G1 MSMs start once the rebuilt key is compared and dropped: the two never
        # hold their memory at once
        mismatch, initial_c = rebuilt.result()
        _give_back_freed_memory()
        if failure is not None:
            g2_block.result()  # its error first
            raise failure
        try:
            holds = (identity is not None and initial_c is not None
                     and identity.holds(initial_c))
        except Exception:
            g2_block.result()  # its error first, as above
            raise
        del identity
        g2_block.result()  # a point of block 13 outside G2 named before anything else
        if not holds:
            _check_in_detail(r1cs, ptau, pk, new_zkey(r1cs, ptau))
        report(1, total, "the key against the rebuilt one")
        if mismatch is not None:
            raise mismatch
        report(2, total, "contributions")
        transcript = checked.result()
        if not transcript.contributions and not allow_unsafe:
            raise UnsafeKeyError("the key has no phase-2 contribution (delta is the "
                                 "generator): anyone holding the ptau can forge proofs for "
                                 "it; add one with `zkcx zkey contribute` (or pass "
                                 "allow_unsafe to accept it)")
    finally:  # nothing left running (an error above leaves the others to finish)
        for call in (rebuilt, checked, g2_block):
            call.wait()
    report(total, total, "done")
    return transcript
