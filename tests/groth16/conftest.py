# SPDX-License-Identifier: MIT
"""The snarkjs vectors (tests/vectors), for the Groth16 tests."""

from __future__ import annotations

import pathlib

import pytest

from tests.vectors import SNARKJS_VECTORS, VECTORS


@pytest.fixture(params=SNARKJS_VECTORS)
def vector(request) -> pathlib.Path:
    return VECTORS / request.param


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
