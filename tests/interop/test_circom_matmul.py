# SPDX-License-Identifier: MIT
"""The matmul kernel written in circom (benchmarks/circom/matmul.circom), compiled with
circom2 and run by circom's wasm witness generator, computes exactly what zkcx's Matmul
kernel computes: Y = floor(X·W / 2^f) with X, W within the bound B and Y public. This
checks the semantics the kernels_report.py --circom comparison relies on; it also checks
the template's constraint count, that it refuses out-of-bound inputs as zkcx does, and
that zkcx proves circom's circuit and witness."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.circom import matmul_runner as circom
from tests.conftest import npm_installed
from zkcx.errors import BoundError
from zkcx.field import FrVec
from zkcx.groth16 import prove, setup, verify
from zkcx.kernels import Matmul
from zkcx.r1cs import read_r1cs, read_wtns

pytestmark = pytest.mark.node

M, K, N, F, B = 4, 4, 4, 8, 16
LOW, HIGH = -(1 << (B - 1)), (1 << (B - 1)) - 1


@pytest.fixture(scope="module")
def compiled(snarkjs, tmp_path_factory):
    """(toolchain, compiled 4×4×4 circuit, zkcx kernel, scratch directory)."""
    if npm_installed(".bin/circom2") is None:
        pytest.skip("circom2 could not be installed from npm")
    try:
        tools = circom.Toolchain.find()
    except circom.ToolchainMissing as exc:
        pytest.skip(str(exc))
    d = tmp_path_factory.mktemp("circom_matmul")
    return tools, circom.compile_matmul(tools, M, K, N, F, B, out_dir=d), Matmul(M, K, N, F, B), d


def _circom_y(compiled, x, w, name: str) -> np.ndarray:
    tools, circuit, _, d = compiled
    circom.compute_witness(tools, circuit, x, w, d / f"{name}.wtns")
    return circom.read_output(d / f"{name}.wtns", M, N)


def _cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(5)
    at_bound = np.full((M, K), LOW, dtype=np.int64)
    at_bound[1] = HIGH
    tiny_w = np.zeros((K, N), dtype=np.int64)
    tiny_w[0] = [1, -1, 2, -3]  # X·W = ±2^15·… : exact multiples and negative floors
    minus_one = np.zeros((K, N), dtype=np.int64)
    minus_one[0, 0] = -1  # Σ = -X[:, 0]: floor(-1 / 256) = -1, not 0 (toward −∞)
    return {
        "random": (rng.integers(LOW, HIGH + 1, (M, K)), rng.integers(-63, 64, (K, N))),
        "random_small": (rng.integers(-1000, 1001, (M, K)), rng.integers(-1000, 1001, (K, N))),
        "inputs_at_the_bound": (at_bound, tiny_w),
        "negative_products_rescale_toward_minus_infinity": (
            np.array([[1, 0, 0, 0], [255, 0, 0, 0], [256, 0, 0, 0], [257, 0, 0, 0]]),
            minus_one),
    }


@pytest.mark.parametrize("case", sorted(_cases()))
def test_circom_outputs_equal_the_zkcx_reference_and_witness(compiled, case):
    x, w = (np.asarray(a, dtype=np.int64) for a in _cases()[case])
    kernel = compiled[2]
    expected = kernel.reference(X=x, W=w)["Y"]
    assert np.array_equal(_circom_y(compiled, x, w, case), expected)
    assert np.array_equal(kernel.read(kernel.witness(X=x, W=w), "Y"), expected)


def test_negative_products_round_toward_minus_infinity_in_circom(compiled):
    x, w = _cases()["negative_products_rescale_toward_minus_infinity"]
    y = _circom_y(compiled, x, w, "floor")
    assert y[:, 0].tolist() == [-1, -1, -1, -2]  # floor(-1/256), floor(-255/256), -1, ...


def _both_refuse(compiled, x, w, name: str) -> None:
    """zkcx's witness raises BoundError and circom's witness computation fails."""
    tools, circuit, kernel, d = compiled
    with pytest.raises(BoundError):
        kernel.witness(X=x, W=w)
    with pytest.raises(RuntimeError, match="failed"):
        circom.compute_witness(tools, circuit, x, w, d / name)


def test_circom_refuses_inputs_outside_the_bound_as_zkcx_does(compiled):
    x = np.zeros((M, K), dtype=np.int64)
    x[2, 3] = HIGH + 1
    _both_refuse(compiled, x, np.ones((K, N), dtype=np.int64), "overflow.wtns")


def test_circom_refuses_outputs_outside_the_bound_as_zkcx_does(compiled):
    x = np.full((M, K), HIGH, dtype=np.int64)
    w = np.full((K, N), 65, dtype=np.int64)  # Y = floor(4·32767·65 / 256) = 33279 >= 2^15
    _both_refuse(compiled, x, w, "out_overflow.wtns")


def test_circom_constraint_count_is_products_plus_range_checks(compiled):
    tools, circuit, kernel, _ = compiled
    count = circom.n_constraints(tools, circuit.r1cs)
    # m·k·n products, B booleans per input value, f + B booleans per output (circom --O2
    # folds every linear constraint away)
    assert count == M * K * N + (M * K + K * N) * B + M * N * (F + B)
    # zkcx keeps the linear sums: + 1 per range check and per rescale, + 1 public copy
    assert kernel.n_constraints == count + (M * K + K * N) + M * N * 3


def test_zkcx_proves_circoms_circuit_and_witness(compiled):
    tools, circuit, kernel, d = compiled
    x, w = (np.asarray(a, dtype=np.int64) for a in _cases()["random"])
    circom.compute_witness(tools, circuit, x, w, d / "prove.wtns")
    r1cs = read_r1cs(circuit.r1cs)
    witness = read_wtns(d / "prove.wtns")
    assert r1cs.is_satisfied(witness)
    values = witness.to_ints()
    values[1] = (values[1] + 1) % circom.FR_MODULUS  # Y[0, 0] + 1, nothing else changed
    assert not r1cs.is_satisfied(FrVec.from_ints(values))
    pk = setup(r1cs)
    proof, public = prove(pk, witness, r1cs)
    assert public[:M * N] == [int(v) % circom.FR_MODULUS
                              for v in kernel.reference(X=x, W=w)["Y"].reshape(-1)]
    assert verify(pk.verifying_key, public, proof)
    public[0] += 1
    assert not verify(pk.verifying_key, public, proof)
