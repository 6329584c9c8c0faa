# SPDX-License-Identifier: MIT
"""Elementwise products of variables or affine combinations, one constraint each."""

from __future__ import annotations

import numpy as np

from zkcx.gadgets.affine import AffineLike, AffineVec, constrain, variable_indices
from zkcx.r1cs import ConstraintSystem


def mul(cs: ConstraintSystem, a: AffineLike, b: AffineLike,
        label: str | None = None) -> np.ndarray:
    """New variables p with p_e = a_e · b_e (one constraint a_e · b_e = p_e each).

    a and b are variables (index arrays, a Variable) or AffineVecs, broadcast against
    each other as numpy arrays are: ``mul(cs, A[:, :, None], B[None, :, :])`` gives the
    (i, k, j) products of a matrix product, ``AffineVec.of(p).sum(axis=1)`` their sums."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):  # broadcast indices cheaply
        a, b = np.broadcast_arrays(variable_indices(a), variable_indices(b))
    x, y = AffineVec.of(a), AffineVec.of(b)
    shape = np.broadcast_shapes(x.shape, y.shape)
    x, y = x.broadcast_to(shape), y.broadcast_to(shape)
    with cs.namespace(label or "mul"):
        out = cs.new_variables(x.size).reshape(shape)
        x_in, x_eval = x.evaluator()
        y_in, y_eval = y.evaluator()
        cs.bulk_hint(lambda u, v: x_eval(u) * y_eval(v), [x_in, y_in], [out.reshape(-1)],
                     label="product")
        constrain(cs, x, y, out, label="product")
    return out
