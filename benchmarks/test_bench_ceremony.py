# SPDX-License-Identifier: MIT
"""pytest-benchmark cases for trusted-setup ceremonies (issue 16), the Python APIs under
``zkcx ptau`` and ``zkcx zkey``: ``prepare_ptau``, ``new_zkey``, ``contribute_zkey``,
``verify_zkey``, and the group transforms ``zkcx.curve.ifft`` and ``mul_all`` beneath
them. Small sizes in the default run (the repository's snarkjs-made vectors, power 10);
2^16 and 2^20 marked slow. benchmarks/ceremony_report.py compares the same steps with
snarkjs as whole processes.

Every case checks its result independently of the code it times:

- ``ifft`` and ``mul_all`` of points [s_i] G against ``fixed_base_mul`` of the scalars
  transformed in the field (``zkcx.poly.intt``, products of Fr vectors);
- ``prepare_ptau`` of the vector's phase-1 sections reproduces snarkjs's prepared file
  byte for byte; at 2^16 and 2^20 (a ptau built from known tau, alpha and beta), small
  Lagrange blocks equal [intt(tau^i)] G and the largest block sums to the base point
  (the Lagrange polynomials sum to 1);
- ``new_zkey`` equals snarkjs's ``groth16 setup`` output (the vector's circuit_0000.zkey);
  at 2^16 a proof made with the key verifies;
- ``contribute_zkey``'s key and snarkjs's final vector pass ``verify_zkey`` with the
  expected contributions (snarkjs made the vector; the slow cases check zkcx's own keys).

Under the project's default options (``--benchmark-disable``, ``-m 'not slow'``) each
case runs once as a plain test. To benchmark::

    pytest benchmarks/test_bench_ceremony.py --benchmark-enable          # small sizes
    pytest benchmarks/test_bench_ceremony.py --benchmark-enable -m ''    # 2^16, 2^20 too
"""

from __future__ import annotations

import dataclasses
import pathlib
from typing import Any

import pytest
from field_report import label_benchmark

from zkcx import groth16
from zkcx.ceremony import contribute_zkey, new_zkey, prepare_ptau, read_ptau, verify_zkey
from zkcx.ceremony.ptau import Ptau, ptau_bytes
from zkcx.cli._bench_cases import chain_case
from zkcx.curve import G1, G2, fixed_base_mul, ifft, msm, mul_all
from zkcx.field import Fr, FrVec
from zkcx.poly import intt
from zkcx.r1cs import read_r1cs

SLOW = pytest.mark.slow
VECTOR = pathlib.Path(__file__).resolve().parents[1] / "tests" / "vectors" / "poseidon2"
GROUPS = {"G1": G1, "G2": G2}
TRANSFORM_SIZES = [
    pytest.param("G1", 10, id="G1-2^10"),
    pytest.param("G2", 8, id="G2-2^8"),
    pytest.param("G1", 16, id="G1-2^16", marks=SLOW),
    pytest.param("G2", 16, id="G2-2^16", marks=SLOW),
    pytest.param("G1", 20, id="G1-2^20", marks=SLOW),
]
#: The ptau powers of the slow cases (each a ptau from known secrets, see _known_ptau).
PREPARE_POWERS = [pytest.param(16, id="2^16", marks=SLOW),
                  pytest.param(20, id="2^20", marks=SLOW)]
#: tau, alpha and beta of the slow cases' ptaus.
TAU, ALPHA, BETA = Fr(0x7A0), Fr(0xA1FA), Fr(0xBE7A)

_cache: dict[Any, Any] = {}


def _rounds(power: int) -> int:
    """Timed rounds of a slow case: 3 at 2^16, 1 above (minutes each)."""
    return 3 if power <= 16 else 1


def _once(key: Any, make: Any) -> Any:
    """``make()`` once per session and key (inputs shared by several cases)."""
    if key not in _cache:
        _cache[key] = make()
    return _cache[key]


# -- the group transforms -------------------------------------------------------------------

