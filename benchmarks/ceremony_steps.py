# SPDX-License-Identifier: MIT
"""What benchmarks/ceremony_report.py measures: the ceremony steps with both sides'
command lines, the issue's targets, one measured child process, the cache that keeps
snarkjs's side between runs, and the results (also its JSON output)."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import pathlib
import secrets
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
for _path in (ROOT, HERE):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from field_report import busy_cpu_seconds  # noqa: E402
from machine import describe  # noqa: E402

from zkcx.cli._peers import PeerError, Snarkjs, run_child  # noqa: E402

#: The contributor name both sides write into their contributions.
NAME = "zkcx bench"


# -- one measured child process --------------------------------------------------------------

@dataclass
class Run:
    """One measured process: wall and CPU seconds, peak RSS (MB) and the share of the
    machine (0..1, all cores) that other processes used meanwhile. A run killed at the
    timeout has ``timed_out`` set, ``wall`` = the timeout and no CPU or memory figure."""

    wall: float
    cpu: float | None = None
    peak_mb: float | None = None
    others: float | None = None
    timed_out: bool = False


def measure(cmd: list[str], timeout: float) -> Run:
    """Run ``cmd`` in a measured child (zkcx.cli._peers.run_child) and sample the
    machine's busy CPU time around it. Raises PeerError if the command fails."""
    cores = os.cpu_count() or 1
    busy0, start = busy_cpu_seconds(), time.perf_counter()
    try:
        child = run_child(cmd, timeout)
    except PeerError:
        if time.perf_counter() - start >= timeout:
            return Run(timeout, timed_out=True)
        raise
    busy1 = busy_cpu_seconds()
    others = None
    if busy0 is not None and busy1 is not None and child.wall > 0:
        others = max(0.0, (busy1 - busy0 - child.cpu) / (child.wall * cores))
    return Run(child.wall, child.cpu, child.peak_mb, others)


def zkcx_command(*args: str | os.PathLike) -> list[str]:
    """``zkcx ARGS...`` as a user runs it (the interpreter and package in use)."""
    return [sys.executable, "-m", "zkcx", *map(str, args)]


def snarkjs_command(snarkjs: Snarkjs, *args: str | os.PathLike) -> list[str]:
    """``snarkjs ARGS...`` through node, as ``Snarkjs.cli`` runs it."""
    return [snarkjs.node, str(snarkjs.package / "build" / "cli.cjs"), *map(str, args)]


# -- the steps ---------------------------------------------------------------------------------

Files = dict[str, pathlib.Path]
Args = Callable[[Files, pathlib.Path], list[str]]


@dataclass(frozen=True)
class Step:
    """A compared step: the cached files it reads, the file it writes (kept in the cache
    for the next steps when ``keep``), both sides' arguments (files, output path) and
    how zkcx's output is checked: "verify" (snarkjs verifies it), "same" (equal to
    snarkjs's bytes, else "verify"), or "accepted" (zkcx's exit status on snarkjs's
    files is the check)."""

    name: str
    scope: str  # "ptau" (depends on the power only) or "zkey" (on the circuit too)
    inputs: tuple[str, ...]
    output: str | None
    keep: bool
    snarkjs: Args
    zkcx: Args
    check: str


def entropy_option() -> str:
    return f"-e={secrets.token_hex(32)}"


STEPS = [
    Step("ptau-contribute", "ptau", ("setup.ptau",), "contributed.ptau", False,
         lambda f, out: ["powersoftau", "contribute", f["setup.ptau"], out, f"--name={NAME}",
                         entropy_option()],
         lambda f, out: ["ptau", "contribute", f["setup.ptau"], out, "--name", NAME],
         "verify"),
    Step("ptau-verify", "ptau", ("setup.ptau",), None, False,
         lambda f, out: ["powersoftau", "verify", f["setup.ptau"]],
         lambda f, out: ["ptau", "verify", f["setup.ptau"]],
         "accepted"),
    Step("prepare", "ptau", ("setup.ptau",), "prepared.ptau", True,
         lambda f, out: ["powersoftau", "prepare", "phase2", f["setup.ptau"], out],
         lambda f, out: ["ptau", "prepare", f["setup.ptau"], out],
         "same"),
    Step("zkey-new", "zkey", ("circuit.r1cs", "prepared.ptau"), "new.zkey", True,
         lambda f, out: ["groth16", "setup", f["circuit.r1cs"], f["prepared.ptau"], out],
         lambda f, out: ["zkey", "new", f["circuit.r1cs"], f["prepared.ptau"], out],
         "same"),
    Step("zkey-contribute", "zkey", ("new.zkey",), "contributed.zkey", True,
         lambda f, out: ["zkey", "contribute", f["new.zkey"], out, f"--name={NAME}",
                         entropy_option()],
         lambda f, out: ["zkey", "contribute", f["new.zkey"], out, "--name", NAME],
         "verify"),
    Step("zkey-verify", "zkey", ("circuit.r1cs", "prepared.ptau", "contributed.zkey"), None,
         False,
         lambda f, out: ["zkey", "verify", f["circuit.r1cs"], f["prepared.ptau"],
                         f["contributed.zkey"]],
         lambda f, out: ["zkey", "verify", f["circuit.r1cs"], f["prepared.ptau"],
                         f["contributed.zkey"]],
         "accepted"),
]
STEP_NAMES = [step.name for step in STEPS]


