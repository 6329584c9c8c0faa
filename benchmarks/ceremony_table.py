# SPDX-License-Identifier: MIT
"""The Markdown table of benchmarks/ceremony_report.py: medians and ranges, ratios
snarkjs / zkcx, the issue's targets met or not, memory against the files involved."""

from __future__ import annotations

import math
import statistics

from ceremony_steps import MEMORY_TARGET, TARGETS, Comparison, Run, StepResult

# -- the table -----------------------------------------------------------------------------------

def _walls(runs: list[Run]) -> list[float]:
    return [run.wall for run in runs]


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _seconds(value: float) -> str:
    if value >= 100:
        return f"{value:.0f} s"
    if value >= 1:
        return f"{value:.2f} s"
    return f"{value * 1e3:.0f} ms"


def wall_cell(runs: list[Run]) -> str:
    """'median (min-max, n runs)', or '> T s' when a run timed out."""
    if not runs:
        return "—"
    if any(run.timed_out for run in runs):
        return f"> {_seconds(max(_walls(runs)))} (timed out)"
    walls = _walls(runs)
    if len(walls) == 1:
        return _seconds(walls[0])
    return f"{_seconds(_median(walls))} ({_seconds(min(walls))}–{_seconds(max(walls))})"


def ratio(snarkjs: list[Run], zkcx: list[Run], key: str = "wall") -> tuple[float, bool] | None:
    """snarkjs / zkcx of the medians of ``key``, and whether it is a lower bound (snarkjs
    timed out); None where either side has no figure."""
    if not snarkjs or not zkcx or any(run.timed_out for run in zkcx):
        return None
    bound = any(run.timed_out for run in snarkjs)
    if bound:
        if key != "wall":
            return None
        theirs = max(_walls(snarkjs))
    else:
        theirs = _median([getattr(run, key) for run in snarkjs])
    ours = _median([getattr(run, key) for run in zkcx])
    return (theirs / ours if ours > 0 else math.inf), bound


def _ratio_cell(value: tuple[float, bool] | None) -> str:
    if value is None:
        return "—"
    return f"{'>= ' if value[1] else ''}{value[0]:.1f}x"


def _cpu_cell(runs: list[Run]) -> str:
    cpus = [run.cpu for run in runs if run.cpu is not None]
    return _seconds(_median(cpus)) if cpus else "—"


def _peak(runs: list[Run]) -> float | None:
    peaks = [run.peak_mb for run in runs if run.peak_mb is not None]
    return max(peaks) if peaks else None


def target_cell(result: StepResult, power: int) -> str:
    """The issue's target for this step at this power and whether it is met."""
    targets = [t for t in TARGETS.get(result.step, []) if t.power == power]
    if not targets:
        others = TARGETS.get(result.step, [])
        return ("(" + ", ".join(t.describe() for t in others) + ")") if others else "—"
    cells = []
    for target in targets:
        if target.ratio is not None:
            value = ratio(result.snarkjs, result.zkcx)
            verdict = ("no figure" if value is None else
                       "met" if value[0] >= target.ratio else
                       "not shown (snarkjs timed out too soon)" if value[1] else "NOT met")
        else:
            walls = [] if any(r.timed_out for r in result.zkcx) else _walls(result.zkcx)
            verdict = ("no figure" if not walls else
                       "met" if _median(walls) < target.seconds else "NOT met")
        cells.append(f"{target.describe()}: {verdict}")
    return "; ".join(cells)


def memory_cell(result: StepResult) -> str:
    """zkcx's peak RSS against the files involved, and the <= 2x target."""
    peak = _peak(result.zkcx)
    if peak is None or result.files_mb <= 0:
        return "—"
    times = peak / result.files_mb
    verdict = "met" if times <= MEMORY_TARGET else "NOT met"
    return f"{_megabytes(peak)} = {times:.2f}x of {_megabytes(result.files_mb)} ({verdict})"


def _megabytes(value: float) -> str:
    return f"{value:.0f} MB" if value >= 10 else f"{value:.2g} MB"


def others_cell(result: StepResult) -> str:
    """The most other processes used of the machine during any run of this report."""
    shares = [run.others for run in result.zkcx + (
        [] if result.snarkjs_cached else result.snarkjs) if run.others is not None]
    return f"{100 * max(shares):.0f}%" if shares else "—"


def _quoted(error: str) -> str:
    """An error message fit for a table cell: one line, no pipes, at most 160 chars."""
    text = " ".join(error.replace("|", "/").split())
    return text if len(text) <= 160 else text[:157] + "..."


def markdown(comparison: Comparison) -> str:
    """The report as a Markdown section."""
    c = comparison
    lines = [f"### Ceremony steps at 2^{c.power}: zkcx against snarkjs {c.snarkjs_version}",
             "", c.machine, "",
             f"Powers of tau 2^{c.power}; circuit {c.circuit}"
             + (f" ({c.constraints:,} constraints)" if c.constraints else "")
             + f"; {c.repeats} run(s) per side (median, range), each a whole process; "
             f"per-run timeout {_seconds(c.timeout)}.", "",
             "| step | snarkjs | zkcx | snarkjs / zkcx | CPU snarkjs / zkcx (ratio) | "
             "peak snarkjs | peak zkcx (of files) | others' CPU | target | zkcx output |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in c.steps:
        theirs = ("skipped" if r.snarkjs_skipped else
                  f"FAILED: {_quoted(r.snarkjs_error)}" if r.snarkjs_error else
                  wall_cell(r.snarkjs))
        if r.snarkjs_cached:
            theirs += f" (cached {r.snarkjs_cached[:10]})"
        ours = f"FAILED: {_quoted(r.error)}" if r.error else wall_cell(r.zkcx)
        peak = _peak(r.snarkjs)
        lines.append(
            f"| {r.step} | {theirs} | {ours} | {_ratio_cell(ratio(r.snarkjs, r.zkcx))} | "
            f"{_cpu_cell(r.snarkjs)} / {_cpu_cell(r.zkcx)} "
            f"({_ratio_cell(ratio(r.snarkjs, r.zkcx, 'cpu'))}) | "
            f"{'—' if peak is None else _megabytes(peak)} | {memory_cell(r)} | "
            f"{others_cell(r)} | {target_cell(r, c.power)} | {r.check} |")
    setup = c.setup
    lines += ["", f"Setup (not compared): ptau new + contribute by {setup['by']}"
              + (" (cached)." if setup.get("cached") else
                 f", {_seconds(setup['new']['wall'] + setup['contribute']['wall'])}."),
              "Others' CPU: the largest share of the machine (all cores) other processes used "
              "during one of this run's measurements (cached snarkjs runs excluded; "
              "above ~5% the figures are pessimistic)."]
    cached = sorted({(r.snarkjs_cached, r.snarkjs_machine) for r in c.steps
                     if r.snarkjs_cached})
    lines += [f"snarkjs's runs cached from {date}: {machine}" for date, machine in cached]
    return "\n".join(lines)
