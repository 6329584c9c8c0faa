# SPDX-License-Identifier: MIT
"""The snarkjs vectors (tests/vectors), for the Groth16 tests."""

from __future__ import annotations

import pathlib

import pytest

from tests.vectors import SNARKJS_VECTORS, VECTORS, curve_vector_generator


@pytest.fixture(params=SNARKJS_VECTORS)
def vector(request) -> pathlib.Path:
    return VECTORS / request.param


@pytest.fixture(scope="session")
def curve_twist_point():
    """A point of the twist curve outside G2 (from the curve tests' helper script)."""
    import random

    pytest.importorskip("py_ecc")
    return curve_vector_generator().random_twist_point(random.Random(8))
