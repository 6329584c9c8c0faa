# SPDX-License-Identifier: MIT
"""Tensor commitments: the out-of-circuit value against a plain-int reference of the
documented formula, the circuit against the out-of-circuit value, binding (any changed
value, shape or bound changes it), bounds refused both ways, tampered hints."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gadgets.helpers import circuit, edge_values, shapes, solve, values_in
from zkcx.errors import UnsatisfiedConstraintError
from zkcx.gadgets.commitment import (
    DOMAIN,
    commit_values,
    commitment_constraints,
    commitment_gadget,
    packing_factor,
)
from zkcx.gadgets.poseidon import poseidon_hash
from zkcx.gadgets.reference import BoundError
from zkcx.params import FR_MODULUS as R


def reference_commitment(values: np.ndarray, bound_bits: int) -> int:
    """The module docstring's formula, step by step, on plain Python ints."""
    flat = [int(v) + (1 << (bound_bits - 1)) for v in np.asarray(values).reshape(-1)]
    k = 253 // bound_bits
    level = [sum(u << (j * bound_bits) for j, u in enumerate(flat[e:e + k]))
             for e in range(0, len(flat), k)]
    while len(level) > 1:
        groups = [level[i:i + 16] for i in range(0, len(level), 16)]
        level = [g[0] if len(g) == 1 else poseidon_hash(g) for g in groups]
    shape = np.asarray(values).shape
    tag = poseidon_hash([DOMAIN, bound_bits, len(shape), *shape])
    return poseidon_hash([tag, level[0]])


bounds = st.sampled_from([1, 2, 7, 8, 16, 31, 32, 63])


@settings(max_examples=25)
@given(st.tuples(shapes, bounds).flatmap(lambda sb: st.tuples(values_in(sb[1], sb[0]),
                                                              st.just(sb[1]))))
def test_commit_values_follows_the_documented_formula(case):
    values, b = case
    assert commit_values(values.astype(np.int64), b) == reference_commitment(values, b)


def test_large_tensors_follow_the_formula_through_several_tree_levels():
    rng = np.random.default_rng(3)
    for n, b in [(15 * 35 + 4, 16), (31 * 16 + 31, 8), (7 * 33, 32)]:
        x = rng.integers(-(1 << (b - 1)), 1 << (b - 1), size=n)
        assert commit_values(x, b) == reference_commitment(x, b)


@settings(max_examples=8)
@given(st.tuples(st.lists(st.integers(1, 40), min_size=1, max_size=2).map(tuple),
                 st.sampled_from([3, 8, 16])).flatmap(
    lambda sb: st.tuples(values_in(sb[1], sb[0]), st.just(sb[1]))))
def test_circuit_commitment_equals_commit_values(case):
    values, b = case
    cs, (x,) = circuit(values.shape)
    out = commitment_gadget(cs, x, b)
    solved = solve(cs, (x, values))
    solved.check()
    assert solved.r1cs.n_constraints == commitment_constraints(values.shape, b)
    assert int(solved.values[solved.r1cs.wire(out)]) == commit_values(values.astype(np.int64), b)


def test_64_bit_bound_takes_every_int64_and_uint64_arrays_alike():
    x = np.array([np.iinfo(np.int64).min, -1, 0, np.iinfo(np.int64).max])
    assert commit_values(x, 64) == reference_commitment(x, 64)
    assert commit_values(np.array([0, 5], dtype=np.uint64), 64) == commit_values(
        np.array([0, 5]), 64)
    with pytest.raises(BoundError):
        commit_values(np.array([2**63], dtype=np.uint64), 64)


@settings(max_examples=12)
@given(st.integers(1, 70), st.sampled_from([1, 8, 16]), st.data())
def test_changing_any_value_changes_the_commitment(n, b, data):
    half = 1 << (b - 1)
    x = np.array(data.draw(st.lists(st.integers(-half, half - 1), min_size=n, max_size=n)))
    i = data.draw(st.integers(0, n - 1))
    y = x.copy()
    y[i] = data.draw(st.integers(-half, half - 1).filter(lambda v: v != x[i]))
    assert commit_values(x, b) != commit_values(y, b)


def test_shape_and_bound_are_part_of_the_commitment():
    x = np.arange(12) - 6
    seen = {commit_values(x, 8), commit_values(x.reshape(3, 4), 8),
            commit_values(x.reshape(4, 3), 8), commit_values(x.reshape(2, 2, 3), 8),
            commit_values(x, 9), commit_values(x, 16)}
    assert len(seen) == 6


