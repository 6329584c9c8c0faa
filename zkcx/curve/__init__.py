# SPDX-License-Identifier: MIT
"""BN254 groups and pairing: ``G1``, ``G2``, ``GT``, point vectors ``G1Vec``/``G2Vec``,
``msm`` (sum_i [s_i] P_i; ``MsmTables`` for fixed bases), ``mul_each`` ([s_i] P_i),
``fixed_base_mul`` ([s_i] P), ``mul_all`` ([s] P_i), the group NTTs ``fft`` and
``ifft``, ``sparse_sums`` (a sparse matrix times points), ``pairing``,
``multi_pairing``, ``pairing_check`` (with ``G2Prepared`` for a fixed Q), and the
point encodings in ``zkcx.curve.encoding``."""

from zkcx.curve import encoding
from zkcx.curve._point import G1, G2, GT, CurvePoint
from zkcx.curve._vector import G1Vec, G2Vec, PointVector
from zkcx.curve.fft import fft, ifft, mul_all
from zkcx.curve.msm import MsmTables, fixed_base_mul, msm, mul_each
from zkcx.curve.pairing import G2Prepared, multi_pairing, pairing, pairing_check
from zkcx.curve.sparse import sparse_sums, sparse_sums_by_output

__all__ = [
    "G1",
    "G1Vec",
    "G2",
    "G2Prepared",
    "G2Vec",
    "GT",
    "CurvePoint",
    "MsmTables",
    "PointVector",
    "encoding",
    "fft",
    "fixed_base_mul",
    "ifft",
    "msm",
    "mul_all",
    "mul_each",
    "multi_pairing",
    "pairing",
    "pairing_check",
    "sparse_sums",
    "sparse_sums_by_output",
]
