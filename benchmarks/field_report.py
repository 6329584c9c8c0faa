# SPDX-License-Identifier: MIT
"""Field benchmark report for zkcx (issue item 6): the single source of the
"## Field (issue 2)" section of benchmarks/RESULTS.md.

Measures BN254 Fr arithmetic in zkcx (native C core, with one and with two threads),
in plain Python integers and in galois, on the same data, and prints a Markdown
section: a table of ns per element, the per-call overhead of the scalar API, the
machine and software, and the targets with pass/fail.

Every figure is the best of several timed samples (``time.perf_counter`` through
``timeit``); each sample repeats the operation until it lasts ``min_time`` seconds, so
one figure is the time of one call, not of a cold first call. The zkcx figures time
the Python API as a user calls it (``a * b`` allocates its result), one thread unless
stated; the "C kernel" table times the native loop into a preallocated buffer.

    python benchmarks/field_report.py                 # full sizes: 2^16 and 2^20
    python benchmarks/field_report.py --quick         # 2^12 and 2^14, fewer samples
    python benchmarks/field_report.py --write benchmarks/RESULTS.md

``--write`` replaces the "## Field (issue 2)" section of the file (up to the next
"## " heading) and keeps every other section. The helpers here (data, Python-integer
batch inversion, the galois field, the thread switch) are shared with
``benchmarks/test_bench_field.py`` so that both measure the same things.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import operator
import os
import platform
import sys
import time
import timeit
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_REPO = Path(__file__).resolve().parents[1]
if str(_REPO) not in sys.path:
    # Benchmark the checkout this file lives in, also when run as a plain script.
    sys.path.insert(0, str(_REPO))

import zkcx  # noqa: E402
from zkcx import Fr, FrVec  # noqa: E402
from zkcx._bindings import ptr  # noqa: E402
from zkcx._lib import ffi, lib  # noqa: E402

#: the raw C functions the overhead table calls directly (no Python wrapper)
RAW_FR = {"mul": lib.zkcx_fr_mul, "sqr": lib.zkcx_fr_sqr, "inv": lib.zkcx_fr_inv,
          "vec_mul": lib.zkcx_fr_vec_mul, "vec_sqr": lib.zkcx_fr_vec_sqr,
          "vec_batch_inv": lib.zkcx_fr_vec_batch_inv}
from zkcx.params import FR_MODULUS  # noqa: E402

#: The BN254 scalar field modulus r.
R: int = FR_MODULUS
#: A multiplicative generator of Fr (the one gnark and arkworks use); handing it to
#: galois spares it the search for a primitive element, which takes minutes for r.
FR_GENERATOR = 5
#: Seeds of the two operand vectors. ``FrVec.random(n, seed)`` is a prefix of the same
#: call with a larger n, so every size and every implementation sees the same values.
SEED_A, SEED_B = 1, 2

SECTION_HEADING = "## Field (issue 2)"
TARGET_MUL_NS = 15.0
TARGET_INV_NS = 60.0
TARGET_SPEEDUP = 10.0


# -- shared helpers (also used by test_bench_field.py) ---------------------------------
@functools.cache
def galois_field() -> Any:
    """``galois.GF(r)``, built once (with the known generator, without verification)."""
    import galois

    return galois.GF(R, primitive_element=FR_GENERATOR, verify=False)


class FieldData:
    """The benchmark operands a, b at each size, in every representation, cached."""

    def __init__(self) -> None:
        self._vectors: dict[int, tuple[FrVec, FrVec]] = {}
        self._ints: dict[int, tuple[list[int], list[int]]] = {}
        self._galois: dict[int, tuple[Any, Any]] = {}

    def vectors(self, n: int) -> tuple[FrVec, FrVec]:
        """zkcx vectors a, b of length n (seeded, so reproducible)."""
        if n not in self._vectors:
            self._vectors[n] = (FrVec.random(n, seed=SEED_A), FrVec.random(n, seed=SEED_B))
        return self._vectors[n]

    def ints(self, n: int) -> tuple[list[int], list[int]]:
        """The same a, b as lists of canonical Python integers."""
        if n not in self._ints:
            a, b = self.vectors(n)
            self._ints[n] = (a.to_ints(), b.to_ints())
        return self._ints[n]

    def galois(self, n: int) -> tuple[Any, Any]:
        """The same a, b as galois ``GF(r)`` arrays."""
        if n not in self._galois:
            gf = galois_field()
            xs, ys = self.ints(n)
            self._galois[n] = (gf(xs), gf(ys))
        return self._galois[n]

    def scalars(self) -> tuple[int, int]:
        """The first elements a[0], b[0] as Python integers (the scalar operands)."""
        xs, ys = self.ints(1)
        return xs[0], ys[0]


def py_mul(xs: Sequence[int], ys: Sequence[int]) -> list[int]:
    """Elementwise product mod r with Python integers."""
    r = R
    return [x * y % r for x, y in zip(xs, ys, strict=True)]


def py_batch_inverse(xs: Sequence[int]) -> list[int]:
    """Montgomery's batch trick with Python integers: 3(n - 1) products and one
    ``pow(., -1, r)``. Raises ValueError if an element is zero."""
    r = R
    prefix = [0] * len(xs)
    acc = 1
    for i, x in enumerate(xs):
        prefix[i] = acc  # product of xs[:i]
        acc = acc * x % r
    inv = pow(acc, -1, r)
    out = [0] * len(xs)
    for i in range(len(xs) - 1, -1, -1):
        out[i] = inv * prefix[i] % r
        inv = inv * xs[i] % r
    return out


def py_inverse_each(xs: Sequence[int]) -> list[int]:
    """Inverse of each element on its own, ``pow(x, -1, r)``."""
    r = R
    return [pow(x, -1, r) for x in xs]


@contextlib.contextmanager
def zkcx_threads(n: int) -> Iterator[None]:
    """Run the block with ``zkcx.set_threads(n)``; restore the previous count after."""
    previous = zkcx.get_threads()
    zkcx.set_threads(n)
    try:
        yield
    finally:
        zkcx.set_threads(previous)


def power_label(n: int) -> str:
    """``2^k`` for a power of two, else the decimal number."""
    return f"2^{n.bit_length() - 1}" if n > 1 and n & (n - 1) == 0 else str(n)


def label_benchmark(benchmark, what: str, n: int) -> None:
    """Group a pytest-benchmark case as ``what, n=2^k`` and record its size n."""
    benchmark.group = f"{what}, n={power_label(n)}"
    benchmark.extra_info["n"] = n


# -- timing ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimingPlan:
    """How long each sample runs, and how many samples to keep the best of."""

    min_time: float  # seconds per sample (the operation is repeated until then)
    repeats: int  # at most this many samples
    budget: float  # stop after 3 samples once the samples took this many seconds


def best_seconds(stmt: str | Callable[[], object], plan: TimingPlan, **names: Any) -> float:
    """Seconds of one execution of ``stmt`` (a statement over ``names``, or a callable):
    the best of the samples. The first sample also serves as the warm-up."""
    timer = timeit.Timer(stmt, timer=time.perf_counter, globals=names)
    loops = 1
    while True:
        elapsed = timer.timeit(loops)
        if elapsed >= plan.min_time:
            break
        loops = max(2 * loops, int(loops * 1.2 * plan.min_time / max(elapsed, 1e-9)))
    best, spent, samples = elapsed / loops, elapsed, 1
    while samples < plan.repeats and (samples < 3 or spent < plan.budget):
        elapsed = timer.timeit(loops)
        best = min(best, elapsed / loops)
        spent += elapsed
        samples += 1
    return best


@dataclass
class Row:
    """One line of the main table; times are ns per element (ns per call for scalars)."""

    operation: str
    n: int
    zkcx1: float
    zkcx2: float | None
    python: float
    python_n: int
    galois: float
    galois_n: int


@dataclass
class Sizes:
    """Problem sizes of a run."""

    vector: tuple[int, ...]  # zkcx (and Python / galois unless capped below)
    galois_inverse_cap: int  # galois reciprocal costs ~50 us per element
    kernel_cache: int  # small n for the C cost of one multiplication


FULL = Sizes(vector=(2**16, 2**20), galois_inverse_cap=2**14, kernel_cache=2**12)
QUICK = Sizes(vector=(2**12, 2**14), galois_inverse_cap=2**12, kernel_cache=2**12)


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(f"implementations disagree: {what}")


def measure_scalars(
    data: FieldData, sizes: Sizes, plan: TimingPlan
) -> tuple[list[Row], list[list[str]]]:
    """Scalar multiply, square, inverse; and the per-call overhead of the Fr API."""
    x, y = data.scalars()
    gf = galois_field()
    s, u = Fr(x), Fr(y)
    gx, gy = gf(x), gf(y)
    _check(int(s * u) == x * y % R == int(gx * gy), "scalar multiply")
    _check(int(s.square()) == x * x % R == int(gx**2), "scalar square")
    _check(int(s.inverse()) == pow(x, -1, R) == int(np.reciprocal(gx)), "scalar inverse")
    names = {"s": s, "u": u, "x": x, "y": y, "r": R, "gx": gx, "gy": gy, "np": np}
    rows = []
    for op, native, python, galois in (
        ("Fr scalar multiply", "s * u", "x * y % r", "gx * gy"),
        ("Fr scalar square", "s.square()", "x * x % r", "gx ** 2"),
        ("Fr scalar inverse", "s.inverse()", "pow(x, -1, r)", "np.reciprocal(gx)"),
    ):
        rows.append(
            Row(
                op,
                1,
                best_seconds(native, plan, **names) * 1e9,
                None,
                best_seconds(python, plan, **names) * 1e9,
                1,
                best_seconds(galois, plan, **names) * 1e9,
                1,
            )
        )

    # Per-call overhead: the object API, a direct cffi call into the same C function
    # (preallocated output), an empty cffi call (batch inversion of n = 0 returns at
    # once), and the C cost per element of the vector loop on a cache-resident vector
    # with one thread (vec_sqr is vec_mul(a, a); scalar inversion has no vector loop).
    out = ffi.new("uint64_t[4]")
    empty = RAW_FR["vec_batch_inv"]
    n = sizes.kernel_cache
    a, b = data.vectors(n)
    vec_out = np.empty_like(a.limbs)
    pointers = {"po": ptr(vec_out), "pa": ptr(a.limbs), "pb": ptr(b.limbs), "n": n}
    empty_ns = best_seconds("e(z, z, 0)", plan, e=empty, z=ffi.NULL) * 1e9
    overhead = []
    for row, label, call, vec_call, verb in (
        (rows[0], "multiply", "f(out, cs, cu)", "k(po, pa, pb, n)", "mul"),
        (rows[1], "square", "f(out, cs)", "k(po, pa, n)", "sqr"),
        (rows[2], "inverse", "f(out, cs)", None, "inv"),
    ):
        f = RAW_FR[verb]
        cffi_ns = best_seconds(call, plan, f=f, out=out, cs=s._c, cu=u._c) * 1e9
        kernel_ns: float | None = None
        if vec_call is not None:
            k = RAW_FR["vec_" + verb]
            with zkcx_threads(1):
                kernel_ns = best_seconds(vec_call, plan, k=k, **pointers) * 1e9 / n
        overhead.append(
            [
                label,
                fmt_ns(row.zkcx1),
                fmt_ns(cffi_ns),
                fmt_ns(empty_ns),
                "—" if kernel_ns is None else fmt_ns(kernel_ns),
                "—" if kernel_ns is None else fmt_ns(row.zkcx1 - kernel_ns),
            ]
        )
    return rows, overhead


def _vector_row(operation: str, n: int, zkcx_s: dict[int, float], python_s: float,
                galois_s: float, galois_n: int) -> Row:
    """A row of ns per element from best seconds over n elements (zkcx with 1 and 2
    threads, Python) and over galois_n elements (galois)."""
    return Row(operation, n, zkcx_s[1] / n * 1e9, zkcx_s[2] / n * 1e9, python_s / n * 1e9, n,
               galois_s / galois_n * 1e9, galois_n)


def measure_vectors(
    data: FieldData, sizes: Sizes, plan: TimingPlan
) -> tuple[list[Row], list[list[str]], dict[str, float]]:
    """Vector multiply and batch inversion at each size: zkcx with 1 and 2 threads,
    Python integers, galois; plus the bare C kernels (preallocated output, 1 thread)."""
    rows: list[Row] = []
    kernel_rows: list[list[str]] = []
    extra: dict[str, float] = {}
    for n in sizes.vector:
        a, b = data.vectors(n)
        xs, ys = data.ints(n)
        ga, gb = data.galois(n)
        product = a * b
        _check(product.to_ints() == py_mul(xs, ys), f"vector multiply n={n}")
        _check((ga * gb).view(np.ndarray).tolist() == product.to_ints(), f"galois multiply n={n}")
        inverse = a.inverse()
        _check(inverse.to_ints() == py_batch_inverse(xs), f"batch inversion n={n}")

        zkcx_mul, zkcx_inv = {}, {}
        for threads in (1, 2):
            with zkcx_threads(threads):
                zkcx_mul[threads] = best_seconds("a * b", plan, a=a, b=b)
                zkcx_inv[threads] = best_seconds("a.inverse()", plan, a=a)
        py_mul_s = best_seconds("mul(xs, ys)", plan, mul=py_mul, xs=xs, ys=ys)
        gal_mul_s = best_seconds("ga * gb", plan, ga=ga, gb=gb)
        rows.append(_vector_row("vector multiply", n, zkcx_mul, py_mul_s, gal_mul_s, n))

        py_inv_s = best_seconds("inv(xs)", plan, inv=py_batch_inverse, xs=xs)
        m = min(n, sizes.galois_inverse_cap)
        gm = ga[:m]
        galois_inverse = np.reciprocal(gm).view(np.ndarray).tolist()
        _check(galois_inverse == inverse.to_ints()[:m], f"galois inverse n={m}")
        gal_inv_s = best_seconds("np.reciprocal(g)", plan, np=np, g=gm)
        rows.append(_vector_row("batch inversion", n, zkcx_inv, py_inv_s, gal_inv_s, m))
        if n == sizes.vector[0]:
            each = min(n, sizes.galois_inverse_cap)
            extra["pow_each_n"] = each
            extra["pow_each_ns"] = (
                best_seconds("f(xs)", plan, f=py_inverse_each, xs=xs[:each]) / each * 1e9
            )

        out = np.empty_like(a.limbs)
        pa, pb, po = ptr(a.limbs), ptr(b.limbs), ptr(out)
        work = a.copy()
        check = a.copy()
        check *= b
        _check(check.equals(product), f"in-place multiply n={n}")
        with zkcx_threads(1):
            in_place = best_seconds("imul(c, b)", plan, imul=operator.imul, c=work, b=b)
            k_mul = best_seconds(
                "k(po, pa, pb, n)", plan, k=RAW_FR["vec_mul"], po=po, pa=pa, pb=pb, n=n
            )
            k_inv = best_seconds(
                "k(po, pa, n)", plan, k=RAW_FR["vec_batch_inv"], po=po, pa=pa, n=n
            )
        kernel_rows.append(
            [
                power_label(n),
                fmt_ns(k_mul / n * 1e9),
                fmt_ns(zkcx_mul[1] / n * 1e9),
                fmt_ns(in_place / n * 1e9),
                fmt_ns(k_inv / n * 1e9),
                fmt_ns(zkcx_inv[1] / n * 1e9),
            ]
        )
    return rows, kernel_rows, extra


# -- formatting --------------------------------------------------------------------------
def fmt_ns(value: float) -> str:
    """A time in ns with about three significant figures."""
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_ns_at(value: float, n_used: int, n: int) -> str:
    """A time in ns, followed by the size it was measured at when that is not n."""
    return fmt_ns(value) if n_used == n else f"{fmt_ns(value)} (n={power_label(n_used)})"


def fmt_ratio(value: float) -> str:
    """A speed ratio such as ``17x`` or ``2.4x``."""
    return f"{value:,.0f}x" if value >= 10 else f"{value:.1f}x"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def main_table(rows: Sequence[Row]) -> list[str]:
    """The main table: ns per element and the ratios against zkcx on one thread."""
    header = [
        "operation",
        "n",
        "zkcx 1 thread",
        "zkcx 2 threads",
        "Python int",
        "galois",
        "Python / zkcx",
        "galois / zkcx",
    ]
    body = []
    for row in rows:
        body.append(
            [
                row.operation,
                power_label(row.n),
                fmt_ns(row.zkcx1),
                "—" if row.zkcx2 is None else fmt_ns(row.zkcx2),
                fmt_ns_at(row.python, row.python_n, row.n),
                fmt_ns_at(row.galois, row.galois_n, row.n),
                fmt_ratio(row.python / row.zkcx1),
                fmt_ratio(row.galois / row.zkcx1),
            ]
        )
    return table(header, body)


def targets(rows: Sequence[Row], contention: Contention) -> tuple[list[str], str]:
    """Pass/fail lines for the targets, and a one-line summary that also names the
    passes within 10% of their limit and says whether the machine was busy."""
    lines: list[str] = []
    missed: list[str] = []
    marginal: list[str] = []
    total = 0

    def check(value: float, limit: float, at_most: bool, text: str, name: str) -> None:
        nonlocal total
        total += 1
        ok = value <= limit if at_most else value >= limit
        close = value > 0.9 * limit if at_most else value < 1.1 * limit
        lines.append(f"- {'PASS' if ok else 'FAIL'}: {text}")
        if not ok:
            missed.append(name)
        elif close:
            marginal.append(name)

    for row in rows:
        label = power_label(row.n)
        if row.operation == "vector multiply":
            limit, short = TARGET_MUL_NS, "multiply"
        elif row.operation == "batch inversion":
            limit, short = TARGET_INV_NS, "inversion"
        else:
            continue
        check(
            row.zkcx1,
            limit,
            True,
            f"{row.operation}, n={label}, 1 thread: {row.zkcx1:.2f} ns/element "
            f"(target <= {limit:g})",
            f"{short} n={label} {row.zkcx1:.2f} ns (<= {limit:g})",
        )
        speedup = row.python / row.zkcx1
        check(
            speedup,
            TARGET_SPEEDUP,
            False,
            f"{row.operation}, n={label}: {fmt_ratio(speedup)} faster than Python integers "
            f"(target >= {TARGET_SPEEDUP:g}x)",
            f"{short} n={label} {fmt_ratio(speedup)} Python (>= {TARGET_SPEEDUP:g}x)",
        )
    if missed:
        summary = f"{total - len(missed)} of {total} targets met; not met: {'; '.join(missed)}"
    else:
        summary = f"all {total} targets met on this run"
    if marginal:
        summary += f"; within 10% of the limit: {'; '.join(marginal)}"
    if contention.quiet is False:
        summary += "; the machine was not idle (see above)"
    return lines, summary[0].upper() + summary[1:] + "."


# -- machine -----------------------------------------------------------------------------
def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or what ``platform`` knows)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def cpu_flags() -> str:
    """The arithmetic-relevant CPU flags present (from /proc/cpuinfo)."""
    wanted = ("bmi2", "adx", "avx2", "avx512f", "avx512ifma")
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                present = set(line.split(":", 1)[1].split())
                return " ".join(f for f in wanted if f in present) or "none of " + " ".join(wanted)
    return "unknown"


def busy_cpu_seconds() -> float | None:
    """CPU seconds spent busy by the whole machine since boot (all cores, from the
    first line of /proc/stat: user, nice, system, irq, softirq), or None."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        ticks = sum(int(fields[i]) for i in (1, 2, 3, 6, 7))
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def own_cpu_seconds() -> float:
    """CPU seconds used by this process (all its threads)."""
    times = os.times()
    return times.user + times.system


