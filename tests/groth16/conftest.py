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
