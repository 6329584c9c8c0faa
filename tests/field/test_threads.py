# SPDX-License-Identifier: MIT
"""Native vector calls release the GIL and share no state: many Python threads at once
must each get exactly the single-threaded answer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import zkcx
from zkcx.field import FqVec, FrVec


def _work(seed: int):
    a, b = FrVec.random(20000, seed=seed), FrVec.random(20000, seed=seed + 1000)
    q = FqVec.random(5000, seed=seed)
    return ((a * b).to_bytes(), int(a @ b), a.inverse().to_bytes(), (q * q).to_bytes())


def test_vector_ops_from_many_threads_are_correct():
    expected = {seed: _work(seed) for seed in range(8)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            results = dict(zip(range(8), pool.map(_work, range(8))))
            assert results == expected


def test_thread_count_setting_does_not_change_results():
    before = zkcx.get_threads()
    try:
        zkcx.set_threads(1)
        one = _work(3)
        zkcx.set_threads(2)
        two = _work(3)
        zkcx.set_threads(7)
        seven = _work(3)
    finally:
        zkcx.set_threads(before)
    assert one == two == seven


def test_thread_count_validation():
    import pytest

    with pytest.raises(ValueError):
        zkcx.set_threads(0)
    with pytest.raises(ValueError):
        zkcx.set_threads(1.5)  # type: ignore[arg-type]
