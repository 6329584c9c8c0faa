# SPDX-License-Identifier: MIT
"""qap_quotient: the fused native routine against its definition, h_i = A'B' - C' on
the coset omega_2n H, built from the separate transforms."""

from __future__ import annotations

import pytest

from zkcx.errors import DomainError, FieldMismatchError, LengthMismatchError
from zkcx.field import FqVec, Fr, FrVec
from zkcx.params import FR_MODULUS as R
from zkcx.poly import Domain, coset_ntt, intt, qap_quotient, root_of_unity

from .helpers import naive_dft


def _by_definition(a: FrVec, b: FrVec, c: FrVec, shift: Fr) -> FrVec:
    a2, b2, c2 = (coset_ntt(intt(v), shift) for v in (a, b, c))
    return a2 * b2 - c2


@pytest.mark.parametrize("log", [0, 1, 2, 3, 4, 6, 7, 9, 10, 12, 13, 14, 15, 16])
def test_quotient_equals_its_definition(log):
    n = 2**log
    a, b, c = (FrVec.random(n, seed=s + log) for s in (1, 2, 3))
    assert qap_quotient(a, b, c).equals(_by_definition(a, b, c, Domain(n).qap_shift))


@pytest.mark.slow
@pytest.mark.parametrize("log", [20])
def test_quotient_equals_its_definition_large(log):
    n = 2**log
    a, b, c = (FrVec.random(n, seed=s) for s in (1, 2, 3))
    assert qap_quotient(a, b, c).equals(_by_definition(a, b, c, Domain(n).qap_shift))


@pytest.mark.parametrize("n", [1, 2, 4, 8, 16])
def test_quotient_against_python_integers(n):
    # interpolate with the naive inverse DFT, evaluate at the odd 2n-th roots
    a, b, c = ([(7 * i + s) ** 5 % R for i in range(n)] for s in (1, 2, 3))
    w, w2 = root_of_unity(n), root_of_unity(2 * n)
    inv_n = pow(n, -1, R)

    def on_coset(values: list[int]) -> list[int]:
        coeffs = [x * inv_n % R for x in naive_dft(values, pow(w, -1, R))]
        return naive_dft(coeffs, w, w2)

    pa, pb, pc = on_coset(a), on_coset(b), on_coset(c)
    expected = [(x * y - z) % R for x, y, z in zip(pa, pb, pc)]
    got = qap_quotient(FrVec.from_ints(a), FrVec.from_ints(b), FrVec.from_ints(c))
    assert got.to_ints() == expected


def test_satisfied_constraints_give_a_quotient_of_degree_below_n():
    # c = a b on the domain: p = AB - C vanishes on H, so p = h Z with deg h <= n - 2,
    # and Z(g omega^i) = g^n - 1 = -2 on the coset; h's coset values then interpolate
    # to a polynomial whose top coefficient is zero
    n = 2**8
    d = Domain(n)
    a, b = FrVec.random(n, seed=1), FrVec.random(n, seed=2)
    h = qap_quotient(a, b, a * b) * Fr(R - 2).inverse()
    g = d.qap_shift
    coeffs = intt(h) * FrVec.powers(g.inverse(), n)
    assert coeffs[n - 1] == Fr(0)


def test_inputs_are_left_unchanged():
    a, b, c = (FrVec.random(64, seed=s) for s in (1, 2, 3))
    copies = [v.copy() for v in (a, b, c)]
    qap_quotient(a, b, c)
    assert all(v.equals(w) for v, w in zip((a, b, c), copies))


def test_the_largest_domain_uses_shift_25():
    assert int(Domain(2**28).qap_shift) == 25


def test_shift_override_and_bad_shifts():
    a, b, c = (FrVec.random(16, seed=s) for s in (1, 2, 3))
    assert qap_quotient(a, b, c, shift=9).equals(_by_definition(a, b, c, Fr(9)))
    with pytest.raises(DomainError, match="non-zero"):
        qap_quotient(a, b, c, shift=0)


def test_bad_inputs_are_refused():
    a = FrVec.random(16, seed=1)
    with pytest.raises(LengthMismatchError, match="equal lengths"):
        qap_quotient(a, a, FrVec.random(8, seed=2))
    with pytest.raises(DomainError, match="power of two"):
        qap_quotient(*(FrVec.zeros(12),) * 3)
    with pytest.raises(DomainError):
        qap_quotient(*(FrVec.zeros(0),) * 3)
    with pytest.raises(FieldMismatchError):
        qap_quotient(a, FqVec.zeros(16), a)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="c_evals"):
        qap_quotient(a, a, [0] * 16)  # type: ignore[arg-type]
