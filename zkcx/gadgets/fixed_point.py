# SPDX-License-Identifier: MIT
"""Fixed-point rescaling: Q = floor(Z / 2^f), toward −∞ (docs/fixed-point.md, "Operations").

Z = Q·2^f + R with 0 <= R < 2^f and -2^(B-1) <= Q < 2^(B-1) holds exactly when

    Y = Z + 2^(f+B-1) = R + 2^f · (Q + 2^(B-1))

lies in [0, 2^(f+B)); so one decomposition of Y into f + B bits proves both ranges: its
low f bits are R, its high B bits are Q + 2^(B-1). Q is then one linear constraint on
the high bits. f + B + 2 constraints per element (f + B <= 252).
"""

from __future__ import annotations

import numpy as np

from zkcx.errors import ArgumentTypeError, InvalidArgumentError
from zkcx.field import Fr, FrVec
from zkcx.gadgets._values import inverse_power_of_two, low_bits
from zkcx.gadgets.affine import AffineLike, AffineVec, constrain
from zkcx.gadgets.bits import MAX_BITS, check_bits, decompose, repeated_powers_of_two
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem


def rescale(cs: ConstraintSystem, z: AffineLike, frac_bits: int, out_bound_bits: int,
            label: str | None = None) -> np.ndarray:
    """Q = floor(Z / 2^f) for every element (new variables, shape of z).

    z is variables or an ``AffineVec`` (e.g. a dot product's Σ_k a_k·b_k, never
    materialised). Proves Z = Q·2^f + R with R in [0, 2^f) and Q signed-range-checked in
    out_bound_bits B, i.e. -2^(B-1) <= Q < 2^(B-1); a Z whose quotient leaves that range
    makes the witness unsatisfiable. Labels: ``bits``/``boolean``/``sum`` for the
    decomposition of Z + 2^(f+B-1), ``quotient`` for Q. f + B + 2 constraints per element."""
    if not isinstance(frac_bits, (int, np.integer)) or isinstance(frac_bits, bool):
        raise ArgumentTypeError(f"frac_bits must be an int, got {type(frac_bits).__name__}")
    f = int(frac_bits)
    if f < 0:
        raise InvalidArgumentError(f"frac_bits must be >= 0, got {f}")
    b = check_bits(out_bound_bits, "out_bound_bits")
    if f + b > MAX_BITS:
        raise InvalidArgumentError(f"frac_bits + out_bound_bits must be <= {MAX_BITS}, got "
                                   f"{f} + {b} = {f + b}")
    aff = AffineVec.of(z)
    offset = 1 << (b - 1)
    with cs.namespace(label or "rescale"):
        bits = decompose(cs, aff, f + b, offset=offset << f).reshape(aff.size, f + b)
        q = cs.new_variables(aff.size)
        high = bits[:, f:].reshape(-1)
        rows = np.repeat(np.arange(aff.size, dtype=np.int64), b)
        powers = repeated_powers_of_two(b, aff.size)
        everyone = np.arange(aff.size, dtype=np.int64)
        # Σ_i q_i 2^i - 2^(B-1) = Q
        a_side = (np.concatenate([rows, everyone]),
                  np.concatenate([high, np.zeros(aff.size, dtype=np.int64)]),
                  FrVec.concatenate([powers, FrVec.full(aff.size, -Fr(offset))]))
        constrain(cs, a_side, (everyone, np.zeros(aff.size, dtype=np.int64), 1),
                  (everyone, q, 1), label="quotient", count=aff.size)
        inputs, evaluate = aff.evaluator()
        shift, y_offset = inverse_power_of_two(f), Fr((offset << f) % FR_MODULUS)

        def quotient(values: FrVec) -> FrVec:
            yv = evaluate(values) + y_offset
            return (yv - low_bits(yv, f)) * shift - Fr(offset)

        cs.bulk_hint(quotient, [inputs], [q], label="quotient")
    return q.reshape(aff.shape)
