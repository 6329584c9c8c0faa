# SPDX-License-Identifier: MIT
"""The prover comparison: the zkcx command against rapidsnark, groth16py and snarkjs, each
a whole process proving from the same ``.zkey`` (made by ``zkcx setup``) and ``.wtns``.

Runs are interleaved: every round runs each prover once, in an order rotated from round to
round, so that a change in the machine's load falls on all provers alike. Each run is a
fresh child measured by the launcher of ``_peers.run_child``: wall time, CPU time (user +
system), peak resident memory, and the CPU the rest of the machine used meanwhile. Every
proof is checked by the zkcx verifier against the circuit's public signals (the witness's
wires 1..n_public). zkcx's start-up is measured by whole runs of the same command with
``ZKCX_STOP_AT_WORK=1``, which ends the process where its work would start."""

from __future__ import annotations

import os
import pathlib
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import zkcx
from zkcx import groth16
from zkcx.cli import _peers
from zkcx.cli._bench_cases import Prepared
from zkcx.cli.errors import PeerError
from zkcx.curve.encoding import g1_from_evm, g2_from_evm

PEERS = _peers.PEERS
PROVERS = ("zkcx", *PEERS)
#: The pseudo-prover of start-up runs (``zkcx prove`` stopped where its work starts).
STARTUP = "zkcx start-up"
#: The measured quantities of every run.
MEASURES = ("wall", "cpu", "peak_mb", "other_cpu")


@dataclass
class Plan:
    """One circuit to measure: its label, how to write it into a folder, how many runs
    each prover gets, and why it is left out (not None: skipped, e.g. circom missing)."""

    label: str
    make: Callable[[pathlib.Path], Prepared] | None
    runs: int
    skipped: str | None = None


@dataclass
class Options:
    """What a comparison runs: circuits, provers left out on request, the per-run timeout
    and where progress goes."""

    plans: list[Plan]
    skip: frozenset[str] = frozenset()
    timeout: float = 3600.0
    progress: Callable[[str], object] = print


@dataclass
class Series:
    """One prover's runs on one circuit."""

    runs: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: bool = False

    def summary(self) -> dict:
        """Median, min and max of every measure over the runs; ``verified`` is whether
        every run's proof was accepted (None: no proof to check, start-up runs); ``prove``
        is the median wall time of a proving run (the whole process)."""
        out: dict = {"runs": len(self.runs), "notes": self.notes}
        for key in MEASURES:
            values = [r[key] for r in self.runs if r.get(key) is not None]
            out[key] = ({"median": round(statistics.median(values), 6),
                         "min": round(min(values), 6), "max": round(max(values), 6)}
                        if values else None)
        checks = [r["verified"] for r in self.runs if "verified" in r]
        out["verified"] = all(checks) if checks else None
        # the seconds one proof takes, as `zkcx node register --bench` reads them
        out["prove"] = out["wall"]["median"] if out["wall"] and checks else None
        out["runs_detail"] = self.runs
        return out


