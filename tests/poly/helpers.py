# SPDX-License-Identifier: MIT
"""Helpers for the poly tests: a naive DFT in Python integers, and a switch for the
native thread count and SIMD setting."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import zkcx
from zkcx.params import FR_MODULUS as R


def naive_dft(coeffs: Sequence[int], omega: int, shift: int = 1) -> list[int]:
    """P(shift omega^i) for i < n, P(X) = sum_j coeffs[j] X^j, in O(n^2) integer work."""
    n = len(coeffs)
    powers = [pow(omega, e, R) for e in range(n)]
    scaled = [c * pow(shift, j, R) % R for j, c in enumerate(coeffs)]
    return [sum(c * powers[i * j % n] for j, c in enumerate(scaled)) % R for i in range(n)]


@contextlib.contextmanager
def native_settings(threads: int, simd: bool) -> Iterator[None]:
    """Run the block with the given thread count and IFMA switch; restore them after."""
    before_threads, before_simd = zkcx.get_threads(), zkcx.simd_in_use()
    zkcx.set_threads(threads)
    zkcx.set_simd(simd)
    try:
        yield
    finally:
        zkcx.set_threads(before_threads)
        zkcx.set_simd(before_simd)


#: Thread count and SIMD combinations every result must agree across.
SETTINGS = [(1, False), (1, True), (2, False), (2, True), (3, True)]
