# SPDX-License-Identifier: MIT
"""The peer comparison's record as a Markdown table and a log-log plot of prove time
against constraint count (matplotlib, an optional benchmark dependency)."""

from __future__ import annotations

import pathlib

from zkcx.cli._bench_run import PEERS

PROVERS = ("zkcx", *PEERS)


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1e3:.1f} ms" if value < 1 else f"{value:.2f} s"


def _mb(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} MB"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _load(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def markdown(record: dict) -> str:
    """The record as Markdown: a header naming the machine and its load, one table row
    per circuit and prover, then what was skipped and why."""
    m = record["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, load average {_load(m['load_average'])} "
        f"at the start and {_load(m.get('load_average_end', m['load_average']))} at the end "
        f"(shared with other work); Python {m['python']}, zkcx {m['zkcx']}; {m['date']}.",
        "",
        "Provers: " + "; ".join(
            f"{name} {info['version']}" if "version" in info else
            f"{name} ({'RAPIDSNARK=' + info['path'] if 'path' in info else 'skipped'})"
            for name, info in record["provers"].items()) + ".",
        "",
        "| circuit | prover | setup | prove | prove (wall) | peak RSS (prove) | verify "
        "| proof accepted by zkcx | setup ×zkcx | prove ×zkcx | wall ×zkcx | peak ×zkcx "
        "| verify ×zkcx |",
        "|---|---|--:|--:|--:|--:|--:|:-:|--:|--:|--:|--:|--:|",
    ]
    for case in record["cases"]:
        label = f"{case['name']} ({case['constraints']:,})"
        for prover in PROVERS:
            res = case["results"].get(prover)
            if res is None:
                continue
            ratio = case["ratios"].get(prover, {})
            accepted = {True: "yes", False: "**NO**", None: "—"}[res["verified"]]
            cells = [label, prover, _seconds(res["setup"]), _seconds(res["prove"]),
                     _seconds(res["prove_wall"]), _mb(res["prove_peak_mb"]),
                     _seconds(res["verify"]), accepted]
            if prover == "zkcx":
                cells += [""] * 5
            else:
                cells += [_ratio(ratio.get(k)) for k in
                          ("setup", "prove", "prove_wall", "prove_peak_mb", "verify")]
            lines.append("| " + " | ".join(cells) + " |")
            label = ""
    lines += ["", "Setup, prove and verify are timed inside each process (reading the key and "
              "witness included, runtime start-up excluded); prove (wall) is the whole process "
              "as a user runs it (Python or node start-up included); peak RSS is the prover "
              "process's maximum resident set (wait4). Ratios are peer / zkcx: above 1 means "
              "zkcx is faster or smaller. Every prover proves from zkcx's .zkey and the same "
              ".wtns; setup times are each tool's own setup from the same .r1cs."]
    notes = [f"- {name}: skipped: {info['skipped']}"
             for name, info in record["provers"].items() if "skipped" in info]
    where: dict[tuple[str, str], list[str]] = {}
    for case in record["cases"]:
        for prover, res in case["results"].items():
            for note in res["notes"]:
                where.setdefault((prover, note), []).append(case["name"])
    notes += [f"- {prover}: {note} ({', '.join(names)})"
              for (prover, note), names in where.items()]
    generated = record["ptau"].get("generated")
    if generated:
        notes.append(f"- snarkjs powers of tau for 2^{generated['power']} generated in this run "
                     f"(new + one contribution + prepare phase2): {generated['seconds']:.0f} s")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def plot(record: dict, target: pathlib.Path) -> str | None:
    """Prove time (inside the process; rapidsnark's wall time) against constraints, log-log,
    one line per prover over the chain circuits, kernels as separate markers. Returns None,
    or why no plot was written (matplotlib missing)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install matplotlib, or the [bench] extra)"
    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=100)
    for index, prover in enumerate(PROVERS):
        key = "prove_wall" if prover == "rapidsnark" else "prove"
        points = [(c["constraints"], c["results"][prover][key], c["name"])
                  for c in record["cases"]
                  if c["results"].get(prover, {}).get(key) is not None]
        if not points:
            continue
        color = f"C{index}"
        chains = [(n, t) for n, t, name in points if name.startswith("chain")]
        if chains:
            ax.plot(*zip(*chains), marker="o", color=color,
                    label=prover + (" (wall)" if key == "prove_wall" else ""))
        for n, t, name in points:
            if not name.startswith("chain"):
                ax.plot([n], [t], marker="*", markersize=11, color=color, linestyle="none")
                if prover == "zkcx":
                    ax.annotate(name, (n, t), textcoords="offset points", xytext=(6, -12),
                                fontsize=8)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("constraints")
    ax.set_ylabel("prove time (s)")
    load = _load(record["machine"]["load_average"][:1])
    ax.set_title(f"Groth16 BN254 prove time ({record['machine']['cores']} cores, load {load})",
                 fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target)
    plt.close(fig)
    return None
