# SPDX-License-Identifier: MIT
"""Public bounds (issue 13): the ranges a verifier requires of a kernel's public
signals. The attack — a valid proof of a public input far outside its bound, e.g.
``scale`` with s = 1/2 in the field proving about -5.5e75 as 0 — and its refusal by
``Kernel.check_public`` and ``groth16.verify(bounds=)``; boundary values; the check
against an independent per-signal reference; the JSON form."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import zkcx.kernels as K
from tests.kernels.forged import HALF, forged, signed
from zkcx import groth16
from zkcx.errors import EncodingError, KernelInputError, KernelSpecError, PublicBoundsError
from zkcx.kernels import PublicBounds
from zkcx.params import FR_MODULUS

R = FR_MODULUS
CASES = ["scale", "dense", "dense_bias", "normalize_s", "normalize_mu"]
INT64 = (-(1 << 63), (1 << 63) - 1)


def test_scale_with_s_one_half_in_the_field_proves_minus_5e75_as_zero():
    f = forged("scale")
    k = f.kernel
    assert f.public[f.index] == HALF
    # the integer statement: Y[0] = floor(s·X[0] / 2^8) with X[0] = 128
    claimed_y0 = signed(f.public[0])
    true_y0 = signed(HALF) * 128 // 256
    assert claimed_y0 == 0 and -6e75 < true_y0 < -5e75
    assert groth16.verify(f.vk, list(f.public), f.proof)  # the hole: Groth16 alone accepts
    with pytest.raises(PublicBoundsError, match=r"public signal 2 is -1\.094e\+76") as err:
        groth16.verify(f.vk, list(f.public), f.proof, bounds=k.public_bounds())
    assert (err.value.index, err.value.value, err.value.bound) == (2, HALF, (-32768, 32767))
    with pytest.raises(PublicBoundsError, match=r"public signal 2 \(s\[\]\) is -1\.094e\+76"
                       r".* outside its declared range \[-32768, 32767\]"):
        k.check_public(list(f.public))


@pytest.mark.parametrize("case", CASES)
def test_every_public_input_kernel_refuses_its_out_of_bounds_proof(case):
    f = forged(case)
    bounds = f.kernel.public_bounds()
    assert groth16.verify(f.vk, list(f.public), f.proof)
    assert bounds.first_violation(f.public) == f.index
    tensor = f.name.split("[")[0]
    assert bounds.range_of(f.index) == (f.kernel.spec[tensor].low, f.kernel.spec[tensor].high)
    with pytest.raises(PublicBoundsError) as err:
        groth16.verify(f.vk, list(f.public), f.proof, bounds=bounds)
    assert err.value.index == f.index
    with pytest.raises(PublicBoundsError, match=re.escape(f"public signal {f.index} ({f.name})")):
        f.kernel.check_public(list(f.public))


def test_an_honest_proof_passes_the_bounds():
    k = K.scale(2, name="scale_2_public_s")
    pk = forged("scale").pk
    proof, public = groth16.prove(pk, k.witness(X=np.array([128, -2]), s=np.int64(-3)),
                                  k.circuit())
    assert groth16.verify(pk.verifying_key, public, proof, bounds=k.public_bounds())


def test_boundary_values_of_a_6_bit_public_scalar():
    k = K.scale(3, bounds={"s": 6})
    n = len(k.public_inputs)
    s_at = k.public_inputs.index("s[]")
    bounds = k.public_bounds()
    for value, ok in ((-32, True), (31, True), (0, True), (-33, False), (32, False),
                      (HALF - R, False), (HALF, False)):
        public = [0] * n
        public[s_at] = value % R
        assert (bounds.first_violation(public) is None) is ok, value
        if ok:
            k.check_public(public)
        else:
            with pytest.raises(PublicBoundsError, match=r"\[-32, 31\]"):
                k.check_public(public)


def test_public_bounds_of_every_catalogue_kernel_follow_the_signal_names():
    """Rebuilt from ``public_inputs``' names: commitments and the binding may be any
    field element, a tensor's values lie in its bound."""
    for name, k in K.catalogue("circuits").items():
        for kernel in (k, k.with_binding()):
            bounds = kernel.public_bounds()
            names = kernel.public_inputs
            assert bounds.n_public == len(names) == kernel.circuit().n_public, name
            for i, signal in enumerate(names):
                if signal.startswith("commit(") or signal == "claim_binding":
                    assert bounds.range_of(i) is None, (name, signal)
                else:
                    t = kernel.spec[signal.split("[")[0]]
                    assert bounds.range_of(i) == (t.low, t.high), (name, signal)


