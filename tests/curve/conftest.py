# SPDX-License-Identifier: MIT
"""Fixtures of the curve tests: py_ecc (the independent reference) and the plain-integer
helpers of native/tests/gen_curve_vectors.py (Fq2 square roots, twist points outside
G2, conversion between py_ecc's Fq12 basis and the zkcx tower)."""

from __future__ import annotations

import pytest

from tests.vectors import curve_vector_generator


@pytest.fixture(scope="session")
def bn():
    return pytest.importorskip("py_ecc.optimized_bn128")


@pytest.fixture(scope="session")
def curve_ref():
    pytest.importorskip("py_ecc")
    return curve_vector_generator()
