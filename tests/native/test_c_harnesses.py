# SPDX-License-Identifier: MIT
"""Builds and runs the C test harnesses in native/tests/, which check the SIMD kernels
limb for limb against the scalar C code, with guard pages around every buffer."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest

from tests.vectors import EVM_VECTORS

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIPPED = 77  # the harness's exit code when the CPU lacks the instructions it tests


def _build_and_run(tmp_path: pathlib.Path, harness: str, sources: list[str], *args: str):
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed, so the C harness cannot be built")
    exe = tmp_path / harness
    cmd = [gcc, "-O2", "-std=gnu11", "-fopenmp",
           f"-I{ROOT / 'native/src'}", f"-I{ROOT / 'native/include'}",
           str(ROOT / "native/tests" / f"{harness}.c"), *[str(ROOT / s) for s in sources],
           "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    result = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300)
    if result.returncode == SKIPPED:
        pytest.skip(f"{harness}: this CPU lacks the instructions under test")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_ifma_kernels_match_scalar_montgomery(tmp_path):
    out = _build_and_run(tmp_path, "test_field_ifma", ["native/src/field_ifma.c"],
                         "--quick", "--no-bench")
    assert "0 failures" in out


# Every Fq/Fr multiplication has two implementations (MULX/ADX assembly where the CPU
# has it, portable C otherwise); the curve harness runs once with each.
@pytest.mark.parametrize("multiplier", ["default", "portable"])
def test_curve_layer_against_py_ecc_and_evm_vectors(tmp_path, multiplier):
    pytest.importorskip("py_ecc")
    vectors = tmp_path / "curve_vectors.txt"
    subprocess.run(
        [sys.executable, str(ROOT / "native/tests/gen_curve_vectors.py"), str(vectors),
         "--evm", str(EVM_VECTORS)],
        check=True, capture_output=True, text=True,
    )
    out = _build_and_run(
        tmp_path, "test_curve",
        [f"native/src/{name}.c" for name in ("tower", "g1", "g2", "pairing", "runtime",
                                              "field_ifma")],
        str(vectors), *(["--portable"] if multiplier == "portable" else []),
    )
    assert " 0 failed" in out


def _msm_harness(tmp_path, *args: str) -> str:
    pytest.importorskip("py_ecc")
    vectors = tmp_path / "msm_vectors.txt"
    subprocess.run([sys.executable, str(ROOT / "native/tests/gen_msm_vectors.py"), str(vectors)],
                   check=True, capture_output=True, text=True)
    return _build_and_run(
        tmp_path, "test_msm",
        [f"native/src/{name}.c" for name in ("msm", "msm_batch", "msm_ifma", "msm_fixed",
                                              "g1", "g2", "tower", "runtime", "field_ifma")],
        str(vectors), *args,
    )


def test_msm_against_py_ecc_naive_sums_and_known_logarithms(tmp_path):
    assert " 0 failed" in _msm_harness(tmp_path, "--quick")


@pytest.mark.slow
def test_msm_full_harness_with_larger_naive_references_and_2_16_points(tmp_path):
    assert " 0 failed" in _msm_harness(tmp_path)
