# SPDX-License-Identifier: MIT
"""zkcx's matmul kernel in circom (``matmul.circom`` beside this file), driven with the
npm toolchain: circom2 compiles it, circom's wasm witness generator computes the witness
from zkcx's quantized inputs, snarkjs counts the constraints, makes a powers-of-tau file,
sets up Groth16 and proves. Used by ``benchmarks/kernels_report.py --circom`` and by
``tests/interop/test_circom_matmul.py``.

The npm packages live in ``.ci-cache/npm/node_modules`` (tests/conftest.py installs them;
``.ci/run`` does it up front). circom2 is circom compiled to WASI, which sees only the
directories below its working directory; it therefore runs from ``/`` with absolute paths.
Compilation uses ``--O2`` (circom's full simplification: linear constraints are
substituted away), the best count circom offers.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zkcx.params import FR_MODULUS
from zkcx.r1cs import read_wtns

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TEMPLATE = HERE / "matmul.circom"
NODE_MODULES = ROOT / ".ci-cache" / "npm" / "node_modules"
#: Compiled circuits, powers-of-tau files and keys, reused across runs (gitignored).
CACHE = ROOT / ".ci-cache" / "circom"


class ToolchainMissing(RuntimeError):
    """node, circom2 or snarkjs is not installed; the message says which."""


@dataclass(frozen=True)
class Toolchain:
    """The node executable and the npm packages' directory."""

    node: str
    node_modules: pathlib.Path

    @classmethod
    def find(cls, node_modules: pathlib.Path = NODE_MODULES) -> Toolchain:
        """The toolchain, or ToolchainMissing naming what is absent."""
        node = shutil.which("node")
        if node is None:
            raise ToolchainMissing("node is not installed: the circom comparison needs it")
        for rel in ("circom2/cli.js", "snarkjs/build/cli.cjs", "circomlib/circuits"):
            if not (node_modules / rel).exists():
                raise ToolchainMissing(f"{node_modules / rel} is missing: install the npm "
                                       "packages of tests/conftest.py (.ci/run does)")
        return cls(node, node_modules)

    def run(self, script: pathlib.Path, *args: object,
            cwd: pathlib.Path | str | None = None) -> subprocess.CompletedProcess:
        """``node script args``; raises RuntimeError with the tool's output on failure."""
        result = subprocess.run([self.node, str(script), *map(str, args)], cwd=cwd,
                                capture_output=True, text=True, timeout=3600)
        if result.returncode != 0:
            raise RuntimeError(f"{script.name} {' '.join(map(str, args))} failed:\n"
                               f"{result.stdout}\n{result.stderr}")
        return result

    def snarkjs(self, *args: object) -> subprocess.CompletedProcess:
        return self.run(self.node_modules / "snarkjs" / "build" / "cli.cjs", *args)


@dataclass(frozen=True)
class CompiledMatmul:
    """A compiled ``Matmul(m, k, n, f, B)``: its .r1cs and its wasm witness generator."""

    shape: tuple[int, int, int]
    r1cs: pathlib.Path
    wasm_dir: pathlib.Path
    compile_seconds: float


def compile_matmul(tools: Toolchain, m: int, k: int, n: int, frac_bits: int = 8,
                   bound_bits: int = 16, out_dir: pathlib.Path = CACHE) -> CompiledMatmul:
    """Write ``main_{m}x{k}x{n}.circom`` (``component main = Matmul(m, k, n, f, B)``) in
    out_dir and compile it with ``circom2 --O2 --r1cs --wasm``."""
    out_dir = pathlib.Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"main_{m}x{k}x{n}_f{frac_bits}_b{bound_bits}"
    main = out_dir / f"{name}.circom"
    main.write_text('pragma circom 2.0.0;\ninclude "matmul.circom";\n'
                    f"component main = Matmul({m}, {k}, {n}, {frac_bits}, {bound_bits});\n")
    t = time.perf_counter()
    tools.run(tools.node_modules / "circom2" / "cli.js", main, "--O2", "--r1cs", "--wasm",
              "-l", HERE, "-l", tools.node_modules, "-o", out_dir, cwd="/")
    seconds = time.perf_counter() - t
    return CompiledMatmul((m, k, n), out_dir / f"{name}.r1cs", out_dir / f"{name}_js",
                          seconds)


def n_constraints(tools: Toolchain, r1cs: pathlib.Path) -> int:
    """The constraint count ``snarkjs r1cs info`` prints."""
    out = tools.snarkjs("r1cs", "info", r1cs).stdout
    found = re.search(r"# of Constraints:\s*(\d+)", out)
    if found is None:
        raise RuntimeError(f"no constraint count in snarkjs r1cs info's output:\n{out}")
    return int(found.group(1))


def _field_strings(a: np.ndarray) -> list:
    """Nested lists of decimal strings, negative values as field elements x mod r."""
    return [[str(int(v) % FR_MODULUS) for v in row] for row in np.asarray(a).tolist()]