@dataclass(frozen=True)
class Target:
    """An issue-16 target for a step: snarkjs / zkcx wall-time ratio at least ``ratio``,
    or zkcx's wall time at most ``seconds``, at ptau power ``power``."""

    power: int
    ratio: float | None = None
    seconds: float | None = None

    def describe(self) -> str:
        what = f">= {self.ratio:g}x" if self.ratio else f"< {self.seconds:g} s"
        return f"{what} at 2^{self.power}"


TARGETS = {"prepare": [Target(16, ratio=100), Target(20, seconds=120)],
           "zkey-new": [Target(16, ratio=20), Target(20, ratio=20)],
           "zkey-contribute": [Target(16, ratio=10)],
           "zkey-verify": [Target(16, ratio=10)]}
#: Peak memory at most this many times the size of the files a step reads and writes.
MEMORY_TARGET = 2.0


# -- the cache of snarkjs's side -------------------------------------------------------------

def file_digest(path: pathlib.Path) -> str:
    """SHA-256 of a file, hex (read in 16 MiB pieces)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while piece := fh.read(1 << 24):
            digest.update(piece)
    return digest.hexdigest()


class MissingInput(Exception):
    """A step's input file is neither cached nor made by an earlier step (it failed)."""


class Cache:
    """A folder of files the steps read and write, with ``record.json``: who made each
    file ("snarkjs" or "zkcx") and its SHA-256, and snarkjs's measured runs per step."""

    def __init__(self, folder: pathlib.Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._record_path = folder / "record.json"
        self.record: dict = {"files": {}, "steps": {}}
        if self._record_path.is_file():
            self.record = json.loads(self._record_path.read_text())

    def path(self, name: str) -> pathlib.Path:
        return self.folder / name

    def has(self, name: str) -> bool:
        return name in self.record["files"] and self.path(name).is_file()

    def made_by(self, name: str) -> str | None:
        return self.record["files"].get(name, {}).get("by") if self.has(name) else None

    def store(self, name: str, source: pathlib.Path, by: str) -> None:
        """Move ``source`` into the cache as ``name`` (atomically: a rename)."""
        target = self.path(name)
        tmp = target.with_suffix(target.suffix + ".part")
        shutil.move(str(source), tmp)
        os.replace(tmp, target)
        self.record["files"][name] = {"by": by, "sha256": file_digest(target)}
        self._save()

    def runs(self, step: str) -> list[Run]:
        return [Run(**run) for run in self.record["steps"].get(step, {}).get("runs", [])]

    def store_runs(self, step: str, runs: list[Run]) -> None:
        self.record["steps"][step] = {
            "runs": [dataclasses.asdict(run) for run in runs], "machine": describe(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
        self._save()

    def forget_runs(self, step: str) -> None:
        self.record["steps"].pop(step, None)
        self._save()

    def _save(self) -> None:
        tmp = self._record_path.with_suffix(".part")
        tmp.write_text(json.dumps(self.record, indent=1))
        os.replace(tmp, self._record_path)


# -- the comparison ------------------------------------------------------------------------------

@dataclass
class StepResult:
    """Both sides' runs of one step, the size of the files involved (MB, zkcx's side),
    the check of zkcx's output and whether snarkjs's figures came from the cache."""

    step: str
    snarkjs: list[Run] = field(default_factory=list)
    zkcx: list[Run] = field(default_factory=list)
    files_mb: float = 0.0
    check: str = "not run"
    check_ok: bool | None = None
    snarkjs_cached: str | None = None  # the date of the cached runs
    snarkjs_machine: str | None = None  # and the machine line of their run
    snarkjs_skipped: bool = False
    error: str | None = None  # zkcx's
    snarkjs_error: str | None = None


@dataclass
class Comparison:
    """Everything one report run measured (the JSON output)."""

    power: int
    circuit: str
    constraints: int
    snarkjs_version: str
    machine: str
    repeats: int
    timeout: float
    setup: dict
    steps: list[StepResult]
