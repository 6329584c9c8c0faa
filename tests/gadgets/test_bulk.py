# SPDX-License-Identifier: MIT
"""Gadgets at kernel scale: thousands of elements in a few bulk calls, values equal to
the reference; the 2^18-element rescale of the brief is marked slow."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.gadgets.helpers import circuit
from zkcx import gadgets as g
from zkcx.gadgets import reference as ref


def _solve_and_read(cs, pairs, outputs):
    r1cs = cs.build()
    w = r1cs.solve([(k.reshape(-1), g.from_signed(v)) for k, v in pairs])
    r1cs.check(w)
    return [g.to_signed(w.values[r1cs.wire_of[o.reshape(-1)]]).reshape(o.shape)
            for o in outputs]


def test_a_layer_of_4096_values_matches_the_reference():
    rng = np.random.default_rng(7)
    n, f, bits = 4096, 8, 16
    xs = rng.integers(-(1 << 15), 1 << 15, n)
    ws = rng.integers(-(1 << 15), 1 << 15, n)
    cs, (x, w) = circuit((n,), (n,))
    q = g.rescale(cs, g.mul(cs, x, w), f, 2 * bits - f)
    r = g.relu(cs, q, 2 * bits - f)
    c = g.clamp(cs, x, -1000, 1000, bits)
    # mul 1, rescale f + 24 + 2, relu 24 + 2, clamp 17 + 19 + 18 (constraint_counts.csv)
    assert cs.n_constraints == n * (1 + 34 + 26 + 54)
    got_q, got_r, got_c = _solve_and_read(cs, [(x, xs), (w, ws)], [q, r, c])
    expected_q = ref.rescale(ref.mul(xs, ws), f)
    assert np.array_equal(got_q, expected_q)
    assert np.array_equal(got_r, ref.relu(expected_q))
    assert np.array_equal(got_c, ref.clamp(xs, -1000, 1000))


@pytest.mark.slow
def test_a_rescale_of_2_to_the_18_elements_builds_in_seconds():
    n, f, bits = 1 << 18, 16, 32
    cs, (z,) = circuit((n,))
    start = time.perf_counter()
    q = g.rescale(cs, z, f, bits)
    elapsed = time.perf_counter() - start
    assert cs.n_constraints == n * (f + bits + 2)
    assert elapsed < 30, f"building took {elapsed:.1f} s"  # generous: the machine is shared
    zs = np.random.default_rng(3).integers(-(1 << 47), 1 << 47, n)
    (got,) = _solve_and_read(cs, [(z, zs)], [q])
    assert np.array_equal(got, ref.rescale(zs, f))
