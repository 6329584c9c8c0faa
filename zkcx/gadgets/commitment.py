# SPDX-License-Identifier: MIT
"""Commitments to integer tensors with a bit bound, built on Poseidon.

A tensor X of shape S = (d_1, .., d_m) with bound B (every value -2^(B-1) <= X < 2^(B-1),
docs/fixed-point.md, "Bit bounds"), 1 <= B <= 64, N = d_1·..·d_m >= 1 values in C order:

1. Offset: U_i = X_i + 2^(B-1), so 0 <= U_i < 2^B.
2. Pack k = floor(253 / B) values per field element, n = ceil(N / k) elements:
   P_e = sum_{j < k} U_{e·k + j} · 2^(j·B), a missing value (past N) counting as 0.
   Since k·B <= 253 and 2^253 < r, P_e < r and the packing is injective.
3. Tree: level_0 = (P_0 .. P_{n-1}); while a level has more than one node, split it
   into consecutive groups of 16 and a remainder of m < 16 nodes; the next level is
   Poseidon(group) for each group (circomlib's ``Poseidon(16)``), then Poseidon(rest)
   if m >= 2 (``Poseidon(m)``), or the lone remaining node itself if m = 1. No padding:
   the tree's shape is a function of n. The last node is the root (P_0 when n = 1).
4. Domain: tag = Poseidon(D, B, m, d_1, .., d_m) with D = int("zkcx/commit/v1" as
   big-endian bytes), m <= 13; the commitment is Poseidon(tag, root).

Binding: for one (S, B) the tree's shape is fixed, so equal commitments mean a Poseidon
collision or equal packed elements, hence equal values; tensors of different shapes or
bounds hash different tags. The commitment does not hide the values (no blinding).

In a circuit (``commitment_gadget``), per value: B booleans and one linear constraint (the range
check 0 <= X + 2^(B-1) < 2^B by ``to_bits``); per packed element: one linear constraint
defining P_e from the values; per group of 16 nodes: 612 constraints (Poseidon(16)),
a remainder group of m nodes costing ``poseidon_constraints(m)``; plus 243 + 1 for the
tag and the final hash. For large tensors that is B + 1 + (1 + 612/15)/k per value:
10.35 (B = 8), 19.79 (B = 16), 38.97 (B = 32); ``commitment_constraints`` counts exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zkcx.errors import ArgumentTypeError, BoundError, InvalidArgumentError
from zkcx.field import Fr, FrVec
from zkcx.gadgets.affine import AffineVec, variable_indices
from zkcx.gadgets.bits import to_bits
from zkcx.gadgets.poseidon import (
    poseidon_constraints,
    poseidon_gadget,
    poseidon_gadget_many,
    poseidon_hash,
    poseidon_hash_many,
)
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem, Variable

__all__ = [
    "ARITY",
    "DOMAIN",
    "MAX_BOUND_BITS",
    "MAX_DIMENSIONS",
    "commit_values",
    "commitment_constraints",
    "commitment_gadget",
    "packing_factor",
]

#: Tree arity: circomlib's widest Poseidon, Poseidon(16).
ARITY = 16
#: Domain separator of the tag, "zkcx/commit/v1" read as a big-endian integer.
DOMAIN = int.from_bytes(b"zkcx/commit/v1", "big")
MAX_BOUND_BITS = 64
#: The tag hashes (D, B, m, d_1 .. d_m) with Poseidon's 16 inputs at most.
MAX_DIMENSIONS = 13
_PACK_BITS = 253


def _check_bound(bound_bits: Any) -> int:
    if not isinstance(bound_bits, (int, np.integer)) or isinstance(bound_bits, bool):
        raise ArgumentTypeError(f"bound_bits must be an int, got {type(bound_bits).__name__}")
    if not 1 <= bound_bits <= MAX_BOUND_BITS:
        raise InvalidArgumentError(f"bound_bits must be in [1, {MAX_BOUND_BITS}], got {bound_bits}")
    return int(bound_bits)


def _check_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    if len(shape) > MAX_DIMENSIONS:
        raise InvalidArgumentError(f"a committed tensor has at most {MAX_DIMENSIONS} dimensions, "
                                   f"got shape {shape}")
    if int(np.prod(shape, dtype=np.int64)) == 0:
        raise InvalidArgumentError(f"cannot commit to an empty tensor (shape {shape})")
    return tuple(int(d) for d in shape)


def packing_factor(bound_bits: int) -> int:
    """k = floor(253 / B): offset values packed into one field element."""
    return _PACK_BITS // _check_bound(bound_bits)


def domain_tag(shape: tuple[int, ...], bound_bits: int) -> int:
    """tag = Poseidon(D, B, m, d_1, .., d_m), separating shapes and bounds."""
    shape = _check_shape(tuple(shape))
    return poseidon_hash([DOMAIN, _check_bound(bound_bits), len(shape), *shape])


def _pack(offset: FrVec, bound_bits: int) -> FrVec:
    """P_e = sum_j offset[e·k + j]·2^(j·B) over the field (the packing of step 2 when the
    offsets are in range; a hint computes the same sums from any witness)."""
    k = packing_factor(bound_bits)
    n = -(-len(offset) // k)
    padded = FrVec.zeros(n * k)
    padded[:len(offset)] = offset
    columns = padded.limbs.reshape(n, k, 4)
    packed = FrVec.zeros(n)
    for j in range(k):  # k column operations over all n elements
        packed += FrVec(np.ascontiguousarray(columns[:, j])) * Fr(1 << (j * bound_bits))
    return packed


def _groups(n: int) -> tuple[int, int]:
    """(full groups of ARITY, size of the remainder) of a tree level of n nodes."""
    return n // ARITY, n % ARITY


def _tree_root(level: FrVec) -> FrVec:
    while len(level) > 1:
        full, rest = _groups(len(level))
        rows = level[:full * ARITY].limbs.reshape(full, ARITY, 4)
        parts = []
        if full:
            parts.append(poseidon_hash_many([FrVec(np.ascontiguousarray(rows[:, j]))
                                             for j in range(ARITY)]))
        tail = level[full * ARITY:]
        if rest >= 2:
            parts.append(poseidon_hash_many([tail[j:j + 1] for j in range(rest)]))
        elif rest == 1:
            parts.append(tail)
        level = FrVec.concatenate(parts)
    return level


def _offsets(values: Any, bound_bits: int) -> tuple[FrVec, tuple[int, ...]]:
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        raise ArgumentTypeError(f"commit_values needs an integer array (quantize floats "
                                f"first), got dtype {arr.dtype}")
    shape = _check_shape(arr.shape)
    flat = arr.reshape(-1)
    lo, hi = -(1 << (bound_bits - 1)), (1 << (bound_bits - 1)) - 1
    if flat.dtype.kind == "u" and bound_bits == 64:
        bad = flat > np.uint64(hi)
    else:
        too_low = (flat < lo) if flat.dtype.kind == "i" else np.zeros(flat.shape, dtype=bool)
        bad = too_low | (flat > hi)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise BoundError(
            f"value {int(flat[i])} at flat index {i} is outside the {bound_bits}-bit bound "
            f"[{lo}, {hi}]; clamp or requantize it before committing"
        )
    signed = FrVec.from_int64(flat.astype(np.int64))
    return signed + Fr(1 << (bound_bits - 1)), shape


def commit_values(values: Any, bound_bits: int) -> int:
    """The commitment (an Fr value as int) to the integer tensor ``values`` with bound B,
    by the formula of the module docstring. Raises BoundError naming the first value
    outside -2^(B-1) <= X < 2^(B-1), TypeError for a non-integer array."""
    b = _check_bound(bound_bits)
    offset, shape = _offsets(values, b)
    root = int(_tree_root(_pack(offset, b))[0])
    return poseidon_hash([domain_tag(shape, b), root])


def commitment_constraints(shape: tuple[int, ...], bound_bits: int) -> int:
    """Constraints ``commitment_gadget`` adds for a tensor of this shape and bound."""
    b = _check_bound(bound_bits)
    n_values = int(np.prod(_check_shape(tuple(shape)), dtype=np.int64))
    count = n_values * (b + 1)
    nodes = -(-n_values // packing_factor(b))
    count += nodes
    while nodes > 1:
        full, rest = _groups(nodes)
        count += full * poseidon_constraints(ARITY)
        count += poseidon_constraints(rest) if rest >= 2 else 0
        nodes = full + (rest > 0)
    return count + 1 + poseidon_constraints(2)  # the tag variable and the final hash


def commitment_gadget(cs: ConstraintSystem, variables: np.ndarray | Variable, bound_bits: int,
                      label: str = "commit") -> Variable:
    """Constrain and return the commitment to the tensor held by ``variables`` (an int64
    index array of any shape; the shape is part of the commitment), enforcing
    -2^(B-1) <= X < 2^(B-1) for every value. Its value equals ``commit_values`` of the
    tensor; ``commitment_constraints`` gives the cost."""
    b = _check_bound(bound_bits)
    index = variable_indices(variables)
    shape = _check_shape(index.shape)
    flat = index.reshape(-1)
    k = packing_factor(b)
    n = -(-flat.size // k)
    with cs.namespace(label):
        to_bits(cs, AffineVec.of(flat) + (1 << (b - 1)), b, label="range")
        packed = cs.new_variables(n)
        cs.bulk_hint(lambda x: _pack(x + Fr(1 << (b - 1)), b), [flat], [packed], label="pack")
        _constrain_packing(cs, flat, packed, b, k)
        level = packed
        depth = 0
        while level.size > 1:
            full, rest = _groups(level.size)
            parts = []
            if full:
                parts.append(poseidon_gadget_many(cs, level[:full * ARITY].reshape(full, ARITY),
                                                  label=f"tree{depth}"))
            if rest >= 2:
                parts.append(poseidon_gadget_many(cs, level[full * ARITY:].reshape(1, rest),
                                                  label=f"tree{depth}/last"))
            elif rest == 1:
                parts.append(level[-1:])
            level = np.concatenate(parts)
            depth += 1
        return poseidon_gadget(cs, [domain_tag(shape, b), Variable(cs, int(level[0]))],
                               label="root")


def _constrain_packing(cs: ConstraintSystem, flat: np.ndarray, packed: np.ndarray, b: int,
                       k: int) -> None:
    """(sum_j 2^(jB)·X_{ek+j} + sum_j 2^(jB)·2^(B-1) - P_e) · 1 = 0 for every element e."""
    n_values, n = flat.size, packed.size
    position = np.arange(n_values, dtype=np.int64)
    element, slot = position // k, position % k
    last = n_values - (n - 1) * k  # values in the last element
    full_offset = sum((1 << (b - 1)) << (j * b) for j in range(k))
    last_offset = sum((1 << (b - 1)) << (j * b) for j in range(last))
    constants = FrVec.full(n, full_offset)
    constants[n - 1] = last_offset
    elements = np.arange(n, dtype=np.int64)
    rows = np.concatenate([element, elements, elements])
    cols = np.concatenate([flat, np.zeros(n, dtype=np.int64), packed])
    coefs = FrVec.concatenate([FrVec.powers(Fr(1 << b), k)[slot], constants, -FrVec.ones(n)])
    keys = rows * cs.n_variables + cols
    if np.unique(keys).size < keys.size:  # a variable repeated in one element, or the 1-wire
        rows, cols, coefs = _merged(keys, coefs, cs.n_variables)
    one = (elements, np.zeros(n, dtype=np.int64), FrVec.ones(n))
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), FrVec.zeros(0))
    cs.add_constraints(n, (rows, cols, coefs), one, empty, label="pack")


def _merged(keys: np.ndarray, coefs: FrVec,
            n_variables: int) -> tuple[np.ndarray, np.ndarray, FrVec]:
    """Sum the coefficients of repeated (row, variable) terms (a rare path, in Python
    ints), so that each constraint names each variable once as .r1cs files require."""
    unique, inverse = np.unique(keys, return_inverse=True)
    sums = np.zeros(unique.size, dtype=object)
    np.add.at(sums, inverse, np.array(coefs.to_ints(), dtype=object))
    values = [int(v) % FR_MODULUS for v in sums]
    keep = np.array([v != 0 for v in values], dtype=bool)
    kept = unique[keep]
    return (kept // n_variables, kept % n_variables,
            FrVec.from_ints([v for v, k in zip(values, keep) if k]))
