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

with fresh r, s from the OS's CSPRNG for every proof (``native_prover.random_scalar``).
The whole proof is one native call, ``zkcx_groth16_prove`` (native/src/groth16_prove.c)
through ``native_prover.NativeProver``, the prover the numpy-free ``zkcx.groth16.lean``
(``zkcx prove``) shares; nothing loops per element in Python.
"""

from __future__ import annotations

from collections.abc import Callable

from zkcx.curve import G1, G2
from zkcx.errors import (  # noqa: F401 - the errors prove raises, importable from here
    InconsistentKeyError,
    UnsatisfiedWitnessError,
    WitnessError,
)
from zkcx.field import FrVec
from zkcx.groth16.keys import Proof, ProvingKey
from zkcx.groth16.native_prover import (
    KEY_POINTS,
    TABLES_AFTER,
    NativeProver,
    blinding_pair,
    first_b2_outside_subgroup,
    proof_failure,
)
from zkcx.r1cs import R1CS, Witness, witness_values

#: the steps ``prove`` reports (the proof itself is one native call)
_STEPS = ("checking the witness",
          "proving: A·w, B·w, the quotient H, MSMs A, B1, B2 (G2), C, H",
          "verifying the proof")


def find_invalid_b2(pk: ProvingKey) -> int | None:
    """The index of the first B2 point (zkey section 7) outside the subgroup G2, or None
    (``native_prover.first_b2_outside_subgroup``: one random-weight G2 MSM decides, then
    the points are checked one by one only when it fails)."""
    return first_b2_outside_subgroup(pk.b2.limbs, len(pk.b2))


def native_prover(pk: ProvingKey) -> NativeProver:
    """The key's tables for the native prover, made once per key and cached on it (as
    its coefficient matrices are): the CSR matrices, the header points, views of the
    point vectors (a mapped key's pages are dropped from resident memory after each
    MSM) and A, B1, B2's non-identity points gathered."""
    cached = pk.__dict__.get("_native_prover")
    if cached is None:
        cached = build_native_prover(pk)
        pk.release_pages()  # A, B1, B2 were scanned for identities: out of resident memory
        object.__setattr__(pk, "_native_prover", cached)
    return cached


def build_tables(pk: ProvingKey, limit: int | None = None) -> bool:
    """Build the fixed-base tables of the key's H points now (``prove`` builds them by
    itself at the key's TABLES_AFTER-th proof, ``prove_many`` for a batch reaching it):
    for a process about to prove many times under one key. Within ``limit`` bytes
    (default ``get_table_memory()``, 256 MiB) for all live keys' tables together (about
    1 kB a domain point); returns whether the key has them. They take about a fifth off
    the H MSM's CPU, the largest part of a proof (docs/performance.md)."""
    pk.check_unchanged()
    return native_prover(pk).use_h_tables(limit)


def build_native_prover(pk: ProvingKey, sparse: bool = True) -> NativeProver:
    """A new ``NativeProver`` over the key's arrays (``native_prover`` caches one);
    ``sparse=False`` keeps A, B1 and B2 whole (tests)."""
    mat_a, mat_b = pk.coefficient_matrices()
    source = pk.__dict__.get("_source")
    return NativeProver(
        n_wires=pk.n_wires, n_public=pk.n_public, domain_size=pk.domain_size,
        points={what: getattr(pk, what).montgomery_limbs() for what in KEY_POINTS},
        matrices=(mat_a.row_ptr, mat_a.col, mat_a.coef.limbs,
                  mat_b.row_ptr, mat_b.col, mat_b.coef.limbs),
        a=pk.a.limbs, b1=pk.b1.limbs, b2=pk.b2.limbs, c=pk.c.limbs, h=pk.h.limbs,
        ic=pk.ic.limbs, mapping=None if source is None else source.mapped.buffer,
        sparse=sparse)


def _proof(raw: tuple[bytes, ...]) -> Proof:
    """A Proof from the native prover's Montgomery limbs (on their curves; pi_b's subgroup
    is the self-check's business: a bad B2 point puts it outside, and the check names
    the point)."""
    return Proof(G1.from_montgomery_limbs(raw[0]),
                 G2.from_montgomery_limbs(raw[1], check_subgroup=False),
                 G1.from_montgomery_limbs(raw[2]))


def native_proof(pk: ProvingKey, w: FrVec, blinding: tuple[int, int] | None
                 ) -> tuple[bytes, bytes, bytes, bytes]:
    """One proof's points and its vk_x (Montgomery limbs, ``NativeProver.prove``) from
    checked witness values, without its verification: refuses a mapped key whose file
    changed (``KeyFileChangedError``), then one native call."""
    pk.check_unchanged()
    prover = native_prover(pk)
    prover.proofs += 1
    if prover.proofs == TABLES_AFTER:  # proved this often, likely to be proved more
        prover.use_h_tables()
    r, s = blinding_pair(blinding)
    return prover.prove(w.limbs, r, s)


def _failure(pk: ProvingKey, checked_witness: bool) -> Exception:
    """The error for a proof that failed its verification: a bad B2 point named, else a
    corrupt key (the witness was checked against the R1CS), else the witness blamed."""
    return proof_failure(find_invalid_b2(pk), checked_witness)


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
    ``InvalidKeyError``) rather than the witness blamed. ``progress(done, total, step)`` is
    called before each of three steps (checking the witness; the proof, one native call:
    A·w, B·w, the quotient H and the MSMs A, B1, B2 (G2), C, H; verifying it) and once at
    the end with done == total, e.g. for a progress bar."""
    report = progress or (lambda done, total, step: None)
    total = len(_STEPS)
    report(0, total, _STEPS[0])
    w = witness_values(witness, pk.n_wires, "the proving key")
    if r1cs is not None:
        if r1cs.n_wires != pk.n_wires or r1cs.n_public != pk.n_public:
            raise WitnessError("the R1CS does not match the proving key's sizes")
        r1cs.check(w)
    report(1, total, _STEPS[1])
    raw = native_proof(pk, w, blinding)
    report(2, total, _STEPS[2])
    if not native_prover(pk).holds(raw):
        raise _failure(pk, r1cs is not None)
    public = w[1 : pk.n_public + 1].to_ints()
    report(total, total, "done")
    return _proof(raw), public