def machine() -> dict:
    """CPU, cores, load average and versions, for the record above every table."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh
                          if line.startswith("model name")), model)
    except OSError:  # pragma: no cover - not Linux
        pass
    return {"cpu": model, "cores": os.cpu_count(), "load_average": list(os.getloadavg()),
            "python": platform.python_version(), "zkcx": zkcx.__version__,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def _zkcx_proof_from_evm(blob: bytes) -> groth16.Proof:
    """A 256-byte EVM proof (A || B || C, G2 imaginary parts first) as a zkcx Proof."""
    return groth16.Proof(g1_from_evm(blob[:64]), g2_from_evm(blob[64:192]),
                         g1_from_evm(blob[192:256]))


class Comparison:
    """Runs the comparison over Options.plans; ``result()`` is the JSON-ready record."""

    def __init__(self, options: Options, workdir: pathlib.Path) -> None:
        self.options = options
        self.workdir = workdir
        self.say = options.progress
        self.zkcx = _peers.zkcx_command()
        self.provers: dict[str, dict] = {"zkcx": {"version": zkcx.__version__,
                                                  "command": " ".join(self.zkcx)}}
        self.rapidsnark, why = _peers.rapidsnark_prover()
        self.provers["rapidsnark"] = {"path": self.rapidsnark} if self.rapidsnark else {
            "skipped": why}
        version, why = _peers.groth16py_status()
        self.provers["groth16py"] = {"version": version} if version else {"skipped": why}
        self.snarkjs, why = _peers.find_snarkjs(workdir)
        self.provers["snarkjs"] = {"version": self.snarkjs.version} if self.snarkjs else {
            "skipped": why}
        for name in options.skip:
            self.provers[name] = {"skipped": "left out on request (--skip)"}
        self.cases: list[dict] = []

    def run(self) -> dict:
        for index, plan in enumerate(self.options.plans):
            if plan.skipped:
                self.say(f"[{index + 1}/{len(self.options.plans)}] {plan.label}: skipped: "
                         f"{plan.skipped}")
                self.cases.append({"name": plan.label, "skipped": plan.skipped})
                continue
            folder = self.workdir / f"case{index}"
            self.say(f"[{index + 1}/{len(self.options.plans)}] {plan.label}: writing the "
                     "circuit and its witness ...")
            try:
                prepared = plan.make(folder)
            except PeerError as exc:
                self.cases.append({"name": plan.label, "skipped": f"could not be built: {exc}"})
                continue
            try:
                self.cases.append(self._measure(prepared, folder, plan.runs))
            except PeerError as exc:  # zkcx setup failed: nothing to prove from
                self.cases.append({"name": plan.label, "skipped": f"zkcx setup failed: {exc}",
                                   "failed": True})
        return self.result()

    # -- one circuit ----------------------------------------------------------------------
    def _measure(self, case: Prepared, folder: pathlib.Path, runs: int) -> dict:
        zkey, vk_path = folder / "circuit.zkey", folder / "verification_key.json"
        self.say(f"  {case.constraints:,} constraints: zkcx setup ...")
        setup = _peers.run_child([*self.zkcx, "setup", case.r1cs, zkey, "--vk", vk_path],
                                 self.options.timeout)
        vk = groth16.read_verifying_key(vk_path)
        (folder / "public.json").write_text(
            "[" + ",".join(f'"{v}"' for v in case.public) + "]")
        runners = self._runners(case, folder, zkey, vk)
        series = {name: Series() for name in runners}
        sequence = 0  # the order of the runs over all provers
        for round_index in range(runs):
            names = list(runners)
            shift = round_index % len(names)
            for name in names[shift:] + names[:shift]:
                if series[name].failed:
                    continue
                try:
                    entry = runners[name]()
                    series[name].runs.append({"round": round_index, "sequence": sequence,
                                              **entry})
                    sequence += 1
                except PeerError as exc:
                    series[name].failed = True
                    series[name].notes.append(f"failed: {exc}")
            self.say(f"  round {round_index + 1}/{runs}: " + ", ".join(
                f"{name} {s.runs[-1]['wall']:.3f} s" for name, s in series.items()
                if s.runs and not s.failed))
        results = {name: s.summary() for name, s in series.items()}
        return {"name": case.name, "source": case.source, "constraints": case.constraints,
                "public_signals": len(case.public), "notes": case.notes,
                "setup_wall": round(setup.wall, 6), "results": results,
                "ratios": ratios(results)}

    def _runners(self, case: Prepared, folder: pathlib.Path, zkey: pathlib.Path,
                 vk) -> dict[str, Callable[[], dict]]:
        """One callable per prover: one measured, verified run."""
        def json_proof(proof: pathlib.Path, public: pathlib.Path) -> bool:
            return (groth16.read_public(public) == case.public
                    and bool(groth16.verify(vk, case.public, groth16.read_proof(proof))))

        def measured(name: str, cmd: list, outputs: list[pathlib.Path], check,
                     env: dict | None = None) -> Callable[[], dict]:
            def once() -> dict:
                for path in outputs:
                    path.unlink(missing_ok=True)
                run = _peers.run_child(cmd, self.options.timeout, env=env, cwd=folder)
                entry = {"wall": run.wall, "cpu": run.cpu, "peak_mb": run.peak_mb,
                         "other_cpu": run.other_cpu}
                entry = {k: (round(v, 6) if isinstance(v, float) else v)
                         for k, v in entry.items()}
                if check is not None:
                    entry["verified"] = check()
                return entry
            return once

        wtns = case.wtns
        runners: dict[str, Callable[[], dict]] = {}
        proof, public = folder / "zkcx_proof.json", folder / "zkcx_public.json"
        zkcx_prove = [*self.zkcx, "prove", zkey, "--wtns", wtns, "--proof", proof,
                      "--public", public]
        runners["zkcx"] = measured("zkcx", zkcx_prove, [proof, public],
                                   lambda: json_proof(proof, public))
        runners[STARTUP] = self._startup_runner(zkcx_prove, [proof, public], measured)
        if self.rapidsnark and "rapidsnark" not in self.options.skip:
            p, q = folder / "rapidsnark_proof.json", folder / "rapidsnark_public.json"
            runners["rapidsnark"] = measured("rapidsnark", [self.rapidsnark, zkey, wtns, p, q],
                                             [p, q], lambda: json_proof(p, q))
        if "version" in self.provers["groth16py"]:
            blob = folder / "groth16py_proof.bin"
            runners["groth16py"] = measured(
                "groth16py", _peers.groth16py_command(zkey, wtns, blob), [blob],
                lambda: bool(groth16.verify(vk, case.public,
                                            _zkcx_proof_from_evm(blob.read_bytes()))))
        if self.snarkjs and "snarkjs" not in self.options.skip:
            sp, sq = folder / "snarkjs_proof.json", folder / "snarkjs_public.json"
            runners["snarkjs"] = measured(
                "snarkjs", [self.snarkjs.node, self.snarkjs.package / "build" / "cli.cjs",
                            "groth16", "prove", zkey, wtns, sp, sq],
                [sp, sq], lambda: json_proof(sp, sq))
        return runners

    def _startup_runner(self, zkcx_prove: list, outputs: list[pathlib.Path],
                        measured) -> Callable[[], dict]:
        """Runs of ``zkcx prove`` with ZKCX_STOP_AT_WORK=1: a run that writes a proof all
        the same means this zkcx has no such hook, and is reported as a failure."""
        once = measured(STARTUP, zkcx_prove, outputs, None, env={"ZKCX_STOP_AT_WORK": "1"})

        def startup() -> dict:
            entry = once()
            if any(path.exists() for path in outputs):
                raise PeerError("this zkcx does not stop at ZKCX_STOP_AT_WORK=1 (it proved): "
                                "start-up not measured")
            return entry
        return startup

    def result(self) -> dict:
        return {"machine": machine(), "provers": self.provers, "cases": self.cases}


def ratios(results: dict[str, dict]) -> dict[str, dict[str, float]]:
    """zkcx against each peer, from the medians: ``wall`` and ``cpu`` are zkcx / peer
    (below 1: zkcx is faster), ``peak_mb_over`` is zkcx's peak less the peer's (MB)."""
    mine = results.get("zkcx")
    out: dict[str, dict[str, float]] = {}
    if not mine or mine["wall"] is None:
        return out
    for peer in PEERS:
        theirs = results.get(peer)
        if not theirs or theirs["wall"] is None:
            continue
        entry = {key: round(mine[key]["median"] / theirs[key]["median"], 3)
                 for key in ("wall", "cpu") if theirs[key] and theirs[key]["median"] > 0}
        entry["peak_mb_over"] = round(mine["peak_mb"]["median"] - theirs["peak_mb"]["median"],
                                      1)
        out[peer] = entry
    return out


def run_comparison(options: Options) -> dict:
    """Measure every circuit (in a temporary folder) and return the record: machine (with
    the load average at the start, and ``load_average_end``), provers (version, path, or
    why they were skipped) and cases."""
    start_load = list(os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="zkcx-bench-") as tmp:
        record = Comparison(options, pathlib.Path(tmp)).run()
    record["machine"]["load_average"] = start_load
    record["machine"]["load_average_end"] = list(os.getloadavg())
    return record
