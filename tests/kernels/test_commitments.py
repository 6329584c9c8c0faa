# SPDX-License-Identifier: MIT
"""Committed tensors: the circuit's commitment equals ``zkcx.kernels.commit`` computed
outside it, for inputs (MLP weights) and outputs; a witness with other weights does not
match the published commitment."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("zkcx.gadgets.commitment")

import zkcx.kernels as K  # noqa: E402
from tests.kernels.helpers import assert_sound, random_inputs  # noqa: E402
from zkcx.errors import BoundError, ShapeError  # noqa: E402


def test_mlp_with_committed_weights_exposes_their_commitments():
    k = K.mlp_infer([3, 2, 2], batch=1, frac_bits=8, bound_bits=16)
    rng = np.random.default_rng(5)
    ins = random_inputs(k, rng, 1 << 8)
    assert_sound(k, ins, rng, n_perturb=16)
    assert k.public_inputs == ["Y[0, 0]", "Y[0, 1]", "commit(W1)", "commit(b1)",
                               "commit(W2)", "commit(b2)"]
    w = k.witness(**ins)
    for name in ("W1", "b1", "W2", "b2"):
        assert k.read_commitment(w, name) == K.commit(ins[name], k.spec, name)
    # public_values also takes a commitment as an int
    ref = k.reference(**ins)
    given = {n: K.commit(ins[n], k.spec, n) for n in ("W1", "b1", "W2", "b2")}
    assert k.public_values(**ref, **given) == w.public


def test_other_weights_give_another_commitment():
    k = K.mlp_infer([3, 2, 2], frac_bits=8, bound_bits=16)
    rng = np.random.default_rng(6)
    ins = random_inputs(k, rng, 1 << 8)
    published = k.public_values(**k.reference(**ins), **ins)
    ins["W1"] = ins["W1"].copy()
    ins["W1"][0, 0] += 1
    assert k.witness(**ins).public[2] != published[2]


def test_a_committed_output_is_one_public_signal():
    rng = np.random.default_rng(7)
    k = K.matmul(2, 3, 2, visibility={"Y": "committed"})
    ins = random_inputs(k, rng, 1 << 9)
    assert_sound(k, ins, rng)
    assert k.public_inputs == ["commit(Y)"]
    assert k.witness(**ins).public == [K.commit(k.reference(**ins)["Y"], k.spec["Y"])]


def test_commit_checks_shape_bound_and_floats():
    spec = K.matmul(2, 2, 2).spec
    with pytest.raises(ShapeError):
        K.commit(np.zeros((3, 2), np.int64), spec, "W")
    with pytest.raises(BoundError):
        K.commit(np.full((2, 2), 1 << 15), spec, "W")
    with pytest.raises(TypeError):
        K.commit(np.zeros((2, 2)), spec["W"])  # floats need the kernel's f
    assert K.commit(np.full((2, 2), 0.5), spec, "W") == K.commit(np.full((2, 2), 128),
                                                                 spec["W"])