def _scalars_and_points(group: str, log_n: int) -> tuple[FrVec, Any]:
    def make() -> tuple[FrVec, Any]:
        scalars = FrVec.random(1 << log_n, seed=1600 + log_n)
        return scalars, fixed_base_mul(GROUPS[group].generator(), scalars)
    return _once(("points", group, log_n), make)


@pytest.mark.parametrize(("group", "log_n"), TRANSFORM_SIZES)
def test_ifft(benchmark: Any, group: str, log_n: int) -> None:
    """``ifft([s_i] G)`` = [intt(s)_i] G: a Lagrange block of a prepared ptau."""
    label_benchmark(benchmark, f"ifft {group}", 1 << log_n)
    scalars, points = _scalars_and_points(group, log_n)
    result = benchmark(ifft, points)
    assert result.equals(fixed_base_mul(GROUPS[group].generator(), intt(scalars)))


@pytest.mark.parametrize(("group", "log_n"), TRANSFORM_SIZES)
def test_mul_all(benchmark: Any, group: str, log_n: int) -> None:
    """``mul_all([s_i] G, k)`` = [k s_i] G: a contribution's rescaling of a section."""
    label_benchmark(benchmark, f"mul_all {group}", 1 << log_n)
    scalars, points = _scalars_and_points(group, log_n)
    k = Fr(0xC0FFEE)
    result = benchmark(mul_all, points, k)
    assert result.equals(fixed_base_mul(GROUPS[group].generator(), scalars * k))


# -- phase 1: prepare ----------------------------------------------------------------------------

def _unprepared(ptau: Ptau) -> Ptau:
    return dataclasses.replace(ptau, lagrange_g1=None, lagrange_g2=None,
                               lagrange_alpha_g1=None, lagrange_beta_g1=None,
                               section_order=())


def _vector_ptau() -> Ptau:
    return _once("vector ptau", lambda: read_ptau(VECTOR / "pot_final.ptau"))


def _known_ptau(power: int) -> Ptau:
    """A phase-1 ptau of 2^power from TAU, ALPHA and BETA, without a transcript: what
    prepare reads (the transcript only travels along)."""
    def make() -> Ptau:
        n = 1 << power
        powers = FrVec.powers(TAU, 2 * n - 1)
        g1, g2 = G1.generator(), G2.generator()
        return Ptau(power, power, fixed_base_mul(g1, powers), fixed_base_mul(g2, powers[:n]),
                    fixed_base_mul(g1, powers[:n] * ALPHA),
                    fixed_base_mul(g1, powers[:n] * BETA), g2 * BETA)
    return _once(("known ptau", power), make)


def test_prepare_vector(benchmark: Any) -> None:
    """prepare of the power-10 vector's phase-1 sections: snarkjs's prepared file."""
    vector = _vector_ptau()
    label_benchmark(benchmark, "prepare_ptau", vector.size)
    phase1 = _unprepared(vector)
    result = benchmark(prepare_ptau, phase1)
    assert ptau_bytes(result) == (VECTOR / "pot_final.ptau").read_bytes()


@pytest.mark.parametrize("power", PREPARE_POWERS)
def test_prepare(benchmark: Any, power: int) -> None:
    """prepare at 2^power: small blocks against the field transform of tau's powers,
    the largest blocks' points summing to the base (sum_i L_i = 1)."""
    phase1 = _known_ptau(power)
    label_benchmark(benchmark, "prepare_ptau", phase1.size)
    result = benchmark.pedantic(prepare_ptau, args=(phase1,), rounds=_rounds(power),
                                iterations=1)
    for size in (1, 2, 256):
        lagrange = intt(FrVec.powers(TAU, size))
        assert result.lagrange_block(12, size).equals(fixed_base_mul(G1.generator(), lagrange))
        assert result.lagrange_block(15, size).equals(
            fixed_base_mul(G1.generator(), lagrange * BETA))
    n = phase1.size
    for section, base in ((12, G1.generator()), (13, G2.generator()),
                          (14, G1.generator() * ALPHA), (15, G1.generator() * BETA)):
        assert msm(result.lagrange_block(section, n), FrVec.ones(n)) == base


