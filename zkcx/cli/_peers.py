# SPDX-License-Identifier: MIT
"""Running Groth16 provers in child processes and measuring them: zkcx itself, snarkjs
(through node), groth16py (arkworks through PyO3) and rapidsnark.

Every measurement runs in a fresh child so that its peak memory is its own: ``os.wait4``
returns the child's ``ru_maxrss``. Each child also reports the time it spent inside
(reading its inputs and doing the work; runtime start-up and imports excluded) beside
the wall time of the whole child, which is what a user of the command waits.

Run as ``python -m zkcx.cli._peers KIND ARGS...`` this module is the Python child
(KIND: ``zkcx-setup``, ``zkcx-prove``); it prints one JSON object on stdout."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import zkcx
from zkcx.cli.errors import PeerError

#: The provers ``zkcx bench`` compares zkcx with.
PEERS = ("rapidsnark", "groth16py", "snarkjs")
#: The snarkjs release the interoperability tests pin (tests/conftest.py NPM_PACKAGES).
SNARKJS_VERSION = "0.7.6"
#: The source tree holding the zkcx package in use (the children import the same one).
_PACKAGE_PARENT = pathlib.Path(zkcx.__file__).resolve().parents[1]


@dataclass
class ChildRun:
    """Wall seconds and peak resident memory (MB) of one child process, its report (the
    JSON object on its last stdout line, or {} when it prints none), the CPU seconds it
    used (user + system, all its threads and the children it waited for) and the CPU
    seconds the whole machine was busy meanwhile (/proc/stat; None where there is none)."""

    wall: float
    peak_mb: float
    report: dict
    cpu: float = 0.0
    machine_cpu: float | None = None

    @property
    def other_cpu(self) -> float | None:
        """CPU seconds the rest of the machine used while the child ran: the machine's
        busy time less the child's own (never below 0: /proc/stat counts in ticks)."""
        return None if self.machine_cpu is None else max(0.0, self.machine_cpu - self.cpu)


#: A small launcher between us and every measured child. Linux carries a process's RSS
#: high-water mark across execve, and Python spawns children with vfork (the parent's
#: memory): measured directly, a child would report the benchmark parent's peak. Forked
#: from this launcher (a bare interpreter, ~10 MB) its peak is its own. The launcher also
#: reads the machine's busy CPU time (/proc/stat's first line: user, nice, system, irq,
#: softirq, steal) right before the fork and right after the wait, so that what the rest
#: of the machine used during the run is known.
_LAUNCHER = r"""
import json, os, sys, time
report, cmd = sys.argv[1], sys.argv[2:]
tick = os.sysconf("SC_CLK_TCK")
def busy():
    try:
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:9]]
        return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / tick
    except (OSError, ValueError, IndexError):
        return None
before = busy()
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
after = busy()
with open(report, "w") as fh:
    json.dump({"wall": wall, "maxrss_kib": usage.ru_maxrss,
               "cpu": usage.ru_utime + usage.ru_stime,
               "machine_cpu": None if before is None or after is None else after - before,
               "code": os.waitstatus_to_exitcode(status)}, fh)
"""


def run_child(cmd: list[str], timeout: float = 3600.0, *,
              env: dict[str, str] | None = None,
              cwd: str | os.PathLike | None = None) -> ChildRun:
    """Run ``cmd`` to completion and measure it: wall time around the child, its CPU time
    and peak RSS (``ru_maxrss`` from ``os.wait4``, KiB on Linux) and the machine's busy
    CPU time meanwhile, taken by a small launcher (see _LAUNCHER). ``env`` adds variables
    to the child's environment; bytecode caching is on in it (``PYTHONDONTWRITEBYTECODE``
    dropped, as ``benchmarks/startup_report.py`` does: an installed package has its
    bytecode, and compiling zkcx's modules on every run would add ~30 ms to a small
    proof). Output goes to temporary files, so a chatty child never blocks on a full
    pipe. Raises PeerError naming the command and quoting its stderr if
    it exits non-zero or outlives ``timeout`` seconds (then its process group is killed)."""
    child_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    child_env.update(env or {})
    child_env["PYTHONPATH"] = os.pathsep.join(
        [str(_PACKAGE_PARENT), *filter(None, [os.environ.get("PYTHONPATH")])])
    with tempfile.TemporaryDirectory(prefix="zkcx-child-") as tmp:
        files = pathlib.Path(tmp)
        with open(files / "out", "w") as out, open(files / "err", "w") as err:
            proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _LAUNCHER,
                                     str(files / "report.json"), *map(str, cmd)],
                                    stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                    env=child_env, cwd=cwd, start_new_session=True)
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
                    json.loads(lines[-1]) if lines else {}, measured["cpu"],
                    measured["machine_cpu"])


def _show(cmd: list[str]) -> str:
    return " ".join(pathlib.Path(c).name if os.sep in c else c for c in map(str, cmd[:5]))


def python_child(kind: str, *args: str | os.PathLike) -> ChildRun:
    """Run this module as a child of kind ``kind`` (see the module docstring)."""
    return run_child([sys.executable, "-m", "zkcx.cli._peers", kind, *map(str, args)])


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


