# SPDX-License-Identifier: MIT
"""Vectors of affine combinations of variables, built in bulk.

An ``AffineVec`` of shape S holds, for each element e (flat index in S), the
combination

    y_e = Σ_k c_k · x_{v_k}   over the terms k with rows[k] = e,

with the constant term carried on variable 0 (the wire fixed to 1). The terms are three
parallel numpy arrays — ``rows`` (int64), ``variables`` (int64), ``coefficients``
(int64, signed integers embedded mod r) — so a million combinations cost three arrays,
not a million Python objects. Duplicate (row, variable) terms are allowed and merged
when constraints are emitted (``coo``). Adding, subtracting, scaling by integer
constants, summing along an axis, reshaping, transposing, indexing and broadcasting
cost no constraint; ``materialize`` turns an AffineVec into new variables (one linear
constraint each) and ``evaluator`` computes its values from a witness (a sparse
matrix-vector product in C).

Coefficients are bounded by 2^62 in absolute value (a ``CoefficientOverflowError``, an
OverflowError, says so rather than wrapping); kernels' coefficients are small fixed-point
integers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from zkcx.errors import ArgumentTypeError, CircuitError, CoefficientOverflowError
from zkcx.field import FrVec
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem, SparseMatrix, Variable

_LIMIT = 1 << 62

VarArray = np.ndarray | Variable


def _peak(values: np.ndarray) -> int:
    """max |x| as a Python int (np.abs would wrap -2^63 around)."""
    return max(abs(int(values.max())), abs(int(values.min()))) if values.size else 0


def _check_coefficients(coefs: np.ndarray, what: str) -> None:
    if _peak(coefs) >= _LIMIT:
        raise CoefficientOverflowError(f"{what}: a coefficient reaches 2^62; AffineVec "
                                       "coefficients must stay below 2^62 in absolute value")


def variable_indices(x: VarArray) -> np.ndarray:
    """Variable indices (int64 array, any shape) of a Variable or an index array."""
    if isinstance(x, Variable):
        return np.asarray(x.index, dtype=np.int64)
    arr = np.asarray(x)
    if arr.dtype.kind not in "iu":
        raise ArgumentTypeError(f"variables are given as an integer index array or a Variable, "
                                f"got {type(x).__name__} of dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


class AffineVec:
    """A numpy-shaped vector of affine combinations of variables; see the module docstring.

    Build one with ``AffineVec.of(variables)`` (coefficient 1 each) or
    ``AffineVec.constant(values, shape)``, then combine: ``a + b``, ``a - 3``, ``-a``,
    ``a * 5``, ``a * int_array`` (elementwise constant scaling), ``a.sum(axis)``,
    ``a.reshape(shape)``, ``a.transpose(axes)``, ``a[index]``, ``a.broadcast_to(shape)``.
    Operands broadcast as numpy arrays do."""

    __slots__ = ("coefficients", "rows", "shape", "variables")

    def __init__(self, shape: tuple[int, ...], rows: np.ndarray, variables: np.ndarray,
                 coefficients: np.ndarray) -> None:
        self.shape = tuple(int(s) for s in shape)
        self.rows = np.asarray(rows, dtype=np.int64)
        self.variables = np.asarray(variables, dtype=np.int64)
        self.coefficients = np.asarray(coefficients, dtype=np.int64)
        if not self.rows.shape == self.variables.shape == self.coefficients.shape:
            raise CircuitError("rows, variables and coefficients must have the same length")

    # -- construction -------------------------------------------------------------------
    @classmethod
    def of(cls, x: AffineLike) -> AffineVec:
        """Coerce: an AffineVec as is; a Variable, an integer index array or a numpy
        integer scalar (as ``indices[i]`` gives) as variables with coefficient 1; a
        Python int as a constant (shape ()). Constants are Python ints: write
        ``int(v)`` for a numpy value meant as a constant."""
        if isinstance(x, AffineVec):
            return x
        if isinstance(x, int) and not isinstance(x, bool):
            return cls.constant(x)
        idx = variable_indices(x)
        n = idx.size
        return cls(idx.shape, np.arange(n, dtype=np.int64), idx.reshape(-1),
                   np.ones(n, dtype=np.int64))

    @classmethod
    def constant(cls, values: Any, shape: tuple[int, ...] | None = None) -> AffineVec:
        """Constant combinations (terms on variable 0) from integers, broadcast to shape."""
        vals = np.asarray(values, dtype=np.int64)
        if shape is not None:
            vals = np.broadcast_to(vals, shape)
        flat = vals.reshape(-1)
        _check_coefficients(flat, "constant")
        rows = np.flatnonzero(flat)
        return cls(vals.shape, rows, np.zeros(rows.size, dtype=np.int64), flat[rows])

    # -- shape ----------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def n_terms(self) -> int:
        return int(self.rows.size)

    def __len__(self) -> int:
        if not self.shape:
            raise ArgumentTypeError("len() of a 0-d AffineVec: it has shape (), no length")
        return self.shape[0]

    def _positions(self) -> np.ndarray:
        return np.arange(self.size, dtype=np.int64).reshape(self.shape)

    def take(self, source: np.ndarray) -> AffineVec:
        """A new AffineVec of shape source.shape whose element e is this one's element
        source[e] (flat indices): the primitive behind indexing, reshape and broadcast."""
        source = np.asarray(source, dtype=np.int64)
        flat = source.reshape(-1)
        order = np.argsort(self.rows, kind="stable")
        counts = np.bincount(self.rows, minlength=self.size)
        starts = np.zeros(self.size + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        per_out = counts[flat]
        total = int(per_out.sum())
        new_rows = np.repeat(np.arange(flat.size, dtype=np.int64), per_out)
        offsets = np.zeros(flat.size + 1, dtype=np.int64)
        np.cumsum(per_out, out=offsets[1:])
        within = np.arange(total, dtype=np.int64) - np.repeat(offsets[:-1], per_out)
        pick = order[np.repeat(starts[flat], per_out) + within]
        return AffineVec(source.shape, new_rows, self.variables[pick], self.coefficients[pick])

    def reshape(self, *shape: Any) -> AffineVec:
        return self.take(self._positions().reshape(*shape))

    def transpose(self, *axes: Any) -> AffineVec:
        return self.take(self._positions().transpose(*axes))

    @property
    def T(self) -> AffineVec:  # noqa: N802 - numpy's name
        return self.transpose()

    def __getitem__(self, key: Any) -> AffineVec:
        return self.take(self._positions()[key])

    def broadcast_to(self, shape: tuple[int, ...]) -> AffineVec:
        shape = tuple(shape)
        if shape == self.shape:
            return self
        return self.take(np.broadcast_to(self._positions(), shape))

    def sum(self, axis: int | tuple[int, ...] | None = None) -> AffineVec:
        """Σ along the given axes (all if None): relabels rows, costs no constraint."""
        if axis is None:
            axes = tuple(range(self.ndim))
        else:
            axes = tuple(a % self.ndim for a in ((axis,) if isinstance(axis, int) else axis))
        keep = [d for d in range(self.ndim) if d not in axes]
        new_shape = tuple(self.shape[d] for d in keep)
        coords = np.unravel_index(self.rows, self.shape) if self.ndim else ()
        if keep:
            new_rows = np.ravel_multi_index(tuple(coords[d] for d in keep), new_shape)
        else:
            new_rows = np.zeros(self.rows.size, dtype=np.int64)
        return AffineVec(new_shape, new_rows, self.variables, self.coefficients)

    # -- arithmetic ---------------------------------------------------------------------
    def _with(self, other: AffineLike) -> tuple[AffineVec, AffineVec]:
        o = AffineVec.of(other)
        shape = np.broadcast_shapes(self.shape, o.shape)
        return self.broadcast_to(shape), o.broadcast_to(shape)

    def __add__(self, other: AffineLike) -> AffineVec:
        a, b = self._with(other)
        return AffineVec(a.shape, np.concatenate([a.rows, b.rows]),
                         np.concatenate([a.variables, b.variables]),
                         np.concatenate([a.coefficients, b.coefficients]))

    __radd__ = __add__

    def __neg__(self) -> AffineVec:
        return AffineVec(self.shape, self.rows, self.variables, -self.coefficients)

    def __sub__(self, other: AffineLike) -> AffineVec:
        return self + (-AffineVec.of(other))

    def __rsub__(self, other: AffineLike) -> AffineVec:
        return AffineVec.of(other) + (-self)

    def __mul__(self, factor: Any) -> AffineVec:
        """Scale by an integer constant, or elementwise by an integer array (broadcast).
        (Multiplying two AffineVecs costs constraints: use ``zkcx.gadgets.mul``.)"""
        if isinstance(factor, (AffineVec, Variable)):
            return NotImplemented
        f = np.asarray(factor)
        if f.dtype.kind not in "iu":
            raise ArgumentTypeError(f"an AffineVec is scaled by integer constants, got dtype "
                                    f"{f.dtype} (multiply two AffineVecs with zkcx.gadgets.mul)")
        f = f.astype(np.int64)
        if _peak(f) >= _LIMIT:
            raise CoefficientOverflowError("a scaling factor reaches 2^62; AffineVec coefficients "
                                           "must stay below 2^62 in absolute value")
        src = self.broadcast_to(np.broadcast_shapes(self.shape, f.shape))
        per_row = np.broadcast_to(f, src.shape).reshape(-1)[src.rows]
        if src.coefficients.size:
            peak = _peak(src.coefficients) * _peak(per_row)
            if peak >= _LIMIT:
                raise CoefficientOverflowError("scaling would make a coefficient reach 2^62")
        return AffineVec(src.shape, src.rows, src.variables, src.coefficients * per_row)

    __rmul__ = __mul__

    # -- emission -----------------------------------------------------------------------
    def coo(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, variables, coefficients) with duplicate terms merged and zeros dropped,
        ready for ``ConstraintSystem.add_constraints``."""
        if not self.rows.size:
            return self.rows, self.variables, self.coefficients
        order = np.lexsort((self.variables, self.rows))
        rows, cols, coefs = self.rows[order], self.variables[order], self.coefficients[order]
        start = np.ones(rows.size, dtype=bool)
        start[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        if not start.all():
            seg = np.flatnonzero(start)
            counts = np.diff(np.append(seg, rows.size))
            if _peak(coefs) * int(counts.max()) >= 1 << 63:
                raise CoefficientOverflowError("merging terms would overflow a 64-bit "
                                               "coefficient; rescale before summing")
            coefs = np.add.reduceat(coefs, seg)
            rows, cols = rows[seg], cols[seg]
        keep = coefs != 0
        return rows[keep], cols[keep], coefs[keep]

    def evaluator(self) -> tuple[np.ndarray, Callable[[FrVec], FrVec]]:
        """(inputs, fn): the variables this vector reads and a function mapping their
        values (an FrVec in the order of ``inputs``) to the flat values of the vector."""
        rows, cols, coefs = self.coo()
        inputs, local = np.unique(cols, return_inverse=True)
        matrix = SparseMatrix.from_coo([(rows, local.astype(np.int64), FrVec.from_int64(coefs))],
                                       self.size, int(inputs.size))

        def evaluate(values: FrVec) -> FrVec:
            return matrix.matvec(values)

        return inputs, evaluate

    def __repr__(self) -> str:
        return f"AffineVec(shape={self.shape}, terms={self.n_terms})"


AffineLike = AffineVec | np.ndarray | Variable | int


def field_coefficients(coefs: np.ndarray) -> FrVec:
    """int64 coefficients as an Fr vector (all-equal ones, the common case, by a fill)."""
    if coefs.size and (coefs == coefs[0]).all():
        return FrVec.full(coefs.size, int(coefs[0]) % FR_MODULUS)
    return FrVec.from_int64(coefs)


def as_affine(x: AffineLike) -> AffineVec:
    """``AffineVec.of``: variables (index array or Variable), constants or an AffineVec."""
    return AffineVec.of(x)


def materialize(cs: ConstraintSystem, x: AffineLike, label: str | None = None) -> np.ndarray:
    """New variables v (shape of x) with one linear constraint each, v = x, i.e.
    x · 1 = v; their values come from a hint evaluating x."""
    aff = AffineVec.of(x)
    with cs.namespace(label or "materialize"):
        out = cs.new_variables(aff.size).reshape(aff.shape)
        inputs, evaluate = aff.evaluator()
        cs.bulk_hint(evaluate, [inputs], [out.reshape(-1)], label="value")
        constrain(cs, aff, 1, out, label="equal")
    return out


Side = AffineLike | None | tuple


def constrain(cs: ConstraintSystem, a: Side, b: Side, c: Side, label: str | None = None,
              count: int | None = None) -> None:
    """Add the constraints a_e · b_e = c_e for every element e, in one bulk call.

    Each side is an AffineVec, variables, an integer constant, ``None`` (zero) or a raw
    ``(rows, variables, coefficients)`` triple (coefficients may be an FrVec); the
    non-raw sides broadcast to a common shape, whose size is the number of constraints
    (give ``count`` when every side is raw)."""
    sides = [None if s is None or isinstance(s, tuple) else AffineVec.of(s) for s in (a, b, c)]
    shapes = [s.shape for s in sides if s is not None]
    if shapes:
        shape = np.broadcast_shapes(*shapes)
        n = int(np.prod(shape, dtype=np.int64))
        if count is not None and count != n:
            raise CircuitError(f"{count} constraints asked for, the sides have {n} elements; "
                               "give count=None or sides of that many elements")
        count = n
    elif count is None:
        raise CircuitError("give count (the number of constraints) when no side is an "
                           "AffineVec")
    parts = []
    for raw, side in zip((a, b, c), sides):
        if side is not None:
            rows, cols, coefs = side.broadcast_to(shape).coo()
            parts.append((rows, cols, field_coefficients(coefs)))
        elif raw is None:
            empty = np.zeros(0, dtype=np.int64)
            parts.append((empty, empty, empty))
        else:
            parts.append(raw)
    cs.add_constraints(count, parts[0], parts[1], parts[2], label=label or "constrain")
