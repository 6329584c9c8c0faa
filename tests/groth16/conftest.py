# SPDX-License-Identifier: MIT
"""The snarkjs vectors in ../shared/vectors, for the Groth16 tests."""

from __future__ import annotations

import pathlib

import pytest

SHARED = pathlib.Path(__file__).resolve().parents[3] / "shared" / "vectors"
VECTORS = ["multiplier", "matmul4", "poseidon2"]


@pytest.fixture(params=VECTORS)
def vector(request) -> pathlib.Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/vectors (the snarkjs artifacts) is not beside the repository")
    return SHARED / request.param


@pytest.fixture(scope="session")
def curve_twist_point():
    """A point of the twist curve outside G2 (from the curve tests' helper script)."""
    import importlib.util
    import random

    pytest.importorskip("py_ecc")
    path = pathlib.Path(__file__).resolve().parents[2] / "native/tests/gen_curve_vectors.py"
    spec = importlib.util.spec_from_file_location("gen_curve_vectors", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.random_twist_point(random.Random(8))