def test_out_of_bound_values_are_refused_with_their_index():
    for b in (1, 8, 16):
        lo, hi = edge_values(b)[0], edge_values(b)[-1]
        commit_values(np.array([lo, hi]), b)  # the bound itself is fine
        with pytest.raises(BoundError, match="flat index 1"):
            commit_values(np.array([0, hi + 1]), b)
        with pytest.raises(BoundError, match="flat index 0"):
            commit_values(np.array([[lo - 1, 0]]), b)


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="integer array"):
        commit_values(np.array([0.5]), 8)
    with pytest.raises(ValueError, match="bound_bits"):
        commit_values(np.array([0]), 0)
    with pytest.raises(ValueError, match="bound_bits"):
        commit_values(np.array([0]), 65)
    with pytest.raises(TypeError, match="bound_bits"):
        commit_values(np.array([0]), 8.0)
    with pytest.raises(ValueError, match="empty"):
        commit_values(np.zeros((0, 3), dtype=np.int64), 8)
    with pytest.raises(ValueError, match="dimensions"):
        commit_values(np.zeros((1,) * 14, dtype=np.int64), 8)


@pytest.mark.parametrize("bad", [128, -129, R - 200, 1 << 20])
def test_in_circuit_values_outside_the_bound_are_unsatisfiable(bad):
    cs, (x,) = circuit((20,))
    commitment_gadget(cs, x, 8)
    values = np.zeros(20, dtype=object)
    values[7] = bad
    solved = solve(cs, (x, values))
    with pytest.raises(UnsatisfiedConstraintError, match="commit/range"):
        solved.check()


def _solved_commitment(n=40, b=8):
    cs, (x,) = circuit((n,))
    commitment_gadget(cs, x, b)
    values = np.array([(i * 37) % (1 << b) - (1 << (b - 1)) for i in range(n)], dtype=object)
    solved = solve(cs, (x, values))
    solved.check()
    return solved, x, values


def _hint_outputs(solved, label):
    hint = next(h for h in solved.r1cs.hints if h.label == label)
    return hint.outputs[0]


def test_tampered_packing_hint_fails():
    solved, _, _ = _solved_commitment()
    wires = _hint_outputs(solved, "commit/pack")
    values = solved.values.copy()
    values[int(wires[0])] = (int(values[int(wires[0])]) + 1) % R
    with pytest.raises(UnsatisfiedConstraintError, match="commit"):
        solved.r1cs.check(values)


def test_tampered_bits_fail():
    solved, _, _ = _solved_commitment()
    wires = _hint_outputs(solved, "commit/range/bits")
    values = solved.values.copy()
    values[int(wires[3])] = 1 - int(values[int(wires[3])]) % R
    with pytest.raises(UnsatisfiedConstraintError, match="commit/range"):
        solved.r1cs.check(values)


def test_carrying_between_values_with_the_same_packing_fails():
    """X_0 + 2^B and X_1 - 1 pack to the same element; the per-value range check stops it."""
    solved, x, values = _solved_commitment(n=4, b=8)
    forged = values.copy()
    forged[0] += 256
    forged[1] -= 1
    with pytest.raises(UnsatisfiedConstraintError, match="commit/range"):
        solved.tamper(x, forged).check()


def test_repeated_variables_and_the_one_wire_make_well_formed_constraints():
    cs, (x,) = circuit((3,))
    tensor = np.array([x[0], x[1], x[0], 0, x[2]])  # variable 0 is the constant 1
    out = commitment_gadget(cs, tensor, 8)
    solved = solve(cs, (x, [3, -4, 5]))
    solved.check()
    assert int(solved.values[solved.r1cs.wire(out)]) == commit_values(np.array([3, -4, 3, 1, 5]),
                                                                       8)
    a = solved.r1cs.a
    for row in range(a.n_rows):
        cols = a.col[a.row_ptr[row]:a.row_ptr[row + 1]]
        assert np.unique(cols).size == cols.size


def test_constraints_per_value_meet_the_target_for_large_tensors():
    per_value = {b: commitment_constraints((1 << 16,), b) / (1 << 16) for b in (8, 16, 32)}
    assert per_value[8] < 10.5
    assert per_value[16] <= 20
    assert per_value[32] < 39.5
    assert [packing_factor(b) for b in (1, 8, 16, 32, 64)] == [253, 31, 15, 7, 3]
