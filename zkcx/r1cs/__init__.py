# SPDX-License-Identifier: MIT
"""Rank-1 constraint systems: a builder with linear combinations and bulk (numpy)
constraints, sparse matrices, witnesses with a satisfaction check that names the first
failing constraint, and circom's ``.r1cs``/``.wtns`` files."""

from zkcx.r1cs.circuit import R1CS, Witness, witness_values
from zkcx.r1cs.files import read_r1cs, read_wtns, write_r1cs, write_wtns
from zkcx.r1cs.lc import LinearCombination, Variable
from zkcx.r1cs.matrix import SparseMatrix
from zkcx.r1cs.system import ConstraintSystem

__all__ = [
    "R1CS",
    "ConstraintSystem",
    "LinearCombination",
    "SparseMatrix",
    "Variable",
    "Witness",
    "read_r1cs",
    "witness_values",
    "read_wtns",
    "write_r1cs",
    "write_wtns",
]
