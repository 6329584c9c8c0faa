# SPDX-License-Identifier: MIT
"""Helpers for the gadget tests: a small circuit with signed inputs, reading values back
as signed Python ints (independently of the gadgets' own conversion), and tampering
with a solved witness the way a malicious prover would."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from zkcx.field import Fr, FrVec
from zkcx.params import FR_MODULUS as R
from zkcx.r1cs import R1CS, ConstraintSystem


def signed(v: int) -> int:
    """A canonical field value read as a signed integer."""
    return v - R if v > R // 2 else v


def embed(values) -> FrVec:
    """Signed integers (any shape, any size) embedded mod r, by plain Python ints."""
    return FrVec.from_ints([int(v) % R for v in np.asarray(values, dtype=object).reshape(-1)])


@dataclass
class Solved:
    """A built circuit and a solved (not yet checked) witness."""

    r1cs: R1CS
    values: FrVec

    def read(self, variables) -> np.ndarray:
        """Signed values of variables (an index array of any shape), as an object array."""
        idx = np.asarray(variables, dtype=np.int64)
        wires = self.r1cs.wire_of[idx.reshape(-1)]
        out = [signed(v) for v in self.values[wires].to_ints()]
        return np.array(out, dtype=object).reshape(idx.shape)

    def check(self) -> None:
        self.r1cs.check(self.values)

    def tamper(self, variables, new_values) -> Solved:
        """A copy of the witness with the given variables set to new (signed) values."""
        idx = np.asarray(variables, dtype=np.int64).reshape(-1)
        vals = self.values.copy()
        vals[self.r1cs.wire_of[idx]] = embed(np.broadcast_to(np.asarray(new_values, dtype=object),
                                                             idx.shape))
        return Solved(self.r1cs, vals)


def solve(cs: ConstraintSystem, *pairs) -> Solved:
    """Build cs and solve it from (index array, signed values) pairs."""
    r1cs = cs.build()
    witness = r1cs.solve([(np.asarray(k).reshape(-1), embed(v)) for k, v in pairs])
    return Solved(r1cs, witness.values)


def circuit(*shapes) -> tuple[ConstraintSystem, list[np.ndarray]]:
    """A constraint system with private input arrays of the given shapes."""
    cs = ConstraintSystem("gadget-test")
    arrays = [cs.new_variables(int(np.prod(s, dtype=np.int64)), "private").reshape(s)
              for s in shapes]
    return cs, arrays


def edge_values(bits: int) -> list[int]:
    """In-bound edge values of a B-bit signed integer."""
    half = 1 << (bits - 1)
    return sorted({0, -1 if bits > 0 else 0, 1 % half if half > 1 else 0, -half, half - 1,
                   -half + 1, half // 2})


shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


def values_in(bits: int, shape: tuple[int, ...]) -> st.SearchStrategy:
    """Arrays of shape with signed B-bit values, edge values favoured."""
    half = 1 << (bits - 1)
    n = int(np.prod(shape, dtype=np.int64))
    element = st.one_of(st.sampled_from(edge_values(bits)), st.integers(-half, half - 1))
    return st.lists(element, min_size=n, max_size=n).map(
        lambda xs: np.array(xs, dtype=object).reshape(shape))


__all__ = ["Fr", "Solved", "circuit", "edge_values", "embed", "shapes", "signed", "solve",
           "values_in"]


def check_elementwise(gadget, reference, bits: int, values) -> None:
    """``gadget(cs, x, bits)`` on a fresh input of ``values``' shape: an output of that
    shape, a satisfied circuit, and outputs equal to ``reference(values)`` exactly."""
    values = np.asarray(values)
    cs, (x,) = circuit(values.shape)
    out = gadget(cs, x, bits)
    assert out.shape == values.shape
    solved = solve(cs, (x, values))
    solved.check()
    assert np.array_equal(solved.read(out), reference(values))
