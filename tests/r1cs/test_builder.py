# SPDX-License-Identifier: MIT
"""The constraint-system builder: wire order, linear combinations, hints, labels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkcx.errors import UnsatisfiedConstraintError, WitnessError
from zkcx.field import Fr, FrVec
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem


def cubic():
    """x^3 + x + 5 = out, the classic example; x private, out public."""
    cs = ConstraintSystem("cubic")
    x = cs.private_input("x")
    x2 = x * x
    x3 = x2 * x
    out = cs.output("out")
    cs.assert_equal(x3 + x + 5, out, "result")
    return cs, x, out


def test_cubic_solves_checks_and_orders_wires():
    cs, x, out = cubic()
    r1cs = cs.build()
    assert r1cs.n_constraints == 3 and r1cs.n_wires == 5
    assert r1cs.wire(out) == 1 and r1cs.wire(x) == 2  # outputs first, then inputs
    w = r1cs.solve({x: 3, out: 35})
    assert w.public == [35]
    r1cs.check(w)
    bad = r1cs.solve({x: 3, out: 36})
    with pytest.raises(UnsatisfiedConstraintError, match=r"#2 \(result\)") as info:
        r1cs.check(bad)
    assert info.value.index == 2 and info.value.label == "result"
    assert r1cs.first_unsatisfied(bad) == 2 and not r1cs.is_satisfied(bad)


def test_malicious_hint_is_caught_by_the_constraints():
    cs, x, out = cubic()
    r1cs = cs.build()
    w = r1cs.solve({x: 3, out: 35}).values.copy()
    x2_wire = 3  # first internal wire: x*x
    w[x2_wire] = Fr(10)  # a prover lying about x^2
    with pytest.raises(UnsatisfiedConstraintError, match="#0 \\(mul\\)"):
        r1cs.check(w)


def test_namespaces_label_constraints():
    cs = ConstraintSystem()
    a, b = cs.private_input("a"), cs.private_input("b")
    with cs.namespace("kernels"), cs.namespace("matmul/row3"):
        cs.constrain(a, b, 6, "dot")
    r1cs = cs.build()
    w = r1cs.solve({a: 2, b: 4})
    with pytest.raises(UnsatisfiedConstraintError, match="kernels/matmul/row3/dot"):
        r1cs.check(w)


def test_linear_combinations_cost_no_constraints():
    cs = ConstraintSystem()
    a, b = cs.public_input(), cs.private_input()
    lc = 3 * a - b + 7 - (a * 2) + Fr(5) * b
    assert lc.terms == {a.index: 1, b.index: 4, 0: 7}
    assert cs.n_constraints == 0
    assert (lc * 2).terms == {a.index: 2, b.index: 8, 0: 14}
    assert cs.n_constraints == 0
    _ = lc * b  # a real multiplication adds one
    assert cs.n_constraints == 1
    with pytest.raises(TypeError):
        _ = a + 1.5


def test_unassigned_and_bad_witnesses():
    cs, x, out = cubic()
    r1cs = cs.build()
    with pytest.raises(WitnessError, match="before it has a value"):
        r1cs.solve({out: 35})
    with pytest.raises(WitnessError, match="wires"):
        r1cs.check(FrVec.ones(3))
    zero_first = r1cs.solve({x: 3, out: 35}).values.copy()
    zero_first[0] = Fr(0)
    with pytest.raises(WitnessError, match="must be 1"):
        r1cs.check(zero_first)


def test_bulk_constraints_and_hints():
    n = 5000
    cs = ConstraintSystem("bulk")
    xs = cs.new_variables(n, "private", "x")
    ys = cs.new_variables(n, "internal", "y")
    rows = np.arange(n)
    # y_i = x_i * x_i, then one public sum constraint on top
    cs.add_constraints(n, a=(rows, xs, 1), b=(rows, xs, 1), c=(rows, ys, 1), label="square")
    cs.bulk_hint(lambda x: x * x, [xs], [ys], label="square")
    total = cs.output("total")
    # sum_i y_i * 1 = total, one constraint with n terms in A
    cs.add_constraints(1, a=(np.zeros(n), ys, 1), b=(np.zeros(1), np.zeros(1), 1),
                       c=(np.zeros(1), [total.index], 1), label="sum")
    r1cs = cs.build()
    assert r1cs.n_constraints == n + 1 and r1cs.a.nnz == 2 * n
    values = np.arange(1, n + 1, dtype=np.int64)
    expected = sum(v * v for v in range(1, n + 1)) % FR_MODULUS
    w = r1cs.solve([(xs, values), (total, expected)])
    r1cs.check(w)
    assert w.public == [expected]
    with pytest.raises(UnsatisfiedConstraintError, match=r"sum\[0\]"):
        r1cs.check(r1cs.solve([(xs, values), (total, expected + 1)]))
    bad = w.values.copy()
    bad[r1cs.wire_of[ys[4321]]] = Fr(1)
    with pytest.raises(UnsatisfiedConstraintError, match=r"square\[4321\]"):
        r1cs.check(bad)


@settings(max_examples=25)
@given(st.data())
def test_random_satisfiable_circuits(data):
    """Random products and linear mixes: the solved witness satisfies the system, and
    changing the value of any product (or the output) breaks its defining constraint."""
    cs = ConstraintSystem()
    n_in = data.draw(st.integers(1, 4))
    inputs = [cs.private_input() for _ in range(n_in)]
    pool = list(inputs)
    for _ in range(data.draw(st.integers(1, 12))):
        i, j = data.draw(st.integers(0, len(pool) - 1)), data.draw(st.integers(0, len(pool) - 1))
        k = data.draw(st.integers(-5, 5))
        pool.append(cs.mul(pool[i] + k, pool[j] * 3 - 1))
    out = cs.output()
    cs.assert_equal(pool[-1], out)
    r1cs = cs.build()
    values = {v: data.draw(st.integers(0, FR_MODULUS - 1)) for v in inputs}
    # the output's value: evaluate by solving with a hint-free guess, then fix it
    w = r1cs.solve({**values, out: 0}).values.copy()
    w[1] = w[r1cs.wire(pool[-1])]
    r1cs.check(w)
    products = [r1cs.wire(v) for v in pool[n_in:]] + [r1cs.wire(out)]
    wire = data.draw(st.sampled_from(products))
    w[wire] = w[wire] + Fr(data.draw(st.integers(1, FR_MODULUS - 1)))
    assert not r1cs.is_satisfied(w)
