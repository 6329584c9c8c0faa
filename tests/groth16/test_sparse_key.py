# SPDX-License-Identifier: MIT
"""Proving keys whose A and B vectors are mostly identity points (wires absent from
those matrices, as in a circom matmul): the prover's MSMs over the non-identity points
only must give exactly the proof of the MSMs over the whole vectors."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkcx.groth16 import prove, setup, verify
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem

prove_module = importlib.import_module("zkcx.groth16.prove")

M = 24


@pytest.fixture(scope="module")
def sparse_circuit():
    """x_i · y = z_i + v_i (i < M) and out = x_0 · y: A holds x and the public rows,
    B only y, so most A and B points are the identity."""
    cs = ConstraintSystem("sparse")
    out = cs.output("out")
    y = cs.private_input("y")
    x, z, v = (cs.new_variables(M, "private", name) for name in ("x", "z", "v"))
    rows = np.arange(M)
    ys = np.full(M, y.index)
    cs.add_constraints(M, a=(rows, x, 1), b=(rows, ys, 1),
                       c=(np.concatenate([rows, rows]), np.concatenate([z, v]), 1))
    cs.add_constraints(1, a=(np.array([0]), x[:1], 1), b=(np.array([0]), np.array([y.index]), 1),
                       c=(np.array([0]), np.array([out.index]), 1))
    r1cs = cs.build()
    return r1cs, setup(r1cs), (out, y, x, z, v)


def _values(rng_values: list[int], kind: str) -> list[int]:
    if kind == "small":
        return [v % 512 for v in rng_values]
    if kind == "negative-small":
        return [(-(v % 512)) % FR_MODULUS for v in rng_values]
    return [v % FR_MODULUS for v in rng_values]


@settings(max_examples=8, deadline=None)
@given(raw=st.lists(st.integers(0, 2**256), min_size=2 * M + 1, max_size=2 * M + 1),
       kind=st.sampled_from(["small", "negative-small", "full"]),
       blinding=st.tuples(st.integers(0, FR_MODULUS - 1), st.integers(0, FR_MODULUS - 1)))
def test_sparse_msms_give_the_proof_of_the_whole_vectors(sparse_circuit, raw, kind,
                                                         blinding):
    r1cs, pk, (out, y, x, z, v) = sparse_circuit
    assert all(prove_module.native_prover(pk).sparse.values())  # the sparse path is taken
    vals = _values(raw, kind)
    yv, xs, vs = vals[0], vals[1 : M + 1], vals[M + 1 :]
    zs = [(xi * yv - vi) % FR_MODULUS for xi, vi in zip(xs, vs)]
    assignment = [(out, xs[0] * yv % FR_MODULUS), (y, yv)]
    assignment += [(int(var), val) for var, val in zip(x, xs)]
    assignment += [(int(var), val) for var, val in zip(z, zs)]
    assignment += [(int(var), val) for var, val in zip(v, vs)]
    witness = r1cs.solve(assignment)
    proof, public = prove(pk, witness, r1cs, blinding=blinding)
    assert verify(pk.verifying_key, public, proof)
    # the same proof with the whole vectors (a prover that keeps them)
    whole = prove_module.build_native_prover(pk, sparse=False)
    assert not any(whole.sparse.values())
    raw = whole.prove(witness.values.limbs, blinding[0], blinding[1])
    assert prove_module._proof(raw) == proof


def test_dense_keys_keep_their_vectors():
    """A key whose vectors are mostly non-identity points is used as it is (no gather)."""
    cs = ConstraintSystem("dense")
    out = cs.output("out")
    x = cs.new_variables(8, "private", "x")
    rows = np.arange(7)
    cs.add_constraints(7, a=(rows, x[:7], 1), b=(rows, x[:7], 1), c=(rows, x[1:], 1))
    cs.add_constraints(1, a=(np.array([0]), x[7:], 1), b=(np.array([0]), x[7:], 1),
                       c=(np.array([0]), np.array([out.index]), 1))
    pk = setup(cs.build())
    assert not any(prove_module.native_prover(pk).sparse.values())
