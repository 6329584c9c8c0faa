# SPDX-License-Identifier: MIT
"""Running Groth16 provers in child processes and measuring them: zkcx itself, snarkjs
(through node), groth16py (arkworks through PyO3) and rapidsnark.

Every measurement runs in a fresh child so that its peak memory is its own: ``os.wait4``
returns the child's ``ru_maxrss``. Each child also reports the time it spent inside
(reading its inputs and doing the work; runtime start-up and imports excluded) beside
the wall time of the whole child, which is what a user of the command waits.

Run as ``python -m zkcx.cli._peers KIND ARGS...`` this module is the Python child
(KIND: ``zkcx-setup``, ``zkcx-prove``, ``groth16py-setup``, ``groth16py-prove``); it
prints one JSON object on stdout."""

from __future__ import annotations

import json
import os
import pathlib
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import zkcx
from zkcx.cli.errors import PeerError

#: The snarkjs release the interoperability tests pin (tests/conftest.py NPM_PACKAGES).
SNARKJS_VERSION = "0.7.6"
#: How often a verification is repeated; the fastest run is reported.
VERIFY_REPEATS = 5
#: The source tree holding the zkcx package in use (the children import the same one).
_PACKAGE_PARENT = pathlib.Path(zkcx.__file__).resolve().parents[1]


@dataclass
class ChildRun:
    """Wall seconds and peak resident memory (MB) of one child process, its report (the
    JSON object on its last stdout line, or {} when it prints none) and the CPU seconds
    it used (user + system, all its threads and the children it waited for)."""

    wall: float
    peak_mb: float
    report: dict
    cpu: float = 0.0


#: A small launcher between us and every measured child. Linux carries a process's RSS
#: high-water mark across execve, and Python spawns children with vfork (the parent's
#: memory): measured directly, a child would report the benchmark parent's peak. Forked
#: from this launcher (a bare interpreter, ~10 MB) its peak is its own.
_LAUNCHER = r"""
import json, os, sys, time
report, cmd = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(report, "w") as fh:
    json.dump({"wall": wall, "maxrss_kib": usage.ru_maxrss,
               "cpu": usage.ru_utime + usage.ru_stime,
               "code": os.waitstatus_to_exitcode(status)}, fh)
"""


def run_child(cmd: list[str], timeout: float = 3600.0) -> ChildRun:
    """Run ``cmd`` to completion and measure it: wall time around the child, its CPU time
    and peak RSS (``ru_maxrss`` from ``os.wait4``, KiB on Linux), taken by a small launcher
    (see _LAUNCHER). Output goes to temporary files, so a chatty child never blocks on a
    full pipe. Raises PeerError naming the command and quoting its stderr if it exits
    non-zero or outlives ``timeout`` seconds (then its process group is killed)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(_PACKAGE_PARENT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    with tempfile.TemporaryDirectory(prefix="zkcx-child-") as tmp:
        files = pathlib.Path(tmp)
        with open(files / "out", "w") as out, open(files / "err", "w") as err:
            proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _LAUNCHER,
                                     str(files / "report.json"), *map(str, cmd)],
                                    stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env,
                                    start_new_session=True)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise PeerError(f"{_show(cmd)} took more than {timeout:.0f} s") from exc
        stdout, stderr = (files / "out").read_text(), (files / "err").read_text()
        if proc.returncode != 0 or not (files / "report.json").is_file():
            raise PeerError(f"could not run {_show(cmd)}: {stderr.strip()[-1500:]}")
        measured = json.loads((files / "report.json").read_text())
    if measured["code"] != 0:
        hint = " (could not be executed)" if measured["code"] == 127 else ""
        raise PeerError(f"{_show(cmd)} exited with {measured['code']}{hint}: "
                        f"{stderr.strip()[-1500:]}")
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    return ChildRun(measured["wall"], measured["maxrss_kib"] / 1024,
                    json.loads(lines[-1]) if lines else {}, measured["cpu"])


def _show(cmd: list[str]) -> str:
    return " ".join(pathlib.Path(c).name if os.sep in c else c for c in map(str, cmd[:5]))


def python_child(kind: str, *args: str | os.PathLike) -> ChildRun:
    """Run this module as a child of kind ``kind`` (see the module docstring)."""
    return run_child([sys.executable, "-m", "zkcx.cli._peers", kind, *map(str, args)])


def best_time(fn, repeats: int = VERIFY_REPEATS) -> tuple[float, object]:
    """The fastest of ``repeats`` timed calls of ``fn()``, and its last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


# -- the Python children ----------------------------------------------------------------------

