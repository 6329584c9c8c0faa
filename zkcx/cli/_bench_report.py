# SPDX-License-Identifier: MIT
"""The prover comparison's record as Markdown (a summary table in the shape of issue 17's,
then every measure of every prover) and as a bar plot of wall times (matplotlib, an
optional dependency: the ``bench`` extra)."""

from __future__ import annotations

import pathlib

from zkcx.cli._bench_run import PEERS, PROVERS, STARTUP

#: Column order of the summary: the reference first, as in issue 17's table.
SUMMARY_ORDER = ("rapidsnark", "zkcx", "groth16py", "snarkjs")


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1e3:.0f} ms" if value < 1 else f"{value:.2f} s"


def _load(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _stat(stat: dict | None, unit: str = "s") -> str:
    """median (min–max)"""
    if stat is None:
        return "—"
    if unit == "MB":
        return f"{stat['median']:.0f} MB ({stat['min']:.0f}–{stat['max']:.0f})"
    return f"{_seconds(stat['median'])} ({_seconds(stat['min'])}–{_seconds(stat['max'])})"


def _summary_cell(res: dict | None) -> str:
    if res is None or res["wall"] is None:
        return "—"
    cell = f"{_seconds(res['wall']['median'])}, {res['peak_mb']['median']:.0f} MB"
    return cell if res["verified"] is not False else cell + " **proof refused**"


def markdown(record: dict) -> str:
    """The record as Markdown: the machine and its load, the provers, a summary table (one
    row per circuit: median wall time and peak memory of each prover, zkcx's start-up, the
    ratio zkcx / rapidsnark), the full table (median and range of every measure), then
    the notes (what was skipped and why)."""
    m = record["machine"]
    cases = [c for c in record["cases"] if "results" in c]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, load average {_load(m['load_average'])} "
        f"at the start and {_load(m.get('load_average_end', m['load_average']))} at the end; "
        f"Python {m['python']}, zkcx {m['zkcx']}; {m['date']}.",
        "",
        "Provers: " + "; ".join(
            f"{name} " + (info.get("version") or f"RAPIDSNARK={info['path']}")
            if "skipped" not in info else f"{name} (skipped)"
            for name, info in record["provers"].items()) + ".",
        "",
        "| circuit | " + " | ".join(SUMMARY_ORDER) + " | zkcx start-up "
        "| zkcx / rapidsnark (wall) | zkcx − rapidsnark (peak) |",
        "|---|" + "---:|" * (len(SUMMARY_ORDER) + 3),
    ]
    for case in cases:
        res, ratio = case["results"], case["ratios"].get("rapidsnark", {})
        start = res.get(STARTUP)
        cells = [f"{case['name']} ({case['constraints']:,} constraints, "
                 f"{case['public_signals']:,} public)"]
        cells += [_summary_cell(res.get(p)) for p in SUMMARY_ORDER]
        cells.append(_seconds(start["wall"]["median"]) if start and start["wall"] else "—")
        cells.append(f"**{ratio['wall']:.2f}**" if "wall" in ratio else "—")
        cells.append(f"{ratio['peak_mb_over']:+.0f} MB" if "peak_mb_over" in ratio else "—")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Each cell: median wall time of the whole process, median peak RSS. "
              "zkcx start-up: `zkcx prove` run with ZKCX_STOP_AT_WORK=1 (the process ends "
              "where its work starts).", "",
              "| circuit | prover | runs | wall: median (range) | CPU: median (range) "
              "| peak RSS: median (range) | other CPU: median (max) | proofs accepted |",
              "|---|---|--:|--:|--:|--:|--:|:-:|"]
    for case in cases:
        label = case["name"]
        for prover in (*PROVERS, STARTUP):
            res = case["results"].get(prover)
            if res is None:
                continue
            other = res["other_cpu"]
            accepted = {True: "all", False: "**NO**", None: "—"}[res["verified"]]
            lines.append("| " + " | ".join([
                label, prover, str(res["runs"]), _stat(res["wall"]), _stat(res["cpu"]),
                _stat(res["peak_mb"], "MB"),
                f"{other['median']:.2f} s ({other['max']:.2f})" if other else "—",
                accepted]) + " |")
            label = ""
    lines += ["", "Every run is a whole process proving from the same .zkey (made by `zkcx "
              "setup`) and .wtns; the provers run interleaved (each round runs each once, "
              "the order rotated every round). CPU is the process's user + system time "
              "(all threads); peak RSS its maximum resident set (wait4); other CPU is what "
              "the rest of the machine used during the run (/proc/stat less the process's "
              "own): near 0 on a quiet machine. Every proof is checked by the zkcx verifier "
              "against the circuit's public signals."]
    notes = [f"- {name}: skipped: {info['skipped']}"
             for name, info in record["provers"].items() if "skipped" in info]
    notes += [f"- {c['name']}: skipped: {c['skipped']}" for c in record["cases"]
              if "skipped" in c]
    for case in cases:
        notes += [f"- {case['name']}: {note}" for note in case.get("notes", [])]
        for prover, res in case["results"].items():
            notes += [f"- {case['name']}, {prover}: {note}" for note in res["notes"]]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def plot(record: dict, target: pathlib.Path) -> str | None:
    """Median wall time per circuit and prover (bars, the runs' range as error bars; log
    scale), zkcx's start-up beside them. Returns None, or why no plot was written."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ("matplotlib is not installed: no plot (pip install matplotlib, or the "
                "project's [bench] extra)")
    cases = [c for c in record["cases"] if "results" in c]
    provers = [p for p in ("zkcx", STARTUP, *PEERS)
               if any(c["results"].get(p, {}).get("wall") for c in cases)]
    fig, ax = plt.subplots(figsize=(max(6.4, 1.6 * len(cases) + 2), 4.4), dpi=100)
    width = 0.8 / max(1, len(provers))
    for index, prover in enumerate(provers):
        xs, medians, low, high = [], [], [], []
        for position, case in enumerate(cases):
            wall = case["results"].get(prover, {}).get("wall")
            if wall:
                xs.append(position + (index - (len(provers) - 1) / 2) * width)
                medians.append(wall["median"])
                low.append(wall["median"] - wall["min"])
                high.append(wall["max"] - wall["median"])
        ax.bar(xs, medians, width, yerr=[low, high], capsize=2, label=prover,
               color=f"C{index}", hatch="//" if prover == STARTUP else None)
    ax.set_xticks(range(len(cases)))
    ax.set_xticklabels([f"{c['name']}\n{c['constraints']:,}" for c in cases], fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("wall time of the process (s), median and range")
    load = _load(record["machine"]["load_average"][:1])
    ax.set_title(f"Groth16 BN254 prove, whole processes ({record['machine']['cores']} cores, "
                 f"load {load})", fontsize=10)
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target)
    plt.close(fig)
    return None
