# SPDX-License-Identifier: MIT
"""Comparisons on signed bounded integers: less_than, relu, clamp.

Values are signed integers X with -2^(B-1) <= X < 2^(B-1), embedded as X mod r.
Constraint counts per element: ``relu`` B + 2; ``less_than`` B + 2, plus 2(B + 1) when
it also range-checks its inputs (the default); ``clamp`` see its docstring.
"""

from __future__ import annotations

import numpy as np

from zkcx.errors import ArgumentTypeError, InvalidArgumentError
from zkcx.gadgets._values import from_signed, to_signed
from zkcx.gadgets.affine import AffineLike, AffineVec, constrain
from zkcx.gadgets.arithmetic import mul
from zkcx.gadgets.bits import check_bits, decompose, sign_bit, signed_range_check
from zkcx.r1cs import ConstraintSystem


def signed_bits_for(lo: int, hi: int) -> int:
    """The least B with -2^(B-1) <= lo and hi < 2^(B-1) (lo <= hi integers)."""
    b = 1
    while not (-(1 << (b - 1)) <= lo and hi < (1 << (b - 1))):
        b += 1
    return b


def _nonnegative_bit(cs: ConstraintSystem, x: AffineVec, b: int) -> np.ndarray:
    """t = 1 iff X >= 0: the top bit of X + 2^(B-1) in [0, 2^B) (bound enforced)."""
    return decompose(cs, x, b, offset=1 << (b - 1))[..., b - 1]


def relu(cs: ConstraintSystem, x: AffineLike, bound_bits: int,
         label: str | None = None) -> np.ndarray:
    """max(X, 0) for every element, enforcing -2^(B-1) <= X < 2^(B-1).

    t = top bit of X + 2^(B-1) (so t = 1 iff X >= 0), then out = X · t.
    B + 2 constraints per element."""
    b = check_bits(bound_bits, "bound_bits")
    aff = AffineVec.of(x)
    with cs.namespace(label or "relu"):
        t = _nonnegative_bit(cs, aff, b)
        return mul(cs, aff, t, label="select")


def less_than(cs: ConstraintSystem, a: AffineLike, b: AffineLike, bound_bits: int, *,
              check_inputs: bool = True, label: str | None = None) -> np.ndarray:
    """Boolean variables: 1 iff a < b (signed), for a, b within B bits.

    The sign bit of d = a - b, which lies in (B + 1)-bit range. With
    ``check_inputs=True`` (default) a and b are also signed-range-checked in B bits; pass
    False when they were checked where they were made (the result is then the comparison
    of the integers a - b represents, provided |a - b| < 2^B, which is enforced)."""
    bits = check_bits(bound_bits, "bound_bits")
    x, y = AffineVec.of(a), AffineVec.of(b)
    with cs.namespace(label or "less_than"):
        if check_inputs:
            signed_range_check(cs, x, bits, label="a")
            signed_range_check(cs, y, bits, label="b")
        return sign_bit(cs, x - y, bits + 1, label="sign")


def clamp(cs: ConstraintSystem, x: AffineLike, lo: int, hi: int, bound_bits: int,
          label: str | None = None) -> np.ndarray:
    """min(max(X, lo), hi) for every element, lo <= hi integer constants, enforcing
    -2^(B-1) <= X < 2^(B-1).

    X is range-checked (B + 1); m = lo + relu(X - lo) when lo > -2^(B-1) (else m = X);
    out = m - relu(m - hi) when hi < max(m) (else out = m), the second product written
    straight into out: (m - hi) · t2 = m - out. Each relu on a difference D costs
    B_D + 2 constraints, B_D the bits of D's range (about B + 1)."""
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (lo, hi)):
        raise ArgumentTypeError(f"clamp bounds lo and hi must be integer constants, got "
                                f"{type(lo).__name__} and {type(hi).__name__}")
    lo, hi = int(lo), int(hi)
    if lo > hi:
        raise InvalidArgumentError(f"clamp needs lo <= hi, got lo={lo}, hi={hi}")
    b = check_bits(bound_bits, "bound_bits")
    x_min, x_max = -(1 << (b - 1)), (1 << (b - 1)) - 1
    aff = AffineVec.of(x)
    with cs.namespace(label or "clamp"):
        signed_range_check(cs, aff, b, label="input")
        m, m_max = aff, x_max
        if lo > x_min:
            d_bits = check_bits(signed_bits_for(x_min - lo, x_max - lo), "bits of X - lo")
            t1 = _nonnegative_bit(cs, aff - lo, d_bits)
            m = AffineVec.of(mul(cs, aff - lo, t1, label="lower")) + lo
            m_max = max(lo, x_max)
        if hi >= m_max:
            out = cs.new_variables(aff.size).reshape(aff.shape)
            constrain(cs, m, 1, out, label="output")
        else:
            m_min = max(lo, x_min)
            d_bits = check_bits(signed_bits_for(m_min - hi, m_max - hi), "bits of m - hi")
            t2 = _nonnegative_bit(cs, m - hi, d_bits)
            out = cs.new_variables(aff.size).reshape(aff.shape)
            constrain(cs, m - hi, t2, m - AffineVec.of(out), label="upper")
        inputs, evaluate = aff.evaluator()

        def clamped(values):
            return from_signed(np.clip(to_signed(evaluate(values)), lo, hi))

        cs.bulk_hint(clamped, [inputs], [out.reshape(-1)], label="value")
    return out
