# SPDX-License-Identifier: MIT
"""Sparse Fr matrices in CSR form: row pointers, column (wire) indices and Montgomery
coefficients in numpy arrays; the product with a witness runs in C."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zkcx._bindings import fr_sparse_matvec, int64_ptr, ptr
from zkcx.errors import CircuitError, LengthMismatchError
from zkcx.field import FrVec


@dataclass(frozen=True)
class SparseMatrix:
    """An m x n matrix over Fr: row r holds coef[k] at column col[k] for k in
    [row_ptr[r], row_ptr[r+1]). Matrices read from files keep the file's term order."""

    row_ptr: np.ndarray  # int64, m + 1
    col: np.ndarray  # int64, nnz
    coef: FrVec  # nnz
    n_cols: int

    @property
    def n_rows(self) -> int:
        return self.row_ptr.size - 1

    @property
    def nnz(self) -> int:
        return self.col.size

    @classmethod
    def from_coo(cls, parts: Sequence[tuple[np.ndarray, np.ndarray, FrVec]], m: int,
                 n_cols: int) -> SparseMatrix:
        """From (rows, cols, coefs) pieces, sorted by row and, within a row, by column
        (the order the .r1cs format asks for)."""
        if parts:
            rows = np.concatenate([p[0] for p in parts])
            cols = np.concatenate([p[1] for p in parts])
            coefs = FrVec.concatenate([p[2] for p in parts])
        else:
            rows = cols = np.zeros(0, dtype=np.int64)
            coefs = FrVec.zeros(0)
        if cols.size and (cols.min() < 0 or cols.max() >= n_cols):
            raise CircuitError(f"column index out of range: the matrix has columns 0 to "
                               f"{n_cols - 1}, the entries name {int(cols.min())} to "
                               f"{int(cols.max())}")
        if rows.size and (rows.min() < 0 or rows.max() >= m):
            raise CircuitError(f"row index out of range: the matrix has rows 0 to {m - 1}, "
                               f"the entries name {int(rows.min())} to {int(rows.max())}")
        order = np.lexsort((cols, rows))
        if not np.array_equal(order, np.arange(order.size)):
            rows, cols, coefs = rows[order], cols[order], coefs[order]
        row_ptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=m), out=row_ptr[1:])
        return cls(row_ptr, np.ascontiguousarray(cols, dtype=np.int64), coefs, n_cols)

    def rows_of_terms(self) -> np.ndarray:
        """The row index of every stored term (COO rows)."""
        return np.repeat(np.arange(self.n_rows, dtype=np.int64), np.diff(self.row_ptr))

    def matvec(self, w: FrVec) -> FrVec:
        """M·w, in C (parallel over rows)."""
        if len(w) != self.n_cols:
            raise LengthMismatchError(f"vector has {len(w)} entries, the matrix {self.n_cols} "
                                      "columns")
        out = np.empty((self.n_rows, 4), dtype=np.uint64)
        fr_sparse_matvec(ptr(out), int64_ptr(self.row_ptr), int64_ptr(self.col),
                         ptr(self.coef.limbs), self.n_rows, ptr(w.limbs))
        return FrVec._wrap(out)

    def row_terms(self, row: int) -> list[tuple[int, int]]:
        """(column, coefficient) pairs of one row, for messages and tests."""
        lo, hi = int(self.row_ptr[row]), int(self.row_ptr[row + 1])
        return list(zip(self.col[lo:hi].tolist(), self.coef[lo:hi].to_ints()))
