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


@pytest.mark.parametrize("log", [6, 12, 16])
def test_repeated_quotients_reuse_work_memory_and_stay_exact(log):
    """The native quotient keeps its twiddle tables between calls (two plans at a time):
    alternating thread counts, shifts and sizes must rebuild them, never reuse stale ones."""
    import zkcx

    n = 2**log
    a, b, c = (FrVec.random(n, seed=s + 10 * log) for s in (1, 2, 3))
    small = [FrVec.random(16, seed=s) for s in (4, 5, 6)]
    want = _by_definition(a, b, c, Domain(n).qap_shift)
    want9 = _by_definition(a, b, c, Fr(9))
    want_small = _by_definition(*small, Domain(16).qap_shift)
    before = zkcx.get_threads()
    try:
        for threads in (2, 1, 2, 2):
            zkcx.set_threads(threads)
            assert qap_quotient(a, b, c).equals(want)
            assert qap_quotient(a, b, c).equals(want)
            assert qap_quotient(a, b, c, shift=9).equals(want9)
            assert qap_quotient(*small).equals(want_small)
    finally:
        zkcx.set_threads(before)


def test_overwrite_works_in_the_inputs_memory_and_copies_what_it_must():
    n = 64
    a, b, c = (FrVec.random(n, seed=s) for s in (1, 2, 3))
    want = qap_quotient(a, b, c)
    x, y, z = a.copy(), b.copy(), c.copy()
    h = qap_quotient(x, y, z, overwrite=True)
    assert h.equals(want)
    assert h.limbs is x.limbs  # the result is the first input's memory
    # the same vector twice, and read-only memory, are copied rather than clobbered
    same = a.copy()
    assert qap_quotient(same, same, same.copy(), overwrite=True).equals(
        qap_quotient(a, a, a))
    ro = a.copy()
    ro.limbs.flags.writeable = False
    keep = ro.copy()
    assert qap_quotient(ro, b.copy(), c.copy(), overwrite=True).equals(want)
    assert ro.equals(keep)


def test_concurrent_quotients_each_get_their_own_work_memory():
    """Calls from several Python threads at once (the GIL is released in C): each takes
    the cached work memory or builds its own, so every result is exact."""
    from concurrent.futures import ThreadPoolExecutor

    cases = []
    for log, seed in ((12, 1), (12, 2), (10, 3), (12, 4)):
        n = 2**log
        vecs = [FrVec.random(n, seed=seed * 10 + s) for s in (1, 2, 3)]
        cases.append((vecs, _by_definition(*vecs, Domain(n).qap_shift)))

    def run(k: int) -> bool:
        vecs, want = cases[k % len(cases)]
        return all(qap_quotient(*vecs).equals(want) for _ in range(6))

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(run, range(16)))