def _child_zkcx_setup(r1cs_path: str, zkey: str, vk: str) -> dict:
    """Read a .r1cs, run zkcx's setup, write the .zkey and verification_key.json."""
    from zkcx import groth16
    from zkcx.r1cs import read_r1cs

    t0 = time.perf_counter()
    r1cs = read_r1cs(r1cs_path)
    t1 = time.perf_counter()
    pk = groth16.setup(r1cs)
    t2 = time.perf_counter()
    groth16.write_zkey(pk, zkey)
    groth16.write_verifying_key(pk.verifying_key, vk)
    return {"load": t1 - t0, "setup": t2 - t1}


def _child_zkcx_prove(zkey: str, wtns: str, proof: str, public: str) -> dict:
    """Read a .zkey and .wtns, prove, write proof.json and public.json."""
    from zkcx import groth16
    from zkcx.r1cs import read_wtns

    t0 = time.perf_counter()
    pk, witness = groth16.read_zkey(zkey), read_wtns(wtns)
    t1 = time.perf_counter()
    pr, pub = groth16.prove(pk, witness)
    t2 = time.perf_counter()
    groth16.write_proof(pr, proof)
    groth16.write_public(pub, public)
    return {"load": t1 - t0, "prove": t2 - t1}


def _child_groth16py_setup(r1cs_path: str) -> dict:
    """groth16py's native single-party setup from a circom .r1cs."""
    import groth16py

    t0 = time.perf_counter()
    groth16py.setup(r1cs_path)
    return {"setup": time.perf_counter() - t0}


def _child_groth16py_prove(zkey: str, wtns: str, proof: str, public: str) -> dict:
    """Import a snarkjs .zkey into groth16py, prove from the .wtns, verify with its prepared
    verifier (fastest of VERIFY_REPEATS) and write the 256-byte EVM proof."""
    import groth16py

    t0 = time.perf_counter()
    pk, vk = groth16py.import_zkey(zkey)
    t1 = time.perf_counter()
    blob = groth16py.prove_wtns(pk, wtns)
    t2 = time.perf_counter()
    signals = [int(v) for v in json.loads(pathlib.Path(public).read_text())]
    verifier = groth16py.Verifier(vk)
    verify_s, ok = best_time(lambda: verifier.verify(blob, signals))
    pathlib.Path(proof).write_bytes(blob)
    return {"load": t1 - t0, "prove": t2 - t1, "verify": verify_s, "valid": bool(ok),
            "version": groth16py.__version__}


_CHILDREN = {"zkcx-setup": _child_zkcx_setup, "zkcx-prove": _child_zkcx_prove,
             "groth16py-setup": _child_groth16py_setup,
             "groth16py-prove": _child_groth16py_prove}


# -- snarkjs ------------------------------------------------------------------------------------

#: A node script timing snarkjs's library calls in-process: the same work as
#: ``snarkjs groth16 setup|prove|verify``, which read their files themselves.
_SNARKJS_SCRIPT = r"""
const snarkjs = require(process.argv[2]);
const fs = require("fs");
const { performance } = require("perf_hooks");
const [op, ...a] = process.argv.slice(3);
const read = (p) => JSON.parse(fs.readFileSync(p, "utf8"));
async function main() {
  const out = {};
  let t = performance.now();
  if (op === "setup") {
    await snarkjs.zKey.newZKey(a[0], a[1], a[2]);
    out.setup = (performance.now() - t) / 1e3;
  } else if (op === "prove") {
    const { proof, publicSignals } = await snarkjs.groth16.prove(a[0], a[1]);
    out.prove = (performance.now() - t) / 1e3;
    fs.writeFileSync(a[2], JSON.stringify(proof));
    fs.writeFileSync(a[3], JSON.stringify(publicSignals));
  } else if (op === "verify") {
    const [vk, pub, proof] = [read(a[0]), read(a[1]), read(a[2])];
    out.verify = Infinity;
    for (let i = 0; i < Number(a[3]); i++) {
      t = performance.now();
      out.valid = await snarkjs.groth16.verify(vk, pub, proof);
      out.verify = Math.min(out.verify, (performance.now() - t) / 1e3);
    }
  }
  console.log(JSON.stringify(out));
  process.exit(0);
}
main().catch((e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
"""


@dataclass
class Snarkjs:
    """A snarkjs installation: node, the package directory and its CLI script."""

    node: str
    package: pathlib.Path
    script: pathlib.Path

    @property
    def version(self) -> str:
        return json.loads((self.package / "package.json").read_text())["version"]

    def cli(self, *args: str | os.PathLike, timeout: float = 3600.0) -> ChildRun:
        """``snarkjs ARGS...`` as a user runs it (killed after ``timeout`` seconds)."""
        return run_child([self.node, str(self.package / "build" / "cli.cjs"), *map(str, args)],
                         timeout)

    def call(self, op: str, *args: str | os.PathLike) -> ChildRun:
        """Time snarkjs's library ``op`` (setup, prove or verify) inside node."""
        return run_child([self.node, str(self.script), str(self.package), op, *map(str, args)])


