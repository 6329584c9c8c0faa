# SPDX-License-Identifier: MIT
"""Domains: snarkjs's roots of unity (docs/formats.md), the quotient's coset shift, and
refusal of sizes that are not domains."""

from __future__ import annotations

import pytest

from zkcx._lib import ffi, lib
from zkcx.errors import DomainError
from zkcx.field import Fr
from zkcx.params import FR_MODULUS as R
from zkcx.poly import MAX_LOG_SIZE, QAP_SHIFT_AT_MAX_SIZE, Domain, root_of_unity

#: omega_N as ffjavascript computes it (docs/formats.md, "Roots of unity").
FORMATS_OMEGAS = {
    2: R - 1,
    4: 21888242871839275217838484774961031246007050428528088939761107053157389710902,
    8: 19540430494807482326159819597004422086093766032135589407132600596362845576832,
    16: 14940766826517323942636479241147756311199852622225275649687664389641784935947,
    128: 10359452186428527605436343203440067497552205259388878191021578220384701716497,
    256: 3478517300119284901893091970156912948790432420133812234316178878452092729974,
    512: 6837567842312086091520287814181175430087169027974246751610506942214842701774,
    1024: 3161067157621608152362653341354432744960400845131437947728257924963983317266,
    2048: 1120550406532664055539694724667294622065367841900378087843176726913374367458,
    2**28: 19103219067921713944291392827692070036145651957329286315305642004821462161904,
}


@pytest.mark.parametrize("n,omega", sorted(FORMATS_OMEGAS.items()))
def test_omega_matches_the_formats_table(n, omega):
    assert root_of_unity(n) == omega
    assert int(Domain(n).omega) == omega


@pytest.mark.parametrize("n,omega", sorted(FORMATS_OMEGAS.items()))
def test_native_root_of_unity_matches_the_table(n, omega):
    out = ffi.new("uint64_t[4]")
    assert lib.zkcx_fr_root_of_unity(out, n) == lib.ZKCX_OK
    assert int(Fr._from_cdata(out)) == omega


@pytest.mark.parametrize("log", range(MAX_LOG_SIZE + 1))
def test_omega_has_exact_order_n(log):
    n = 2**log
    w = root_of_unity(n)
    assert pow(w, n, R) == 1
    if n == 1:
        assert w == 1
    else:
        assert pow(w, n // 2, R) == R - 1
        assert pow(w, 2, R) == root_of_unity(n // 2)  # ffjavascript's w[k] = w[k+1]^2


def test_qap_shift_is_omega_2n_or_25_at_the_largest_domain():
    # the deterministic vectors print the shift they used as coset_shift_omega_2n
    assert int(Domain(4).qap_shift) == FORMATS_OMEGAS[8]
    assert int(Domain(128).qap_shift) == FORMATS_OMEGAS[256]
    assert int(Domain(1024).qap_shift) == FORMATS_OMEGAS[2048]
    assert QAP_SHIFT_AT_MAX_SIZE == 25
    assert int(Domain(2**28).qap_shift) == 25
    assert int(Domain(2**27).qap_shift) == FORMATS_OMEGAS[2**28]


def test_domain_properties():
    d = Domain(16)
    assert d.size == len(d) == 16 and d.log_size == 4
    assert d.generator == d.omega
    assert d.omega * d.omega_inv == Fr(1)
    assert d.size_inv * Fr(16) == Fr(1)
    pts = d.elements()
    assert pts.to_ints() == [pow(int(d.omega), i, R) for i in range(16)]
    assert d.element(17) == d.element(1) == d.omega
    assert d.element(-1) == d.omega_inv
    assert all(d.vanishing(p) == Fr(0) for p in pts)
    assert d.vanishing(Fr(3)) == Fr(3**16 - 1)
    assert Domain(16) == d and hash(Domain(16)) == hash(d) and Domain(8) != d
    assert repr(d) == "Domain(2^4)"


@pytest.mark.parametrize("size", [0, -4, 3, 6, 12, 2**28 + 1, 2**29, 2**64])
def test_sizes_that_are_not_domains_are_refused(size):
    with pytest.raises(DomainError):
        Domain(size)


@pytest.mark.parametrize("size", [4.0, "4", True, None])
def test_domain_size_must_be_an_int(size):
    with pytest.raises(DomainError, match="must be an int"):
        Domain(size)


@pytest.mark.parametrize("n", [0, 3, 6, 2**29, 2**40])
def test_native_transforms_refuse_sizes_that_are_not_domains(n):
    buf = ffi.new("uint64_t[32]")
    assert lib.zkcx_fr_root_of_unity(buf, n) == lib.ZKCX_ERR_ARG
    assert lib.zkcx_fr_ntt(buf, n, ffi.NULL, 0) == lib.ZKCX_ERR_ARG
    assert lib.zkcx_fr_coset_ntt(buf, n, ffi.NULL, buf, 1) == lib.ZKCX_ERR_ARG
    assert lib.zkcx_fr_qap_quotient(buf, buf, buf, n, ffi.NULL) == lib.ZKCX_ERR_ARG