@dataclass
class Contention:
    """How much CPU other processes used before and during the measurements, as a
    fraction of the whole machine (0 = idle, 1 = every core busy)."""

    before: float | None = None
    during: float | None = None

    @property
    def quiet(self) -> bool | None:
        """Whether other processes used under 5% of the CPUs (None if unknown)."""
        if self.before is None or self.during is None:
            return None
        return max(self.before, self.during) < 0.05

    def describe(self) -> str:
        """One phrase for the machine description."""
        if self.before is None or self.during is None:
            return "other processes' CPU use unknown (no /proc/stat)"
        verdict = (
            "quiet machine"
            if self.quiet
            else "NOT idle: figures may be pessimistic, the two-thread ones most"
        )
        return (
            f"other processes used {100 * self.before:.0f}% of the CPUs in the 2 s before "
            f"and {100 * self.during:.0f}% during the run ({verdict})"
        )


def measure_contention(run: Callable[[], Any]) -> tuple[Any, Contention]:
    """Call ``run()`` and record the CPU share of other processes around it."""
    cores = os.cpu_count() or 1  # /proc/stat's first line adds up every online CPU
    contention = Contention()
    busy0, wall0, own0 = busy_cpu_seconds(), time.perf_counter(), own_cpu_seconds()
    time.sleep(2.0)
    busy1, wall1, own1 = busy_cpu_seconds(), time.perf_counter(), own_cpu_seconds()
    result = run()
    busy2, wall2, own2 = busy_cpu_seconds(), time.perf_counter(), own_cpu_seconds()
    if busy0 is not None and busy1 is not None and busy2 is not None:
        before = (busy1 - busy0) - (own1 - own0)
        contention.before = max(0.0, before / ((wall1 - wall0) * cores))
        others = (busy2 - busy1) - (own2 - own1)
        contention.during = max(0.0, others / ((wall2 - wall1) * cores))
    return result, contention


