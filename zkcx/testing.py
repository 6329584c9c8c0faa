# SPDX-License-Identifier: MIT
"""Testing circuits without proving: solve a witness and check every constraint.

``check_circuit`` runs the recorded hints on an assignment and checks the result,
raising ``UnsatisfiedConstraintError`` that names the first failing constraint (its
index, label such as ``kernels/matmul/rescale/boolean[17]``, and the values of A·w,
B·w, C·w there). It sits at the base of the package, so it relies only on the methods
of what it is given (``build``, ``solve``, ``check``), never on an import of a layer.
"""

from __future__ import annotations

from typing import Any

from zkcx.errors import ArgumentTypeError


def check_circuit(cs_or_r1cs: Any, assignment: Any) -> Any:
    """Build (if given a ``ConstraintSystem``), solve ``assignment`` and check the
    witness; return it. ``assignment`` is what ``R1CS.solve`` takes: a mapping of
    variables to values, or (index array, values) pairs. Raises
    ``UnsatisfiedConstraintError`` naming the first failing constraint, or
    ``WitnessError`` when the assignment leaves a wire without a value."""
    r1cs = cs_or_r1cs.build() if hasattr(cs_or_r1cs, "build") else cs_or_r1cs
    if not (hasattr(r1cs, "solve") and hasattr(r1cs, "check")):
        raise ArgumentTypeError(f"check_circuit needs a ConstraintSystem or an R1CS, got "
                                f"{type(cs_or_r1cs).__name__}")
    witness = r1cs.solve(assignment)
    r1cs.check(witness)
    return witness
