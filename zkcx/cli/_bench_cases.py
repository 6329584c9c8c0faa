# SPDX-License-Identifier: MIT
"""The circuits the benchmarks prove: multiplication chains that fill a domain of 2^k rows
and a matrix product, compiled by circom from the sources in ``circom/`` beside this module
(their witnesses computed by circom's wasm generator), and catalogue kernels built by zkcx
with deterministic inputs. Each case is written to disk as every prover reads it: a circom
``.r1cs`` and a ``.wtns``."""

from __future__ import annotations

import json
import math
import pathlib
from dataclasses import dataclass, field

import numpy as np

from zkcx import kernels
from zkcx.cli._peers import NodeTools
from zkcx.errors import InvalidArgumentError
from zkcx.field import Fr, FrVec
from zkcx.params import FR_MODULUS
from zkcx.r1cs import R1CS, ConstraintSystem, Witness, read_r1cs, read_wtns, write_r1cs, write_wtns

#: The catalogue beside the zkcx package in a source checkout.
CATALOGUE = pathlib.Path(__file__).resolve().parents[2] / "circuits"
#: The circom templates the benchmark compiles (shipped with the package).
CIRCOM_SOURCES = pathlib.Path(__file__).resolve().with_name("circom")


def chain_circuit(log_domain: int) -> tuple[R1CS, np.ndarray, object]:
    """x_{i+1} = x_i^2 for m = 2^k - 2 squaring constraints, the last square being the one
    public output, so that m + n_public + 1 = 2^k rows fill the domain exactly.
    Returns the system, the private chain's variables and the output variable."""
    m = (1 << log_domain) - 2
    cs = ConstraintSystem(f"chain_2^{log_domain}")
    out = cs.output("out")
    x = cs.new_variables(m, "private", "x")  # x[0] is the input, x[1:] intermediates
    rows = np.arange(m)
    nxt = np.concatenate([x[1:], [out.index]])
    cs.add_constraints(m, a=(rows, x, 1), b=(rows, x, 1), c=(rows, nxt, 1), label="square")
    return cs.build(), x, out


def chain_witness(r1cs: R1CS, x: np.ndarray, out, seed: int = 3) -> Witness:
    """The chain's witness from x_0 = seed: x_i = seed^(2^i) mod r (a sequential
    recurrence: each square needs the previous one)."""
    m = len(x)
    values = [Fr(seed)]
    for _ in range(m):
        values.append(values[-1].square())
    vec = FrVec.from_elements(values)
    return r1cs.solve([(x, vec[:m]), (out, values[-1])])


