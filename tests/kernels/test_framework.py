# SPDX-License-Identifier: MIT
"""The kernel framework: specs, quantization, bad input refused before any circuit
work, the registry and the TOML loader, the public-signal layout."""

from __future__ import annotations

import io

import numpy as np
import pytest

import zkcx.kernels as K
from zkcx.errors import (
    BoundError,
    InputTypeError,
    KernelInputError,
    KernelSpecError,
    NonFiniteError,
    ShapeError,
)


def test_floats_are_quantized_half_to_even():
    k = K.vector_add(4, frac_bits=1, bound_bits=8)
    # x·2 = 0.5, 1.5, 2.5, -0.5  ->  0, 2, 2, -0 (NumPy's round: half to even)
    out = k.reference(X=np.array([0.25, 0.75, 1.25, -0.25]), Y=np.zeros(4))
    np.testing.assert_array_equal(out["Z"], [0, 2, 2, 0])


def test_integer_arrays_are_taken_as_quantized():
    k = K.vector_add(3, frac_bits=8, bound_bits=16)
    out = k.reference(X=np.array([1, -2, 3], dtype=np.int16), Y=np.array([4, 5, 6], np.uint8))
    np.testing.assert_array_equal(out["Z"], [5, 3, 9])


@pytest.mark.parametrize("bad, error", [
    (np.ones(5), ShapeError),
    (np.ones((2, 2)), ShapeError),
    (np.array([1.0, np.nan, 0.0, 0.0]), NonFiniteError),
    (np.array([1.0, 0.0, np.inf, 0.0]), NonFiniteError),
    (np.array([True, False, True, False]), InputTypeError),
    (np.array([1 + 1j, 0, 0, 0]), InputTypeError),
    (np.array(["1", "2", "3", "4"]), InputTypeError),
    (np.array([1, 2, 3, 4], dtype=object), InputTypeError),
    (np.array([0, 0, 128, 0]), BoundError),          # 2^(B-1) with B = 8
    (np.array([0, -129, 0, 0]), BoundError),
    (np.array([0.0, 0.0, 0.0, 64.0]), BoundError),   # 64·2 = 128
    (np.array([0, 0, 0, 2**63], dtype=np.uint64), BoundError),
])
def test_bad_inputs_are_refused_before_any_circuit_work(bad, error):
    k = K.vector_add(4, frac_bits=1, bound_bits=8)
    with pytest.raises(error, match="'X'"):
        k.witness(X=bad, Y=np.zeros(4, dtype=np.int64))
    assert k._r1cs is None  # nothing was built
    assert issubclass(error, KernelInputError)


def test_values_at_the_bound_are_accepted():
    k = K.vector_add(2, frac_bits=0, bound_bits=8)
    w = k.witness(X=np.array([127, -128]), Y=np.array([127, -128]))
    k.circuit().check(w)
    np.testing.assert_array_equal(k.read(w, "Z"), [254, -256])


def test_missing_and_unknown_inputs_are_named():
    k = K.dot(3)
    with pytest.raises(ShapeError, match="missing"):
        k.witness(x=np.zeros(3))
    with pytest.raises(KernelInputError, match="no input"):
        k.witness(x=np.zeros(3), y=np.zeros(3), z=np.zeros(3))


def test_an_overflowing_output_is_refused_before_proving():
    k = K.elementwise_mul(2, frac_bits=4, bound_bits=12)
    big = np.array([2047, 2047])
    with pytest.raises(BoundError, match="output overflow"):
        k.witness(X=big, Y=big)


def test_bad_specs_are_refused():
    with pytest.raises(KernelSpecError, match="visibility"):
        K.matmul(2, 2, 2, visibility={"W": "secret"})
    with pytest.raises(KernelSpecError, match="unknown tensor"):
        K.matmul(2, 2, 2, visibility={"Q": "public"})
    with pytest.raises(KernelSpecError, match="int64"):
        K.matmul(2, 64, 2, bound_bits=32)
    with pytest.raises(KernelSpecError, match="dimensions"):
        K.matmul(0, 2, 2)
    with pytest.raises(KernelSpecError, match="unknown kernel kind"):
        K.get("convolution", n=3)
    with pytest.raises(KernelSpecError, match="bad parameters"):
        K.get("matmul", m=2)


def test_the_registry_maps_kinds_to_classes():
    assert K.REGISTRY["matmul"] is K.Matmul
    assert {"vector_add", "elementwise_mul", "scale", "relu", "dot", "matmul", "dense",
            "normalize", "mlp_infer"} <= set(K.REGISTRY)
    k = K.get("dense", batch=2, n_in=3, n_out=4, visibility={"W": "public"})
    assert isinstance(k, K.Dense) and k.spec["W"].visibility == "public"


def test_load_reads_a_toml_file_or_file_object(tmp_path):
    text = b'kernel = "matmul"\nm = 2\nk = 3\nn = 4\nfrac_bits = 4\n[bounds]\nX = 10\n'
    path = tmp_path / "mm.toml"
    path.write_bytes(text)
    k = K.load(path)
    assert k.spec.name == "mm" and k.spec["X"].bound_bits == 10 and k.spec.frac_bits == 4
    assert K.load(io.BytesIO(text)).spec["Y"].shape == (2, 4)
    (tmp_path / "bad.toml").write_bytes(b"m = 2\n")
    with pytest.raises(KernelSpecError, match="names no kernel"):
        K.load(tmp_path / "bad.toml")
    (tmp_path / "broken.toml").write_bytes(b"kernel = \n")
    with pytest.raises(KernelSpecError, match="not valid TOML"):
        K.load(tmp_path / "broken.toml")
    with pytest.raises(KernelSpecError, match="no catalogue file"):
        K.load(tmp_path / "absent.toml")


def test_public_layout_lists_outputs_then_public_inputs():
    k = K.dense(1, 2, 2, visibility={"W": "public", "b": "public"})
    assert [(s.tensor, s.count, s.start) for s in k.public_layout] == [
        ("Y", 2, 0), ("W", 4, 2), ("b", 2, 6)]
    assert k.public_inputs == ["Y[0, 0]", "Y[0, 1]", "W[0, 0]", "W[0, 1]", "W[1, 0]",
                               "W[1, 1]", "b[0]", "b[1]"]
    assert k.circuit().n_public == 8


def test_check_public_refuses_out_of_bound_public_values():
    k = K.normalize(1, 2, bound_bits=8)
    ins = {"X": np.array([[1, 2]]), "mu": np.array([0, 1]), "s": np.array([3, 4])}
    good = k.public_values(**k.reference(**ins), **ins)
    k.check_public(good)
    bad = list(good)
    bad[2] = 1000  # mu[0] beyond 8 bits
    with pytest.raises(BoundError):
        k.check_public(bad)
    with pytest.raises(KernelInputError, match="public signals"):
        k.check_public(good[:-1])
