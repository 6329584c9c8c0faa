# SPDX-License-Identifier: MIT
"""Every compute kernel on random inputs (hypothesis): the witness satisfies the
circuit, the circuit's outputs equal the NumPy reference and an independent plain-Python
reference exactly, a changed output and any lying hint break a constraint."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zkcx.kernels as K
from tests.kernels.helpers import (
    assert_sound,
    floor_div,
    py_dense,
    py_matmul,
    random_inputs,
    sound_random_inputs,
)
from zkcx.errors import KernelSpecError

F = 8
PRIVATE_MODEL = {"W1": "private", "b1": "private", "W2": "private", "b2": "private"}
seeds = st.integers(0, 2**32 - 1)
small = st.integers(1, 4)


@settings(max_examples=8)
@given(n=st.integers(1, 12), seed=seeds)
def test_vector_add_matches_exact_sums(n, seed):
    k = K.vector_add(n, frac_bits=F, bound_bits=16)
    x = sound_random_inputs(k, seed, 1 << 15)
    np.testing.assert_array_equal(k.reference(**x)["Z"], [int(a) + int(b) for a, b in
                                                          zip(x["X"], x["Y"])])


@settings(max_examples=8)
@given(n=st.integers(1, 12), seed=seeds)
def test_elementwise_mul_floors_each_product(n, seed):
    k = K.elementwise_mul(n, frac_bits=F, bound_bits=16)
    x = sound_random_inputs(k, seed, 1 << 11)
    expect = [floor_div(int(a) * int(b), F) for a, b in zip(x["X"], x["Y"])]
    np.testing.assert_array_equal(k.reference(**x)["Z"], expect)


@settings(max_examples=6)
@given(n=st.integers(1, 10), seed=seeds, scalar=st.sampled_from([0.5, -1.25, 3, -0.0039]))
def test_scale_by_a_constant_and_by_a_public_scalar(n, seed, scalar):
    rng = np.random.default_rng(seed)
    const = K.scale(n, scalar=scalar, frac_bits=F)
    x = random_inputs(const, rng, 1 << 12)
    assert_sound(const, x, rng)
    c = int(scalar) if isinstance(scalar, int) else round(scalar * 2**F)
    np.testing.assert_array_equal(const.reference(**x)["Y"],
                                  [floor_div(int(v) * c, F) for v in x["X"]])
    public = K.scale(n, frac_bits=F)
    assert_sound(public, {"X": x["X"], "s": np.int64(c)}, rng)
    assert public.public_inputs[-1] == "s[]"


@settings(max_examples=8)
@given(n=st.integers(1, 12), seed=seeds)
def test_relu_keeps_non_negative_values(n, seed):
    k = K.relu(n, bound_bits=12)
    x = sound_random_inputs(k, seed, 1 << 11)
    np.testing.assert_array_equal(k.reference(**x)["Y"], [max(int(v), 0) for v in x["X"]])


@settings(max_examples=8)
@given(n=st.integers(1, 16), seed=seeds)
def test_dot_accumulates_then_rescales_once(n, seed):
    k = K.dot(n, frac_bits=F, bound_bits=16)
    x = sound_random_inputs(k, seed, 1 << 9)
    total = sum(int(a) * int(b) for a, b in zip(x["x"], x["y"]))
    assert int(k.reference(**x)["z"]) == floor_div(total, F)


@settings(max_examples=6)
@given(m=small, kk=small, n=small, seed=seeds)
def test_matmul_equals_python_integer_matmul(m, kk, n, seed):
    k = K.matmul(m, kk, n, frac_bits=F, bound_bits=16)
    x = sound_random_inputs(k, seed, 1 << 9)
    np.testing.assert_array_equal(k.reference(**x)["Y"], py_matmul(x["X"], x["W"], F))


@settings(max_examples=6)
@given(batch=small, n_in=small, n_out=small, seed=seeds)
def test_dense_adds_the_bias_at_full_precision(batch, n_in, n_out, seed):
    k = K.dense(batch, n_in, n_out, frac_bits=F, bound_bits=16)
    x = sound_random_inputs(k, seed, 1 << 9)
    np.testing.assert_array_equal(k.reference(**x)["Y"],
                                  py_dense(x["X"], x["W"], x["b"], F))


@settings(max_examples=6)
@given(batch=small, features=small, seed=seeds)
def test_normalize_centres_and_scales_per_feature(batch, features, seed):
    k = K.normalize(batch, features, frac_bits=F, bound_bits=16)
    x = sound_random_inputs(k, seed, 1 << 10)
    expect = [[floor_div((int(x["X"][i, j]) - int(x["mu"][j])) * int(x["s"][j]), F)
               for j in range(features)] for i in range(batch)]
    np.testing.assert_array_equal(k.reference(**x)["Y"], expect)
    names = [s.tensor for s in k.public_layout]
    assert names == ["Y", "mu", "s"]  # outputs first, then public inputs


@settings(max_examples=4)
@given(batch=st.integers(1, 3), seed=seeds)
def test_mlp_is_dense_relu_dense(batch, seed):
    k = K.mlp_infer([4, 3, 2], batch=batch, frac_bits=F, bound_bits=16,
                    visibility=PRIVATE_MODEL)
    x = sound_random_inputs(k, seed, 1 << 8)
    hidden = np.maximum(np.array(py_dense(x["X"], x["W1"], x["b1"], F)), 0)
    np.testing.assert_array_equal(k.reference(**x)["Y"],
                                  py_dense(hidden, x["W2"], x["b2"], F))



@pytest.mark.parametrize("sizes", [[4], [4, 0, 2], [0, 3], [4, 3, -1]])
@pytest.mark.parametrize("make", [K.mlp_infer, K.mlp_infer_packed])
def test_mlp_needs_two_positive_layer_sizes(make, sizes):
    with pytest.raises(KernelSpecError, match="two positive layer sizes"):
        make(sizes, batch=1, frac_bits=F, bound_bits=16)

@settings(max_examples=6)
@given(batch=small, features=small, seed=seeds, constant_column=st.booleans())
def test_minmax_scales_each_feature_into_the_unit_interval(batch, features, seed,
                                                          constant_column):
    rng = np.random.default_rng(seed)
    k = K.minmax(batch, features, frac_bits=F, bound_bits=16)
    x = random_inputs(k, rng, 1 << 15)
    if constant_column:
        x["X"][:, 0] = -7  # hi = lo: the scaled column is 0
    assert_sound(k, x, rng, n_perturb=64)
    cols = x["X"].T.tolist()
    expect = [[((v - min(c)) << F) // max(max(c) - min(c), 1) for v in c] for c in cols]
    np.testing.assert_array_equal(k.reference(**x)["Y"], np.array(expect).T)
    assert (k.reference(**x)["Y"] >= 0).all() and (k.reference(**x)["Y"] <= 1 << F).all()
