# SPDX-License-Identifier: MIT
"""Poseidon over BN254's Fr, exactly as circomlib's ``Poseidon(nInputs)`` computes it.

Parameters (Grassi et al., eprint 2019/458; circomlib ``circuits/poseidon.circom``): state
width t = nInputs + 1 for 1 <= nInputs <= 16, initial state (0, inputs...), 8 full rounds
and circomlib's partial rounds R_P(t) = 56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70,
60, 64, 68 for t = 2 .. 17, S-box x^5, round constants from the Grain LFSR and a Cauchy
MDS matrix (both derived in ``_poseidon_grain``), evaluated in the optimized form of
``_poseidon_optimized``. The hash is element 0 of the final state.

Outside a circuit: ``poseidon_hash`` (one hash) and ``poseidon_hash_many`` (a batch,
one native call per round operation across the batch). Inside: ``poseidon_gadget`` and
``poseidon_gadget_many`` emit 3·(8t + R_P(t)) constraints per hash (243 for two inputs),
with their witness computed by one vectorised hint per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from zkcx.errors import (
    ArgumentTypeError,
    CircuitError,
    FieldRangeError,
    InvalidArgumentError,
    LengthMismatchError,
)
from zkcx.field import Fr, FrVec
from zkcx.gadgets._poseidon_grain import FULL_ROUNDS, MAX_WIDTH, partial_rounds
from zkcx.gadgets._poseidon_native import SboxRecord, permute
from zkcx.gadgets._poseidon_template import template
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem, LinearCombination, Variable

#: Inputs one hash takes at most (circomlib's Poseidon(16), t = 17).
MAX_INPUTS = MAX_WIDTH - 1

__all__ = [
    "MAX_INPUTS",
    "poseidon_constraints",
    "poseidon_gadget",
    "poseidon_gadget_many",
    "poseidon_hash",
    "poseidon_hash_many",
]


def _check_arity(n_inputs: int) -> int:
    if not 1 <= n_inputs <= MAX_INPUTS:
        raise InvalidArgumentError(
            f"Poseidon takes 1 to {MAX_INPUTS} inputs (circomlib's widths t = 2 .. 17), got "
            f"{n_inputs}; hash longer inputs in a tree or in several calls"
        )
    return n_inputs


def poseidon_constraints(n_inputs: int) -> int:
    """Constraints of one in-circuit hash of ``n_inputs`` values: 3·(8t + R_P(t)),
    t = n_inputs + 1 (three per S-box: x², x⁴, x⁵)."""
    t = _check_arity(n_inputs) + 1
    return 3 * (FULL_ROUNDS * t + partial_rounds(t))


def _columns(inputs: Any) -> list[FrVec]:
    """Input columns from FrVec columns, or from a (hashes × inputs) matrix of canonical
    integers (a numpy integer array or nested sequences of ints)."""
    if isinstance(inputs, (list, tuple)) and inputs and all(isinstance(c, FrVec) for c in inputs):
        lengths = {len(c) for c in inputs}
        if len(lengths) != 1:
            raise LengthMismatchError(f"input columns have different lengths {sorted(lengths)}")
        _check_arity(len(inputs))
        return list(inputs)
    if isinstance(inputs, np.ndarray) and inputs.dtype.kind in "iu":
        matrix = inputs
    else:
        matrix = np.array(inputs, dtype=object)
    if matrix.ndim != 2:
        raise InvalidArgumentError(
            f"poseidon_hash_many needs a (hashes × inputs) matrix, got shape {matrix.shape}"
        )
    _check_arity(matrix.shape[1])
    if matrix.dtype == object:
        return [FrVec.from_ints([_canonical(v) for v in matrix[:, j]])
                for j in range(matrix.shape[1])]
    return [FrVec.from_ints(np.ascontiguousarray(matrix[:, j])) for j in range(matrix.shape[1])]


def _canonical(value: Any) -> int:
    if isinstance(value, Fr):
        return int(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        v = int(value)
        if 0 <= v < FR_MODULUS:
            return v
        raise FieldRangeError(
            f"Poseidon input {v} is not a canonical Fr value (0 <= v < r); reduce it mod r "
            "first if that is intended"
        )
    raise ArgumentTypeError(f"Poseidon inputs are ints or Fr, got {type(value).__name__}")


def poseidon_hash_many(inputs: Any) -> FrVec:
    """Hash every row of a (hashes × inputs) matrix: out[h] = Poseidon(inputs[h, :]).

    ``inputs`` is a list of FrVec columns (one per input position, equal lengths), a
    numpy integer array, or nested sequences of ints/Fr; values must be canonical
    (0 <= v < r). All rows have the same arity (1 .. 16). The whole batch goes through
    each round step in one native call."""
    columns = _columns(inputs)
    if len(columns[0]) == 0:
        return FrVec.zeros(0)
    return permute(columns)


def poseidon_hash(inputs: Sequence[int | Fr]) -> int:
    """Poseidon(inputs) as circomlib's ``Poseidon(len(inputs))`` computes it; e.g.
    poseidon_hash([1, 2]) = 78532001207760628786847983640950724588150293760927320092494149263
    27459813530 (one number)."""
    values = [_canonical(v) for v in inputs]
    _check_arity(len(values))
    return int(permute([FrVec.from_ints([v]) for v in values])[0])


# -- in circuit ---------------------------------------------------------------------------
def _witness_hint(t: int):
    tpl = template(t)

    def hint(*columns: FrVec) -> tuple[FrVec, ...]:
        record: list[SboxRecord] = []
        out = permute(list(columns), record)
        values = [v for triple in record for v in triple]
        values[tpl.out_slot - tpl.first_var_slot] = out
        return tuple(values)

    return hint


def poseidon_gadget_many(cs: ConstraintSystem, inputs: np.ndarray,
                         out: np.ndarray | None = None, label: str = "poseidon") -> np.ndarray:
    """Constrain out[h] = Poseidon(inputs[h, :]) for a batch of hashes at once.

    ``inputs`` is an int64 array (hashes × n_inputs) of variable indices; ``out``
    optionally gives the variables (e.g. public outputs) that receive the hashes, else
    new intermediates are made. Adds 3·(8t + R_P(t)) constraints per hash in one block,
    and one bulk hint computing every S-box's x², x⁴, x⁵. Returns the output indices."""
    inputs = np.asarray(inputs, dtype=np.int64)
    if inputs.ndim != 2:
        raise InvalidArgumentError(
            f"inputs must be a (hashes × inputs) index array, got shape {inputs.shape}"
        )
    h, n_in = inputs.shape
    t = _check_arity(n_in) + 1
    if inputs.size and inputs.min() <= 0:
        raise CircuitError(
            "Poseidon inputs must be variables other than the constant-one wire (index 0); "
            "give constants to poseidon_gadget, which makes a constrained variable for each"
        )
    tpl = template(t)
    if out is None:
        out = cs.new_variables(h)
    out = np.asarray(out, dtype=np.int64).reshape(-1)
    if out.size != h:
        raise CircuitError(f"{out.size} output variables for {h} hashes: give one output "
                           "variable per hash, or none to allocate them")
    if h == 0:
        return out
    n_var_slots = tpl.n_slots - tpl.first_var_slot
    own = cs.new_variables(h * (n_var_slots - 1)).reshape(n_var_slots - 1, h)
    slot_vars = np.empty((tpl.n_slots, h), dtype=np.int64)
    slot_vars[0] = 0  # the constant-one variable
    slot_vars[1:t] = inputs.T
    rest = np.ones(tpl.n_slots, dtype=bool)
    rest[:t] = False
    rest[tpl.out_slot] = False
    slot_vars[rest] = own
    slot_vars[tpl.out_slot] = out
    cs.bulk_hint(_witness_hint(t), list(inputs.T), list(slot_vars[t:]), label=label)
    hashes = np.arange(h, dtype=np.int64)[:, None] * tpl.n_constraints
    parts = []
    for rows, slots, coefs in tpl.parts:
        parts.append(((hashes + rows[None, :]).reshape(-1), slot_vars[slots].T.reshape(-1),
                      FrVec(np.tile(coefs.limbs, (h, 1)))))
    cs.add_constraints(h * tpl.n_constraints, *parts, label=label)
    return out


def _as_variable(cs: ConstraintSystem, value: Variable | LinearCombination | int | Fr) -> int:
    if isinstance(value, Variable) and value.index != 0:
        return value.index
    lc = LinearCombination.of(value, cs)
    if len(lc.terms) == 1:
        (index, coef), = lc.terms.items()
        if index != 0 and coef == 1:
            return index
    v = cs.intermediate()
    cs.hint(lambda x: x, [lc], outputs=[v], label="poseidon/input")
    cs.assert_equal(v, lc, "poseidon/input")
    return v.index


def poseidon_gadget(cs: ConstraintSystem, inputs: Sequence[Variable | LinearCombination | int],
                    out: Variable | None = None, label: str = "poseidon") -> Variable:
    """Constrain and return out = Poseidon(inputs) for one hash; inputs that are not
    plain variables (constants, linear combinations) cost one extra constraint each."""
    index = np.array([[_as_variable(cs, x) for x in inputs]], dtype=np.int64)
    outs = None if out is None else np.array([out.index], dtype=np.int64)
    result = poseidon_gadget_many(cs, index, outs, label=label)
    return out if out is not None else Variable(cs, int(result[0]))
