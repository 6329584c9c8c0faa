# SPDX-License-Identifier: MIT
"""The Groth16 prover, with snarkjs's conventions (docs/formats.md, QAP), so that it
proves from a snarkjs ``.zkey`` and a circom ``.wtns`` as well as from zkcx keys:

    a_j, b_j  = rows of the zkey coefficients (input-consistency rows included) times w
    c_j       = a_j b_j
    h_i       = (A B - C)(omega_2n^(2i+1))                 (zkcx.poly.qap_quotient)
    pi_a = alpha_1 + sum w_s A_s + r delta_1
    pi_b = beta_2  + sum w_s B2_s + s delta_2
    B1   = beta_1  + sum w_s B1_s + s delta_1
    pi_c = sum_{s > n_public} w_s C_s + sum h_i H_i + s pi_a + r B1 - r s delta_1

with fresh r, s from ``secrets`` for every proof. Every sum is a native multi-scalar
multiplication; nothing loops per element in Python.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import numpy as np

from zkcx.curve import CurvePoint, G2Vec, PointVector, msm
from zkcx.errors import (
    InconsistentKeyError,
    UnsatisfiedWitnessError,
    WitnessError,
)
from zkcx.field import Fr, FrVec
from zkcx.groth16.keys import Proof, ProvingKey
from zkcx.groth16.verify import _pairing_holds
from zkcx.params import FR_MODULUS
from zkcx.poly import qap_quotient
from zkcx.r1cs import R1CS, Witness, witness_values


def find_invalid_b2(pk: ProvingKey) -> int | None:
    """The index of the first B2 point (zkey section 7) outside the subgroup G2, or None.

    The reader checks every point's curve equation, but B2's subgroup only on request (a
    scalar multiplication a point). Here one G2 MSM with random 128-bit weights decides
    first: a sum of subgroup points stays in the subgroup, and a point outside it
    survives random weights but with probability about 1/10069 (the cofactor's smallest
    prime); only then are the points checked one by one to name the bad one."""
    n = len(pk.b2)
    if n == 0:
        return None
    total = msm(pk.b2, _random_frvec(n))
    limbs = np.frombuffer(total.montgomery_limbs(), dtype=np.uint64).reshape(1, -1).copy()
    if G2Vec.from_montgomery(limbs, check_subgroup=False).first_outside_subgroup() is None:
        return None
    return pk.b2.first_outside_subgroup()


def _random_frvec(n: int) -> FrVec:
    """n random 128-bit odd scalars (from ``secrets``), without a Python loop."""
    raw = np.frombuffer(secrets.token_bytes(16 * n), dtype=np.uint64).reshape(n, 2)
    limbs = np.zeros((n, 4), dtype=np.uint64)
    limbs[:, :2] = raw
    limbs[:, 0] |= np.uint64(1)
    return FrVec.from_canonical_limbs(limbs)


def _key_problem(pk: ProvingKey) -> str | None:
    bad = find_invalid_b2(pk)
    if bad is None:
        return None
    return (f"the proving key is invalid: its B2 point {bad} (zkey section 7) is on the "
            f"twist but not in the subgroup G2; regenerate or re-download the key")


def _sparse_vectors(pk: ProvingKey) -> tuple[tuple[np.ndarray | None, PointVector], ...]:
    """For pk.a, pk.b1 and pk.b2: (indices, points) of their non-identity points when
    these are at most half of them, else (None, the whole vector). Made once per key and
    cached on it (as its coefficient matrices are). A wire absent from a matrix has the
    identity there (a circom matmul's A and B vectors are about 95% identities), so the
    MSM then runs over the points that count and the witness values gathered for them."""
    cached = pk.__dict__.get("_sparse_vectors")
    if cached is None:
        out = []
        for vec in (pk.a, pk.b1, pk.b2):
            nonzero = np.flatnonzero(vec.limbs.any(axis=1))
            if 2 * len(nonzero) <= len(vec):
                out.append((nonzero, vec[nonzero]))
            else:
                out.append((None, vec))
        cached = tuple(out)
        object.__setattr__(pk, "_sparse_vectors", cached)
    return cached


def _witness_msm(entry: tuple[np.ndarray | None, PointVector], w: FrVec) -> CurvePoint:
    """sum_s w_s P_s over one of ``_sparse_vectors``'s entries."""
    indices, points = entry
    return msm(points, w if indices is None else w[indices])


def _evaluations(pk: ProvingKey, w: FrVec) -> tuple[FrVec, FrVec, FrVec]:
    """(a, b, c) on the key's domain: a = A·w, b = B·w (the zkey's coefficient rows) and
    c = a·b elementwise."""
    mat_a, mat_b = pk.coefficient_matrices()
    a, b = mat_a.matvec(w), mat_b.matvec(w)
    return a, b, a * b


def _quotient(pk: ProvingKey, a: FrVec, b: FrVec, c: FrVec) -> FrVec:
    """snarkjs's H scalars (``qap_quotient``) from the evaluations of ``_evaluations``,
    computed in their memory: a, b and c are consumed (h is a's memory)."""
    return qap_quotient(a, b, c, overwrite=True)


def _blinding(blinding: tuple[int, int] | None) -> tuple[Fr, Fr]:
    """(r, s): fresh from ``secrets``, or the given pair reduced mod r (tests only)."""
    if blinding is None:
        return Fr(secrets.randbelow(FR_MODULUS)), Fr(secrets.randbelow(FR_MODULUS))
    return Fr(blinding[0] % FR_MODULUS), Fr(blinding[1] % FR_MODULUS)


def _assemble(pk: ProvingKey, w: FrVec, h: FrVec, r: Fr, s: Fr,
              report: Callable[[int, str], None] | None = None) -> Proof:
    """The proof from the witness values, the H scalars and the blinding (r, s): the five
    MSMs and their combination. ``report(index, step)`` is told before each MSM with the
    step indices of ``prove`` (3 .. 7). A key mapped from its file gives its pages back
    after each MSM (``release_pages``: they stay in the page cache), so the peak holds one
    section at a time, not the whole key (chain 2^18: 231 -> 199 MB)."""
    say = report or (lambda index, step: None)
    npub = pk.n_public
    vec_a, vec_b1, vec_b2 = _sparse_vectors(pk)
    release = pk.release_pages
    say(3, "MSM A")
    pi_a = pk.alpha_1 + _witness_msm(vec_a, w) + pk.delta_1 * r
    release()
    say(4, "MSM B1")
    b1 = pk.beta_1 + _witness_msm(vec_b1, w) + pk.delta_1 * s
    release()
    say(5, "MSM B2 (G2)")
    pi_b = pk.beta_2 + _witness_msm(vec_b2, w) + pk.delta_2 * s
    release()
    say(6, "MSM C")
    c_part = msm(pk.c, w[npub + 1 :])
    release()
    say(7, "MSM H")
    pi_c = c_part + msm(pk.h, h) + pi_a * s + b1 * r - pk.delta_1 * (r * s)
    release()
    return Proof(pi_a, pi_b, pi_c)


def _failure(pk: ProvingKey, checked_witness: bool) -> Exception:
    """The error for a proof that failed its verification: a bad B2 point named, else a
    corrupt key (the witness was checked against the R1CS), else the witness blamed."""
    problem = _key_problem(pk)
    if problem is not None:
        return InconsistentKeyError(problem)
    if checked_witness:
        return InconsistentKeyError(
            "the witness satisfies the circuit but the proof fails under the proving "
            "key's own verifying key: the proving key is corrupt or mismatched (its "
            "points are valid, so one does not match the others)"
        )
    return UnsatisfiedWitnessError(
        "the witness does not satisfy the circuit (its proof does not verify), or the "
        "proving key's points do not match its verifying key (its B2 points were "
        "checked and are valid); pass the R1CS to prove() to tell which and to name "
        "the failing constraint"
    )


def prove(pk: ProvingKey, witness: Witness | FrVec, r1cs: R1CS | None = None, *,
          blinding: tuple[int, int] | None = None,
          progress: Callable[[int, int, str], None] | None = None) -> tuple[Proof, list[int]]:
    """Prove; returns (proof, public signals).

    With ``r1cs`` the witness is checked first and an unsatisfied one is refused
    naming the failing constraint (``UnsatisfiedConstraintError``); without it, the
    proof is verified afterwards and an invalid witness raises
    ``UnsatisfiedWitnessError``. ``blinding`` fixes (r, s) and is for tests only:
    r = s = 0 reproduces snarkjs's deterministic proof and is not zero-knowledge.
    Every proof is verified before it is returned (a few ms), so a corrupt proving key
    cannot hand out proofs that fail later; when the check fails, the key's B2 points are
    checked (``find_invalid_b2``) and a bad one is named (``InconsistentKeyError``, an
    ``InvalidKeyError``) rather than the witness blamed. ``progress(done, total, step)`` is called
    before each step (and once at the end with done == total), e.g. for a progress bar."""
    report = progress or (lambda done, total, step: None)
    total = 9
    report(0, total, "checking the witness")
    w = witness_values(witness, pk.n_wires, "the proving key")
    if r1cs is not None:
        if r1cs.n_wires != pk.n_wires or r1cs.n_public != pk.n_public:
            raise WitnessError("the R1CS does not match the proving key's sizes")
        r1cs.check(w)
    report(1, total, "A·w and B·w")
    a, b, c = _evaluations(pk, w)
    report(2, total, "the quotient H")
    h = _quotient(pk, a, b, c)
    r, s = _blinding(blinding)
    proof = _assemble(pk, w, h, r, s, lambda index, step: report(index, total, step))
    public_values = w[1 : pk.n_public + 1]
    report(8, total, "verifying the proof")
    if not _pairing_holds(pk.verifying_key, public_values, proof):
        raise _failure(pk, r1cs is not None)
    public = public_values.to_ints()
    report(total, total, "done")
    return proof, public