def compute_witness(tools: Toolchain, circuit: CompiledMatmul, x: np.ndarray, w: np.ndarray,
                    wtns: pathlib.Path) -> float:
    """Run circom's wasm witness generator on X, W (quantized ints); seconds taken."""
    wtns = pathlib.Path(wtns)
    inputs = wtns.with_suffix(".input.json")
    inputs.write_text(json.dumps({"X": _field_strings(x), "W": _field_strings(w)}))
    stem = circuit.r1cs.stem
    t = time.perf_counter()
    tools.run(circuit.wasm_dir / "generate_witness.js", circuit.wasm_dir / f"{stem}.wasm",
              inputs, wtns)
    return time.perf_counter() - t


def read_output(wtns: pathlib.Path, m: int, n: int) -> np.ndarray:
    """Y (m, n) as signed ints from a witness: circom puts the outputs at wires 1..m·n."""
    values = read_wtns(wtns).to_ints()[1:1 + m * n]
    half = FR_MODULUS // 2
    return np.array([v - FR_MODULUS if v > half else v for v in values],
                    dtype=np.int64).reshape(m, n)


def powers_of_tau(tools: Toolchain, power: int, cache: pathlib.Path = CACHE) -> pathlib.Path:
    """A phase-2-ready bn128 powers-of-tau file of at least 2^power (new, one
    contribution, prepare phase2), made once and cached; a cached larger one serves too
    (snarkjs reads the part it needs). For benchmarking only: one contributor."""
    for p in range(power, 29):
        if (cache / f"pot{p}_final.ptau").exists():
            return cache / f"pot{p}_final.ptau"
    final = cache / f"pot{power}_final.ptau"
    cache.mkdir(parents=True, exist_ok=True)
    p0, p1 = cache / f"pot{power}_0.ptau", cache / f"pot{power}_1.ptau"
    tools.snarkjs("powersoftau", "new", "bn128", power, p0)
    tools.snarkjs("powersoftau", "contribute", p0, p1, "--name=zkcx-bench",
                  "-e=zkcx benchmark entropy")
    partial = final.with_suffix(".partial")
    tools.snarkjs("powersoftau", "prepare", "phase2", p1, partial)
    partial.rename(final)
    p0.unlink()
    p1.unlink()
    return final


def groth16_setup(tools: Toolchain, circuit: CompiledMatmul, ptau: pathlib.Path) -> pathlib.Path:
    """``snarkjs groth16 setup`` (no phase-2 contribution: enough to time proving), cached
    under the digest of the .r1cs so that a changed template gets a new key."""
    digest = hashlib.sha256(circuit.r1cs.read_bytes()).hexdigest()[:16]
    zkey = circuit.r1cs.with_name(f"{circuit.r1cs.stem}_{digest}.zkey")
    if not zkey.exists():
        partial = zkey.with_suffix(".partial")
        tools.snarkjs("groth16", "setup", circuit.r1cs, ptau, partial)
        partial.rename(zkey)
    return zkey


def zkcx_setup(circuit: CompiledMatmul) -> pathlib.Path:
    """A .zkey for circom's circuit made by ``zkcx.groth16.setup`` (no powers-of-tau file
    needed; snarkjs proves with it as with its own: tests/interop/test_snarkjs.py), cached
    under the digest of the .r1cs. snarkjs's prover does the same work with either key."""
    from zkcx.groth16 import setup, write_zkey
    from zkcx.r1cs import read_r1cs

    digest = hashlib.sha256(circuit.r1cs.read_bytes()).hexdigest()[:16]
    zkey = circuit.r1cs.with_name(f"{circuit.r1cs.stem}_{digest}_zkcx.zkey")
    if not zkey.exists():
        partial = zkey.with_suffix(".partial")
        write_zkey(setup(read_r1cs(circuit.r1cs)), partial)
        partial.rename(zkey)
    return zkey


def time_prove(tools: Toolchain, zkey: pathlib.Path, wtns: pathlib.Path,
               repeats: int = 3) -> list[float]:
    """Wall times (seconds) of ``snarkjs groth16 prove`` node processes, ``repeats`` runs;
    each proof is checked with ``snarkjs groth16 verify``."""
    proof, public = wtns.with_suffix(".proof.json"), wtns.with_suffix(".public.json")
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        tools.snarkjs("groth16", "prove", zkey, wtns, proof, public)
        times.append(time.perf_counter() - t)
    vk = zkey.with_suffix(".vk.json")
    if not vk.exists():
        tools.snarkjs("zkey", "export", "verificationkey", zkey, vk)
    out = tools.snarkjs("groth16", "verify", vk, public, proof).stdout
    if "OK" not in out:
        raise RuntimeError(f"snarkjs does not verify its own proof:\n{out}")
    return times


def ptau_power(constraints: int, n_public: int) -> int:
    """The smallest power p with 2^p >= constraints + public signals + 1 (what snarkjs
    groth16 setup needs for its evaluation domain)."""
    return max((constraints + n_public).bit_length(), 1)  # ceil(log2(x + 1))


__all__: Sequence[str] = [
    "CompiledMatmul", "Toolchain", "ToolchainMissing", "compile_matmul", "compute_witness",
    "groth16_setup", "n_constraints", "powers_of_tau", "ptau_power", "read_output",
    "time_prove", "zkcx_setup",
]
