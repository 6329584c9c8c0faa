# SPDX-License-Identifier: MIT
"""pytest-benchmark cases for ``groth16.prove`` in process, the key already loaded (issue
17's in-process targets, on 2 threads):

* matmul 32x32x32 with circom's R1CS shape (``benchmarks/circom/matmul.circom`` without
  range checks, compiled ``--O2``: Y = X·W, 32,768 product constraints, the last product
  of each output substituted into it, 1,024 public outputs, 34,817 wires, a 2^16
  domain), built here with ``ConstraintSystem`` so that no node toolchain is needed;
  small signed witness values (X, W in [-256, 256), negative values as r - x);
* the chain of 2^16 rows of ``zkcx.cli._bench_cases`` (full-size witness values).

Each runs with and without the key's H tables (``build_tables``: a long-running
prover's steady state, which ``prove`` reaches by itself at the key's TABLES_AFTER-th
proof; the key without them is a copy that never gets them). Keys come from
``zkcx.groth16.setup`` (a few seconds at 2^16, once per session). Every
case checks its proof with ``verify`` afterwards, so under the project's default options
(``--benchmark-disable``) the file runs as plain tests. To benchmark::

    pytest benchmarks/test_bench_prove.py --benchmark-enable
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from field_report import zkcx_threads

from zkcx.cli._bench_cases import chain_case
from zkcx.groth16 import (
    ProvingKey,
    build_tables,
    get_table_memory,
    prove,
    read_zkey,
    set_table_memory,
    setup,
    verify,
    zkey_bytes,
)
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem, Witness

_cache: dict[str, tuple[ProvingKey, Witness]] = {}


def matmul_case(m: int = 32, k: int = 32, n: int = 32, seed: int = 5,
                bound: int = 256) -> tuple[Any, Witness]:
    """circom's ``--O2`` R1CS of Y = X·W (X m×k, W k×n private, Y public) and a witness
    with X, W drawn from [-bound, bound): per output, k - 1 product wires p = x·w and one
    constraint x·w = Y - (sum of the other products)."""
    cs = ConstraintSystem(f"matmul_{m}x{k}x{n}")
    y = cs.new_variables(m * n, "output", "Y").reshape(m, n)
    x = cs.new_variables(m * k, "private", "X").reshape(m, k)
    w = cs.new_variables(k * n, "private", "W").reshape(k, n)
    p = cs.new_variables(m * n * (k - 1), "internal", "p").reshape(m, n, k - 1)
    i, j, t = np.meshgrid(np.arange(m), np.arange(n), np.arange(k - 1), indexing="ij")
    rows = np.arange(m * n * (k - 1))
    cs.add_constraints(len(rows), a=(rows, x[i, t].ravel(), 1), b=(rows, w[t, j].ravel(), 1),
                       c=(rows, p.ravel(), 1))
    i2, j2 = (g.ravel() for g in np.meshgrid(np.arange(m), np.arange(n), indexing="ij"))
    last = np.arange(m * n)
    c_rows = np.concatenate([last, np.repeat(last, k - 1)])
    c_vars = np.concatenate([y.ravel(), p.reshape(m * n, k - 1).ravel()])
    c_coefs = np.concatenate([np.ones(m * n, np.int64), np.full(m * n * (k - 1), -1)])
    cs.add_constraints(m * n, a=(last, x[i2, k - 1], 1), b=(last, w[k - 1, j2], 1),
                       c=(c_rows, c_vars, c_coefs))
    r1cs = cs.build()
    rng = np.random.default_rng(seed)
    xv = rng.integers(-bound, bound, (m, k))
    wv = rng.integers(-bound, bound, (k, n))
    products = xv[:, None, :] * wv.T[None, :, :]  # (m, n, k): x[i, l] w[l, j]
    values = [(y.ravel(), (xv @ wv).ravel()), (x.ravel(), xv.ravel()),
              (w.ravel(), wv.ravel()), (p.ravel(), products[:, :, : k - 1].ravel())]
    assignment = [(int(var), int(val) % FR_MODULUS)
                  for variables, vals in values for var, val in zip(variables, vals)]
    return r1cs, r1cs.solve(assignment)


def _case(name: str, tables: bool = False) -> tuple[ProvingKey, Witness]:
    """The case's key and witness; with ``tables`` a copy of the key with its H tables
    built (the plain key never gets them: the benchmark turns them off while it runs)."""
    if tables:
        if name + "+tables" not in _cache:
            pk, witness = _case(name)
            copy = read_zkey(zkey_bytes(pk))
            assert build_tables(copy)
            _cache[name + "+tables"] = (copy, witness)
        return _cache[name + "+tables"]
    if name not in _cache:
        if name == "matmul":
            r1cs, witness = matmul_case()
        else:
            case = chain_case(16)
            r1cs, witness = case.r1cs, case.witness
        _cache[name] = (setup(r1cs), witness)
    return _cache[name]


@pytest.mark.parametrize("tables", [False, True], ids=["plain", "H tables"])
@pytest.mark.parametrize("name", ["matmul", "chain"])
def test_prove_in_process(benchmark: Any, name: str, tables: bool) -> None:
    """``prove(pk, witness)`` with the key loaded, on 2 threads (matmul 32^3: 32,768
    constraints, small values; chain: 2^16 rows, full-size values), with and without
    the key's H tables."""
    pk, witness = _case(name, tables)
    benchmark.group = "prove in process, 2 threads"
    before = get_table_memory()
    set_table_memory(before if tables else 0)
    try:
        with zkcx_threads(2):
            proof, public = benchmark(prove, pk, witness)
    finally:
        set_table_memory(before)
    assert verify(pk.verifying_key, public, proof)
    assert pk.domain_size == 2**16
    if name == "matmul":
        assert pk.n_public == 1024 and pk.n_wires == 34817