def find_snarkjs(workdir: pathlib.Path) -> tuple[Snarkjs | None, str]:
    """snarkjs from $SNARKJS_DIR (a node_modules/snarkjs directory), else the project's
    npm cache (``.ci-cache/npm`` beside the zkcx package, where ``.ci/run`` installs it);
    (None, why) where node or the package is absent. The timing script is written into
    ``workdir``."""
    node = shutil.which("node")
    if node is None:
        return None, "node is not installed"
    candidates = [os.environ.get("SNARKJS_DIR"),
                  _PACKAGE_PARENT / ".ci-cache" / "npm" / "node_modules" / "snarkjs",
                  pathlib.Path.cwd() / ".ci-cache" / "npm" / "node_modules" / "snarkjs"]
    for candidate in filter(None, candidates):
        package = pathlib.Path(candidate)
        if (package / "package.json").is_file() and (package / "build" / "cli.cjs").is_file():
            script = workdir / "snarkjs_timing.cjs"
            script.write_text(_SNARKJS_SCRIPT)
            return Snarkjs(node, package, script), ""
    return None, (f"snarkjs is not installed (npm install --prefix .ci-cache/npm "
                  f"snarkjs@{SNARKJS_VERSION}, or set SNARKJS_DIR)")


# -- powers of tau for snarkjs's setup ----------------------------------------------------------

def default_ptau_dir() -> pathlib.Path:
    """$ZKCX_PTAU_DIR, else ``.ci-cache/ptau`` beside the zkcx package."""
    return pathlib.Path(os.environ.get("ZKCX_PTAU_DIR") or
                        _PACKAGE_PARENT / ".ci-cache" / "ptau")


def cached_ptau(ptau_dir: pathlib.Path, power: int) -> pathlib.Path | None:
    """The smallest prepared powers-of-tau file ``pot<K>_final.ptau`` with K >= power
    (snarkjs's setup reads the Lagrange section of the circuit's own size from it)."""
    found = []
    for path in ptau_dir.glob("pot*_final.ptau"):
        digits = path.name[3:-len("_final.ptau")]
        if digits.isdigit() and int(digits) >= power:
            found.append((int(digits), path))
    return min(found)[1] if found else None


def make_ptau(snarkjs: Snarkjs, ptau_dir: pathlib.Path, power: int) -> tuple[pathlib.Path, float]:
    """A prepared phase-2 powers of tau for 2^power rows: ``powersoftau new``, one
    contribution with fresh entropy, ``prepare phase2`` (the slow step: O(K 2^K) curve
    FFTs in JavaScript). Written under a temporary name and renamed, so a cache never
    holds a half-written file. Returns the path and the seconds it took."""
    ptau_dir.mkdir(parents=True, exist_ok=True)
    target = ptau_dir / f"pot{power}_final.ptau"
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=ptau_dir) as tmp:
        t = pathlib.Path(tmp)
        snarkjs.cli("powersoftau", "new", "bn128", str(power), t / "p0.ptau")
        snarkjs.cli("powersoftau", "contribute", t / "p0.ptau", t / "p1.ptau",
                    "--name=zkcx bench", f"-e={secrets.token_hex(32)}")
        snarkjs.cli("powersoftau", "prepare", "phase2", t / "p1.ptau", t / "final.ptau")
        os.replace(t / "final.ptau", target)
    return target, time.perf_counter() - start


# -- groth16py and rapidsnark -------------------------------------------------------------------

def groth16py_status() -> tuple[str | None, str]:
    """(version, "") where groth16py imports, else (None, why)."""
    try:
        import groth16py
    except ImportError as exc:
        return None, (f"groth16py is not installed ({exc}); pip install groth16py, "
                      "or the project's [bench] extra")
    if not hasattr(groth16py, "import_zkey"):
        return None, "this groth16py build has no import_zkey (needs its native feature)"
    return groth16py.__version__, ""


def rapidsnark_prover() -> tuple[str | None, str]:
    """The rapidsnark prover binary from $RAPIDSNARK, else (None, why)."""
    path = os.environ.get("RAPIDSNARK")
    if not path:
        return None, "RAPIDSNARK is not set (point it to rapidsnark's prover binary)"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return None, f"RAPIDSNARK={path} is not an executable file"
    return path, ""


def main(argv: list[str]) -> None:
    """Child entry point: ``KIND ARGS...``; prints the child's JSON report."""
    if not argv or argv[0] not in _CHILDREN:
        sys.exit(f"usage: python -m zkcx.cli._peers {{{','.join(_CHILDREN)}}} ARGS...")
    print(json.dumps(_CHILDREN[argv[0]](*argv[1:])), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
