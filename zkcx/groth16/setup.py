# SPDX-License-Identifier: MIT
"""Circuit-specific Groth16 setup producing a snarkjs-compatible proving key.

From fresh toxic waste (tau, alpha, beta, gamma, delta drawn with ``secrets`` and
discarded on return), with u_s, v_s, w_s the column polynomials of the QAP (docs/formats.md,
QAP: the r1cs rows plus the input-consistency rows m + s, s <= n_public):

    A_s  = u_s(tau) G1            B1_s = v_s(tau) G1            B2_s = v_s(tau) G2
    IC_s = (beta u_s + alpha v_s + w_s)(tau) / gamma  G1          (s <= n_public)
    C_s  = (beta u_s + alpha v_s + w_s)(tau) / delta  G1          (s >  n_public)
    H_i  = Lambda_{2i+1}(tau) / delta  G1                           (i < n)

where Lambda_j is the Lagrange basis of the 2n-domain: the prover's quotient scalars are
(A·B - C) at the odd points of that domain (docs/formats.md), and sum_i h_i H_i = h(tau) Z(tau) /
delta because A·B - C vanishes on the even points. Every point is produced by native
fixed-base multiplication; all scalar arithmetic runs on FrVec vectors.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

import numpy as np

from zkcx.curve import G1, G2, fixed_base_mul
from zkcx.field import Fr, FrVec
from zkcx.groth16.keys import Coefficients, ProvingKey
from zkcx.params import FR_MODULUS
from zkcx.poly import Domain
from zkcx.r1cs import R1CS, SparseMatrix


def domain_size_for(r1cs: R1CS) -> int:
    """The smallest power of two strictly greater than m + n_public (snarkjs's rule)."""
    rows = r1cs.n_constraints + r1cs.n_public
    return 1 << rows.bit_length()


def coefficients_of(r1cs: R1CS) -> Coefficients:
    """zkey section 4: per constraint its A terms then its B terms (each in stored
    order), then the extra rows (0, m + s, s, 1) for s = 0 .. n_public. Every term's
    place follows from the row offsets (A term t of row i goes to t + (B terms before
    row i), B term t to t + (A terms up to row i)): scattered, not sorted."""
    m = r1cs.n_constraints
    a, b = r1cs.a, r1cs.b
    rows_a, rows_b = a.rows_of_terms(), b.rows_of_terms()
    n_a, n_b = rows_a.size, rows_b.size
    extra = np.arange(r1cs.n_public + 1, dtype=np.int64)
    total = n_a + n_b + extra.size
    at_a = np.arange(n_a, dtype=np.int64) + b.row_ptr[rows_a]
    at_b = np.arange(n_b, dtype=np.int64) + a.row_ptr[rows_b + 1]
    matrix = np.zeros(total, dtype=np.uint8)
    matrix[at_b] = 1
    row = np.empty(total, dtype=np.int64)
    wire = np.empty(total, dtype=np.int64)
    limbs = np.empty((total, 4), dtype=np.uint64)
    for at, rows, mat in ((at_a, rows_a, a), (at_b, rows_b, b)):
        row[at], wire[at], limbs[at] = rows, mat.col, mat.coef.limbs
    row[n_a + n_b :], wire[n_a + n_b :] = m + extra, extra
    limbs[n_a + n_b :] = FrVec.ones(extra.size).limbs
    return Coefficients(matrix, row, wire, FrVec._wrap(limbs))


def _random_nonzero() -> Fr:
    return Fr(secrets.randbelow(FR_MODULUS - 1) + 1)


def lagrange_at(domain: Domain, tau: Fr) -> FrVec:
    """L_i(tau) = (tau^n - 1)/n * omega^i / (tau - omega^i), i < n (tau outside the
    domain)."""
    n = domain.size
    omegas = domain.elements()
    z = (tau**n - Fr(1)) * Fr(n).inverse()
    return (omegas * (omegas * Fr(FR_MODULUS - 1) + tau).inverse()) * z


def _column_values(coefs_rows, coefs_cols, coefs_vals, n_wires, lagrange: FrVec) -> FrVec:
    """sum over entries (row, wire, coef) of coef * L_row, accumulated per wire."""
    transposed = SparseMatrix.from_coo([(coefs_cols, coefs_rows, coefs_vals)], n_wires,
                                       len(lagrange))
    return transposed.matvec(lagrange)


def setup(r1cs: R1CS, *,
          progress: Callable[[int, int, str], None] | None = None) -> ProvingKey:
    """Groth16 setup for ``r1cs`` with fresh randomness; returns the proving key (its
    ``verifying_key`` property gives the verifying key). ``progress(done, total, step)``
    is called before each step and once at the end (done == total)."""
    report = progress or (lambda done, total, step: None)
    total = 8
    report(0, total, "Lagrange basis at tau")
    n = domain_size_for(r1cs)
    domain, big = Domain(n), Domain(2 * n)
    while True:
        tau = _random_nonzero()
        if tau ** (2 * n) != Fr(1):  # tau must lie outside the 2n-domain
            break
    alpha, beta, gamma, delta = (_random_nonzero() for _ in range(4))
    coefs = coefficients_of(r1cs)
    lag = lagrange_at(domain, tau)
    in_a = coefs.matrix == 0
    u = _column_values(coefs.row[in_a], coefs.wire[in_a], coefs.value[in_a], r1cs.n_wires, lag)
    v = _column_values(coefs.row[~in_a], coefs.wire[~in_a], coefs.value[~in_a], r1cs.n_wires, lag)
    c_rows = r1cs.c.rows_of_terms()
    w = _column_values(c_rows, r1cs.c.col, r1cs.c.coef, r1cs.n_wires, lag)
    combined = u * beta + v * alpha + w
    npub = r1cs.n_public
    ic_scalars = combined[: npub + 1] * gamma.inverse()
    c_scalars = combined[npub + 1 :] * delta.inverse()
    odd = big.elements()[1::2]
    zn2 = (tau ** (2 * n) - Fr(1)) * Fr(2 * n).inverse()
    h_scalars = (odd * (odd * Fr(FR_MODULUS - 1) + tau).inverse()) * (zn2 * delta.inverse())
    g1, g2 = G1.generator(), G2.generator()
    points = {}
    for k, (name, base, scalars) in enumerate(
            [("ic", g1, ic_scalars), ("a", g1, u), ("b1", g1, v), ("b2", g2, v),
             ("c", g1, c_scalars), ("h", g1, h_scalars)], start=1):
        report(k, total, f"{name.upper()} points ({'G2' if base is g2 else 'G1'})")
        points[name] = fixed_base_mul(base, scalars)
    pk = ProvingKey(
        n_wires=r1cs.n_wires, n_public=npub, domain_size=n,
        alpha_1=g1 * alpha, beta_1=g1 * beta, beta_2=g2 * beta, gamma_2=g2 * gamma,
        delta_1=g1 * delta, delta_2=g2 * delta, coefs=coefs, **points,
    )
    del tau, alpha, beta, gamma, delta  # toxic waste: never kept, logged or stored
    report(7, total, "transcript hash")
    pk = _with_transcript(pk)
    report(total, total, "done")
    return pk


def _with_transcript(pk: ProvingKey) -> ProvingKey:
    """Section 10 for a fresh key: a 64-byte BLAKE2b circuit hash over the key material
    (zkcx's definition, not snarkjs's) and zero contributions."""
    from dataclasses import replace

    from zkcx.groth16.zkey import zkey_bytes

    h = hashlib.blake2b(zkey_bytes(replace(pk, contributions=bytes(68))), digest_size=64)
    return replace(pk, contributions=h.digest() + (0).to_bytes(4, "little"))