@dataclass
class Case:
    """One benchmark circuit with its witness, and where they were written."""

    name: str
    r1cs: R1CS
    witness: Witness

    @property
    def constraints(self) -> int:
        return self.r1cs.n_constraints

    @property
    def power(self) -> int:
        """log2 of the evaluation domain: the smallest 2^k >= constraints + publics + 1,
        the powers of tau snarkjs's setup needs."""
        return max(1, math.ceil(math.log2(self.r1cs.n_constraints + self.r1cs.n_public + 1)))

    def write(self, folder: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
        """Write ``circuit.r1cs`` and ``witness.wtns`` into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        r1cs_path, wtns_path = folder / "circuit.r1cs", folder / "witness.wtns"
        write_r1cs(self.r1cs, r1cs_path)
        write_wtns(self.witness, wtns_path)
        return r1cs_path, wtns_path


def chain_case(log_domain: int) -> Case:
    """The multiplication chain filling 2^log_domain rows."""
    if not 2 <= log_domain <= 24:
        raise InvalidArgumentError(f"chain size 2^{log_domain} is out of range: give "
                                   "2 <= k <= 24")
    r1cs, x, out = chain_circuit(log_domain)
    return Case(f"chain 2^{log_domain}", r1cs, chain_witness(r1cs, x, out))


def kernel_case(spec: str | pathlib.Path, seed: int = 7) -> Case:
    """A catalogue kernel with inputs drawn uniformly from [-2, 2) (fixed seed)."""
    kernel = kernels.load(spec)
    rng = np.random.default_rng(seed)
    inputs = {t.name: rng.uniform(-2, 2, t.shape) for t in kernel.spec.inputs}
    return Case(kernel.spec.name, kernel.circuit(), kernel.witness(**inputs))


# -- circuits on disk, as every prover reads them -----------------------------------------------

@dataclass
class Prepared:
    """A circuit written to disk: its ``.r1cs`` and ``.wtns``, its size, the public signals
    every proof must carry (wires 1..n_public of the witness) and where it came from
    (``circom``, or ``zkcx`` for a circuit zkcx built)."""

    name: str
    source: str
    r1cs: pathlib.Path
    wtns: pathlib.Path
    constraints: int
    public: list[int]
    notes: list[str] = field(default_factory=list)


def _prepared(name: str, source: str, r1cs_path: pathlib.Path, wtns: pathlib.Path,
              notes: list[str] | None = None) -> Prepared:
    r1cs = read_r1cs(r1cs_path)
    public = read_wtns(wtns)[1:1 + r1cs.n_public].to_ints()
    return Prepared(name, source, r1cs_path, wtns, r1cs.n_constraints, public, notes or [])


def write_case(case: Case, folder: pathlib.Path) -> Prepared:
    """A zkcx-built case written into ``folder``."""
    r1cs_path, wtns = case.write(folder)
    return _prepared(case.name, "zkcx", r1cs_path, wtns)


def _compile(tools: NodeTools, folder: pathlib.Path, main: str, inputs: dict) -> tuple[
        pathlib.Path, pathlib.Path]:
    """Compile ``main`` (a circom main component over CIRCOM_SOURCES) with ``circom2 --O2``
    into ``folder`` and compute its witness from ``inputs`` with the wasm generator."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "circuit.circom").write_text(f'pragma circom 2.0.0;\n{main}\n')
    # circom2 (circom compiled to WASI) sees only what is below its working directory
    tools.run(tools.circom, folder / "circuit.circom", "--O2", "--r1cs", "--wasm",
              "-l", CIRCOM_SOURCES, "-o", folder, cwd="/")
    (folder / "input.json").write_text(json.dumps(inputs))
    generator = folder / "circuit_js"
    tools.run(generator / "generate_witness.js", generator / "circuit.wasm",
              folder / "input.json", folder / "witness.wtns")
    return folder / "circuit.r1cs", folder / "witness.wtns"


def circom_chain(tools: NodeTools, log_domain: int, folder: pathlib.Path) -> Prepared:
    """circom's chain (circom/chain.circom) of 2^k - 2 squarings from x = 3: 2^k rows."""
    if not 2 <= log_domain <= 24:
        raise InvalidArgumentError(f"chain size 2^{log_domain} is out of range: give "
                                   "2 <= k <= 24")
    main = f'include "chain.circom";\ncomponent main = Chain({(1 << log_domain) - 2});'
    r1cs, wtns = _compile(tools, folder, main, {"x": "3"})
    return _prepared(f"chain 2^{log_domain}", "circom", r1cs, wtns)


def circom_matprod(tools: NodeTools, shape: tuple[int, int, int], folder: pathlib.Path,
                   seed: int = 5) -> Prepared:
    """circom's matrix product (circom/matprod.circom) Y = X·W, X (m×k) and W (k×n) drawn
    uniformly from the signed 8-bit integers (fixed seed): m·k·n constraints, m·n public
    outputs, small witness values (negative ones are r - |x|)."""
    m, k, n = shape
    rng = np.random.default_rng(seed)
    x, w = rng.integers(-128, 128, (m, k)), rng.integers(-128, 128, (k, n))
    inputs = {"X": [[str(int(v) % FR_MODULUS) for v in row] for row in x.tolist()],
              "W": [[str(int(v) % FR_MODULUS) for v in row] for row in w.tolist()]}
    main = f'include "matprod.circom";\ncomponent main = MatProd({m}, {k}, {n});'
    r1cs, wtns = _compile(tools, folder, main, inputs)
    return _prepared(f"matmul {m}x{k}x{n}", "circom", r1cs, wtns)
