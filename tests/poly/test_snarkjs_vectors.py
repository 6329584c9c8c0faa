# SPDX-License-Identifier: MIT
"""Exact agreement with snarkjs's own prover: every array of
tests/vectors/*/deterministic/qap.json (docs/formats.md, QAP)."""

from __future__ import annotations

import json

import pytest

from tests.vectors import SNARKJS_VECTORS, VECTORS
from zkcx.field import FrVec
from zkcx.poly import Domain, coset_ntt, intt, qap_quotient

from .helpers import SETTINGS, native_settings


@pytest.fixture(params=SNARKJS_VECTORS)
def qap(request) -> dict:
    return json.loads((VECTORS / request.param / "deterministic" / "qap.json").read_text())


def _vec(values: list[str]) -> FrVec:
    return FrVec.from_ints([int(v) for v in values])


def test_domain_and_shift_match(qap):
    d = Domain(qap["domainSize"])
    assert int(d.omega) == int(qap["omega_n"])
    assert int(d.qap_shift) == int(qap["coset_shift_omega_2n"])


@pytest.mark.parametrize("poly", ["A", "B", "C"])
def test_coset_evaluations_match(qap, poly):
    shift = Domain(qap["domainSize"]).qap_shift
    on_domain = _vec(qap[f"{poly}_on_domain"])
    on_coset = coset_ntt(intt(on_domain), shift)
    assert on_coset.to_ints() == [int(v) for v in qap[f"{poly}_on_coset"]]


@pytest.mark.parametrize("threads,simd", SETTINGS)
def test_h_scalars_match(qap, threads, simd):
    a, b, c = (_vec(qap[f"{p}_on_domain"]) for p in "ABC")
    with native_settings(threads, simd):
        h = qap_quotient(a, b, c)
    assert h.to_ints() == [int(v) for v in qap["H_scalars"]]


def test_h_from_the_coset_values(qap):
    a2, b2, c2 = (_vec(qap[f"{p}_on_coset"]) for p in "ABC")
    assert (a2 * b2 - c2).to_ints() == [int(v) for v in qap["H_scalars"]]
