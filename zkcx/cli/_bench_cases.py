# SPDX-License-Identifier: MIT
"""The circuits the benchmarks prove: multiplication chains that fill a domain of 2^k rows,
and catalogue kernels with deterministic inputs. Each case is written to disk as every
prover reads it: a circom ``.r1cs`` and a ``.wtns``."""

from __future__ import annotations

import math
import pathlib
from dataclasses import dataclass

import numpy as np

from zkcx import kernels
from zkcx.errors import InvalidArgumentError
from zkcx.field import Fr, FrVec
from zkcx.r1cs import R1CS, ConstraintSystem, Witness, write_r1cs, write_wtns

#: The catalogue beside the zkcx package in a source checkout.
CATALOGUE = pathlib.Path(__file__).resolve().parents[2] / "circuits"


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
