# SPDX-License-Identifier: MIT
"""pytest-benchmark case for prove_many (issue 17): a batch of 8 distinct witnesses of
the matmul_16x16x16 kernel, proved with ``groth16.prove_many``, and the same batch one by
one with ``groth16.prove`` for comparison. Each round's proofs are checked with
``verify`` one by one, independently of prove_many's own batch verification. Under the
project's default options each case runs once as a plain test;
benchmarks/prove_many_report.py measures the proofs per second for RESULTS.md."""

from __future__ import annotations

import pytest
from prove_many_report import workload

from zkcx.groth16 import prove, prove_many, verify

BATCH = 8


@pytest.fixture(scope="module")
def matmul_batch():
    _, _, pk, witnesses = workload(BATCH)
    return pk, witnesses


def _check(pk, witnesses, results) -> None:
    assert len(results) == len(witnesses)
    for w, (proof, public) in zip(witnesses, results, strict=True):
        assert public == w.values[1 : pk.n_public + 1].to_ints()
        assert verify(pk.verifying_key, public, proof)


def test_prove_many_matmul_16x16x16_batch_of_8(benchmark, matmul_batch):
    pk, witnesses = matmul_batch
    _check(pk, witnesses, benchmark(prove_many, pk, witnesses))


def test_prove_one_by_one_matmul_16x16x16_batch_of_8(benchmark, matmul_batch):
    pk, witnesses = matmul_batch
    _check(pk, witnesses, benchmark(lambda: [prove(pk, w) for w in witnesses]))
