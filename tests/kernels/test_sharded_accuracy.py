# SPDX-License-Identifier: MIT
"""The accuracy of proved data-parallel SGD: on random models and shards, every shard
gradient and the weights after every step of the fixed-point run (zkcx.kernels.sharded)
agree with float64 data-parallel SGD within the bound derived in zkcx.kernels.accuracy;
the bound is tens of quanta where the error is a few and still tells trained weights
from untrained ones (not vacuous); the per-step bound holds over a long run."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from zkcx.kernels.accuracy import (
    FLOAT64_SLACK,
    data_parallel_error_bound,
    float_data_parallel_sgd,
)
from zkcx.kernels.sharded import data_parallel_kernels, data_parallel_sgd


def _run(sizes, batch, shards, steps, f, lr, seed, bound_bits=None, steps_bound=None):
    rng = np.random.default_rng(seed)
    g, a = data_parallel_kernels(sizes, batch, shards, lr=lr, frac_bits=f,
                                 bound_bits=bound_bits or f + 8)
    p = {n: rng.normal(size=s) * (0.5 if n.startswith("W") else 0.1) for n, s in g.shapes}
    data = [(rng.normal(size=(batch, sizes[0])), rng.normal(size=(batch, sizes[-1])))
            for _ in range(shards)]
    fixed = data_parallel_sgd(g, a, g.pack_weights(p), [g.pack_data(x, t) for x, t in data],
                              steps)
    real = float_data_parallel_sgd(p, data, steps, lr)
    bounded = real[:steps if steps_bound is None else steps_bound]
    return g, p, data, fixed, real, data_parallel_error_bound(bounded, f, lr)


def test_a_bound_past_float64_is_inf_not_nan():
    """Over many steps of a wide MLP the global bound overflows: it says nothing (inf)
    rather than comparing false (NaN)."""
    *_, bound = _run([16, 16, 1], 8, 4, 10, 8, 0.0625, seed=1)
    last = np.concatenate([np.ravel(v) for k, v in bound[-1].items() if k != "shards"])
    assert not np.isnan(last).any() and np.isinf(last).any()


def _assert_within(fixed_flat, g, real, bound, u, what):
    fixed = g.unpack_weights(fixed_flat)
    for n, _ in g.shapes:
        err = np.abs(fixed[n] * u - real[n])
        assert (err <= bound[n] + FLOAT64_SLACK).all(), (
            f"{what} {n}: error {err.max()} above the derived bound {np.max(bound[n])}")


@settings(max_examples=25, deadline=None)
@given(sizes=st.sampled_from([[4, 1], [4, 4, 1], [3, 5, 2], [3, 4, 3, 1]]),
       batch=st.integers(1, 4), shards=st.integers(1, 4), steps=st.integers(1, 3),
       f=st.sampled_from([8, 10]), lr=st.sampled_from([0.0625, 0.1, 0.125]),
       seed=st.integers(0, 2**32 - 1))
def test_a_data_parallel_run_agrees_with_float64_within_the_derived_bound(
        sizes, batch, shards, steps, f, lr, seed):
    g, _, _, fixed, real, bound = _run(sizes, batch, shards, steps, f, lr, seed)
    u = 2.0 ** -f
    for s, (step, r, b) in enumerate(zip(fixed.steps, real, bound)):
        _assert_within(step.weights_next, g, r["next"], b, u, f"step {s}")
        for k, (grad, rk, bk) in enumerate(zip(step.gradients, r["shards"], b["shards"])):
            ours = g.unpack_weights(grad)
            for n, _ in g.shapes:
                err = np.abs(ours[n] * u - rk[f"d{n}"])
                assert (err <= bk[f"d{n}"] + FLOAT64_SLACK).all(), (s, k, n)


def test_the_bound_is_tens_of_quanta_and_tells_trained_weights_from_untrained():
    """4 shards x 3 steps of a 4-4-1 MLP (the end-to-end test's size): the final error
    is a few quanta, the bound under 64, and the initial weights lie outside it."""
    g, p, _, fixed, real, bound = _run([4, 4, 1], 4, 4, 3, 8, 0.125, seed=0, bound_bits=16)
    u = 2.0 ** -8
    final = g.unpack_weights(fixed.final_weights)
    worst = max(np.max(bound[-1][n]) for n, _ in g.shapes)
    error = max(np.max(np.abs(final[n] * u - real[-1]["next"][n])) for n, _ in g.shapes)
    assert 0 < error <= worst < 64 * u
    _assert_within(fixed.final_weights, g, real[-1]["next"], bound[-1], u, "final")
    untrained = [np.abs(p[n] - real[-1]["next"][n]) > bound[-1][n] for n, _ in g.shapes]
    assert any(m.any() for m in untrained), "the bound admits the untrained weights"


def test_each_step_of_a_long_run_is_within_one_steps_bound_of_real_sgd():
    """The global bound grows with the steps; restarted from the proved weights (exact
    reals) each proved step stays within the one-step bound, step after step."""
    f, lr, steps = 8, 0.0625, 10
    g, _, data, fixed, _, _ = _run([16, 16, 1], 8, 4, steps, f, lr, seed=1, steps_bound=0)
    u = 2.0 ** -f
    zero = {n: np.zeros(s) for n, s in g.shapes}
    widths = []
    for s, step in enumerate(fixed.steps):
        start = {n: v * u for n, v in g.unpack_weights(step.weights).items()}
        real = float_data_parallel_sgd(start, data, 1, lr)
        bound = data_parallel_error_bound(real, f, lr, initial_errors=zero)
        _assert_within(step.weights_next, g, real[0]["next"], bound[0], u, f"step {s}")
        widths.append(max(np.max(bound[0][n]) for n, _ in g.shapes))
    assert max(widths) < 64 * u
