# SPDX-License-Identifier: MIT
"""The constraints of one circomlib Poseidon hash, as a template shared by every hash of
a batch.

The template follows ``_poseidon_native.permute`` step by step, keeping the state as
linear combinations over *slots*: slot 0 is the constant 1, slots 1 .. t-1 the inputs,
then three slots per S-box in the order ``permute`` records them: x^2, x^4 and x^5.
Every S-box costs three constraints,

    x·x = x2,    x2·x2 = x4,    x4·x = y,

with x the linear combination reaching it, so a hash costs 3·(t·R_F + R_P) constraints,
as circomlib's ``Poseidon`` does once circom has folded its linear constraints. The
output, out = sum_j M[j][0]·y_j over the last round's S-boxes, takes the slot of y_0 of
that round: the last S-box 0 is constrained as x4·x = (out - sum_{j>0} M[j][0]·y_j) /
M[0][0], so the output is a variable at no extra cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from zkcx.field import FrVec
from zkcx.gadgets._poseidon_optimized import optimized_parameters
from zkcx.params import FR_MODULUS as _R

LC = dict[int, int]


def _add(a: LC, b: LC, scale: int = 1) -> LC:
    out = dict(a)
    for k, v in b.items():
        out[k] = (out.get(k, 0) + v * scale) % _R
    return {k: v for k, v in out.items() if v}


def _plus_const(a: LC, c: int) -> LC:
    return _add(a, {0: c})


def _scaled(a: LC, c: int) -> LC:
    return {k: v * c % _R for k, v in a.items() if v * c % _R}


@dataclass(frozen=True)
class Template:
    """COO parts (rows, slots, coefficients) of A, B and C for one hash, the number of
    slots and constraints, and the slot of the output."""

    t: int
    n_constraints: int
    n_slots: int
    out_slot: int
    parts: tuple[tuple[np.ndarray, np.ndarray, FrVec], ...]

    @property
    def first_var_slot(self) -> int:
        return self.t

    @property
    def nnz(self) -> int:
        return sum(p[0].size for p in self.parts)


class _Builder:
    def __init__(self, t: int) -> None:
        self.t = t
        self.next_slot = t
        self.rows: list[tuple[LC, LC, LC]] = []

    def sbox(self, x: LC) -> tuple[int, int, int]:
        a, b, c = self.next_slot, self.next_slot + 1, self.next_slot + 2
        self.next_slot += 3
        self.rows.append((x, x, {a: 1}))
        self.rows.append(({a: 1}, {a: 1}, {b: 1}))
        self.rows.append(({b: 1}, x, {c: 1}))
        return a, b, c

    def full_round(self, state: list[LC]) -> list[LC]:
        return [{self.sbox(x)[2]: 1} for x in state]


def _mix(state: list[LC], matrix: tuple[tuple[int, ...], ...]) -> list[LC]:
    t = len(state)
    out = []
    for i in range(t):
        acc: LC = {}
        for j in range(t):
            acc = _add(acc, state[j], matrix[j][i])
        out.append(acc)
    return out


@cache
def template(t: int) -> Template:
    """The constraint template of circomlib's ``Poseidon(t - 1)``."""
    p = optimized_parameters(t)
    half, r_p, c = p.full_rounds // 2, p.partial_rounds, p.c
    bld = _Builder(t)
    state: list[LC] = [{0: c[0]}] + [{j: 1, 0: c[j]} for j in range(1, t)]
    for r in range(half):
        state = bld.full_round(state)
        state = [_plus_const(s, c[(r + 1) * t + j]) for j, s in enumerate(state)]
        state = _mix(state, p.p if r == half - 1 else p.m)
    base, width = (half + 1) * t, 2 * t - 1
    for r in range(r_p):
        y = {bld.sbox(state[0])[2]: 1, 0: c[base + r]}
        row = p.s[width * r:width * (r + 1)]
        new0 = _scaled(y, row[0])
        for j in range(1, t):
            new0 = _add(new0, state[j], row[j])
            state[j] = _add(state[j], y, row[t + j - 1])
        state[0] = new0
    base += r_p
    for r in range(half - 1):
        state = bld.full_round(state)
        state = [_plus_const(s, c[base + r * t + j]) for j, s in enumerate(state)]
        state = _mix(state, p.m)
    first_last = len(bld.rows)
    ys = [bld.sbox(x)[2] for x in state]
    # y_0 of the last round is replaced by the output: x4·x = (out - sum_{j>0} m_j y_j)/m_0
    m0_inv = pow(p.m[0][0], -1, _R)
    c_side = {ys[0]: m0_inv}
    for j in range(1, t):
        c_side[ys[j]] = (-p.m[j][0] * m0_inv) % _R
    x4, x = bld.rows[first_last + 2][0], bld.rows[first_last + 2][1]
    bld.rows[first_last + 2] = (x4, x, c_side)
    return _freeze(t, bld, out_slot=ys[0])


def _freeze(t: int, bld: _Builder, out_slot: int) -> Template:
    parts = []
    for which in range(3):
        rows, slots, coefs = [], [], []
        for r, constraint in enumerate(bld.rows):
            for k, v in sorted(constraint[which].items()):
                rows.append(r)
                slots.append(k)
                coefs.append(v)
        parts.append((np.array(rows, dtype=np.int64), np.array(slots, dtype=np.int64),
                      FrVec.from_ints(coefs)))
    return Template(t, len(bld.rows), bld.next_slot, out_slot, tuple(parts))
