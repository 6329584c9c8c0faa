# SPDX-License-Identifier: MIT
"""Synthetic circuits and prepared ptau files of any size for the phase-2 tests: an
r1cs with circom-like coefficients (1, -1, small constants and a few full-size ones),
and a ptau whose points are random (``groth16 setup`` reads them without checking how
they relate, so a random file stands in for a prepared ceremony when only setup's
arithmetic is under test)."""

from __future__ import annotations

import dataclasses

import numpy as np

from zkcx.curve import G1, G2, fixed_base_mul
from zkcx.field import FrVec
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem

BIG = 0x1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF1234567890ABCD % FR_MODULUS


def chain_r1cs(m: int, n_public: int = 2):
    """m constraints over a chain of wires: (x_i + 3 x_{i-1} + BIG) * (x_i - x_{i-2}) =
    x_{i+1}, with ``n_public`` public inputs feeding the first terms."""
    cs = ConstraintSystem("chain")
    public = [cs.public_input() for _ in range(n_public)]
    x = cs.new_variables(m + 1)
    i = np.arange(m, dtype=np.int64)
    cur, prev, prev2, nxt = x[i], x[np.maximum(i - 1, 0)], x[np.maximum(i - 2, 0)], x[i + 1]
    one = np.zeros(m, dtype=np.int64)  # the constant-one wire is variable 0
    pub = np.array([public[k % n_public].index for k in range(m)], dtype=np.int64)
    a_coefs = FrVec.concatenate([FrVec.ones(m), FrVec.full(m, 3), FrVec.full(m, FR_MODULUS - 7),
                                 FrVec.full(m, BIG)])
    a = (np.concatenate([i, i, i, i]), np.concatenate([cur, prev, one, pub]), a_coefs)
    b = (np.concatenate([i, i]), np.concatenate([cur, prev2]),
         FrVec.concatenate([FrVec.ones(m), FrVec.full(m, FR_MODULUS - 1)]))
    c = (i, nxt, FrVec.ones(m))
    cs.add_constraints(m, a, b, c)
    return cs.build()


def random_prepared_ptau(template, power: int, seed: int = 1):
    """A Ptau shaped like a prepared file of ``power`` (``template`` gives the class and
    the contributions), every point random."""
    rng = np.random.default_rng(seed)

    def scalars(n):  # the first point of each section is the generator, as readers check
        values = rng.integers(1, 1 << 62, n)
        values[0] = 1
        return FrVec.from_ints(values)

    def g1(n):
        return fixed_base_mul(G1.generator(), scalars(n))

    def g2(n):
        return fixed_base_mul(G2.generator(), scalars(n))

    n = 1 << power
    return dataclasses.replace(
        template, power=power, ceremony_power=power, tau_g1=g1(2 * n - 1), tau_g2=g2(n),
        alpha_tau_g1=g1(n), beta_tau_g1=g1(n), lagrange_g1=g1(4 * n - 1),
        lagrange_g2=g2(2 * n - 1), lagrange_alpha_g1=g1(2 * n - 1),
        lagrange_beta_g1=g1(2 * n - 1))
