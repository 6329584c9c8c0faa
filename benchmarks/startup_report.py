# SPDX-License-Identifier: MIT
"""Start-up of the ``zkcx`` command (issue 17: ``zkcx prove`` reaches its first line of
work in at most 80 ms), whole processes, against the floor any Python command pays.

Each row is a fresh child process of this interpreter (the real executable, not a pyenv
shim), timed from spawn to exit: wall time and the child's CPU time (``os.wait4``). The
rows are run interleaved, ``--runs`` times each after one warm-up round (which also lets
Python cache the bytecode of the tree under test, as an installed package has it),
and reported as median and range:

* ``python -c pass``: the bare interpreter with its site packages;
* ``python -c "import numpy"``: the floor of any command that touches a vector, with
  OpenBLAS's default threads and with the one thread the ``zkcx`` command asks for
  (``OPENBLAS_NUM_THREADS=1``: its threads spin at start-up);
* ``zkcx --version``;
* ``zkcx prove KEY --wtns W`` with ``ZKCX_STOP_AT_WORK=1``: the command stops where it
  would read the key (``zkcx.cli._startup.work_starts``), so its time is the start-up:
  interpreter, imports, argument parsing. The key is a 2^10 multiplication chain's.

    python benchmarks/startup_report.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def child_env(**extra: str) -> dict[str, str]:
    """The children's environment: the tree under test first on the path, bytecode
    caching on (as in an installed package)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "ZKCX_STOP_AT_WORK", "OPENBLAS_NUM_THREADS")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.update(extra)
    return env


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one child process run to completion."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {stderr[-1500:]}")
    return wall, usage.ru_utime + usage.ru_stime


def chain_key(folder: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    """A proving key and witness of the 2^10 multiplication chain, written in ``folder``."""
    from zkcx import groth16
    from zkcx.cli._bench_cases import chain_case

    case = chain_case(10)
    _, wtns = case.write(folder)
    zkey = folder / "circuit.zkey"
    groth16.write_zkey(groth16.setup(case.r1cs), zkey)
    return zkey, wtns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each row")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from machine import describe

    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="zkcx-startup-") as tmp:
        zkey, wtns = chain_key(pathlib.Path(tmp))
        proof = [f"--proof={tmp}/proof.json", f"--public={tmp}/public.json"]
        rows = {
            "`python -c pass` (bare interpreter)": ([py, "-c", "pass"], child_env()),
            '`python -c "import numpy"`': ([py, "-c", "import numpy"], child_env()),
            '`python -c "import numpy"`, `OPENBLAS_NUM_THREADS=1`': (
                [py, "-c", "import numpy"], child_env(OPENBLAS_NUM_THREADS="1")),
            "`zkcx --version`": ([py, "-m", "zkcx", "--version"], child_env()),
            "`zkcx prove` to its first line of work (ZKCX_STOP_AT_WORK=1)": (
                [py, "-m", "zkcx", "prove", str(zkey), "--wtns", str(wtns), *proof],
                child_env(ZKCX_STOP_AT_WORK="1")),
        }
        for cmd, env in rows.values():  # warm-up: caches, bytecode
            timed(cmd, env)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in rows}
        for _ in range(args.runs):
            for name, (cmd, env) in rows.items():
                samples[name].append(timed(cmd, env))
        if pathlib.Path(tmp, "proof.json").exists():
            raise SystemExit("zkcx prove wrote a proof: ZKCX_STOP_AT_WORK did not stop it")

    print("## Start-up of the zkcx command\n")
    print(describe() + "\n")
    print(f"Whole child processes of `{py}` (`zkcx` is `python -m zkcx`), "
          f"{args.runs} interleaved runs each; milliseconds.\n")
    print("| command | wall median | wall range | CPU median |")
    print("|---|---:|---:|---:|")
    medians = {}
    for name, runs in samples.items():
        walls = [w * 1e3 for w, _ in runs]
        cpus = [c * 1e3 for _, c in runs]
        medians[name] = statistics.median(walls)
        print(f"| {name} | {medians[name]:.1f} | {min(walls):.1f}-{max(walls):.1f} | "
              f"{statistics.median(cpus):.1f} |")
    names = list(rows)
    print(f"\n`zkcx prove` start-up: {medians[names[-1]]:.1f} ms (target 80 ms); above the "
          f"numpy import with one OpenBLAS thread: "
          f"{medians[names[-1]] - medians[names[2]]:.1f} ms.")


if __name__ == "__main__":
    main()