def machine_lines(contention: Contention) -> list[str]:
    """Machine and software description."""
    import galois

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    info = " ".join(f"{k}={v}" for k, v in zkcx.build_info().items())
    return [
        f"- CPU: {cpu_model()}; {os.cpu_count()} logical cores ({usable} usable); "
        f"flags: {cpu_flags()}",
        f"- OS: {platform.system()} {platform.release()}; {contention.describe()}",
        f"- Python {platform.python_version()}, numpy {np.__version__}, "
        f"galois {galois.__version__}, zkcx {zkcx.__version__}",
        f"- zkcx.build_info(): `{info}`",
    ]


# -- report ------------------------------------------------------------------------------
def report(quick: bool) -> str:
    """Run every measurement and return the Markdown section."""
    sizes = QUICK if quick else FULL
    plan = (
        TimingPlan(min_time=0.02, repeats=3, budget=1.0)
        if quick
        else TimingPlan(min_time=0.1, repeats=7, budget=5.0)
    )
    started = datetime.datetime.now(datetime.timezone.utc)
    data = FieldData()
    measured, contention = measure_contention(
        lambda: (measure_scalars(data, sizes, plan), measure_vectors(data, sizes, plan))
    )
    (scalar_rows, overhead), (vector_rows, kernel_rows, extra) = measured
    rows = scalar_rows + vector_rows
    target_lines, summary = targets(vector_rows, contention)
    command = "python benchmarks/field_report.py" + (" --quick" if quick else "")
    kernel_n = power_label(sizes.kernel_cache)

    out = [
        SECTION_HEADING,
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC with `{command}`"
        + (" (quick run: small n, few samples)" if quick else "")
        + ". Every figure is the best of several timed samples, in ns per element "
        "(ns per call for scalars); ratios are against zkcx on one thread. zkcx figures "
        "time the Python API (`a * b`, `a.inverse()`, `s * u`), including allocation of "
        "the result.",
        "",
        *machine_lines(contention),
        "",
        *main_table(rows),
        "",
        "Python int: `[x * y % r for ...]`; batch inversion with Montgomery's trick in "
        f"Python (`pow(x, -1, r)` one by one: {fmt_ns(extra['pow_each_ns'])} ns/element at "
        f"n={power_label(int(extra['pow_each_n']))}). galois: `GF(r)` arrays (object dtype), "
        "`ga * gb` and `np.reciprocal(ga)`; a size in brackets is the n that column used.",
        "",
        "### Per-call overhead of the scalar API (ns per call)",
        "",
        *table(
            [
                "Fr operation",
                "object API (table above)",
                "direct cffi call",
                "empty cffi call",
                f"C per element (vector, n={kernel_n}, 1 thread)",
                "Python overhead",
            ],
            overhead,
        ),
        "",
        "Direct cffi call: the same C function with a preallocated output; empty cffi "
        "call: `zkcx_fr_vec_batch_inv` with n = 0 (returns at once). Python overhead = "
        "object API minus the C cost per element.",
        "",
        "### C kernel alone (preallocated output, 1 thread, ns per element)",
        "",
        *table(
            [
                "n",
                "vec_mul kernel",
                "a * b (API)",
                "a *= b (API, in place)",
                "vec_batch_inv kernel",
                "a.inverse() (API)",
            ],
            kernel_rows,
        ),
        "",
        "`a * b` allocates its result: on large n the first touch of that fresh buffer "
        "(page faults) is part of its cost, which the in-place `a *= b` avoids.",
        "",
        "### Targets (one thread)",
        "",
        *target_lines,
        "",
        f"**Note:** {summary}",
        "",
    ]
    return "\n".join(out)


