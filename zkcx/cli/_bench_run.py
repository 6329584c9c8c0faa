# SPDX-License-Identifier: MIT
"""The peer comparison: zkcx against snarkjs, groth16py and rapidsnark on the same
circuits, keys and witnesses, in one run.

For each circuit: zkcx's setup writes the ``.zkey`` that every prover then proves from
with the same ``.wtns`` (so the provers do the same MSMs and FFTs); snarkjs's and
groth16py's own setups are timed from the same ``.r1cs``. Every proof is checked by the
zkcx verifier against zkcx's public signals, and each peer's own verifier is timed on its
proof. Ratios are peer / zkcx: above 1 means zkcx is faster (or smaller)."""

from __future__ import annotations

import os
import pathlib
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import zkcx
from zkcx import groth16
from zkcx.cli import _peers
from zkcx.cli._bench_cases import Case
from zkcx.curve.encoding import g1_from_evm, g2_from_evm

PEERS = ("snarkjs", "groth16py", "rapidsnark")
#: The measured quantities and the direction a ratio is read in.
RATIO_KEYS = ("setup", "prove", "prove_wall", "prove_peak_mb", "verify")


@dataclass
class Options:
    """What a comparison runs: circuits, where snarkjs's powers of tau are cached, and the
    largest one it may generate (0: use the cache only)."""

    cases: list[Callable[[], Case]]
    ptau_dir: pathlib.Path
    ptau_max: int
    progress: Callable[[str], object] = print


@dataclass
class Outcome:
    """One prover on one circuit. Times are seconds, measured inside the child (reading
    the inputs included, start-up excluded); ``prove_wall`` is the whole child."""

    setup: float | None = None
    setup_peak_mb: float | None = None
    prove: float | None = None
    prove_load: float | None = None  # of ``prove``, reading the .zkey and .wtns
    prove_wall: float | None = None
    prove_peak_mb: float | None = None
    verify: float | None = None
    verified: bool | None = None  # the zkcx verifier accepts this prover's proof
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in vars(self).items()}


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
            "date": time.strftime("%Y-%m-%d")}


def _zkcx_proof_from_evm(blob: bytes) -> groth16.Proof:
    """A 256-byte EVM proof (A || B || C, G2 imaginary parts first) as a zkcx Proof."""
    return groth16.Proof(g1_from_evm(blob[:64]), g2_from_evm(blob[64:192]),
                         g1_from_evm(blob[192:256]))


