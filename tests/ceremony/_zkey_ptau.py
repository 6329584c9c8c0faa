# SPDX-License-Identifier: MIT
"""The test vectors' prepared ptau files for the phase-2 tests, read with
``zkcx.ceremony.ptau.read_ptau``."""

from __future__ import annotations

import functools
import pathlib

import pytest

VECTORS = pathlib.Path(__file__).resolve().parents[1] / "vectors"
NAMES = ("multiplier", "matmul4", "poseidon2")


@functools.cache
def vector_ptau(name: str):
    """The prepared ptau of vector ``name`` (cached: the tests only read it)."""
    ptau_module = pytest.importorskip("zkcx.ceremony.ptau",
                                      reason="the ptau reader has not landed in this branch")
    return ptau_module.read_ptau(VECTORS / name / "pot_final.ptau")
