# SPDX-License-Identifier: MIT
"""The native transforms: identical results for every thread count and with the IFMA
kernels on or off, the C interface's optional root and its checks, and no access
outside the n elements a call is given."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from zkcx._bindings import ptr
from zkcx._lib import ffi, lib
from zkcx.field import Fr, FrVec
from zkcx.params import FR_MODULUS as R
from zkcx.poly import coset_intt, coset_ntt, intt, ntt, qap_quotient, root_of_unity

from .helpers import SETTINGS, native_settings

#: Sizes that reach every layout: tiny arrays, the smallest packed pass, one and several
#: stage groups, blocks split for threads (n >= 4096), and the scalar path's groups.
LOGS = [0, 1, 2, 3, 5, 6, 7, 9, 10, 12, 13, 14, 15, 17]


def _all_results(n: int) -> tuple[bytes, ...]:
    a, b, c = (FrVec.random(n, seed=s) for s in (11, 12, 13))
    outs = (ntt(a), intt(a), coset_ntt(a, 7), coset_intt(a, 7), qap_quotient(a, b, c))
    return tuple(v.to_bytes() for v in outs)


@pytest.mark.parametrize("log", LOGS)
def test_threads_and_simd_give_identical_results(log):
    results = {}
    for threads, simd in SETTINGS:
        with native_settings(threads, simd):
            results[(threads, simd)] = _all_results(2**log)
    first = next(iter(results.values()))
    assert all(r == first for r in results.values()), list(results)


@pytest.mark.slow
@pytest.mark.parametrize("log", [20])
def test_threads_and_simd_give_identical_results_large(log):
    results = []
    for threads, simd in [(1, True), (2, True), (2, False)]:
        with native_settings(threads, simd):
            results.append(_all_results(2**log))
    assert results[0] == results[1] == results[2]


def test_concurrent_python_threads_get_the_single_threaded_answer():
    sizes = [2**6, 2**11, 2**14]
    expected = {n: _all_results(n) for n in sizes}
    with ThreadPoolExecutor(max_workers=6) as pool:
        for n, got in zip(sizes * 2, pool.map(_all_results, sizes * 2)):
            assert got == expected[n]


def _mont(value: int) -> np.ndarray:
    return FrVec.from_ints([value]).limbs.copy()


@pytest.mark.parametrize("log", [0, 3, 8, 14])
def test_omega_may_be_passed_or_left_to_the_core(log):
    n = 2**log
    a = FrVec.random(n, seed=log)
    by_null, by_omega = a.limbs.copy(), a.limbs.copy()
    assert lib.zkcx_fr_ntt(ptr(by_null), n, ffi.NULL, 0) == lib.ZKCX_OK
    assert lib.zkcx_fr_ntt(ptr(by_omega), n, ptr(_mont(root_of_unity(n))), 0) == lib.ZKCX_OK
    assert np.array_equal(by_null, by_omega)


def test_another_primitive_root_gives_the_permuted_transform():
    # omega^3 is also a primitive 16th root: entry i is then P(omega^(3i))
    n = 16
    w = root_of_unity(n)
    a = FrVec.random(n, seed=1)
    out = a.limbs.copy()
    assert lib.zkcx_fr_ntt(ptr(out), n, ptr(_mont(pow(w, 3, R))), 0) == lib.ZKCX_OK
    natural = ntt(a).to_ints()
    assert FrVec._wrap(out).to_ints() == [natural[3 * i % n] for i in range(n)]
    assert lib.zkcx_fr_ntt(ptr(out), n, ptr(_mont(pow(w, 3, R))), 1) == lib.ZKCX_OK
    assert FrVec._wrap(out).equals(a)


@pytest.mark.parametrize("omega", [1, R - 1, 5, "w^2", "unreduced"])
def test_roots_of_the_wrong_order_are_refused(omega):
    n = 16
    if omega == "w^2":
        limbs = _mont(pow(root_of_unity(n), 2, R))  # order 8, not 16
    elif omega == "unreduced":
        limbs = np.array([[2**64 - 1] * 4], dtype=np.uint64)  # not below r
    else:
        limbs = _mont(omega)
    buf = FrVec.random(n, seed=2).limbs.copy()
    before = buf.copy()
    assert lib.zkcx_fr_ntt(ptr(buf), n, ptr(limbs), 0) == lib.ZKCX_ERR_ARG
    assert lib.zkcx_fr_coset_ntt(ptr(buf), n, ptr(limbs), ptr(_mont(3)), 0) == lib.ZKCX_ERR_ARG
    assert np.array_equal(buf, before)  # nothing written


def test_bad_shifts_are_refused_by_the_core():
    n = 8
    buf = FrVec.random(n, seed=3).limbs.copy()
    zero = np.zeros((1, 4), dtype=np.uint64)
    unreduced = np.array([[2**64 - 1] * 4], dtype=np.uint64)
    for shift in (zero, unreduced):
        assert lib.zkcx_fr_coset_ntt(ptr(buf), n, ffi.NULL, ptr(shift), 0) == lib.ZKCX_ERR_ARG
        assert lib.zkcx_fr_qap_quotient(ptr(buf), ptr(buf.copy()), ptr(buf.copy()), n,
                                        ptr(shift)) == lib.ZKCX_ERR_ARG
    assert lib.zkcx_fr_coset_ntt(ptr(buf), n, ffi.NULL, ffi.NULL, 0) == lib.ZKCX_ERR_ARG


GUARD = 0xA5A5A5A5A5A5A5A5


@pytest.mark.parametrize("log", [0, 1, 3, 6, 9, 12, 13, 16])
@pytest.mark.parametrize("simd", [True, False])
def test_calls_touch_only_their_n_elements(log, simd):
    n = 2**log
    with native_settings(2, simd):
        arrays = []
        for seed in (1, 2, 3):
            guarded = np.full((n + 16, 4), GUARD, dtype=np.uint64)
            guarded[8:-8] = FrVec.random(n, seed=seed).limbs
            arrays.append(guarded)
        body = [ptr(g[8:-8]) for g in arrays]
        g = ptr(_mont(5))
        assert lib.zkcx_fr_ntt(body[0], n, ffi.NULL, 0) == lib.ZKCX_OK
        assert lib.zkcx_fr_ntt(body[0], n, ffi.NULL, 1) == lib.ZKCX_OK
        assert lib.zkcx_fr_coset_ntt(body[0], n, ffi.NULL, g, 0) == lib.ZKCX_OK
        assert lib.zkcx_fr_coset_ntt(body[0], n, ffi.NULL, g, 1) == lib.ZKCX_OK
        assert lib.zkcx_fr_qap_quotient(body[0], body[1], body[2], n, ffi.NULL) == lib.ZKCX_OK
        for guarded in arrays:
            assert (guarded[:8] == GUARD).all() and (guarded[-8:] == GUARD).all()


def test_the_quotient_with_a_null_shift_uses_snarkjs_rule():
    n = 64
    a, b, c = (FrVec.random(n, seed=s) for s in (4, 5, 6))
    x, y, z = a.limbs.copy(), b.limbs.copy(), c.limbs.copy()
    assert lib.zkcx_fr_qap_quotient(ptr(x), ptr(y), ptr(z), n, ffi.NULL) == lib.ZKCX_OK
    assert FrVec._wrap(x).equals(qap_quotient(a, b, c))
    assert FrVec._wrap(x).equals(qap_quotient(a, b, c, shift=root_of_unity(2 * n)))
    assert not FrVec._wrap(x).equals(qap_quotient(a, b, c, shift=Fr(25)))
