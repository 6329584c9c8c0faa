# SPDX-License-Identifier: MIT
"""Constraint counts per element of every gadget, against the committed
``constraint_counts.csv`` (STYLE.md practice 5): a change in a gadget's cost fails here
until the file is deliberately regenerated, so the diff shows the cost.

Regenerate with ``python3 -m tests.gadgets.test_constraint_counts``.
"""

from __future__ import annotations

import csv
import pathlib

import numpy as np

from zkcx import gadgets as g
from zkcx.gadgets import AffineVec
from zkcx.r1cs import ConstraintSystem

CSV = pathlib.Path(__file__).with_name("constraint_counts.csv")
ELEMENTS = 4

#: (gadget, parameters, builder(cs, x, y)) for element arrays x, y of ELEMENTS variables.
CASES = [
    ("assert_boolean", "", lambda cs, x, y: g.assert_boolean(cs, x)),
    ("to_bits", "n=8", lambda cs, x, y: g.to_bits(cs, x, 8)),
    ("to_bits", "n=64", lambda cs, x, y: g.to_bits(cs, x, 64)),
    ("range_check", "n=16", lambda cs, x, y: g.range_check(cs, x, 16)),
    ("range_check", "n=252", lambda cs, x, y: g.range_check(cs, x, 252)),
    ("signed_range_check", "B=8", lambda cs, x, y: g.signed_range_check(cs, x, 8)),
    ("signed_range_check", "B=32", lambda cs, x, y: g.signed_range_check(cs, x, 32)),
    ("sign_bit", "B=32", lambda cs, x, y: g.sign_bit(cs, x, 32)),
    ("less_than", "B=32", lambda cs, x, y: g.less_than(cs, x, y, 32)),
    ("less_than", "B=32 check_inputs=False",
     lambda cs, x, y: g.less_than(cs, x, y, 32, check_inputs=False)),
    ("relu", "B=16", lambda cs, x, y: g.relu(cs, x, 16)),
    ("relu", "B=32", lambda cs, x, y: g.relu(cs, x, 32)),
    ("clamp", "B=32 lo=0 hi=6*2^16", lambda cs, x, y: g.clamp(cs, x, 0, 6 << 16, 32)),
    ("clamp", "B=16 lo=-100 hi=100", lambda cs, x, y: g.clamp(cs, x, -100, 100, 16)),
    ("clamp", "B=16 lo=-2^15 hi=2^15-1",
     lambda cs, x, y: g.clamp(cs, x, -(1 << 15), (1 << 15) - 1, 16)),
    ("rescale", "f=8 B=16", lambda cs, x, y: g.rescale(cs, x, 8, 16)),
    ("rescale", "f=16 B=32", lambda cs, x, y: g.rescale(cs, x, 16, 32)),
    ("rescale", "f=16 B=32 of a 16-term dot product",
     lambda cs, x, y: g.rescale(cs, AffineVec.of(g.mul(cs, np.tile(x, (4, 4)),
                                                       np.tile(y, (4, 4)))).sum(axis=1), 16, 32)),
    ("mul", "", lambda cs, x, y: g.mul(cs, x, y)),
    ("materialize", "", lambda cs, x, y: g.materialize(cs, AffineVec.of(x) * 3 - y + 7)),
]


def measure() -> list[dict[str, str]]:
    rows = []
    for gadget, params, build in CASES:
        cs = ConstraintSystem()
        x = cs.new_variables(ELEMENTS, "private")
        y = cs.new_variables(ELEMENTS, "private")
        build(cs, x, y)
        per_element = cs.n_constraints / ELEMENTS
        rows.append({"gadget": gadget, "parameters": params,
                     "constraints_per_element": f"{per_element:g}"})
    return rows


def test_constraint_counts_match_the_committed_csv():
    with CSV.open(newline="") as fh:
        committed = list(csv.DictReader(fh))
    assert measure() == committed, (
        "a gadget's constraint count changed; if intended, regenerate the CSV with "
        "`python3 -m tests.gadgets.test_constraint_counts` and commit the diff"
    )


def test_documented_formulas_hold():
    counts = {(r["gadget"], r["parameters"]): float(r["constraints_per_element"])
              for r in measure()}
    assert counts[("to_bits", "n=64")] == 64 + 1
    assert counts[("signed_range_check", "B=32")] == 32 + 1
    assert counts[("relu", "B=32")] == 32 + 2
    assert counts[("rescale", "f=16 B=32")] == 16 + 32 + 2
    assert counts[("less_than", "B=32")] == (33 + 1) + 2 * (32 + 1)


if __name__ == "__main__":
    with CSV.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, ["gadget", "parameters", "constraints_per_element"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(measure())
    print(CSV.read_text(), end="")