def write_section(path: Path, section: str) -> int:
    """Replace (or add) the field section of a RESULTS.md file, keeping the rest.

    Within an existing section, the lines after its last ``**Note:**`` line (the end of
    what this script prints) are hand-written notes: they are kept after the new
    section. Returns how many such lines were kept."""
    text = path.read_text() if path.exists() else "# Benchmark results\n\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION_HEADING), None)
    if start is None:
        path.write_text(text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n")
        return 0
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    notes_at = [i for i in range(start, end) if lines[i].startswith("**Note:**")]
    notes = "".join(lines[notes_at[-1] + 1 : end]).strip("\n") if notes_at else ""
    tail = "".join(lines[end:])
    new = "".join(lines[:start]) + section.rstrip("\n") + "\n"
    if notes:
        new += "\n" + notes + "\n"
    if tail:
        new += "\n" + tail
    path.write_text(new.rstrip("\n") + "\n")
    return notes.count("\n") + 1 if notes else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small n and few samples")
    parser.add_argument(
        "--write",
        type=Path,
        metavar="RESULTS_MD",
        help="also replace the field section of this Markdown file",
    )
    args = parser.parse_args(argv)
    section = report(args.quick)
    print(section)
    if args.write is not None:
        kept = write_section(args.write, section)
        print(f"(written to {args.write})", file=sys.stderr)
        if kept:
            print(
                f"(kept {kept} hand-written line(s) after the section's Note: check that "
                "they still agree with the new figures)",
                file=sys.stderr,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
