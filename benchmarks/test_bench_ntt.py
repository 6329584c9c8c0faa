# SPDX-License-Identifier: MIT
"""pytest-benchmark cases for the NTT layer (zkcx.poly): forward, inverse and coset
transforms and snarkjs's Groth16 quotient, at 2^16, 2^20 and 2^22, with one and with
two threads.

Every case times the Python API as a user calls it (the result is a new vector, so one
copy of the input is included) and checks its result cheaply afterwards (entry 0 of a
forward transform is the sum of the coefficients, P(1); the others by a round trip), so
under the project's default options (``--benchmark-disable``, ``-m 'not slow'``) the
file runs quickly as plain tests. To benchmark::

    pytest benchmarks/test_bench_ntt.py --benchmark-enable -m ''    # 2^20 and 2^22 too
    pytest benchmarks/test_bench_ntt.py --benchmark-enable          # 2^16 only

After the tables, the conftest prints the best round of each case in ns per element.
"""

from __future__ import annotations

from typing import Any

import pytest
from field_report import label_benchmark, zkcx_threads

import zkcx
from zkcx import Fr, FrVec
from zkcx.poly import Domain, coset_intt, coset_ntt, intt, ntt, qap_quotient

SLOW = pytest.mark.slow
THREADS = [pytest.param(1, id="1-thread"), pytest.param(2, id="2-threads")]
SIZES = [
    pytest.param(2**16, id="2^16"),
    pytest.param(2**20, id="2^20", marks=SLOW),
    pytest.param(2**22, id="2^22", marks=SLOW),
]
SHIFT = Fr(7)

_cache: dict[tuple[int, int], FrVec] = {}


def _vector(n: int, seed: int = 0) -> FrVec:
    """A reproducible random vector, built once per size for the whole session."""
    if (n, seed) not in _cache:
        _cache[(n, seed)] = FrVec.random(n, seed=seed)
    return _cache[(n, seed)]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("threads", THREADS)
def test_ntt(benchmark: Any, threads: int, n: int) -> None:
    """``ntt(a)``: coefficients to evaluations on the n-th roots of unity."""
    label_benchmark(benchmark, "NTT forward", n)
    a = _vector(n)
    with zkcx_threads(threads):
        result = benchmark(ntt, a)
    assert result[0] == a.sum()


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("threads", THREADS)
def test_intt(benchmark: Any, threads: int, n: int) -> None:
    """``intt(a)``: evaluations to coefficients (1/n included)."""
    label_benchmark(benchmark, "NTT inverse", n)
    a = _vector(n)
    with zkcx_threads(threads):
        result = benchmark(intt, a)
    assert ntt(result).equals(a)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("threads", THREADS)
def test_coset_ntt(benchmark: Any, threads: int, n: int) -> None:
    """``coset_ntt(a, 7)``: evaluations on the coset 7 H."""
    label_benchmark(benchmark, "NTT coset forward", n)
    a = _vector(n)
    with zkcx_threads(threads):
        result = benchmark(coset_ntt, a, SHIFT)
    assert coset_intt(result, SHIFT).equals(a)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("threads", THREADS)
def test_qap_quotient(benchmark: Any, threads: int, n: int) -> None:
    """``qap_quotient(a, b, c)``: snarkjs's H scalars, three interpolations and three
    coset evaluations in one native call (ns per element of one polynomial)."""
    label_benchmark(benchmark, "Groth16 quotient (3 INTT + 3 coset NTT)", n)
    a, b = _vector(n, 1), _vector(n, 2)
    c = a * b
    with zkcx_threads(threads):
        h = benchmark(qap_quotient, a, b, c)
    # c = a b on the domain, so A B - C vanishes there and h / (g^n - 1) = h / -2 are
    # the coset values of a polynomial of degree <= n - 2: its top coefficient is zero
    assert coset_intt(h, Domain(n).qap_shift)[n - 1] == Fr(0)


@pytest.mark.parametrize("simd", [pytest.param(True, id="ifma"), pytest.param(False, id="scalar")])
def test_ntt_simd_switch(benchmark: Any, simd: bool) -> None:
    """``ntt(a)`` at 2^16 on one thread with the AVX-512 IFMA kernels on and off (on a
    CPU without them both run the scalar code)."""
    n = 2**16
    label_benchmark(benchmark, "NTT forward, one thread, IFMA on/off", n)
    a = _vector(n)
    before = zkcx.simd_in_use()
    zkcx.set_simd(simd)
    try:
        with zkcx_threads(1):
            result = benchmark(ntt, a)
    finally:
        zkcx.set_simd(before)
    assert result[0] == a.sum()