class Comparison:
    """Runs the comparison over Options.cases; ``result()`` is the JSON-ready record."""

    def __init__(self, options: Options, workdir: pathlib.Path) -> None:
        self.options = options
        self.workdir = workdir
        self.say = options.progress
        self.snarkjs, snarkjs_why = _peers.find_snarkjs(workdir)
        g16_version, g16_why = _peers.groth16py_status()
        self.rapidsnark, rapid_why = _peers.rapidsnark_prover()
        self.provers: dict[str, dict] = {"zkcx": {"version": zkcx.__version__}}
        self.provers["snarkjs"] = ({"version": self.snarkjs.version} if self.snarkjs
                                   else {"skipped": snarkjs_why})
        self.provers["groth16py"] = ({"version": g16_version} if g16_version
                                     else {"skipped": g16_why})
        self.provers["rapidsnark"] = ({"path": self.rapidsnark} if self.rapidsnark
                                      else {"skipped": rapid_why})
        self.ptau: dict = {"dir": str(options.ptau_dir), "generation_cap": options.ptau_max}
        self.cases: list[dict] = []

    # -- snarkjs's powers of tau ----------------------------------------------------------
    def _prepare_ptau(self, powers: list[int]) -> None:
        """Make sure a prepared ptau covers the largest case within the cap."""
        if not self.snarkjs:
            return
        wanted = [p for p in powers if p <= self.options.ptau_max]
        need = max(wanted, default=0)
        if need and _peers.cached_ptau(self.options.ptau_dir, need) is None:
            self.say(f"making a prepared powers of tau for 2^{need} (snarkjs, slow) ...")
            path, seconds = _peers.make_ptau(self.snarkjs, self.options.ptau_dir, need)
            self.ptau["generated"] = {"power": need, "seconds": round(seconds, 2),
                                      "path": str(path)}

    def _ptau_for(self, case: Case) -> tuple[pathlib.Path | None, str]:
        path = _peers.cached_ptau(self.options.ptau_dir, case.power)
        if path:
            return path, ""
        return None, (f"no prepared powers of tau that large in {self.options.ptau_dir} "
                      f"(generation capped at 2^{self.options.ptau_max}: snarkjs's prepare "
                      "phase2 grows about 4x per two powers)")

    # -- one case --------------------------------------------------------------------------
    def run(self) -> dict:
        built = []
        for make in self.options.cases:
            case = make()
            built.append(case)
        self._prepare_ptau([c.power for c in built])
        for index, case in enumerate(built):
            self.say(f"[{index + 1}/{len(built)}] {case.name}: {case.constraints:,} constraints")
            self.cases.append(self._measure(case, self.workdir / f"case{index}"))
        return self.result()

    def _measure(self, case: Case, folder: pathlib.Path) -> dict:
        r1cs_path, wtns = case.write(folder)
        zkey, vk_path = folder / "zkcx.zkey", folder / "verification_key.json"
        proof_path, public_path = folder / "proof.json", folder / "public.json"
        results: dict[str, Outcome] = {}

        mine = results["zkcx"] = Outcome()
        run = _peers.python_child("zkcx-setup", r1cs_path, zkey, vk_path)
        mine.setup, mine.setup_peak_mb = run.report["setup"], run.peak_mb
        run = _peers.python_child("zkcx-prove", zkey, wtns, proof_path, public_path)
        mine.prove = run.report["load"] + run.report["prove"]
        mine.prove_load = run.report["load"]
        mine.prove_wall, mine.prove_peak_mb = run.wall, run.peak_mb
        vk = groth16.read_verifying_key(vk_path)
        public = groth16.read_public(public_path)
        self.vk, self.public = vk, public
        proof = groth16.read_proof(proof_path)
        mine.verify, ok = _peers.best_time(lambda: groth16.verify(vk, public, proof))
        mine.verified = bool(ok)

        for peer, measure in (("snarkjs", self._snarkjs), ("groth16py", self._groth16py),
                              ("rapidsnark", self._rapidsnark)):
            if "skipped" in self.provers[peer]:
                continue
            outcome = results[peer] = Outcome()
            try:
                measure(case, folder, outcome)
            except _peers.PeerError as exc:
                outcome.notes.append(f"failed: {exc}")
        return {"name": case.name, "constraints": case.constraints, "power": case.power,
                "public_signals": len(public),
                "results": {k: v.as_dict() for k, v in results.items()},
                "ratios": _ratios(results)}

    def _accepts(self, proof: groth16.Proof, public: list[int] | None = None) -> bool:
        """Whether zkcx's verifier accepts a peer's proof for the circuit's public signals."""
        if public is not None and public != self.public:
            return False
        return bool(groth16.verify(self.vk, self.public, proof))

    def _snarkjs(self, case: Case, folder: pathlib.Path, out: Outcome) -> None:
        sj = self.snarkjs
        ptau, why = self._ptau_for(case)
        if ptau:
            run = sj.call("setup", folder / "circuit.r1cs", ptau, folder / "snarkjs.zkey")
            out.setup, out.setup_peak_mb = run.report["setup"], run.peak_mb
        else:
            out.notes.append(f"setup not measured: {why}")
        proof, public = folder / "snarkjs_proof.json", folder / "snarkjs_public.json"
        run = sj.call("prove", folder / "zkcx.zkey", folder / "witness.wtns", proof, public)
        out.prove, out.prove_wall, out.prove_peak_mb = run.report["prove"], run.wall, run.peak_mb
        out.verified = self._accepts(groth16.read_proof(proof), groth16.read_public(public))
        run = sj.call("verify", folder / "verification_key.json", public, proof,
                      str(_peers.VERIFY_REPEATS))
        out.verify = run.report["verify"]
        if not run.report.get("valid"):
            out.notes.append("snarkjs's verifier rejected its own proof")

    def _groth16py(self, case: Case, folder: pathlib.Path, out: Outcome) -> None:
        run = _peers.python_child("groth16py-setup", folder / "circuit.r1cs")
        out.setup, out.setup_peak_mb = run.report["setup"], run.peak_mb
        blob_path = folder / "groth16py_proof.bin"
        run = _peers.python_child("groth16py-prove", folder / "zkcx.zkey",
                                  folder / "witness.wtns", blob_path, folder / "public.json")
        out.prove = run.report["load"] + run.report["prove"]
        out.prove_load = run.report["load"]
        out.prove_wall, out.prove_peak_mb = run.wall, run.peak_mb
        out.verify = run.report["verify"]
        out.verified = self._accepts(_zkcx_proof_from_evm(blob_path.read_bytes()))
        if not run.report.get("valid"):
            out.notes.append("groth16py's verifier rejected its own proof")

    def _rapidsnark(self, case: Case, folder: pathlib.Path, out: Outcome) -> None:
        proof, public = folder / "rapidsnark_proof.json", folder / "rapidsnark_public.json"
        run = _peers.run_child([self.rapidsnark, str(folder / "zkcx.zkey"),
                                str(folder / "witness.wtns"), str(proof), str(public)])
        out.prove_wall, out.prove_peak_mb = run.wall, run.peak_mb
        out.verified = self._accepts(groth16.read_proof(proof), groth16.read_public(public))
        out.notes.append("prove time is the wall time of its process (it reports none inside); "
                         "it has no setup or verifier")

    def result(self) -> dict:
        return {"machine": machine(), "provers": self.provers, "ptau": self.ptau,
                "cases": self.cases}


def _ratios(results: dict[str, Outcome]) -> dict[str, dict[str, float]]:
    """peer / zkcx for every quantity both have."""
    base = results["zkcx"]
    ratios = {}
    for peer, outcome in results.items():
        if peer == "zkcx":
            continue
        ratios[peer] = {key: round(getattr(outcome, key) / getattr(base, key), 3)
                        for key in RATIO_KEYS
                        if getattr(outcome, key) is not None and getattr(base, key)}
    return ratios


def run_comparison(options: Options) -> dict:
    """Measure every case (in a temporary folder) and return the record: machine (with the
    load average at the start, and ``load_average_end``), provers (version or the reason
    they were skipped), ptau (the cache and any file generated) and cases."""
    start_load = list(os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="zkcx-bench-") as tmp:
        record = Comparison(options, pathlib.Path(tmp)).run()
    record["machine"]["load_average"] = start_load
    record["machine"]["load_average_end"] = list(os.getloadavg())
    return record
