# SPDX-License-Identifier: MIT
"""The proof's self-check (``NativeProver.holds``): vk_x = IC_0 + sum w_i IC_i, which
the native prover computes beside the witness MSMs, against py_ecc's sum of the same
points; and the check, whose gamma, delta and beta pairs use lines prepared once per
key, accepts the proof and refuses any tampered part of it."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkcx.curve import G1
from zkcx.groth16 import setup
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem

prove_module = importlib.import_module("zkcx.groth16.prove")

PUBLIC = 5


@pytest.fixture(scope="module")
def circuit():
    """out_i = x_i · y for i < PUBLIC (public outputs), plus one private product."""
    cs = ConstraintSystem("self_check")
    outs = cs.new_variables(PUBLIC, "output", "out")
    y = cs.private_input("y")
    x = cs.new_variables(PUBLIC + 1, "private", "x")
    p = cs.new_variables(1, "internal", "p")
    rows = np.arange(PUBLIC + 1)
    cs.add_constraints(PUBLIC + 1, a=(rows, x, 1), b=(rows, np.full(PUBLIC + 1, y.index), 1),
                       c=(rows, np.concatenate([outs, p]), 1))
    r1cs = cs.build()
    return r1cs, setup(r1cs), (outs, y, x, p)


def _py_ecc_point(point: G1, bn):
    affine = point.to_affine()
    if affine is None:
        return bn.Z1
    return (bn.FQ(affine[0]), bn.FQ(affine[1]), bn.FQ(1))


@settings(max_examples=6, deadline=None)
@given(values=st.lists(st.integers(0, FR_MODULUS - 1), min_size=PUBLIC + 2,
                       max_size=PUBLIC + 2))
def test_vk_x_is_the_public_sum_of_ic(circuit, values):
    bn = pytest.importorskip("py_ecc.optimized_bn128")
    r1cs, pk, (outs, y, x, p) = circuit
    yv, xs = values[0], values[1:]
    assignment = [(y, yv)] + [(int(v), xi) for v, xi in zip(x, xs)]
    assignment += [(int(o), xi * yv % FR_MODULUS) for o, xi in zip(outs, xs)]
    assignment += [(int(p[0]), xs[-1] * yv % FR_MODULUS)]
    witness = r1cs.solve(assignment)
    prover = prove_module.native_prover(pk)
    raw = prover.prove(witness.values.limbs, 3, 7)
    # py_ecc's IC_0 + sum_i w_i IC_i over the public wires 1..PUBLIC
    w = witness.values.to_ints()
    expected = _py_ecc_point(pk.ic[0], bn)
    for i in range(1, PUBLIC + 1):
        expected = bn.add(expected, bn.multiply(_py_ecc_point(pk.ic[i], bn), w[i]))
    got = _py_ecc_point(G1.from_montgomery_limbs(raw[3]), bn)
    assert bn.eq(got, expected)
    assert prover.holds(raw)


def test_the_check_refuses_a_tampered_proof(circuit):
    r1cs, pk, (outs, y, x, p) = circuit
    assignment = [(y, 3)] + [(int(v), k + 2) for k, v in enumerate(x)]
    assignment += [(int(o), 3 * (k + 2)) for k, o in enumerate(outs)]
    assignment += [(int(p[0]), 3 * (PUBLIC + 2))]
    witness = r1cs.solve(assignment)
    prover = prove_module.native_prover(pk)
    raw = prover.prove(witness.values.limbs, 11, 13)
    assert prover.holds(raw)
    generator = G1.generator().montgomery_limbs()
    shifted = (G1.from_montgomery_limbs(raw[3]) + G1.generator()).montgomery_limbs()
    pi_a, pi_b, pi_c, vk_x = raw
    for tampered in ((generator, pi_b, pi_c, vk_x), (pi_a, pi_b, generator, vk_x),
                     (pi_a, pi_b, pi_c, shifted), (pi_a, pi_b, pi_c, generator)):
        assert not prover.holds(tampered)
