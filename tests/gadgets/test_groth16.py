# SPDX-License-Identifier: MIT
"""A circuit of gadgets proves and verifies with Groth16: a fixed-point neuron
relu(floor((Σ w_i x_i + b·2^f) / 2^f)) with a public output."""

from __future__ import annotations

import numpy as np

from zkcx import gadgets as g
from zkcx import groth16
from zkcx.gadgets import AffineVec
from zkcx.gadgets import reference as ref
from zkcx.r1cs import ConstraintSystem


def test_a_fixed_point_neuron_proves_and_verifies():
    f, bits = 8, 16
    cs = ConstraintSystem("neuron")
    out = cs.new_variables(1, "output")
    x = cs.new_variables(4, "private")
    w = cs.new_variables(4, "private")
    b = cs.new_variables(1, "private")
    z = AffineVec.of(g.mul(cs, x, w)).sum(axis=0) + AffineVec.of(b[0]) * (1 << f)
    y = g.relu(cs, g.rescale(cs, z.reshape(1), f, bits), bits)
    g.constrain(cs, y, 1, out, label="output")
    r1cs = cs.build()
    xs, ws, bs = np.array([300, -200, 5, 77]), np.array([-256, 512, 3, -1]), np.array([900])
    expected = ref.relu(ref.rescale(ref.add(ref.matmul(xs, ws), bs << f), f, bits))
    witness = r1cs.solve([(x, xs), (w, ws), (b, bs), (out, expected.reshape(1))])
    r1cs.check(witness)
    pk = groth16.setup(r1cs)
    proof, public = groth16.prove(pk, witness, r1cs)
    assert public == [int(expected[0])]
    assert groth16.verify(pk.verifying_key, public, proof)
    assert not groth16.verify(pk.verifying_key, [int(expected[0]) + 1], proof)
