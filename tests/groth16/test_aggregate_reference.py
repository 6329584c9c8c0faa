# SPDX-License-Identifier: MIT
"""A small aggregate cross-checked against the independent pure-Python verifier of
tests/groth16/_aggregate_reference.py (py_ecc): it accepts what zkcx accepts, and
rejects a wrong label and an aggregate whose final A is moved (which zkcx rejects too)."""

from __future__ import annotations

import dataclasses

import pytest

from tests.groth16._aggregate_fixtures import demo_proofs, demo_srs
from zkcx.curve import G1
from zkcx.groth16 import aggregate, verify_aggregate

pytest.importorskip("py_ecc")

from py_ecc import optimized_bn128 as bn  # noqa: E402

from tests.groth16._aggregate_reference import reference_verify  # noqa: E402

LABEL = b"block 9"


def _g1(point):
    xy = point.to_affine()
    return bn.Z1 if xy is None else (bn.FQ(xy[0]), bn.FQ(xy[1]), bn.FQ(1))


def _g2(point):
    xy = point.to_affine()
    if xy is None:
        return bn.Z2
    return (bn.FQ2(list(xy[0])), bn.FQ2(list(xy[1])), bn.FQ2([1, 0]))


@pytest.fixture(scope="module")
def setting():
    vk, proofs, publics = demo_proofs(2)
    srs = demo_srs(4)
    key = srs.verifier_key()
    ref_vk = {"alpha": _g1(vk.alpha_1), "beta": _g2(vk.beta_2), "gamma": _g2(vk.gamma_2),
              "delta": _g2(vk.delta_2), "ic": [_g1(p) for p in vk.ic]}
    ref_srs = {"size": key.size, "g_a": _g1(key.g_a), "h_a": _g2(key.h_a),
               "g_b": _g1(key.g_b), "h_b": _g2(key.h_b)}
    agg = aggregate(srs, vk, proofs, publics, LABEL)
    return srs, vk, publics, agg, ref_vk, ref_srs


def test_the_reference_verifier_accepts_a_zkcx_aggregate(setting):
    srs, vk, publics, agg, ref_vk, ref_srs = setting
    assert verify_aggregate(srs.verifier_key(), vk, publics, agg, LABEL)
    assert reference_verify(agg.to_bytes(), ref_vk, ref_srs, [list(p) for p in publics], LABEL)


def test_both_reject_another_label_and_a_moved_final_point(setting):
    srs, vk, publics, agg, ref_vk, ref_srs = setting
    rows = [list(p) for p in publics]
    assert not reference_verify(agg.to_bytes(), ref_vk, ref_srs, rows, b"block 10")
    moved = dataclasses.replace(agg, final_a=agg.final_a + G1.generator())
    assert not verify_aggregate(srs.verifier_key(), vk, publics, moved, LABEL)
    assert not reference_verify(moved.to_bytes(), ref_vk, ref_srs, rows, LABEL)
