# SPDX-License-Identifier: MIT
"""A/B timing of the native cores of two checkouts in one process, for changes to the C
code that must not cost speed (issue 15: the curve and AVX-512 code written once).

Each checkout must have its native library built (``python3 setup.py build_ext
--inplace`` there). Both libraries are loaded side by side (each extension module under
its own name) and every case calls the C functions directly on one thread, with the same
inputs, interleaved A B, B A, ... call by call: on a shared machine, other work comes
and goes, and both sides see it alike. A case's figure in a round is the best of a few
calls; the table gives each side's median over the rounds and the median of the
rounds' ratios B / A (below 1: B is faster). The inputs are made with the ``zkcx`` of
this script's checkout.

    python benchmarks/native_ab.py --a /tmp/native-before --b . [--rounds 9] [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pathlib
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # machine.py, and this checkout's zkcx

from machine import cpu_model  # noqa: E402

import zkcx  # noqa: E402
from zkcx.curve import G1, G2, fixed_base_mul  # noqa: E402
from zkcx.field import FrVec  # noqa: E402

#: A case: (name, what one unit is, units per call, setup). setup(ffi, lib) returns the
#: call to time, bound to that library.
Case = tuple[str, str, int, Callable[[Any, Any], Callable[[], object]]]


def load_native(checkout: pathlib.Path, name: str) -> tuple[Any, Any]:
    """The (ffi, lib) of the native module built in checkout/zkcx, imported as `name`."""
    found = sorted((checkout / "zkcx").glob("_native*.so"))
    if not found:
        raise SystemExit(f"no native library in {checkout}/zkcx: build it there first")
    spec = importlib.util.spec_from_file_location(f"{name}._native", found[0])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.lib.zkcx_set_threads(1)
    return module.ffi, module.lib


def _cases(quick: bool) -> list[Case]:
    def scalars(n: int, seed: int) -> np.ndarray:
        return np.ascontiguousarray(FrVec.random(n, seed=seed).to_canonical_limbs())

    def points(group: Any, n: int, seed: int) -> np.ndarray:
        vec = fixed_base_mul(group.generator(), FrVec.random(n, seed=seed))
        return np.ascontiguousarray(vec.limbs)

    g1 = points(G1, 1 << 16, 1)
    g2 = points(G2, 1 << 12, 2)
    k = scalars(1 << 16, 3)
    out = np.zeros(4 << 16, dtype=np.uint64)  # room for the largest output: 2^16 Fr
    n12 = 1 << 12
    jac = np.zeros((n12, 12), dtype=np.uint64)   # Z: small values in Montgomery form
    jac[:, :8] = g1[:n12]
    jac[:, 8:] = scalars(n12, 4)
    jac[:, 11] &= (1 << 60) - 1
    n16 = 1 << 16
    fa, fb = FrVec.random(n16, seed=6).limbs.copy(), FrVec.random(n16, seed=7).limbs.copy()
    fc = FrVec.random(n16, seed=10).limbs.copy()
    qa, qb = np.ascontiguousarray(g1[:, :4]), np.ascontiguousarray(g1[:, 4:])  # Fq elements
    big = FrVec.random(1 << 20, seed=8).limbs.copy()
    shift = FrVec.random(1, seed=9).limbs.copy()
    calls = 50 if quick else 200

    def p(ffi: Any, arr: np.ndarray) -> Any:
        return ffi.cast("uint64_t *", ffi.from_buffer(arr))

    def each(fn_name: str, stride: int, count: int, two: bool) -> Callable[[Any, Any], Any]:
        def setup(ffi: Any, lib: Any) -> Callable[[], object]:
            fn, o = getattr(lib, fn_name), p(ffi, out)
            src = g1 if stride == 8 else g2
            ptrs = [p(ffi, src[i]) for i in range(2 * count)]
            if two:
                return lambda: [fn(o, ptrs[2 * i], ptrs[2 * i + 1]) for i in range(count)]
            return lambda: [fn(o, ptrs[i]) for i in range(count)]
        return setup

    def call(fn_name: str, *args: Any) -> Callable[[Any, Any], Any]:
        """One C call; arrays are passed as uint64_t *, None as NULL."""
        def setup(ffi: Any, lib: Any) -> Callable[[], object]:
            fn = getattr(lib, fn_name)
            conv = [p(ffi, x) if isinstance(x, np.ndarray) else ffi.NULL if x is None else x
                    for x in args]
            return lambda: fn(*conv)
        return setup

    def scalar_ntt(ffi: Any, lib: Any) -> Callable[[], object]:
        def run() -> object:
            lib.zkcx_set_simd(0)
            try:
                return lib.zkcx_fr_ntt(p(ffi, fa), n16, ffi.NULL, 0)
            finally:
                lib.zkcx_set_simd(1)
        return run

    return [
        ("G1 add (affine in and out)", "call", calls, each("zkcx_g1_add", 8, calls, True)),
        ("G1 double (affine in and out)", "call", calls, each("zkcx_g1_dbl", 8, calls, False)),
        ("G2 add (affine in and out)", "call", calls, each("zkcx_g2_add", 16, calls, True)),
        ("G2 double (affine in and out)", "call", calls, each("zkcx_g2_dbl", 16, calls, False)),
        ("G1 scalar mul (GLV), 64 points", "point", 64,
         call("zkcx_g1_mul_each", out, g1[:64], k[:64], 64)),
        ("G2 scalar mul (wNAF), 16 points", "point", 16,
         call("zkcx_g2_mul_each", out, g2[:16], k[:16], 16)),
        ("G2 subgroup check, 64 points", "point", 64,
         call("zkcx_g2_vec_first_invalid", g2[:64], 64, 1)),
        ("G1 batch normalize, 2^12 points", "point", n12,
         call("zkcx_g1_batch_normalize", out, jac, n12)),
        ("G1 MSM 2^16", "MSM", 1, call("zkcx_g1_msm", out, g1, k, 1 << 16)),
        ("G2 MSM 2^12", "MSM", 1, call("zkcx_g2_msm", out, g2, k, 1 << 12)),
        ("pairing", "call", 1, call("zkcx_pairing", out, g1[0], g2[0])),
        ("Fr vector mul (IFMA), 2^16", "element", n16, call("zkcx_fr_vec_mul", out, fa, fb, n16)),
        ("Fq vector mul (IFMA), 2^16", "element", n16, call("zkcx_fq_vec_mul", out, qa, qb, n16)),
        ("NTT forward 2^16", "element", n16, call("zkcx_fr_ntt", fa, n16, None, 0)),
        ("NTT forward 2^20", "element", 1 << 20, call("zkcx_fr_ntt", big, 1 << 20, None, 0)),
        ("NTT coset inverse 2^16", "element", n16,
         call("zkcx_fr_coset_ntt", fa, n16, None, shift, 1)),
        ("Groth16 quotient 2^16", "element", n16,
         call("zkcx_fr_qap_quotient", fa, fb, fc, n16, None)),
        ("NTT forward 2^16, SIMD off", "element", n16, scalar_ntt),
    ]


def _clock(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def measure(libs: dict[str, tuple[Any, Any]], cases: list[Case], rounds: int,
            repeat: int) -> list[tuple[str, str, dict[str, list[float]]]]:
    """Per case (name, unit, figures): per side, the best of `repeat` interleaved calls
    in each round, in seconds per unit."""
    result = []
    for name, unit, units, setup in cases:
        bound = {side: setup(*libs[side]) for side in libs}
        for fn in bound.values():
            fn()  # warm-up: caches, page faults, lazy tables
        per_side: dict[str, list[float]] = {side: [] for side in libs}
        for r in range(rounds):
            best = {side: float("inf") for side in libs}
            for i in range(repeat):
                order = ("A", "B") if (r + i) % 2 == 0 else ("B", "A")
                for side in order:
                    best[side] = min(best[side], _clock(bound[side]))
            for side in libs:
                per_side[side].append(best[side] / units)
        result.append((name, unit, per_side))
        print(f"{name}: done", file=sys.stderr)
    return result


def _fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e9:.1f} ns"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", type=pathlib.Path, required=True, help="checkout A (before)")
    parser.add_argument("--b", type=pathlib.Path, required=True, help="checkout B (after)")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="fewer calls per round")
    args = parser.parse_args()
    sides = {"A": args.a.resolve(), "B": args.b.resolve()}
    libs = {side: load_native(path, f"zkcx_ab_{side.lower()}") for side, path in sides.items()}
    zkcx.set_threads(1)
    figures = measure(libs, _cases(args.quick), args.rounds, 3 if args.quick else 5)

    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"Machine: {cpu_model()}, {os.cpu_count()} cores, load average after the run "
          f"{load}; one native thread; {args.rounds} rounds of interleaved calls")
    print(f"A = {sides['A']}, B = {sides['B']}")
    print()
    print("| case | per | A (median) | B (median) | B / A (median of rounds) | B / A per round |")
    print("|---|---|---|---|---|---|")
    for name, unit, per_side in figures:
        a, b = statistics.median(per_side["A"]), statistics.median(per_side["B"])
        ratios = [y / x for x, y in zip(per_side["A"], per_side["B"])]
        rounds = " ".join(f"{r:.2f}" for r in ratios)
        print(f"| {name} | {unit} | {_fmt(a)} | {_fmt(b)} | {statistics.median(ratios):.3f} "
              f"| {rounds} |")


if __name__ == "__main__":
    main()
