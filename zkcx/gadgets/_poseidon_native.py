# SPDX-License-Identifier: MIT
"""The Poseidon permutation over many states at once, in circomlib's optimized form.

A batch of n hashes keeps its state as one FrVec of t·n elements, element j of every
hash in rows j·n .. (j+1)·n - 1, so each step is one native call across the batch:
the full-round S-box x^5 is three vector multiplies over all t·n values, adding a round
constant is one scalar add per element j, the dense mix s'_i = sum_j M[j][i]·s_j costs
t^2 scale-and-adds of length n, and a partial round (S-box on s_0, one constant, the
sparse matrix of ``_poseidon_optimized``) costs 2t - 1 of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkcx.field import Fr, FrVec
from zkcx.gadgets._poseidon_optimized import OptimizedParameters, optimized_parameters

#: (x^2, x^4, x^5) of one S-box across the batch, in the order the circuit template uses.
SboxRecord = tuple[FrVec, FrVec, FrVec]


class _Tables:
    """The optimized tables as ``Fr`` scalars, so the hot loop converts nothing."""

    def __init__(self, p: OptimizedParameters) -> None:
        self.t, self.half, self.r_p = p.t, p.full_rounds // 2, p.partial_rounds
        self.c = [Fr(x) for x in p.c]
        self.s = [Fr(x) for x in p.s]
        self.m = [[Fr(x) for x in row] for row in p.m]
        self.p = [[Fr(x) for x in row] for row in p.p]


_TABLES: dict[int, _Tables] = {}


def tables(t: int) -> _Tables:
    if t not in _TABLES:
        _TABLES[t] = _Tables(optimized_parameters(t))
    return _TABLES[t]


def _column(state: FrVec, j: int, n: int) -> FrVec:
    return state[j * n:(j + 1) * n]


def _full_sbox(state: FrVec, t: int, n: int, record: list[SboxRecord] | None) -> FrVec:
    x2 = state.square()
    x4 = x2.square()
    y = x4 * state
    if record is not None:  # a copy of y: the caller adds constants to y in place
        kept = y.copy()
        record.extend((_column(x2, j, n), _column(x4, j, n), _column(kept, j, n))
                      for j in range(t))
    return y


def _add_constants(state: FrVec, constants: Sequence[Fr], n: int) -> None:
    for j, c in enumerate(constants):
        col = _column(state, j, n)
        col += c


def _mix(state: FrVec, matrix: list[list[Fr]], t: int, n: int) -> FrVec:
    """s'_i = sum_j matrix[j][i]·s_j (circom's orientation)."""
    out = FrVec.zeros(t * n)
    cols = [_column(state, j, n) for j in range(t)]
    for i in range(t):
        acc = cols[0] * matrix[0][i]
        for j in range(1, t):
            acc += cols[j] * matrix[j][i]
        out[i * n:(i + 1) * n] = acc
    return out


def permute(inputs: Sequence[FrVec], record: list[SboxRecord] | None = None) -> FrVec:
    """Poseidon(inputs) for a batch: ``inputs`` holds the t - 1 input columns (equal
    lengths n); the initial state is (0, inputs...). Returns the n outputs (state element
    0 after the last mix). With ``record`` a list, appends (x^2, x^4, x^5) of every S-box:
    per full round the t state elements in order, per partial round s_0."""
    t = len(inputs) + 1
    n = len(inputs[0])
    tb = tables(t)
    state = FrVec.concatenate([FrVec.zeros(n), *inputs])
    _add_constants(state, tb.c[:t], n)
    for r in range(tb.half):
        state = _full_sbox(state, t, n, record)
        _add_constants(state, tb.c[(r + 1) * t:(r + 2) * t], n)
        state = _mix(state, tb.p if r == tb.half - 1 else tb.m, t, n)
    base = (tb.half + 1) * t
    width = 2 * t - 1
    for r in range(tb.r_p):
        s0 = _column(state, 0, n)
        x2 = s0.square()
        x4 = x2.square()
        y = x4 * s0
        if record is not None:
            record.append((x2, x4, y.copy()))
        y += tb.c[base + r]
        row = tb.s[width * r:width * (r + 1)]
        new0 = y * row[0]
        for j in range(1, t):
            col = _column(state, j, n)
            new0 += col * row[j]
            col += y * row[t + j - 1]
        state[0:n] = new0
    base += tb.r_p
    for r in range(tb.half):
        state = _full_sbox(state, t, n, record)
        if r < tb.half - 1:
            _add_constants(state, tb.c[base + r * t:base + (r + 1) * t], n)
            state = _mix(state, tb.m, t, n)
    out = _column(state, 0, n) * tb.m[0][0]
    for j in range(1, t):
        out += _column(state, j, n) * tb.m[j][0]
    return out
