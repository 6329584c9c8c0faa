# SPDX-License-Identifier: MIT
"""Field axioms, run on the native field and on the pure-Python reference, and both
checked against plain ``int`` arithmetic mod p."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkcx.params import FQ_MODULUS, FR_MODULUS

from .edge_values import edge_values

MODULI = {"Fr": FR_MODULUS, "Fq": FQ_MODULUS}


def elements(modulus: int):
    """Uniform values mixed with the edge-value table."""
    return st.one_of(st.integers(0, modulus - 1), st.sampled_from(edge_values(modulus)))


@pytest.mark.parametrize("name", ["Fr", "Fq"])
@given(data=st.data())
def test_field_axioms_hold_for_native_and_reference(name, data):
    import zkcx.field as native
    import zkcx.field.reference as reference

    p = MODULI[name]
    a, b, c = (data.draw(elements(p)) for _ in range(3))
    for impl in (native, reference):
        F = getattr(impl, name)
        x, y, z = F(a), F(b), F(c)
        assert x + y == y + x
        assert x * y == y * x
        assert (x + y) + z == x + (y + z)
        assert (x * y) * z == x * (y * z)
        assert x * (y + z) == x * y + x * z
        assert x + F(0) == x and x * F(1) == x
        assert x + (-x) == F(0)
        assert x - y == x + (-y)
        if a:
            assert x * x.inverse() == F(1)
            assert x / x == F(1)


@pytest.mark.parametrize("name", ["Fr", "Fq"])
@given(data=st.data())
def test_native_agrees_with_python_integers(name, data):
    import zkcx.field as native

    p = MODULI[name]
    a, b = data.draw(elements(p)), data.draw(elements(p))
    e = data.draw(st.integers(0, 2**300))
    F = getattr(native, name)
    x, y = F(a), F(b)
    assert int(x + y) == (a + b) % p
    assert int(x - y) == (a - b) % p
    assert int(x * y) == a * b % p
    assert int(-x) == (-a) % p
    assert int(x.square()) == a * a % p
    assert int(x**e) == pow(a, e, p)
    if a:
        assert int(x.inverse()) == pow(a, -1, p)
        assert int(x ** (-3)) == pow(a, -3, p)
    assert x == a and int(x) == a


@pytest.mark.parametrize("name", ["Fr", "Fq"])
@given(data=st.data())
def test_native_agrees_with_galois(name, data, galois_field):
    import zkcx.field as native

    p = MODULI[name]
    GF = galois_field(p)
    a, b = data.draw(elements(p)), data.draw(st.integers(1, p - 1))
    F = getattr(native, name)
    ga, gb = GF(a), GF(b)
    assert int(F(a) * F(b)) == int(ga * gb)
    assert int(F(a) + F(b)) == int(ga + gb)
    assert int(F(a) - F(b)) == int(ga - gb)
    assert int(F(a) / F(b)) == int(ga / gb)


def test_edge_values_against_each_other_exhaustively(impl, field_name):
    p = MODULI[field_name]
    F = getattr(impl, field_name)
    table = edge_values(p)
    for a in table:
        for b in table:
            x, y = F(a), F(b)
            assert int(x * y) == a * b % p
            assert int(x + y) == (a + b) % p
            assert int(x - y) == (a - b) % p
        if a:
            assert int(F(a).inverse()) == pow(a, -1, p)


def test_zero_has_no_inverse(impl, field_name):
    F = getattr(impl, field_name)
    with pytest.raises(ZeroDivisionError):
        F(0).inverse()
    with pytest.raises(ZeroDivisionError):
        F(1) / F(0)


def test_zero_and_one_powers(impl, field_name):
    F = getattr(impl, field_name)
    assert F(0) ** 0 == F(1)
    assert F(0) ** 5 == F(0)
    assert F(7) ** 0 == F(1)
    p = MODULI[field_name]
    assert F(7) ** (p - 1) == F(1)


def test_scalars_are_hashable_and_immutable_values(impl, field_name):
    F = getattr(impl, field_name)
    p = MODULI[field_name]
    assert len({F(1), F(1), F(2), F(p - 1)}) == 3
    x = F(5)
    y = x
    y = y + 1
    assert x == F(5) and y == F(6)


def test_hash_agrees_with_equality_to_ints(impl, field_name):
    F = getattr(impl, field_name)
    for v in (0, 1, 12345, F.modulus - 1):
        assert F(v) == v and hash(F(v)) == hash(v)
