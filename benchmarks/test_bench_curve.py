# SPDX-License-Identifier: MIT
"""pytest-benchmark cases for the curve layer (issue 3, item 6): G1 MSM for 2^10 .. 2^20
distinct random points (2^20 marked slow), G2 MSM for 2^16, one pairing, a product of
four pairings, py_ecc's pairing and scalar multiplication on the same inputs, the group
NTT ``ifft`` over G1 and G2 (the work of ``ptau prepare``) and ``mul_all`` (one scalar
times every point, the work of ``zkey contribute``).

Every case checks its result independently of the code it times: the MSM points are
[s_i]G for known s_i, so sum_i k_i [s_i]G must equal [sum_i k_i s_i mod r]G (one scalar
multiplication, computed from Python integers); the pairings are compared with
bilinearity; ``ifft`` of [t_j]G must equal [intt(t)_i]G and ``mul_all`` of [t_j]G by k
must equal [k t_j]G (fixed-base multiplications of scalars transformed over Fr). Under
the project's default options (``--benchmark-disable``, ``-m 'not slow'``) each case runs
once as a plain test. To benchmark::

    pytest benchmarks/test_bench_curve.py --benchmark-enable -m ''

benchmarks/curve_report.py measures the same cases (and the py_ecc ratio) for
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import importlib.util
import pathlib
import random
from typing import Any

import pytest

import zkcx
from zkcx.curve import (
    G1,
    G2,
    G1Vec,
    G2Vec,
    fixed_base_mul,
    ifft,
    msm,
    mul_all,
    multi_pairing,
    pairing,
)
from zkcx.field import Fr, FrVec
from zkcx.params import FR_MODULUS
from zkcx.poly import intt

SLOW = pytest.mark.slow
G1_SIZES = [
    pytest.param(10, id="2^10"),
    pytest.param(14, id="2^14"),
    pytest.param(16, id="2^16"),
    pytest.param(18, id="2^18"),
    pytest.param(20, id="2^20", marks=SLOW),
]
THREADS = [pytest.param(1, id="1-thread"), pytest.param(2, id="2-threads")]


class _Instance:
    """points [s_i]G, scalars k_i, and the expected sum [sum k_i s_i]G."""

    def __init__(self, group: Any, log_n: int, seed: int) -> None:
        n = 1 << log_n
        logs = FrVec.random(n, seed=5000 + seed)
        self.points = fixed_base_mul(group.generator(), logs)
        self.scalars = FrVec.random(n, seed=6000 + seed)
        total = _dot_mod_r(logs, self.scalars)
        self.expected = group.generator() * total


def _dot_mod_r(a: FrVec, b: FrVec) -> int:
    # Python integers, not the native dot product under test elsewhere.
    return sum(x * y for x, y in zip(a.to_ints(), b.to_ints())) % FR_MODULUS


_CACHE: dict[tuple[str, int], _Instance] = {}


def _instance(group: Any, log_n: int) -> _Instance:
    key = (group.__name__, log_n)
    if key not in _CACHE:
        _CACHE[key] = _Instance(group, log_n, seed=log_n)
    return _CACHE[key]


@pytest.fixture
def threads(request: pytest.FixtureRequest):
    before = zkcx.get_threads()
    zkcx.set_threads(request.param)
    yield request.param
    zkcx.set_threads(before)


@pytest.mark.parametrize("threads", THREADS, indirect=True)
@pytest.mark.parametrize("log_n", G1_SIZES)
def test_g1_msm(benchmark, log_n, threads):
    benchmark.group = f"G1 MSM 2^{log_n}"
    inst = _instance(G1, log_n)
    assert isinstance(inst.points, G1Vec)
    result = benchmark(msm, inst.points, inst.scalars)
    assert result == inst.expected


def test_g2_msm_2_16(benchmark):
    benchmark.group = "G2 MSM 2^16"
    inst = _instance(G2, 16)
    assert isinstance(inst.points, G2Vec)
    result = benchmark(msm, inst.points, inst.scalars)
    assert result == inst.expected


_A, _B = 12345, 67890
#: A uniformly random scalar (r - 3 would be -3 to the GLV split: a 2-bit multiplication).
_SCALAR = random.Random(2026).randrange(FR_MODULUS)


@pytest.fixture(scope="module")
def pair_inputs() -> tuple[G1, G2]:
    return G1.generator() * _A, G2.generator() * _B


def test_pairing_zkcx(benchmark, pair_inputs):
    benchmark.group = "pairing"
    p, q = pair_inputs
    e = benchmark(pairing, p, q)
    assert e == pairing(G1.generator(), G2.generator()) ** (_A * _B)


def test_product_of_four_pairings_zkcx(benchmark):
    benchmark.group = "product of 4 pairings"
    rng = random.Random(4)
    ks = [(rng.randrange(1, FR_MODULUS), rng.randrange(1, FR_MODULUS)) for _ in range(4)]
    pairs = [(G1.generator() * a, G2.generator() * b) for a, b in ks]
    e = benchmark(multi_pairing, pairs)
    exponent = sum(a * b for a, b in ks) % FR_MODULUS
    assert e == pairing(G1.generator(), G2.generator()) ** exponent


def _py_ecc() -> Any:
    return pytest.importorskip("py_ecc.optimized_bn128", reason="py_ecc is a [bench] extra")


def _curve_ref() -> Any:
    """native/tests/gen_curve_vectors.py: py_ecc's Fq12 basis to the zkcx tower."""
    path = pathlib.Path(__file__).resolve().parents[1] / "native/tests/gen_curve_vectors.py"
    spec = importlib.util.spec_from_file_location("gen_curve_vectors", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pairing_py_ecc(benchmark, pair_inputs):
    """The same pairing in py_ecc, equal to zkcx's coefficient for coefficient."""
    bn = _py_ecc()
    benchmark.group = "pairing"
    P, Q = bn.multiply(bn.G1, _A), bn.multiply(bn.G2, _B)
    e = benchmark.pedantic(bn.pairing, args=(Q, P), rounds=2, iterations=1)
    assert pairing(*pair_inputs).coefficients() == _curve_ref().tower_from_pyecc(e.coeffs)


def test_g1_scalar_mul_py_ecc(benchmark, pair_inputs):
    bn = _py_ecc()
    benchmark.group = "G1 scalar mul (random scalar)"
    k = _SCALAR
    P = bn.multiply(bn.G1, _A)
    R = benchmark.pedantic(bn.multiply, args=(P, k), rounds=3, iterations=1)
    x, y = bn.normalize(R)
    assert (pair_inputs[0] * k).to_affine() == (int(x), int(y))


def test_g1_scalar_mul_zkcx(benchmark, pair_inputs):
    benchmark.group = "G1 scalar mul (random scalar)"
    p = pair_inputs[0]
    result = benchmark(lambda: p * _SCALAR)
    assert result == G1.generator() * (_A * _SCALAR % FR_MODULUS)


# -- group NTTs and mul_all ----------------------------------------------------------------

FFT_SIZES = [
    pytest.param(G1, 10, id="G1-2^10"),
    pytest.param(G2, 10, id="G2-2^10"),
    pytest.param(G1, 14, id="G1-2^14", marks=SLOW),
    pytest.param(G2, 14, id="G2-2^14", marks=SLOW),
    pytest.param(G1, 16, id="G1-2^16", marks=SLOW),
]
MUL_ALL_SIZES = [
    pytest.param(G1, 10, id="G1-2^10"),
    pytest.param(G2, 10, id="G2-2^10"),
    pytest.param(G1, 17, id="G1-2^17", marks=SLOW),
    pytest.param(G2, 16, id="G2-2^16", marks=SLOW),
]


@pytest.mark.parametrize("threads", THREADS, indirect=True)
@pytest.mark.parametrize("group,log_n", FFT_SIZES)
def test_ifft(benchmark, group, log_n, threads):
    """n = 2^k points [t_j]G to [L_i(t)]G: (n/2) log2 n - n + 1 twiddle products and n
    multiplications by 1/n."""
    benchmark.group = f"{group.__name__} ifft 2^{log_n}"
    logs = FrVec.random(1 << log_n, seed=7000 + log_n)
    points = fixed_base_mul(group.generator(), logs)
    result = benchmark.pedantic(ifft, args=(points,), rounds=1, iterations=1)
    assert result.equals(fixed_base_mul(group.generator(), intt(logs)))


@pytest.mark.parametrize("threads", THREADS, indirect=True)
@pytest.mark.parametrize("group,log_n", MUL_ALL_SIZES)
def test_mul_all(benchmark, group, log_n, threads):
    benchmark.group = f"{group.__name__} mul_all 2^{log_n}"
    logs = FrVec.random(1 << log_n, seed=8000 + log_n)
    points = fixed_base_mul(group.generator(), logs)
    k = Fr(_SCALAR)
    result = benchmark.pedantic(mul_all, args=(points, k), rounds=1, iterations=1)
    assert result.equals(fixed_base_mul(group.generator(), logs * k))