# -- phase 2: new, contribute, verify ---------------------------------------------------------

def _vector_case() -> tuple[Any, Ptau, Any, Any]:
    """(r1cs, prepared ptau, snarkjs's initial key, snarkjs's final key) of the vector."""
    return _once("vector keys", lambda: (
        read_r1cs(VECTOR / "circuit.r1cs"), _vector_ptau(),
        groth16.read_zkey(VECTOR / "circuit_0000.zkey"),
        groth16.read_zkey(VECTOR / "circuit_final.zkey")))


def _chain_keys(power: int) -> tuple[Any, Ptau, Any]:
    """(chain case filling 2^power rows, prepared known ptau, the key new_zkey makes)."""
    def make() -> tuple[Any, Ptau, Any]:
        case = chain_case(power)
        ptau = prepare_ptau(_known_ptau(power))
        return case, ptau, new_zkey(case.r1cs, ptau)
    return _once(("chain keys", power), make)


def test_new_zkey_vector(benchmark: Any) -> None:
    """new_zkey of the vector's circuit: snarkjs's ``groth16 setup`` output, byte for byte."""
    r1cs, ptau, initial, _ = _vector_case()
    label_benchmark(benchmark, "new_zkey", r1cs.n_constraints)
    pk = benchmark(new_zkey, r1cs, ptau)
    assert groth16.zkey_bytes(pk) == (VECTOR / "circuit_0000.zkey").read_bytes()
    assert groth16.zkey_bytes(initial) == groth16.zkey_bytes(pk)


@SLOW
def test_new_zkey_2_16(benchmark: Any) -> None:
    """new_zkey for a chain of 2^16 rows; a proof made with the key verifies."""
    case, ptau, _ = _chain_keys(16)
    label_benchmark(benchmark, "new_zkey", case.constraints)
    pk = benchmark.pedantic(new_zkey, args=(case.r1cs, ptau), rounds=_rounds(16),
                            iterations=1)
    proof, public = groth16.prove(pk, case.witness, case.r1cs)
    assert groth16.verify(pk.verifying_key, public, proof)


def test_contribute_zkey_vector(benchmark: Any) -> None:
    """One contribution to snarkjs's initial key; the result verifies with it recorded."""
    r1cs, ptau, initial, _ = _vector_case()
    label_benchmark(benchmark, "contribute_zkey", r1cs.n_constraints)
    pk = benchmark(contribute_zkey, initial, "bench")
    record = verify_zkey(r1cs, ptau, pk)
    assert [(c.name, c.kind) for c in record.contributions] == [("bench", "contribution")]


@SLOW
def test_contribute_zkey_2_16(benchmark: Any) -> None:
    case, ptau, initial = _chain_keys(16)
    label_benchmark(benchmark, "contribute_zkey", case.constraints)
    pk = benchmark.pedantic(contribute_zkey, args=(initial, "bench"), rounds=_rounds(16),
                            iterations=1)
    _cache[("contributed", 16)] = pk
    assert len(verify_zkey(case.r1cs, ptau, pk).contributions) == 1


def test_verify_zkey_vector(benchmark: Any) -> None:
    """verify_zkey of snarkjs's final key: one contribution and a beacon."""
    r1cs, ptau, _, final = _vector_case()
    label_benchmark(benchmark, "verify_zkey", r1cs.n_constraints)
    record = benchmark(verify_zkey, r1cs, ptau, final)
    assert [c.kind for c in record.contributions] == ["contribution", "beacon"]


@SLOW
def test_verify_zkey_2_16(benchmark: Any) -> None:
    case, ptau, initial = _chain_keys(16)
    pk = _once(("contributed", 16), lambda: contribute_zkey(initial, "bench"))
    label_benchmark(benchmark, "verify_zkey", case.constraints)
    record = benchmark.pedantic(verify_zkey, args=(case.r1cs, ptau, pk),
                                rounds=_rounds(16), iterations=1)
    assert [c.name for c in record.contributions] == ["bench"]
