# SPDX-License-Identifier: MIT
"""zkcx.params's claims about its numbers hold, and the check of them catches a typo
(it runs here and in native/gen/gen_constants.py, not at every import)."""

from __future__ import annotations

import pytest

from zkcx import params


def test_every_claim_about_the_constants_holds():
    params.check_claims()


@pytest.mark.parametrize(("name", "typo"), [
    ("FQ_MODULUS", params.FQ_MODULUS + 2),
    ("FR_MODULUS", params.FR_MODULUS - 2),
    ("FR_TWO_ADICITY", params.FR_TWO_ADICITY - 1),
    ("FR_ROOT_OF_UNITY_GENERATOR", 3),  # a square: not a generator
    ("G1_GENERATOR", (1, 3)),
    ("G1_GLV_BETA", params.G1_GLV_BETA + 1),
    ("G1_GLV_LAMBDA", params.G1_GLV_LAMBDA ^ 1),
    ("G1_GLV_BASIS", ((1, 2), (3, 4))),
    ("MAX_WIRES", 1 << 27),
])
def test_a_typo_in_a_constant_is_caught(monkeypatch, name, typo):
    monkeypatch.setattr(params, name, typo)
    with pytest.raises(AssertionError):
        params.check_claims()


def test_a_composite_is_not_taken_for_a_prime():
    assert not params._is_probable_prime(params.FQ_MODULUS * params.FR_MODULUS)
    assert not params._is_probable_prime(3215031751)  # a strong pseudoprime to 2, 3, 5, 7
    assert params._is_probable_prime(2**127 - 1)
