# SPDX-License-Identifier: MIT
"""Hints: how a witness computes variables from others. ``ConstraintSystem`` records
them, ``R1CS.solve`` runs them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Hint:
    """Computes variables from others while solving a witness.

    Scalar hints: ``fn(*ints) -> int | tuple[int, ...]`` with inputs given as linear
    combinations. Bulk hints: ``fn(*FrVec) -> FrVec | tuple[FrVec, ...]`` with inputs
    and outputs given as arrays of variable indices (vectorised, for kernels)."""

    fn: Callable[..., Any]
    inputs: tuple[Any, ...]
    outputs: tuple[Any, ...]
    bulk: bool
    label: str
