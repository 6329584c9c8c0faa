# SPDX-License-Identifier: MIT
"""A kernel proved and verified with Groth16: setup, prove, verify; the public signals
are what the kernel's reference rebuilds; a wrong output is rejected."""

from __future__ import annotations

import numpy as np

import zkcx.kernels as K
from zkcx.groth16 import prove, setup, verify
from zkcx.params import FR_MODULUS


def test_matmul_proves_and_verifies_and_rejects_a_wrong_output():
    k = K.matmul(3, 4, 2, frac_bits=8, bound_bits=16, visibility={"W": "public"})
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 4))
    w = rng.normal(size=(4, 2))
    r1cs = k.circuit()
    pk = setup(r1cs)
    vk = pk.verifying_key
    witness = k.witness(X=x, W=w)
    proof, public = prove(pk, witness, r1cs)
    expected = k.public_values(**k.reference(X=x, W=w), W=w)
    assert public == expected
    assert verify(vk, expected, proof)
    tampered = list(expected)
    tampered[0] = (tampered[0] + 1) % FR_MODULUS
    assert not verify(vk, tampered, proof)
    # the proved outputs are the fixed-point matmul of the quantized inputs
    xq, wq = np.round(x * 256).astype(np.int64), np.round(w * 256).astype(np.int64)
    np.testing.assert_array_equal(k.read(witness, "Y"), (xq @ wq) >> 8)
