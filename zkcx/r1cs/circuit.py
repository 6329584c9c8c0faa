# SPDX-License-Identifier: MIT
"""A built rank-1 constraint system and its witnesses.

Wire order is circom's (docs/formats.md, .r1cs): wire 0 is the constant 1, then the public
outputs, the public inputs, the private inputs and every other variable. The public
signals of a proof are wires 1 .. n_public, outputs first.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zkcx.errors import ArgumentTypeError, UnsatisfiedConstraintError, WitnessError
from zkcx.field import Fr, FrVec
from zkcx.params import FR_MODULUS
from zkcx.r1cs.hint import Hint
from zkcx.r1cs.lc import Variable
from zkcx.r1cs.matrix import SparseMatrix


@dataclass(frozen=True)
class Witness:
    """A full assignment of the wires (values[0] = 1)."""

    values: FrVec
    n_public: int

    @property
    def public(self) -> list[int]:
        """The public signals w_1 .. w_nPublic (outputs first), as public.json lists them."""
        return self.values[1 : 1 + self.n_public].to_ints()

    def __len__(self) -> int:
        return len(self.values)


def witness_values(witness: Witness | FrVec, n_wires: int, owner: str) -> FrVec:
    """The wire values of ``witness`` (a Witness or an FrVec), checked to be ``n_wires``
    values with w_0 = 1; ``owner`` ("the system", "the proving key") names whose wire
    count it must match in the error."""
    values = witness.values if isinstance(witness, Witness) else witness
    if not isinstance(values, FrVec):
        raise ArgumentTypeError(f"a witness is a zkcx.r1cs.Witness or an FrVec, got "
                                f"{type(values).__name__}")
    if len(values) != n_wires:
        raise WitnessError(f"witness has {len(values)} values, {owner} {n_wires} wires")
    if values[0] != Fr(1):
        raise WitnessError("witness[0] must be 1 (the constant wire)")
    return values


@dataclass(frozen=True, eq=False)
class R1CS:
    """An immutable constraint system: sizes, CSR matrices A, B, C, labels, hints."""

    n_wires: int
    n_pub_out: int
    n_pub_in: int
    n_prv_in: int
    a: SparseMatrix
    b: SparseMatrix
    c: SparseMatrix
    label_starts: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    wire_names: dict[int, str] = field(default_factory=dict)
    hints: list[Hint] = field(default_factory=list)
    wire_of: np.ndarray | None = None
    name: str = "circuit"
    n_labels: int | None = None
    wire_labels: np.ndarray | None = None  # .r1cs section 3: the .sym label of each wire

    @property
    def n_constraints(self) -> int:
        return self.a.n_rows

    @property
    def n_public(self) -> int:
        """Public signals: outputs plus public inputs (the constant wire not counted)."""
        return self.n_pub_out + self.n_pub_in

    def label(self, row: int) -> str:
        return label_at(self.label_starts, self.labels, row)

    def wire(self, variable: Variable | int) -> int:
        """The wire of a builder variable (or a wire index, returned as is)."""
        if isinstance(variable, Variable):
            if self.wire_of is None:
                raise WitnessError("this system was read from a file: address wires by index")
            return int(self.wire_of[variable.index])
        return int(variable)

    # -- evaluation --------------------------------------------------------------------
    def _as_values(self, witness: Witness | FrVec) -> FrVec:
        return witness_values(witness, self.n_wires, "the system")

    def evaluate(self, witness: Witness | FrVec) -> tuple[FrVec, FrVec, FrVec]:
        """(A·w, B·w, C·w), one value per constraint."""
        w = self._as_values(witness)
        return self.a.matvec(w), self.b.matvec(w), self.c.matvec(w)

    def first_unsatisfied(self, witness: Witness | FrVec) -> int | None:
        """Index of the first constraint with (A·w)(B·w) != C·w, or None."""
        a, b, c = self.evaluate(witness)
        diff = ~np.all((a * b).limbs == c.limbs, axis=1)
        bad = np.flatnonzero(diff)
        return int(bad[0]) if bad.size else None

    def is_satisfied(self, witness: Witness | FrVec) -> bool:
        return self.first_unsatisfied(witness) is None

    def check(self, witness: Witness | FrVec) -> None:
        """Raise ``UnsatisfiedConstraintError`` naming the first failing constraint, its
        index, label and the values of A·w, B·w, C·w there."""
        a, b, c = self.evaluate(witness)
        diff = ~np.all((a * b).limbs == c.limbs, axis=1)
        bad = np.flatnonzero(diff)
        if bad.size:
            row = int(bad[0])
            raise UnsatisfiedConstraintError(row, self.label(row), int(a[row]), int(b[row]),
                                             int(c[row]))

    # -- solving ---------------------------------------------------------------------
    def solve(self, assignment: Mapping[Any, Any] | Iterable[tuple[Any, Any]]) -> Witness:
        """Complete a witness from the inputs by running the recorded hints in order.

        ``assignment`` maps builder variables (or wire indices) to ints or ``Fr``
        values; for many variables at once give (index array, FrVec or int array) pairs,
        as a list of pairs (arrays cannot be dict keys)."""
        values = FrVec.zeros(self.n_wires)
        known = np.zeros(self.n_wires, dtype=bool)
        values[0] = 1
        known[0] = True
        pairs = assignment.items() if isinstance(assignment, Mapping) else assignment
        for key, value in pairs:
            if isinstance(key, np.ndarray):
                wires = self.wire_of[key] if self.wire_of is not None else key
                vec = value if isinstance(value, FrVec) else FrVec.from_int64(np.asarray(value))
                values[wires] = vec
                known[wires] = True
            else:
                wire = self.wire(key)
                if not 0 < wire < self.n_wires:
                    raise WitnessError(f"wire {wire} is not an assignable wire")
                values[wire] = Fr.reduce(int(value)) if not isinstance(value, Fr) else value
                known[wire] = True
        for hint in self.hints:
            self._run_hint(hint, values, known)
        missing = np.flatnonzero(~known)
        if missing.size:
            wire = int(missing[0])
            raise WitnessError(
                f"{missing.size} wire(s) have no value, the first is wire {wire} "
                f"({self.wire_names.get(wire, 'unnamed')}): assign it or add a hint"
            )
        return Witness(values, self.n_public)

    def _run_hint(self, hint: Hint, values: FrVec, known: np.ndarray) -> None:
        if hint.bulk:
            for arr in hint.inputs:
                if not known[arr].all():
                    raise WitnessError(f"hint {hint.label} reads a wire with no value yet")
            result = hint.fn(*[values[arr] for arr in hint.inputs])
            outs = result if isinstance(result, tuple) else (result,)
            if len(outs) != len(hint.outputs):
                raise WitnessError(f"hint {hint.label} returned {len(outs)} vectors")
            for arr, vec in zip(hint.outputs, outs):
                values[arr] = vec
                known[arr] = True
            return
        args = []
        for terms in hint.inputs:
            total = 0
            for wire, coef in terms.items():
                if not known[wire]:
                    raise WitnessError(
                        f"hint {hint.label} reads wire {wire} "
                        f"({self.wire_names.get(wire, 'unnamed')}) before it has a value"
                    )
                total += coef * int(values[wire])
            args.append(total % FR_MODULUS)
        result = hint.fn(*args)
        outs = result if isinstance(result, tuple) else (result,)
        for wire, v in zip(hint.outputs, outs):
            values[wire] = Fr.reduce(int(v))
            known[wire] = True


def label_at(starts: list[int], labels: list[str], row: int) -> str:
    """The label of constraint ``row``: blocks carry one label, shown with the row's
    position inside the block."""
    if not starts:
        return "constraint"
    i = bisect.bisect_right(starts, row) - 1
    text = labels[i]
    if text.endswith("[]"):
        return f"{text[:-2]}[{row - starts[i]}]"
    return text
