# SPDX-License-Identifier: MIT
"""Compilation speed: constraints are emitted in bulk, so a kernel of 2^20 constraints
builds in seconds (slow: left out of the default run)."""

from __future__ import annotations

import time

import numpy as np
import pytest

import zkcx.kernels as K


def test_a_small_matmul_builds_in_well_under_a_second():
    t = time.perf_counter()
    n = K.matmul(16, 16, 16).n_constraints
    assert n > 10_000 and time.perf_counter() - t < 2.0


@pytest.mark.slow
def test_a_two_to_the_twenty_constraint_matmul_builds_in_seconds():
    k = K.matmul(89, 89, 89, visibility={"W": "public"})
    t = time.perf_counter()
    r1cs = k.circuit()
    elapsed = time.perf_counter() - t
    assert r1cs.n_constraints >= 1 << 20
    assert elapsed < 30.0, f"{r1cs.n_constraints} constraints took {elapsed:.1f} s"
    rng = np.random.default_rng(0)
    x = rng.integers(-300, 300, size=(89, 89))
    w = rng.integers(-300, 300, size=(89, 89))
    t = time.perf_counter()
    witness = k.witness(X=x, W=w)
    assert time.perf_counter() - t < 30.0
    assert r1cs.is_satisfied(witness)
