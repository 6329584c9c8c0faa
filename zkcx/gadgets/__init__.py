# SPDX-License-Identifier: MIT
"""Gadgets: booleans, bit decomposition, range checks, comparisons, fixed-point
multiply-and-rescale and ReLU, vectorised over numpy arrays of variables; Poseidon and
tensor commitments (``poseidon``, ``commitment``).

Variables are given as int64 arrays of variable indices (from
``ConstraintSystem.new_variables``), of any shape; every gadget treats them flat and
returns variables of the same shape, emitting its constraints in a few bulk calls and
computing its witness values with vectorised hints. A scalar ``Variable`` is accepted
too (the result is then a 0-d array). Each gadget labels its constraints under
``cs.namespace(label or <gadget name>)``, so a failure reads
``kernels/matmul/rescale/boolean[17]``.

Values are signed integers X with bit bound B, -2^(B-1) <= X < 2^(B-1), embedded in
Fr as X mod r (docs/fixed-point.md, "Bit bounds"); ``zkcx.gadgets.reference`` holds the
same operations on plain integer NumPy arrays, for kernels' references; ``to_signed``
and ``from_signed`` convert FrVec <-> signed integer arrays (int64 when every value fits,
else object) for witness generation.

Affine combinations (``AffineVec``): a numpy-shaped vector whose element e is
Σ_k c_k · x_{v_k} + constant, stored as three parallel arrays (rows, variables,
int64 coefficients; the constant is a term on variable 0, the wire fixed to 1). They
cost no constraint and every gadget accepts one wherever it accepts variables, so
sums of products reach a rescale without being materialised::

    p = mul(cs, a[:, :, None], b[None, :, :])         # (i, k, j) products, 1 each
    acc = AffineVec.of(p).sum(axis=1) + AffineVec.of(bias) * (1 << f)
    out = rescale(cs, acc, f, bound_bits)              # floor((Σ_k a_ik b_kj + b·2^f) / 2^f)
    w_next = AffineVec.of(w) - AffineVec.of(dw) * eta  # W - η·dW, free
    v = materialize(cs, w_next)                        # new variables, 1 constraint each
    constrain(cs, x - mu, s, out)                      # any a·b = c, elementwise, in bulk

Constraints per element (committed in tests/gadgets/constraint_counts.csv):
assert_boolean 1; to_bits / range_check n + 1; signed_range_check / sign_bit B + 1;
relu B + 2; less_than B + 2 (+ 2B + 2 checking its inputs); rescale f + B + 2; mul 1;
materialize 1; clamp at most 3B + 5 (B + 2 when neither bound binds).
"""

from zkcx.errors import BoundError
from zkcx.gadgets import reference
from zkcx.gadgets._values import from_signed, to_signed
from zkcx.gadgets.affine import AffineVec, as_affine, constrain, materialize
from zkcx.gadgets.arithmetic import mul
from zkcx.gadgets.bits import (
    MAX_BITS,
    assert_boolean,
    range_check,
    sign_bit,
    signed_range_check,
    to_bits,
)
from zkcx.gadgets.commitment import commit_values, commitment_constraints, commitment_gadget
from zkcx.gadgets.compare import clamp, less_than, relu
from zkcx.gadgets.fixed_point import rescale

# Poseidon and tensor commitments are exported below by their own modules' imports.
from zkcx.gadgets.poseidon import (
    poseidon_constraints,
    poseidon_gadget,
    poseidon_gadget_many,
    poseidon_hash,
    poseidon_hash_many,
)

__all__ = [
    "MAX_BITS",
    "AffineVec",
    "BoundError",
    "as_affine",
    "assert_boolean",
    "clamp",
    "commit_values",
    "commitment_constraints",
    "commitment_gadget",
    "constrain",
    "from_signed",
    "less_than",
    "materialize",
    "mul",
    "poseidon_constraints",
    "poseidon_gadget",
    "poseidon_gadget_many",
    "poseidon_hash",
    "poseidon_hash_many",
    "range_check",
    "reference",
    "relu",
    "rescale",
    "sign_bit",
    "signed_range_check",
    "to_bits",
    "to_signed",
]
