# SPDX-License-Identifier: MIT
"""Groth16 verification (docs/formats.md, QAP: verification), single and batched.

Accept iff e(A, B) · e(-vk_x, gamma) · e(-C, delta) = e(alpha, beta) (the right side
computed once per key) with
vk_x = IC_0 + sum_i pub_i IC_i. Before any pairing: the number of public inputs must be
n_public and each must lie in [0, r) (values >= r are rejected, never reduced); proof
points are G1/G2 objects, which are on their curves and (pi_b) in the subgroup by
construction.

Batch verification (one multi-pairing for many proofs): with random weights rho_k,

    prod_k e(-rho_k A_k, B_k) · prod_keys [ e(sum rho_k alpha, beta)
        · e(sum rho_k vk_x_k, gamma) · e(sum rho_k C_k, delta) ] = 1

which holds for valid proofs and fails for any invalid one except with probability
about 1/r per choice of weights (Bellare, Garay, Rabin 1998, small-exponent test).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from zkcx.curve import G1, G2, G1Vec, msm, mul_each, multi_pairing, pairing_check
from zkcx.errors import ArgumentTypeError, PublicInputCountError
from zkcx.field import FrVec
from zkcx.groth16.keys import Proof, VerifyingKey
from zkcx.params import FR_MODULUS, G1_GLV_LAMBDA


def _public_ok(vk: VerifyingKey, public: Sequence[int]) -> bool:
    if len(public) != vk.n_public:
        raise PublicInputCountError(
            f"{len(public)} public inputs given, the verifying key expects {vk.n_public}"
        )
    return all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < FR_MODULUS
               for v in public)


def _ic_points(vk: VerifyingKey) -> G1Vec:
    """IC_1 .. IC_n as a G1Vec, made once per key (cached on it like its other caches)."""
    cached = vk.__dict__.get("_ic_points")
    if cached is None:
        cached = G1Vec.from_points(vk.ic[1:])
        object.__setattr__(vk, "_ic_points", cached)
    return cached


def _vk_x(vk: VerifyingKey, public: Sequence[int] | FrVec) -> G1:
    if len(public) == 0:
        return vk.ic[0]
    scalars = public if isinstance(public, FrVec) else FrVec.from_ints(list(public))
    return vk.ic[0] + msm(_ic_points(vk), scalars)


def _pairing_holds(vk: VerifyingKey, public: Sequence[int] | FrVec, proof: Proof) -> bool:
    """The Groth16 equation for checked inputs (``verify`` checks them first; the prover
    passes its witness's public values as an FrVec, reduced by construction)."""
    # e(A, B) · e(-vk_x, gamma) · e(-C, delta) = e(alpha, beta): three Miller loops and
    # one final exponentiation, e(alpha, beta) and the lines of gamma and delta being
    # cached on the key
    _beta, gamma, delta = vk.prepared_g2()
    return multi_pairing([
        (proof.a, proof.b), (-_vk_x(vk, public), gamma), (-proof.c, delta),
    ]) == vk.alpha_beta_pairing()


def _check_types(vk: VerifyingKey, proof: Proof) -> None:
    if not isinstance(vk, VerifyingKey):
        raise ArgumentTypeError(f"verification needs a zkcx.groth16.VerifyingKey, got "
                                f"{type(vk).__name__}")
    if not isinstance(proof, Proof):
        raise ArgumentTypeError(f"verification needs a zkcx.groth16.Proof, got "
                                f"{type(proof).__name__}")
    if not (isinstance(proof.a, G1) and isinstance(proof.b, G2) and isinstance(proof.c, G1)):
        raise ArgumentTypeError(f"a proof holds (G1, G2, G1) points, got "
                                f"({type(proof.a).__name__}, {type(proof.b).__name__}, "
                                f"{type(proof.c).__name__})")


class PublicCheck(Protocol):
    """A verifier's check of public inputs beyond Groth16's, e.g. a kernel's declared
    ranges (``zkcx.kernels.PublicBounds``, from ``Kernel.public_bounds()``)."""

    def check(self, public: Sequence[int]) -> None:
        """Raise a ``ZkcxError`` (``PublicBoundsError``, say) naming the first unacceptable
        public input."""


def verify(vk: VerifyingKey, public: Sequence[int], proof: Proof, *,
           bounds: PublicCheck | None = None) -> bool:
    """True iff ``proof`` is a valid Groth16 proof of ``public`` under ``vk``. With
    ``bounds`` (e.g. ``kernel.public_bounds()``), public inputs outside it raise its error
    (``PublicBoundsError``) before any pairing: a circuit leaves its public inputs'
    ranges to the verifier, and a proof of an out-of-range statement can be valid."""
    _check_types(vk, proof)
    if not _public_ok(vk, public):
        return False
    if bounds is not None:
        bounds.check(public)
    return _pairing_holds(vk, public, proof)


@dataclass(frozen=True)
class BatchResult:
    """Outcome of a batch: ``ok`` when every proof verifies, else the failing indexes."""

    ok: bool
    failed: tuple[int, ...]

    def __bool__(self) -> bool:
        return self.ok


def _weights(items: Sequence[tuple[VerifyingKey, Sequence[int], Proof]], seed: bytes | None):
    """Random weights a + b lambda mod r with a (odd) and b uniform 64-bit integers, from
    ``secrets`` by default, or derived from a seed and the batch's content (so a block
    builder gets reproducible, unpredictable weights). They take 2^128 distinct values
    (two pairs differing by less than 2^65 in each part cannot differ by a multiple of
    the GLV lattice, whose shortest vectors have about 127 bits), so a batch with an
    invalid proof passes with probability at most 2^-128, as with 128-bit weights; and
    the GLV split of a + b lambda is (a, b), so each weighting costs 64 doublings."""
    if seed is None:
        pairs = [(secrets.randbits(64) | 1, secrets.randbits(64)) for _ in items]
    else:
        h = hashlib.sha256(b"zkcx-batch-weights" + seed)
        for vk, public, proof in items:
            h.update(vk.digest().encode())
            h.update(b"".join(int(v).to_bytes(32, "big") for v in public))
            for p in (proof.a, proof.b, proof.c):
                h.update(p.montgomery_limbs())
        root = h.digest()
        pairs = []
        for k in range(len(items)):
            d = hashlib.sha256(root + k.to_bytes(8, "big")).digest()
            pairs.append((int.from_bytes(d[:8], "big") | 1, int.from_bytes(d[8:16], "big")))
    return [(a + b * G1_GLV_LAMBDA) % FR_MODULUS for a, b in pairs]


def _batch_holds(items, weights) -> bool:
    pairs = []
    by_key: dict[str, list[int]] = {}
    for k, (vk, _public, _proof) in enumerate(items):
        by_key.setdefault(vk.digest(), []).append(k)
    neg_a = mul_each(G1Vec.from_points([-proof.a for _, _, proof in items]),
                     FrVec.from_ints(weights))      # weights are reduced mod r
    for k, (_vk, _public, proof) in enumerate(items):
        pairs.append((neg_a[k], proof.b))
    for members in by_key.values():
        vk = items[members[0]][0]
        rho = [weights[k] for k in members]
        total = sum(rho) % FR_MODULUS
        beta, gamma, delta = vk.prepared_g2()
        pairs.append((vk.alpha_1 * total, beta))
        # sum_k rho_k vk_x_k = rho·IC_0 + sum_i (sum_k rho_k pub_k,i) IC_i
        coeffs = [total] + [
            sum(w * items[k][1][i] for w, k in zip(rho, members)) % FR_MODULUS
            for i in range(vk.n_public)
        ]
        pairs.append((msm(G1Vec.from_points(vk.ic), FrVec.from_ints(coeffs)), gamma))
        cs = G1Vec.from_points([items[k][2].c for k in members])
        pairs.append((msm(cs, FrVec.from_ints(rho)), delta))
    return pairing_check(pairs)



def batch_verify(items: Sequence[tuple[VerifyingKey, Sequence[int], Proof]],
                 seed: bytes | None = None) -> BatchResult:
    """Verify many (vk, public, proof) triples, under one or several keys, with one
    multi-pairing of (number of proofs + 3 per key) pairs. When the batch fails, the
    failing proofs are found by bisection and returned."""
    items = list(items)
    for vk, _public, proof in items:
        _check_types(vk, proof)
    bad_inputs = [k for k, (vk, public, _) in enumerate(items) if not _public_ok(vk, public)]
    candidates = [k for k in range(len(items)) if k not in set(bad_inputs)]
    weights = _weights(items, seed)
    failed = list(bad_inputs)
    stack = [candidates] if candidates else []
    while stack:
        group = stack.pop()
        if _batch_holds([items[k] for k in group], [weights[k] for k in group]):
            continue
        if len(group) == 1:
            failed.append(group[0])
            continue
        half = len(group) // 2
        stack += [group[half:], group[:half]]
    failed.sort()
    return BatchResult(not failed, tuple(failed))
