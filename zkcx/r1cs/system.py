# SPDX-License-Identifier: MIT
"""Building rank-1 constraint systems: A·w ∘ B·w = C·w over Fr.

``ConstraintSystem`` is the builder: it allocates variables (public outputs, public
inputs, private inputs, intermediates), records constraints one at a time from linear
combinations or many at once from numpy arrays, and records hints that compute
intermediate values. ``build()`` returns an immutable ``R1CS`` whose wires are in
circom's order (1, outputs, public inputs, private inputs, the rest), with the matrices
stored as sparse arrays, never one Python object per term.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from zkcx.errors import ArgumentTypeError, CircuitError, InvalidArgumentError
from zkcx.field import FrVec
from zkcx.params import FR_MODULUS
from zkcx.r1cs.circuit import R1CS
from zkcx.r1cs.hint import Hint
from zkcx.r1cs.lc import LCLike, LinearCombination, Variable
from zkcx.r1cs.matrix import SparseMatrix

#: Variable kinds, in wire order.
ONE, OUTPUT, PUBLIC_INPUT, PRIVATE_INPUT, INTERNAL = range(5)
_KIND_NAMES = {"output": OUTPUT, "public": PUBLIC_INPUT, "private": PRIVATE_INPUT,
               "internal": INTERNAL}


class _Block:
    """Constraints recorded together: COO triples per matrix, local rows from 0."""

    __slots__ = ("count", "mats", "label")

    def __init__(self, count: int, mats: list[tuple[np.ndarray, np.ndarray, FrVec]], label: str):
        self.count, self.mats, self.label = count, mats, label


def _coefficients(coefs: Any, size: int) -> FrVec:
    if isinstance(coefs, FrVec):
        if len(coefs) != size:
            raise CircuitError(f"{len(coefs)} coefficients for {size} terms")
        return coefs
    arr = np.asarray(coefs)
    if arr.shape == ():
        arr = np.full(size, arr)
    if arr.dtype.kind not in "iu":
        raise ArgumentTypeError(f"coefficients must be integers or an FrVec, got dtype {arr.dtype}")
    if arr.shape != (size,):
        raise CircuitError(f"{arr.shape[0]} coefficients for {size} terms")
    return FrVec.from_int64(arr.astype(np.int64))


class ConstraintSystem:
    """Builder of an R1CS; see the module docstring."""

    def __init__(self, name: str = "circuit") -> None:
        self.name = name
        self._kinds = np.zeros(1024, dtype=np.int8)  # by variable index; 0 is ONE
        self._n_variables = 1
        self._names: dict[int, str] = {0: "one"}
        self._blocks: list[_Block] = []
        self._pending: list[tuple[dict[int, int], dict[int, int], dict[int, int], str]] = []
        self._hints: list[Hint] = []
        self._namespace: list[str] = []
        self.ONE = Variable(self, 0)

    # -- variables -----------------------------------------------------------------
    def _allocate(self, n: int, kind: int) -> np.ndarray:
        start = self._n_variables
        need = start + n
        if need > self._kinds.size:
            grown = np.zeros(max(need, 2 * self._kinds.size), dtype=np.int8)
            grown[: self._n_variables] = self._kinds[: self._n_variables]
            self._kinds = grown
        self._kinds[start:need] = kind
        self._n_variables = need
        return np.arange(start, need, dtype=np.int64)

    def _one(self, kind: int, name: str | None) -> Variable:
        index = int(self._allocate(1, kind)[0])
        if name is not None:
            self._names[index] = self._qualified(name)
        return Variable(self, index)

    def output(self, name: str | None = None) -> Variable:
        """A public output (first among the public signals, as in circom)."""
        return self._one(OUTPUT, name)

    def public_input(self, name: str | None = None) -> Variable:
        return self._one(PUBLIC_INPUT, name)

    def private_input(self, name: str | None = None) -> Variable:
        return self._one(PRIVATE_INPUT, name)

    def intermediate(self, name: str | None = None) -> Variable:
        return self._one(INTERNAL, name)

    def new_variables(self, n: int, kind: str = "internal", name: str | None = None) -> np.ndarray:
        """Allocate n variables at once; returns their indices (int64 array)."""
        if kind not in _KIND_NAMES:
            raise InvalidArgumentError(f"kind must be one of {sorted(_KIND_NAMES)}, got {kind!r}")
        ids = self._allocate(int(n), _KIND_NAMES[kind])
        if name is not None and n:
            self._names[int(ids[0])] = self._qualified(f"{name}[0..{n - 1}]")
        return ids

    def name_of(self, index: int) -> str | None:
        return self._names.get(index)

    @property
    def n_variables(self) -> int:
        """Variables allocated so far, the constant 1 included (the wires of the built
        ``R1CS``)."""
        return self._n_variables

    # -- labels ----------------------------------------------------------------------
    @contextlib.contextmanager
    def namespace(self, name: str) -> Iterator[None]:
        """Prefix the labels of constraints (and names of variables) made inside."""
        self._namespace.append(name)
        try:
            yield
        finally:
            self._namespace.pop()

    def _qualified(self, label: str | None) -> str:
        parts = [*self._namespace, label] if label else list(self._namespace)
        return "/".join(parts) if parts else "constraint"

    # -- constraints -----------------------------------------------------------------
    def _terms(self, value: LCLike) -> dict[int, int]:
        lc = LinearCombination.of(value, self)
        if lc.cs is not None and lc.cs is not self:
            raise CircuitError("a linear combination of another constraint system was used: "
                               "variables belong to the system that allocated them")
        for index in lc.terms:
            if not 0 <= index < self._n_variables:
                raise CircuitError(f"variable {index} does not belong to this system (it has "
                                   f"{self._n_variables} variables)")
        return lc.terms

    def constrain(self, a: LCLike, b: LCLike, c: LCLike, label: str | None = None) -> None:
        """Add the constraint a * b = c."""
        self._pending.append((self._terms(a), self._terms(b), self._terms(c),
                              self._qualified(label)))

    def assert_equal(self, x: LCLike, y: LCLike, label: str | None = None) -> None:
        """x = y, as (x - y) * 1 = 0."""
        diff = LinearCombination.of(x, self) - y
        self.constrain(diff, 1, 0, label or "assert_equal")

    def mul(self, a: LCLike, b: LCLike, label: str | None = None) -> Variable:
        """A new variable t with the constraint a * b = t (its value comes from a hint)."""
        t = self.intermediate()
        la, lb = LinearCombination.of(a, self), LinearCombination.of(b, self)
        self.hint(lambda x, y: x * y % FR_MODULUS, [la, lb], outputs=[t], label=label or "mul")
        self.constrain(la, lb, t, label or "mul")
        return t

    def hint(self, fn: Callable[..., Any], inputs: Sequence[LCLike],
             outputs: Sequence[Variable] | None = None, label: str | None = None) -> Any:
        """Record a hint computing ``outputs`` (new intermediates if not given) from the
        values of ``inputs``. A hint adds no constraint: the circuit must constrain its
        outputs, or a malicious prover may choose them freely."""
        outs = list(outputs) if outputs is not None else [self.intermediate()]
        lcs = tuple(LinearCombination.of(x, self) for x in inputs)
        self._hints.append(Hint(fn, lcs, tuple(v.index for v in outs), False,
                                self._qualified(label or "hint")))
        return outs[0] if outputs is None else outs

    def bulk_hint(self, fn: Callable[..., Any], inputs: Sequence[np.ndarray],
                  outputs: Sequence[np.ndarray], label: str | None = None) -> None:
        """Record a vectorised hint: ``fn(*FrVec) -> FrVec | tuple`` maps the values of
        the input index arrays to the values of the output index arrays."""
        ins = tuple(np.asarray(x, dtype=np.int64) for x in inputs)
        outs = tuple(np.asarray(x, dtype=np.int64) for x in outputs)
        for arr in (*ins, *outs):
            self._check_indices(arr)
        self._hints.append(Hint(fn, ins, outs, True, self._qualified(label or "hint")))

    def _check_indices(self, arr: np.ndarray) -> None:
        if arr.size and (arr.min() < 0 or arr.max() >= self._n_variables):
            raise CircuitError(f"variable index out of range for this constraint system: "
                               f"indices run from 0 to {self._n_variables - 1}, got "
                               f"{int(arr.min())} to {int(arr.max())}")

    def add_constraints(self, count: int, a: tuple, b: tuple, c: tuple,
                        label: str | None = None) -> None:
        """Add ``count`` constraints at once. Each of a, b, c is ``(rows, variables,
        coefficients)``: numpy arrays of equal length giving the non-zero terms, rows in
        [0, count), coefficients as integers (signed, embedded mod r) or an FrVec.
        Use ``(np.array([]), np.array([]), np.array([]))`` for an empty matrix part."""
        self._flush()
        mats = []
        for name, part in (("a", a), ("b", b), ("c", c)):
            rows, cols, coefs = part
            rows = np.ascontiguousarray(rows, dtype=np.int64).reshape(-1)
            cols = np.ascontiguousarray(cols, dtype=np.int64).reshape(-1)
            if rows.shape != cols.shape:
                raise CircuitError(f"{name}: rows and variables differ in length")
            if rows.size and (rows.min() < 0 or rows.max() >= count):
                raise CircuitError(f"{name}: row index outside [0, {count})")
            self._check_indices(cols)
            mats.append((rows, cols, _coefficients(coefs, rows.size)))
        self._blocks.append(_Block(int(count), mats, self._qualified(label or "block")))

    def _flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        mats = []
        for which in range(3):
            rows, cols, vals = [], [], []
            for r, constraint in enumerate(pending):
                for k, v in constraint[which].items():
                    rows.append(r)
                    cols.append(k)
                    vals.append(v)
            mats.append((np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64),
                         FrVec.from_ints(vals)))
        # one block per Python constraint keeps each label; consecutive ones share arrays
        block = _Block(len(pending), mats, "")
        block.label = [p[3] for p in pending]  # type: ignore[assignment]
        self._blocks.append(block)

    @property
    def n_constraints(self) -> int:
        """Constraints recorded so far."""
        return sum(b.count for b in self._blocks) + len(self._pending)

    # -- build -----------------------------------------------------------------------
    def build(self) -> R1CS:
        """Freeze into an ``R1CS``: wires renumbered into circom's order, matrices in
        CSR form sorted by row."""
        self._flush()
        n = self._n_variables
        kinds = self._kinds[:n]
        order = np.argsort(kinds, kind="stable")  # ONE, outputs, public, private, internal
        wire_of = np.empty(n, dtype=np.int64)
        wire_of[order] = np.arange(n, dtype=np.int64)
        counts = np.bincount(kinds, minlength=5)
        starts, labels = [], []
        m = 0
        parts: list[list[tuple[np.ndarray, np.ndarray, FrVec]]] = [[], [], []]
        for block in self._blocks:
            if isinstance(block.label, list):
                for i, text in enumerate(block.label):
                    starts.append(m + i)
                    labels.append(text)
            else:
                starts.append(m)
                labels.append(block.label + "[]")
            for which, (rows, cols, coefs) in enumerate(block.mats):
                parts[which].append((rows + m, wire_of[cols], coefs))
            m += block.count
        matrices = [SparseMatrix.from_coo(p, m, n) for p in parts]
        names = {int(wire_of[k]): v for k, v in self._names.items()}
        hints = [self._rewire_hint(h, wire_of) for h in self._hints]
        return R1CS(
            n_wires=n, n_pub_out=int(counts[OUTPUT]), n_pub_in=int(counts[PUBLIC_INPUT]),
            n_prv_in=int(counts[PRIVATE_INPUT]), a=matrices[0], b=matrices[1], c=matrices[2],
            label_starts=starts, labels=labels, wire_names=names, hints=hints,
            wire_of=wire_of, name=self.name,
        )

    @staticmethod
    def _rewire_hint(h: Hint, wire_of: np.ndarray) -> Hint:
        if h.bulk:
            return Hint(h.fn, tuple(wire_of[x] for x in h.inputs),
                        tuple(wire_of[x] for x in h.outputs), True, h.label)
        inputs = tuple({int(wire_of[k]): v for k, v in lc.terms.items()} for lc in h.inputs)
        return Hint(h.fn, inputs, tuple(int(wire_of[o]) for o in h.outputs), False, h.label)
