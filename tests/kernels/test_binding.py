# SPDX-License-Identifier: MIT
"""Kernels with a claim binding: one more public input, no more constraints, and a proof
made for one binding value does not verify under another."""

from __future__ import annotations

import io

import numpy as np
import pytest

from zkcx import groth16, kernels
from zkcx.errors import KernelInputError
from zkcx.params import FR_MODULUS


@pytest.fixture(scope="module")
def bound_dot():
    return kernels.dot(8, frac_bits=4, bound_bits=12).with_binding()


def test_binding_adds_a_last_public_input_and_no_constraint(bound_dot):
    plain = kernels.dot(8, frac_bits=4, bound_bits=12)
    assert bound_dot.n_constraints == plain.n_constraints
    assert bound_dot.public_inputs == [*plain.public_inputs, "claim_binding"]
    assert bound_dot.binding_position == len(plain.public_inputs)
    assert plain.binding_position is None
    assert bound_dot.circuit().n_public == plain.circuit().n_public + 1


def test_a_proof_verifies_only_under_its_own_binding(bound_dot):
    rng = np.random.default_rng(3)
    x, y = rng.uniform(-1, 1, 8), rng.uniform(-1, 1, 8)
    binding = FR_MODULUS - 12345
    pk = groth16.setup(bound_dot.circuit())
    proof, public = groth16.prove(pk, bound_dot.witness(x=x, y=y, claim_binding=binding),
                                  bound_dot.circuit())
    expected = bound_dot.public_values(**bound_dot.reference(x=x, y=y), claim_binding=binding)
    assert public == expected and public[-1] == binding
    assert groth16.verify(pk.verifying_key, public, proof)
    for other in (0, 1, binding - 1):
        assert not groth16.verify(pk.verifying_key, [*public[:-1], other], proof)


def test_bad_binding_values_and_unbound_kernels_are_refused(bound_dot):
    x = np.zeros(8)
    for bad in (-1, FR_MODULUS, 1.5, True, "7"):
        with pytest.raises(KernelInputError, match="claim_binding"):
            bound_dot.witness(x=x, y=x, claim_binding=bad)
    with pytest.raises(KernelInputError, match="with_binding"):
        kernels.dot(8, frac_bits=4, bound_bits=12).witness(x=x, y=x, claim_binding=5)


def test_a_catalogue_file_can_ask_for_the_binding():
    spec = b'kernel = "dot"\nn = 8\nfrac_bits = 4\nbound_bits = 12\nbinding = true\n'
    k = kernels.load(io.BytesIO(spec))
    assert k.public_inputs[-1] == "claim_binding"
    with pytest.raises(Exception, match="binding must be true or false"):
        kernels.load(io.BytesIO(spec.replace(b"true", b"1")))
