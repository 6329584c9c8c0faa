# SPDX-License-Identifier: MIT
"""Valid Groth16 proofs of statements whose public inputs leave their declared bounds
(issue 13): a kernel's circuit does not range-check its public inputs, so a witness with
a public scalar of 1/2 in the field satisfies it. Shared by the kernel, rollup and CLI
tests; each kernel is set up once per session."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

import zkcx.kernels as K
from zkcx import groth16
from zkcx.field import FrVec
from zkcx.params import FR_MODULUS
from zkcx.r1cs import Witness

#: 1/2 in Fr: (r + 1)/2, read as a signed integer about -1.1e76
HALF = (FR_MODULUS + 1) // 2


def signed(v: int) -> int:
    """A field element read as a signed integer, independently of zkcx's helpers."""
    return v - FR_MODULUS if v > FR_MODULUS // 2 else v


def raw_witness(kernel: K.Kernel, values: dict[str, object]) -> Witness:
    """The witness of ``kernel`` from raw integers for every input, taken mod r with no
    quantization and no bound check (what a dishonest prover runs)."""
    r1cs = kernel.circuit()
    pairs = []
    for t in kernel.spec.inputs:
        flat = np.asarray(values[t.name], dtype=object).reshape(-1)
        pairs.append((kernel._vars[t.name], FrVec.from_ints([int(v) % FR_MODULUS
                                                             for v in flat])))
    witness = r1cs.solve(pairs)
    r1cs.check(witness)
    return witness


@dataclass(frozen=True)
class Forged:
    """A kernel, its proving key, and a valid proof of ``public`` whose signal ``index``
    (named ``name``) is outside its declared bound."""

    kernel: K.Kernel
    pk: groth16.ProvingKey
    public: tuple[int, ...]
    proof: groth16.Proof
    index: int
    name: str

    @property
    def vk(self) -> groth16.VerifyingKey:
        return self.pk.verifying_key


def _forge(kernel: K.Kernel, values: dict[str, object], name: str) -> Forged:
    r1cs = kernel.circuit()
    pk = groth16.setup(r1cs)
    proof, public = groth16.prove(pk, raw_witness(kernel, values), r1cs)
    index = kernel.public_inputs.index(name)
    return Forged(kernel, pk, tuple(public), proof, index, name)


@functools.cache
def forged(case: str) -> Forged:
    """``scale`` (public s = 1/2 in Fr, X = [128, 2]: Y = [0, 0]); ``dense`` (public W
    with W[0, 0] = 1/2 in Fr); ``dense_bias`` (public b[1] = 2^-8 in Fr);
    ``normalize_s`` (public s[0] = 1/2 in Fr); ``normalize_mu`` (public mu[1] = 2^20, out
    of its 16-bit bound, the proof honest about it)."""
    if case == "scale":
        k = K.scale(2, name="scale_2_public_s")
        return _forge(k, {"X": [128, 2], "s": HALF}, "s[]")
    if case in ("dense", "dense_bias"):
        k = K.dense(1, 2, 2, name="dense_1x2x2_public", visibility={"W": "public",
                                                                    "b": "public"})
        w = [[HALF, 0], [0, 1]] if case == "dense" else [[1, 0], [0, 1]]
        b = [0, 0] if case == "dense" else [0, pow(256, -1, FR_MODULUS)]
        return _forge(k, {"X": [[2, 3]], "W": w, "b": b},
                      "W[0, 0]" if case == "dense" else "b[1]")
    if case in ("normalize_s", "normalize_mu"):
        k = K.normalize(1, 2, name="normalize_1x2")
        if case == "normalize_s":
            return _forge(k, {"X": [[130, 5]], "mu": [2, 5], "s": [HALF, 256]}, "s[0]")
        return _forge(k, {"X": [[130, 5]], "mu": [2, 1 << 20], "s": [256, 1]}, "mu[1]")
    raise ValueError(case)
