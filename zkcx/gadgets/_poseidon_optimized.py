# SPDX-License-Identifier: MIT
"""Poseidon's optimized form (Grassi et al., eprint 2019/458, App. B), the one circomlib's
``Poseidon`` circuit and circomlibjs evaluate, derived from the standard parameters.

Notation: the state s is a column vector, a round adds its constant c_k, applies the
S-box x^5 (to every element in a full round, to s_0 in a partial one) and mixes s <- M s.
R_f = R_F/2 full rounds come first, then R_P partial rounds, then R_f full rounds.

1. Constants move back through M: adding c_{k+1} before round k+1 equals adding
   d = M^-1 c_{k+1} after round k's S-box. In a partial round the S-box touches only
   s_0, so d_1 .. d_{t-1} move further back before that S-box and, added to c_k, are
   pulled back once more. What is left: c_0 before the first S-box, then one vector
   after every full-round S-box but the last, and one scalar (on s_0) after every
   partial-round S-box.
2. Matrices move back too. Write X = [[x00, x01ᵀ], [x10, X11]] (blocks of sizes 1 and
   t - 1). Then X = S·D with D = diag(1, X11) and the sparse
   S = [[x00, x01ᵀ·X11^-1], [x10, I]]. D leaves s_0 alone, so it commutes with the
   partial S-box and with the scalar constant, and moves into the previous round's
   matrix, D·M. Starting from the last partial round (X = M) this gives, with
   A = M11 (the lower-right block of M) and k = 0 .. R_P - 1:

       S_k row 0    = [M00, M[0,1:]·A^-(R_P-k)],
       S_k column 0 = A^(R_P-1-k)·M[1:,0],
       P            = diag(1, A^R_P)·M   (the last first-half full round's matrix).

The tables are laid out as circomlib's ``poseidon_constants.circom`` lays out C, S, M, P
(its M and P are the transposes of the matrices above: circom mixes with
out_i = sum_j M[j][i]·in_j).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from zkcx.gadgets._poseidon_grain import FULL_ROUNDS, partial_rounds, standard_parameters
from zkcx.params import FR_MODULUS as _R

Matrix = tuple[tuple[int, ...], ...]


def _matvec(m: Matrix | list[list[int]], v: list[int]) -> list[int]:
    return [sum(a * b for a, b in zip(row, v)) % _R for row in m]


def _vecmat(v: list[int], m: Matrix | list[list[int]]) -> list[int]:
    return [sum(v[i] * m[i][j] for i in range(len(v))) % _R for j in range(len(m[0]))]


def _inverse(m: Matrix | list[list[int]]) -> list[list[int]]:
    """Gauss-Jordan inverse mod r (raises ZeroDivisionError for a singular matrix)."""
    n = len(m)
    rows = [list(row) + [int(i == j) for j in range(n)] for i, row in enumerate(m)]
    for col in range(n):
        pivot = next(i for i in range(col, n) if rows[i][col] % _R)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        inv = pow(rows[col][col], -1, _R)
        rows[col] = [x * inv % _R for x in rows[col]]
        for i in range(n):
            if i != col and rows[i][col]:
                f = rows[i][col]
                rows[i] = [(x - f * y) % _R for x, y in zip(rows[i], rows[col])]
    return [row[n:] for row in rows]


@dataclass(frozen=True)
class OptimizedParameters:
    """circomlib's tables for width t: ``c`` (t·R_F + R_P constants), ``s`` (R_P rows of
    2t - 1: row 0 of S_k then column 0 of S_k below the diagonal), ``m`` and ``p`` as
    circom indexes them (transposed: out_i = sum_j m[j][i]·in_j)."""

    t: int
    full_rounds: int
    partial_rounds: int
    c: tuple[int, ...]
    s: tuple[int, ...]
    m: Matrix
    p: Matrix


def _moved_constants(t: int, r_p: int, c: tuple[int, ...], m_inv: list[list[int]]) -> list[int]:
    r_f = FULL_ROUNDS // 2
    rounds = [list(c[k * t:(k + 1) * t]) for k in range(FULL_ROUNDS + r_p)]
    # full rounds: c_{k+1} becomes M^-1 c_{k+1} after round k's S-box
    first = [*rounds[0]]
    for k in range(1, r_f):
        first += _matvec(m_inv, rounds[k])
    # partial rounds, from the last one back (step 1 of the module docstring)
    scalars = [0] * r_p
    carried = rounds[r_f + r_p]
    for k in range(r_f + r_p - 1, r_f - 1, -1):
        d = _matvec(m_inv, carried)
        scalars[k - r_f] = d[0]
        carried = [rounds[k][0]] + [(a + b) % _R for a, b in zip(rounds[k][1:], d[1:])]
    first += _matvec(m_inv, carried)
    last = []
    for k in range(r_f + r_p + 1, FULL_ROUNDS + r_p):
        last += _matvec(m_inv, rounds[k])
    return first + scalars + last


def _matmul(x: list[list[int]], y: list[list[int]]) -> list[list[int]]:
    cols = list(zip(*y))
    return [[sum(a * b for a, b in zip(row, col)) % _R for col in cols] for row in x]


def _matpow(x: list[list[int]], e: int) -> list[list[int]]:
    result = [[int(i == j) for j in range(len(x))] for i in range(len(x))]
    while e:
        if e & 1:
            result = _matmul(result, x)
        x = _matmul(x, x)
        e >>= 1
    return result


def _sparse_tables(t: int, r_p: int, m: Matrix) -> tuple[list[int], list[list[int]]]:
    """(S rows, P) of step 2 of the module docstring."""
    a = [list(row[1:]) for row in m[1:]]
    a_inv = _inverse(a)
    rows: list[list[int]] = [[] for _ in range(r_p)]
    row_part, col_part = list(m[0][1:]), [m[i][0] for i in range(1, t)]
    for k in range(r_p - 1, -1, -1):  # round k: A^-(R_P-k) on the row, A^(R_P-1-k) on the column
        row_part = _vecmat(row_part, a_inv)
        rows[k] = [m[0][0], *row_part, *col_part]
        col_part = _matvec(a, col_part)
    p = [list(m[0]), *_matmul(_matpow(a, r_p), [list(row) for row in m[1:]])]
    return [x for row in rows for x in row], p


@cache
def optimized_parameters(t: int) -> OptimizedParameters:
    """circomlib's optimized Poseidon tables for width t, derived from the Grain
    constants and Cauchy matrix (``_poseidon_grain.standard_parameters``)."""
    r_p = partial_rounds(t)
    c, m = standard_parameters(t)
    m_inv = _inverse(m)
    consts = _moved_constants(t, r_p, c, m_inv)
    s, p = _sparse_tables(t, r_p, m)
    transpose = lambda x: tuple(tuple(x[j][i] for j in range(t)) for i in range(t))  # noqa: E731
    return OptimizedParameters(t, FULL_ROUNDS, r_p, tuple(consts),
                               tuple(s), transpose(m), transpose(p))