def test_values_that_are_not_field_elements_are_refused_even_where_any_is_allowed():
    bounds = PublicBounds([(2, None, None), (2, -4, 3)])
    assert bounds.first_violation([0, R - 1, R - 4, 3]) is None
    for bad in ([R, 0, 0, 0], [-1, 0, 0, 0], [0, 0, R, 0], [0, 0, -1, 0], [0, 2.0, 0, 0],
                [0, 0, 0, True]):
        index = bounds.first_violation(bad)
        assert index is not None
        with pytest.raises(PublicBoundsError, match="not a field element"):
            bounds.check(bad)
    with pytest.raises(KernelInputError, match="3 public signals, the bounds declare 4"):
        bounds.check([0, 0, 0])


# -- against an independent reference --------------------------------------------------
def _reference_ok(value: int, rng: tuple[int, int] | None) -> bool:
    if not (type(value) is int and 0 <= value < R):
        return False
    if rng is None:
        return True
    lo, hi = rng  # |lo|, |hi| < 2^63, far below r/2: v stands for one integer in range
    return lo <= signed(value) <= hi


ranges = st.one_of(
    st.none(),
    st.tuples(st.integers(*INT64), st.integers(*INT64)).map(lambda p: (min(p), max(p))),
    st.tuples(st.integers(-70, 70), st.integers(0, 80)).map(lambda p: (p[0], p[0] + p[1])),
)


@st.composite
def bounds_and_values(draw):
    runs = draw(st.lists(st.tuples(st.integers(1, 4), ranges), min_size=1, max_size=6))
    per_signal = [rng for count, rng in runs for _ in range(count)]
    values = []
    for rng in per_signal:
        near = [0, 1, R - 1, HALF, R, -1]
        if rng is not None:
            near += [(rng[0] + d) % R for d in (-1, 0, 1)] + [(rng[1] + d) % R
                                                              for d in (-1, 0, 1)]
        values.append(draw(st.one_of(st.sampled_from(near), st.integers(0, R - 1),
                                     st.integers(-(1 << 64), 1 << 64).map(lambda v: v % R))))
    flat = [(c, *(r if r else (None, None))) for c, r in runs]
    return PublicBounds(flat), per_signal, values


@given(bounds_and_values())
def test_violations_match_a_per_signal_reference(case):
    bounds, per_signal, values = case
    expected = [i for i, (v, rng) in enumerate(zip(values, per_signal))
                if not _reference_ok(v, rng)]
    assert bounds.violations(values).tolist() == expected
    assert [bounds.range_of(i) for i in range(len(per_signal))] == per_signal


@given(bounds_and_values())
def test_json_round_trip_and_equality_by_ranges(case):
    import json

    bounds, per_signal, _values = case
    again = PublicBounds.from_json(json.loads(json.dumps(bounds.to_json())))
    assert again == bounds
    one_per_signal = PublicBounds([(1, *(r if r else (None, None))) for r in per_signal])
    assert one_per_signal == bounds and one_per_signal.runs == bounds.runs


def test_malformed_descriptions_are_refused():
    for runs in ([(0, None, None)], [(1, 2, 1)], [(1, None, 3)], [(1, 0, 1 << 63)],
                 [(True, 0, 1)], [(1, 0.5, 1)], ["abc"], [(1 << 28 + 1, None, None)]):
        with pytest.raises(KernelSpecError):
            PublicBounds(runs)
    for obj in ({}, [{"count": 1}], [{"count": 1, "range": "any"}],
                [{"count": 1, "range": [0]}], [{"count": 1, "range": [2, 1]}],
                [{"count": -1, "range": "field"}], [{"count": 1, "range": "field", "x": 0}],
                [{"count": 1, "range": [0, True]}], ["field"]):
        with pytest.raises(EncodingError):
            PublicBounds.from_json(obj)
    assert PublicBounds.unbounded(0).n_public == 0
    assert PublicBounds.unbounded(3).to_json() == [{"count": 3, "range": "field"}]
