# SPDX-License-Identifier: MIT
"""pytest-benchmark cases for the BN254 scalar field Fr (issue item 6).

Each group compares zkcx (the native core, with one and with two threads) against
plain Python integers and galois ``GF(r)`` arrays on the same data, and every case
checks its result, so under the project's default options (``--benchmark-disable``,
``-m 'not slow'``) the file runs quickly as plain tests. To benchmark::

    pytest benchmarks --benchmark-enable -m ''          # everything, 2^20 included
    pytest benchmarks --benchmark-enable                # without the slow cases

After the tables, a section lists the best round of each case in ns per element.
Scalar cases measure one call: the zkcx object API (``s * u``; its cost is mostly the
Python wrapper), a direct cffi call of the same C function with a preallocated output,
and an empty cffi call, so the wrapper and cffi overheads can be read off against the
C cost per element in the vector groups. The Python-integer scalar cases include one
Python-level function call. benchmarks/field_report.py measures the same things for
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import pytest
from field_report import (
    FieldData,
    R,
    label_benchmark,
    py_batch_inverse,
    py_inverse_each,
    py_mul,
    zkcx_threads,
)

from zkcx import Fr, FrVec
from zkcx._lib import ffi, lib

SLOW = pytest.mark.slow
THREADS = [pytest.param(1, id="1-thread"), pytest.param(2, id="2-threads")]
MUL_SIZES = [pytest.param(2**16, id="2^16"), pytest.param(2**20, id="2^20", marks=SLOW)]
#: Batch inversion: 2^12 compares every method (inverting one by one in Python or in
#: galois costs tens of microseconds per element), 2^16 and 2^20 the fast ones.
INV_SIZES = [
    pytest.param(2**12, id="2^12"),
    pytest.param(2**16, id="2^16"),
    pytest.param(2**20, id="2^20", marks=SLOW),
]
SMALL_INV = 2**12


def _mulmod(x: int, y: int) -> int:
    return x * y % R


def _sqrmod(x: int) -> int:
    return x * x % R


def _as_ints(values: Any) -> list[int]:
    """A galois array as Python ints (through the plain object array: iterating a
    galois array element by element is slow)."""
    return values.view(np.ndarray).tolist()


# -- scalars -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scalars(field_data: FieldData, gf: Any) -> dict[str, Any]:
    """The scalar operands x = a[0], y = b[0] as ints, Fr and galois elements."""
    x, y = field_data.scalars()
    return {"x": x, "y": y, "s": Fr(x), "u": Fr(y), "gx": gf(x), "gy": gf(y)}


SCALAR_IMPLS = ["zkcx-Fr", "zkcx-cffi-direct", "cffi-empty-call", "python-int", "galois"]


@pytest.mark.parametrize("impl", SCALAR_IMPLS)
def test_scalar_multiply(benchmark: Any, scalars: dict[str, Any], impl: str) -> None:
    """One Fr multiplication per call."""
    benchmark.group = "Fr scalar multiply (one call)"
    benchmark.extra_info["n"] = 1
    x, y = scalars["x"], scalars["y"]
    expected = x * y % R
    if impl == "zkcx-Fr":
        assert int(benchmark(operator.mul, scalars["s"], scalars["u"])) == expected
    elif impl == "zkcx-cffi-direct":
        out = ffi.new("uint64_t[4]")
        benchmark(lib.zkcx_fr_mul, out, scalars["s"]._c, scalars["u"]._c)
        assert int(Fr._from_cdata(out)) == expected
    elif impl == "cffi-empty-call":  # batch inversion of n = 0 returns at once
        assert benchmark(lib.zkcx_fr_vec_batch_inv, ffi.NULL, ffi.NULL, 0) == 0
    elif impl == "python-int":
        assert benchmark(_mulmod, x, y) == expected
    else:
        assert int(benchmark(operator.mul, scalars["gx"], scalars["gy"])) == expected


@pytest.mark.parametrize("impl", ["zkcx-Fr", "zkcx-cffi-direct", "python-int", "galois"])
def test_scalar_square(benchmark: Any, scalars: dict[str, Any], impl: str) -> None:
    """One Fr squaring per call."""
    benchmark.group = "Fr scalar square (one call)"
    benchmark.extra_info["n"] = 1
    x = scalars["x"]
    expected = x * x % R
    if impl == "zkcx-Fr":
        assert int(benchmark(scalars["s"].square)) == expected
    elif impl == "zkcx-cffi-direct":
        out = ffi.new("uint64_t[4]")
        benchmark(lib.zkcx_fr_sqr, out, scalars["s"]._c)
        assert int(Fr._from_cdata(out)) == expected
    elif impl == "python-int":
        assert benchmark(_sqrmod, x) == expected
    else:
        assert int(benchmark(operator.pow, scalars["gx"], 2)) == expected


@pytest.mark.parametrize("impl", ["zkcx-Fr", "zkcx-cffi-direct", "python-int", "galois"])
def test_scalar_inverse(benchmark: Any, scalars: dict[str, Any], impl: str) -> None:
    """One Fr inversion per call."""
    benchmark.group = "Fr scalar inverse (one call)"
    benchmark.extra_info["n"] = 1
    x = scalars["x"]
    expected = pow(x, -1, R)
    if impl == "zkcx-Fr":
        assert int(benchmark(scalars["s"].inverse)) == expected
    elif impl == "zkcx-cffi-direct":
        out = ffi.new("uint64_t[4]")
        assert benchmark(lib.zkcx_fr_inv, out, scalars["s"]._c) == 0
        assert int(Fr._from_cdata(out)) == expected
    elif impl == "python-int":
        assert benchmark(pow, x, -1, R) == expected
    else:
        assert int(benchmark(np.reciprocal, scalars["gx"])) == expected


# -- vector multiply -----------------------------------------------------------------------
@pytest.mark.parametrize("n", MUL_SIZES)
@pytest.mark.parametrize("threads", THREADS)
def test_vector_multiply_zkcx(benchmark: Any, field_data: FieldData, threads: int, n: int) -> None:
    """``a * b`` on FrVec (C loop; allocates the result)."""
    label_benchmark(benchmark, "Fr vector multiply", n)
    a, b = field_data.vectors(n)
    with zkcx_threads(threads):
        result = benchmark(operator.mul, a, b)
    xs, ys = field_data.ints(n)
    assert result.to_ints() == py_mul(xs, ys)


@pytest.mark.parametrize("n", MUL_SIZES)
@pytest.mark.parametrize("threads", THREADS)
def test_vector_multiply_zkcx_in_place(
    benchmark: Any, field_data: FieldData, threads: int, n: int
) -> None:
    """``c *= b`` on FrVec (C loop into c's own buffer: no allocation)."""
    label_benchmark(benchmark, "Fr vector multiply", n)
    a, b = field_data.vectors(n)
    once = a.copy()
    once *= b
    assert once.equals(a * b)
    work = a.copy()
    with zkcx_threads(threads):
        benchmark(operator.imul, work, b)


@pytest.mark.parametrize("n", MUL_SIZES)
def test_vector_multiply_python(benchmark: Any, field_data: FieldData, n: int) -> None:
    """``[x * y % r for x, y in zip(xs, ys)]``."""
    label_benchmark(benchmark, "Fr vector multiply", n)
    a, b = field_data.vectors(n)
    xs, ys = field_data.ints(n)
    assert benchmark(py_mul, xs, ys) == (a * b).to_ints()


@pytest.mark.parametrize("n", MUL_SIZES)
def test_vector_multiply_galois(benchmark: Any, field_data: FieldData, n: int) -> None:
    """``ga * gb`` on galois ``GF(r)`` arrays."""
    label_benchmark(benchmark, "Fr vector multiply", n)
    a, b = field_data.vectors(n)
    ga, gb = field_data.galois(n)
    assert _as_ints(benchmark(operator.mul, ga, gb)) == (a * b).to_ints()


# -- inversion -----------------------------------------------------------------------------
@pytest.mark.parametrize("n", INV_SIZES)
@pytest.mark.parametrize("threads", THREADS)
def test_batch_inverse_zkcx(benchmark: Any, field_data: FieldData, threads: int, n: int) -> None:
    """``a.inverse()`` on FrVec (Montgomery's trick in C, one part per thread)."""
    label_benchmark(benchmark, "Fr batch inversion", n)
    a, _ = field_data.vectors(n)
    with zkcx_threads(threads):
        result = benchmark(a.inverse)
    assert (a * result).equals(FrVec.ones(n))


def _python_inverse(benchmark: Any, field_data: FieldData, inverse, n: int) -> None:
    """``inverse(xs)`` on n Python integers, checked against FrVec.inverse."""
    label_benchmark(benchmark, "Fr batch inversion", n)
    a, _ = field_data.vectors(n)
    xs, _ = field_data.ints(n)
    assert benchmark(inverse, xs) == a.inverse().to_ints()


@pytest.mark.parametrize("n", [p for p in INV_SIZES if p.values[0] <= 2**16])
def test_batch_inverse_python_trick(benchmark: Any, field_data: FieldData, n: int) -> None:
    """Montgomery's trick with Python integers (one ``pow(., -1, r)`` in all)."""
    _python_inverse(benchmark, field_data, py_batch_inverse, n)


def test_inverse_python_each(benchmark: Any, field_data: FieldData) -> None:
    """``[pow(x, -1, r) for x in xs]``: inverting one by one with Python integers."""
    _python_inverse(benchmark, field_data, py_inverse_each, SMALL_INV)


def test_inverse_galois(benchmark: Any, field_data: FieldData) -> None:
    """``np.reciprocal(ga)`` on a galois ``GF(r)`` array."""
    n = SMALL_INV
    label_benchmark(benchmark, "Fr batch inversion", n)
    a, _ = field_data.vectors(n)
    ga, _ = field_data.galois(n)
    assert _as_ints(benchmark(np.reciprocal, ga)) == a.inverse().to_ints()
