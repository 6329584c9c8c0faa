# SPDX-License-Identifier: MIT
"""Shared fixtures: both field implementations, and galois fields built without the
slow primitive-element search (galois factors p - 1 for minutes otherwise; the
element is only a construction hint, unused by the arithmetic these tests compare)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import zkcx.field as native
import zkcx.field.reference as reference
from zkcx.params import FQ_MODULUS, FR_MODULUS

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Smallest primitive roots; galois would otherwise factor p - 1 for minutes.
PRIMITIVE_ROOT = {FR_MODULUS: 5, FQ_MODULUS: 3}


@pytest.fixture(scope="session")
def galois_field():
    galois = pytest.importorskip("galois")
    cache: dict[int, object] = {}

    def get(modulus: int):
        if modulus not in cache:
            cache[modulus] = galois.GF(
                modulus, primitive_element=PRIMITIVE_ROOT[modulus], verify=False
            )
        return cache[modulus]

    return get


@pytest.fixture(params=["native", "reference"])
def impl(request):
    """The module under test: the native field or the pure-Python reference."""
    return native if request.param == "native" else reference


@pytest.fixture(params=["Fr", "Fq"])
def field_name(request) -> str:
    return request.param
