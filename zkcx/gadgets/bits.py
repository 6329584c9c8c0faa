# SPDX-License-Identifier: MIT
"""Booleans, bit decompositions and range checks, vectorised.

Every function takes variables as an integer index array of any shape (or a scalar
``Variable``, or an ``AffineVec``), treats them flat, and returns arrays of the same
leading shape. Constraint counts per element: ``assert_boolean`` 1; ``to_bits`` and
``range_check`` n + 1; ``signed_range_check`` and ``sign_bit`` B + 1.
"""

from __future__ import annotations

import numpy as np

from zkcx.errors import ArgumentTypeError, InvalidArgumentError
from zkcx.field import Fr, FrVec
from zkcx.gadgets._values import bits_of
from zkcx.gadgets.affine import AffineLike, AffineVec, constrain, field_coefficients
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem

#: Largest decomposition: 2^252 < r, so Σ b_i 2^i cannot wrap around the modulus.
MAX_BITS = 252


def check_bits(n_bits: int, what: str = "n_bits") -> int:
    """Validate a bit count for a decomposition: an int in [1, 252]."""
    if not isinstance(n_bits, (int, np.integer)) or isinstance(n_bits, bool):
        raise ArgumentTypeError(f"{what} must be an int, got {type(n_bits).__name__}")
    if not 1 <= n_bits <= MAX_BITS:
        raise InvalidArgumentError(f"{what} must be in [1, {MAX_BITS}] so that a sum of bits "
                                   f"cannot wrap around r, got {n_bits}")
    return int(n_bits)


def decompose(cs: ConstraintSystem, y: AffineVec, n_bits: int, offset: int = 0) -> np.ndarray:
    """Bits (new variables, shape y.shape + (n_bits,), LSB first) of Y = y + offset, with

        b · b = b                     for every bit              (label ``boolean``)
        Σ_i b_i · 2^i = y + offset    for every element          (label ``sum``)

    Their values come from a hint reading Y's canonical value (label ``bits``). The
    integer ``offset`` (any size below r) is kept apart from y so that AffineVec
    coefficients stay small."""
    n_bits = check_bits(n_bits)
    n = y.size
    shift = Fr(offset % FR_MODULUS)
    bits = cs.new_variables(n * n_bits)
    inputs, evaluate = y.evaluator()
    cs.bulk_hint(lambda v: bits_of(evaluate(v) + shift, n_bits), [inputs], [bits], label="bits")
    everyone = np.arange(n * n_bits, dtype=np.int64)
    unit = (everyone, bits, FrVec.full(n * n_bits, 1))  # shared by A, B and C
    constrain(cs, unit, unit, unit, label="boolean", count=n * n_bits)
    rows = np.repeat(np.arange(n, dtype=np.int64), n_bits)
    elements = np.arange(n, dtype=np.int64)
    constrain(cs, (rows, bits, repeated_powers_of_two(n_bits, n)),
              (elements, np.zeros(n, dtype=np.int64), FrVec.full(n, 1)),
              _shifted(y.reshape(n), shift), label="sum", count=n)
    return bits.reshape(*y.shape, n_bits)


def _shifted(y: AffineVec, shift: Fr) -> tuple[np.ndarray, np.ndarray, FrVec]:
    """COO terms of y + shift (every element), one term per (row, variable): the shift
    joins an existing constant term or becomes one."""
    rows, cols, coefs = y.coo()
    values = field_coefficients(coefs)
    if shift == Fr(0):
        return rows, cols, values
    constant = np.flatnonzero(cols == 0)
    if constant.size:
        values[constant] = values[constant] + shift
    missing = np.setdiff1d(np.arange(y.size, dtype=np.int64), rows[constant])
    return (np.concatenate([rows, missing]),
            np.concatenate([cols, np.zeros(missing.size, dtype=np.int64)]),
            FrVec.concatenate([values, FrVec.full(missing.size, shift)]))


def repeated_powers_of_two(n_bits: int, times: int) -> FrVec:
    """[1, 2, .., 2^(n_bits-1)] repeated ``times`` times, as one Fr vector."""
    out = FrVec.zeros(n_bits * times)
    out.limbs.reshape(times, n_bits, 4)[:] = FrVec.powers(2, n_bits).limbs
    return out


def assert_boolean(cs: ConstraintSystem, x: AffineLike, label: str | None = None) -> None:
    """x · x = x for every element, i.e. x ∈ {0, 1}. One constraint per element."""
    aff = AffineVec.of(x)
    with cs.namespace(label or "assert_boolean"):
        constrain(cs, aff, aff, aff, label="boolean")


def to_bits(cs: ConstraintSystem, x: AffineLike, n_bits: int,
            label: str | None = None) -> np.ndarray:
    """The bits of x: variables b of shape x.shape + (n_bits,), LSB first, each boolean
    (b·b = b) and Σ_i b_i 2^i = x (one linear constraint per element). This proves
    0 <= x < 2^n_bits (n_bits <= 252). n_bits + 1 constraints per element."""
    with cs.namespace(label or "to_bits"):
        return decompose(cs, AffineVec.of(x), n_bits)


def range_check(cs: ConstraintSystem, x: AffineLike, n_bits: int,
                label: str | None = None) -> None:
    """0 <= x < 2^n_bits for every element (as integers 0 <= x < r), by decomposition
    into n_bits boolean variables. n_bits + 1 constraints per element."""
    with cs.namespace(label or "range_check"):
        decompose(cs, AffineVec.of(x), n_bits)


def signed_range_check(cs: ConstraintSystem, x: AffineLike, bound_bits: int,
                       label: str | None = None) -> None:
    """-2^(B-1) <= X < 2^(B-1) for every element (X read as X mod r), proved as
    0 <= X + 2^(B-1) < 2^B. B + 1 constraints per element."""
    b = check_bits(bound_bits, "bound_bits")
    with cs.namespace(label or "signed_range_check"):
        decompose(cs, AffineVec.of(x), b, offset=1 << (b - 1))


def sign_bit(cs: ConstraintSystem, x: AffineLike, bound_bits: int,
             label: str | None = None) -> np.ndarray:
    """Boolean variables s (shape of x) with s = 1 iff X < 0, enforcing the bound
    -2^(B-1) <= X < 2^(B-1).

    Y = 2^(B-1) - 1 - X lies in [0, 2^B) exactly when X is within the bound, and its top
    bit is set exactly when X <= -1; so s is bit B-1 of Y's decomposition (equivalently,
    1 minus the sign bit of X + 2^(B-1)). B + 1 constraints per element."""
    b = check_bits(bound_bits, "bound_bits")
    with cs.namespace(label or "sign_bit"):
        return decompose(cs, -AffineVec.of(x), b, offset=(1 << (b - 1)) - 1)[..., b - 1]