_CHILDREN = {"zkcx-setup": _child_zkcx_setup, "zkcx-prove": _child_zkcx_prove}

#: groth16py (arkworks through PyO3) proving as a whole process: import, read the snarkjs
#: .zkey and the .wtns, prove, write the 256-byte EVM proof. No zkcx import.
_GROTH16PY_SCRIPT = r"""
import sys, groth16py
pk, vk = groth16py.import_zkey(sys.argv[1])
with open(sys.argv[3], "wb") as fh:
    fh.write(groth16py.prove_wtns(pk, sys.argv[2]))
"""


def groth16py_command(zkey: str | os.PathLike, wtns: str | os.PathLike,
                      proof: str | os.PathLike) -> list[str]:
    """The command proving ``wtns`` with groth16py from a snarkjs ``zkey`` into ``proof``
    (the EVM encoding: A || B || C)."""
    return [sys.executable, "-c", _GROTH16PY_SCRIPT, str(zkey), str(wtns), str(proof)]


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


def _node_modules_candidates() -> list[pathlib.Path]:
    """Where the npm packages may be: $SNARKJS_DIR's parent, then the project's npm cache
    (``.ci-cache/npm`` beside the zkcx package, where ``.ci/run`` installs it, or in the
    current directory)."""
    found = [pathlib.Path(os.environ["SNARKJS_DIR"]).parent] if os.environ.get(
        "SNARKJS_DIR") else []
    return found + [_PACKAGE_PARENT / ".ci-cache" / "npm" / "node_modules",
                    pathlib.Path.cwd() / ".ci-cache" / "npm" / "node_modules"]


def find_snarkjs(workdir: pathlib.Path) -> tuple[Snarkjs | None, str]:
    """snarkjs from $SNARKJS_DIR (a node_modules/snarkjs directory), else the project's
    npm cache (``.ci-cache/npm`` beside the zkcx package, where ``.ci/run`` installs it);
    (None, why) where node or the package is absent. The timing script is written into
    ``workdir``."""
    node = shutil.which("node")
    if node is None:
        return None, "node is not installed"
    candidates = [os.environ.get("SNARKJS_DIR"),
                  *(c / "snarkjs" for c in _node_modules_candidates())]
    for candidate in filter(None, candidates):
        package = pathlib.Path(candidate)
        if (package / "package.json").is_file() and (package / "build" / "cli.cjs").is_file():
            script = workdir / "snarkjs_timing.cjs"
            script.write_text(_SNARKJS_SCRIPT)
            return Snarkjs(node, package, script), ""
    return None, (f"snarkjs is not installed (npm install --prefix .ci-cache/npm "
                  f"snarkjs@{SNARKJS_VERSION}, or set SNARKJS_DIR)")


@dataclass(frozen=True)
class NodeTools:
    """node and circom2 (circom compiled to WASI, from npm), to compile circuits and run
    their wasm witness generators."""

    node: str
    circom: pathlib.Path

    def run(self, script: str | os.PathLike, *args: object,
            cwd: str | os.PathLike | None = None, timeout: float = 3600.0) -> str:
        """``node script ARGS...``; its stdout, or PeerError quoting its output."""
        try:
            done = subprocess.run([self.node, str(script), *map(str, args)], cwd=cwd,
                                  capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise PeerError(f"{pathlib.Path(script).name} took more than {timeout:.0f} s"
                            ) from exc
        if done.returncode != 0:
            raise PeerError(f"{pathlib.Path(script).name} failed: "
                            f"{(done.stdout + done.stderr).strip()[-1500:]}")
        return done.stdout


def find_circom() -> tuple[NodeTools | None, str]:
    """node and circom2 from the npm packages (see _node_modules_candidates), or
    (None, why)."""
    node = shutil.which("node")
    if node is None:
        return None, "node is not installed"
    for modules in _node_modules_candidates():
        if (modules / "circom2" / "cli.js").is_file():
            return NodeTools(node, modules / "circom2" / "cli.js"), ""
    return None, ("circom is not installed (npm install --prefix .ci-cache/npm circom2, or "
                  "set SNARKJS_DIR to a node_modules/snarkjs with circom2 beside it)")


def zkcx_command() -> list[str]:
    """The ``zkcx`` command as a user runs it, without a shell shim in between: the entry
    script installed beside this interpreter when it runs this interpreter, else
    ``python -m zkcx`` (the children import the zkcx package in use either way)."""
    script = pathlib.Path(sys.executable).with_name("zkcx")
    try:
        with open(script) as fh:
            head = fh.read(4096)
    except (OSError, UnicodeDecodeError):
        head = ""
    first = head.partition("\n")[0]
    if (first.startswith("#!") and os.access(script, os.X_OK)
            and os.path.realpath(first[2:].strip()) == os.path.realpath(sys.executable)
            and "from zkcx.cli import main" in head):
        return [str(script)]
    return [sys.executable, "-m", "zkcx"]


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
