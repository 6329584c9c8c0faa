# SPDX-License-Identifier: MIT
"""Framework plumbing in the circuit: public copies of computed values and input range
checks."""

from __future__ import annotations

import numpy as np

from zkcx import gadgets
from zkcx.gadgets.affine import AffineVec, constrain


def bind_equal(cs, public: np.ndarray, computed: np.ndarray) -> None:
    """public_e = computed_e: a copying hint and one constraint (public - computed)·1 = 0
    each, so that a value computed inside the circuit becomes a public signal."""
    public = np.asarray(public, dtype=np.int64).reshape(-1)
    computed = np.asarray(computed, dtype=np.int64).reshape(-1)
    cs.bulk_hint(lambda v: v, [computed], [public], label="copy")
    constrain(cs, AffineVec.of(public) - AffineVec.of(computed), 1, None, label="equal")


def range_check_signed(cs, x: np.ndarray, bound_bits: int) -> None:
    """-2^(B-1) <= x < 2^(B-1) for every variable of x (the signed range-check gadget)."""
    gadgets.signed_range_check(cs, np.asarray(x, dtype=np.int64).reshape(-1), bound_bits)
