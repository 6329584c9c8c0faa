# SPDX-License-Identifier: MIT
"""ntt / intt / coset_ntt / coset_intt against a naive DFT in Python integers, round
trips, and refusal of bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkcx.errors import DomainError, FieldMismatchError, FieldRangeError
from zkcx.field import Fq, FqVec, Fr, FrVec
from zkcx.params import FR_MODULUS as R
from zkcx.poly import Domain, coset_intt, coset_ntt, intt, ntt, root_of_unity

from .helpers import naive_dft

SMALL = [2**k for k in range(7)]  # 1 .. 64


def _values(n: int, seed: int) -> FrVec:
    return FrVec.random(n, seed=seed)


@pytest.mark.parametrize("n", SMALL)
def test_ntt_is_the_dft_on_omega_powers(n):
    a = _values(n, n)
    assert ntt(a).to_ints() == naive_dft(a.to_ints(), root_of_unity(n))


@pytest.mark.parametrize("n", SMALL)
def test_intt_is_the_inverse_dft_with_one_over_n(n):
    values = _values(n, 100 + n)
    coeffs = intt(values).to_ints()
    assert naive_dft(coeffs, root_of_unity(n)) == values.to_ints()
    inv_n = pow(n, -1, R)
    inverse = naive_dft(values.to_ints(), pow(root_of_unity(n), -1, R))
    assert coeffs == [x * inv_n % R for x in inverse]


@pytest.mark.parametrize("n", SMALL)
@pytest.mark.parametrize("shift", [1, 7, R - 1, 25])
def test_coset_ntt_evaluates_on_the_shifted_points(n, shift):
    a = _values(n, 200 + n)
    expected = naive_dft(a.to_ints(), root_of_unity(n), shift)
    assert coset_ntt(a, shift).to_ints() == expected
    assert coset_ntt(a, Fr(shift)).to_ints() == expected
    assert coset_intt(FrVec.from_ints(expected), shift).equals(a)


def test_transform_of_known_polynomials():
    n = 8
    # the constant 1 is 1 everywhere; X evaluates to omega^i; the all-ones vector of
    # values interpolates to the constant 1
    one = FrVec.from_ints([1] + [0] * (n - 1))
    assert ntt(one).to_ints() == [1] * n
    x = FrVec.from_ints([0, 1] + [0] * (n - 2))
    assert ntt(x).equals(Domain(n).elements())
    assert intt(FrVec.ones(n)).equals(one)
    assert coset_ntt(x, 3).equals(Domain(n).elements() * Fr(3))


@given(
    log=st.integers(min_value=0, max_value=6),
    data=st.data(),
)
def test_random_vectors_match_the_naive_dft(log, data):
    n = 2**log
    coeffs = data.draw(st.lists(st.integers(0, R - 1), min_size=n, max_size=n))
    shift = data.draw(st.integers(1, R - 1))
    a = FrVec.from_ints(coeffs)
    w = root_of_unity(n)
    assert ntt(a).to_ints() == naive_dft(coeffs, w)
    assert coset_ntt(a, shift).to_ints() == naive_dft(coeffs, w, shift)
    assert intt(ntt(a)).to_ints() == coeffs
    assert coset_intt(coset_ntt(a, shift), shift).to_ints() == coeffs


@given(log=st.integers(min_value=0, max_value=12), seed=st.integers(0, 2**32),
       shift=st.integers(1, R - 1))
def test_random_round_trips(log, seed, shift):
    a = FrVec.random(2**log, seed=seed)
    assert intt(ntt(a)).equals(a)
    assert ntt(intt(a)).equals(a)
    assert coset_intt(coset_ntt(a, shift), shift).equals(a)
    assert coset_ntt(coset_intt(a, shift), shift).equals(a)


@pytest.mark.parametrize("log", [7, 10, 13, 14, 15, 16])
def test_round_trips_up_to_2_16(log):
    n = 2**log
    a = _values(n, log)
    f = ntt(a)
    assert intt(f).equals(a)
    assert coset_intt(coset_ntt(a, 5), 5).equals(a)
    # spot values by Horner's rule: entry i of the forward transform is P(omega^i)
    coeffs, w = a.to_ints(), root_of_unity(n)
    for i in (0, 1, n // 2 + 3, n - 1):
        x, acc = pow(w, i, R), 0
        for c in reversed(coeffs):
            acc = (acc * x + c) % R
        assert int(f[i]) == acc


@pytest.mark.slow
@pytest.mark.parametrize("log", [20, 21])
def test_round_trips_large(log):
    a = _values(2**log, log)
    assert intt(ntt(a)).equals(a)
    assert coset_intt(coset_ntt(a, 7), 7).equals(a)


def test_coset_ntt_is_ntt_of_coefficients_times_powers_of_the_shift():
    n, g = 2**12, Fr(123456789)
    a = _values(n, 9)
    assert coset_ntt(a, g).equals(ntt(a * FrVec.powers(g, n)))
    assert coset_intt(a, g).equals(intt(a) * FrVec.powers(g.inverse(), n))


def test_convolution_theorem():
    # the product of two polynomials of degree < n/2, through pointwise products
    n, h = 2**10, 2**9
    a = FrVec.concatenate([_values(h, 1), FrVec.zeros(h)])
    b = FrVec.concatenate([_values(h, 2), FrVec.zeros(h)])
    product = intt(ntt(a) * ntt(b)).to_ints()
    ai, bi = a.to_ints()[:h], b.to_ints()[:h]
    for k in (0, 1, 300, n - 2, n - 1):
        expect = sum(ai[j] * bi[k - j] for j in range(max(0, k - h + 1), min(k, h - 1) + 1))
        assert product[k] == expect % R


def test_inputs_are_left_unchanged_and_outputs_are_new():
    a = _values(256, 3)
    before = a.limbs.copy()
    for out in (ntt(a), intt(a), coset_ntt(a, 3), coset_intt(a, 3)):
        assert not np.shares_memory(out.limbs, a.limbs)
    assert np.array_equal(a.limbs, before)


def test_read_only_and_sliced_inputs():
    a = _values(64, 4)
    frozen = a.limbs.copy()
    frozen.flags.writeable = False
    assert ntt(FrVec.from_montgomery(frozen)).equals(ntt(a))
    big = _values(128, 5)
    assert ntt(big[32:96]).equals(ntt(FrVec.from_ints(big.to_ints()[32:96])))


def test_explicit_domain():
    a = _values(32, 6)
    assert ntt(a, Domain(32)).equals(ntt(a))
    assert intt(a, Domain(32)).equals(intt(a))
    assert coset_ntt(a, 2, Domain(32)).equals(coset_ntt(a, 2))
    with pytest.raises(DomainError, match="does not match"):
        ntt(a, Domain(64))
    with pytest.raises(TypeError, match="Domain"):
        ntt(a, 32)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [0, 3, 5, 6, 12, 100])
def test_lengths_that_are_not_powers_of_two_are_refused(n):
    a = FrVec.zeros(n)
    for fn in (ntt, intt):
        with pytest.raises(DomainError, match="power of two"):
            fn(a)
    for fn in (coset_ntt, coset_intt):
        with pytest.raises(DomainError, match="power of two"):
            fn(a, 3)


def test_only_frvec_is_accepted():
    with pytest.raises(FieldMismatchError, match="FqVec"):
        ntt(FqVec.zeros(8))
    for bad in ([1, 2, 3, 4], np.zeros((4, 4), dtype=np.uint64), Fr(1)):
        with pytest.raises(TypeError, match="FrVec"):
            ntt(bad)  # type: ignore[arg-type]


def test_bad_shifts_are_refused():
    a = _values(8, 7)
    with pytest.raises(DomainError, match="non-zero"):
        coset_ntt(a, 0)
    with pytest.raises(DomainError, match="non-zero"):
        coset_intt(a, Fr(0))
    with pytest.raises(FieldRangeError):
        coset_ntt(a, R)
    with pytest.raises(FieldRangeError):
        coset_ntt(a, -1)
    with pytest.raises(FieldMismatchError):
        coset_ntt(a, Fq(3))  # type: ignore[arg-type]
    for bad in (1.5, "3", True, None):
        with pytest.raises(TypeError):
            coset_ntt(a, bad)  # type: ignore[arg-type]
