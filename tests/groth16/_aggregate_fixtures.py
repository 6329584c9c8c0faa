# SPDX-License-Identifier: MIT
"""Proofs of the demo circuit for the aggregation tests: one key, n statements."""

from __future__ import annotations

import functools

from tests.groth16.conftest import demo_circuit
from zkcx.groth16 import prove, setup, unsafe_local_aggregation_srs
from zkcx.params import FR_MODULUS as R


@functools.cache
def demo_key():
    r1cs, variables = demo_circuit("aggregate")
    return r1cs, variables, setup(r1cs)


@functools.cache
def demo_proofs(n: int):
    """(vk, proofs, public inputs) of n distinct statements of the demo circuit."""
    r1cs, (x, y, k, out), pk = demo_key()
    proofs, publics = [], []
    for i in range(n):
        xv, yv, kv = i + 2, 3 * i + 1, 5 + 7 * i
        witness = r1cs.solve({x: xv, y: yv, k: kv, out: (xv * yv * kv + xv) % R})
        proof, public = prove(pk, witness)
        proofs.append(proof)
        publics.append(tuple(public))
    return pk.verifying_key, tuple(proofs), tuple(publics)


@functools.cache
def demo_srs(n: int):
    return unsafe_local_aggregation_srs(n, b"aggregate tests")
