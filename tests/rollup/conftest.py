# SPDX-License-Identifier: MIT
"""Four small kernels built directly with ConstraintSystem (the kernel compiler is not a
dependency of these tests), set up once per session, and a kit that makes claims.

- ``cube``: out = x³ + x + a (public [out, a]); compute.
- ``chain``: out = x^(2^24) by 24 squarings (public [out]); compute and inference.
- ``bound``: out = x² + bind (public [out, bind]), bind = claim_binding(node, task).
- ``train``: step · g = after − before (public [before, after, step]); training, model
  commitments at positions 0 and 1.
"""

from __future__ import annotations

import numpy as np
import pytest

from zkcx import groth16
from zkcx.groth16 import Proof
from zkcx.kernels import PublicBounds
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem
from zkcx.rewards import DEFAULT_PARAMS, TOKEN, Accountant, ParamSchedule, Tier
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import Claim, KernelRegistry, claim_binding

COMPUTE, INFER, TRAIN = ClaimKind.COMPUTE, ClaimKind.INFERENCE, ClaimKind.TRAINING

#: Test economics: 1 % of the pool per block, training from 1 token of stake.
TEST_PARAMS = DEFAULT_PARAMS.replace(
    emission_ppb=10_000_000,
    tiers=(Tier("open", 0, 0, 1000, frozenset({COMPUTE, INFER})),
           Tier("staked", TOKEN, 1000, 1250, frozenset({COMPUTE, INFER, TRAIN}))),
)


def new_accountant() -> Accountant:
    return Accountant(ParamSchedule([(0, TEST_PARAMS)]))


def _cube():
    cs = ConstraintSystem("cube")
    x = cs.private_input("x")
    a = cs.public_input("a")
    out = cs.output("out")
    cs.assert_equal(x * x * x + x + a, out, "result")
    r1cs = cs.build()
    return r1cs, lambda x_, a_: r1cs.solve({x: x_, a: a_, out: (x_**3 + x_ + a_) % FR_MODULUS})


def _chain(m: int = 24):
    cs = ConstraintSystem("chain")
    out = cs.output("out")
    xs = cs.new_variables(m, "private", "x")
    rows = np.arange(m)
    nxt = np.concatenate([xs[1:], [out.index]])
    cs.add_constraints(m, a=(rows, xs, 1), b=(rows, xs, 1), c=(rows, nxt, 1), label="square")
    r1cs = cs.build()

    def witness(x0: int):
        vals = [x0 % FR_MODULUS]
        for _ in range(m):
            vals.append(vals[-1] * vals[-1] % FR_MODULUS)
        from zkcx.field import FrVec
        return r1cs.solve([(xs, FrVec.from_ints(vals[:m])), (out, vals[-1])])

    return r1cs, witness


def _bound():
    cs = ConstraintSystem("bound")
    x = cs.private_input("x")
    bind = cs.public_input("bind")
    out = cs.output("out")
    cs.assert_equal(x * x + bind, out, "result")
    r1cs = cs.build()
    return r1cs, lambda x_, b_: r1cs.solve({x: x_, bind: b_, out: (x_ * x_ + b_) % FR_MODULUS})


def _train():
    cs = ConstraintSystem("train")
    before = cs.public_input("before")
    after = cs.public_input("after")
    step = cs.public_input("step")
    g = cs.private_input("g")
    cs.assert_equal(step * g, after - before, "sgd")
    r1cs = cs.build()
    return r1cs, lambda b_, g_, s_: r1cs.solve(
        {before: b_, after: (b_ + s_ * g_) % FR_MODULUS, step: s_, g: g_})


def rerandomize(proof: Proof, t: int) -> Proof:
    """Another valid proof of the same statement: (A/t, t·B, C) (Groth16 malleability)."""
    return Proof(proof.a * pow(t, -1, FR_MODULUS), proof.b * t, proof.c)


class Kit:
    """The kernels, their registry, and claims over them (proofs cached per witness)."""

    def __init__(self) -> None:
        self.kernels = KernelRegistry()
        self.ids: dict[str, str] = {}
        self.pks: dict[str, groth16.ProvingKey] = {}
        self.r1cs: dict[str, object] = {}
        self.witness: dict[str, object] = {}
        self._proofs: dict[tuple, tuple[list[int], Proof]] = {}
        specs = {
            "cube": (_cube, [COMPUTE], {}),
            "chain": (_chain, [COMPUTE, INFER], {}),
            "bound": (_bound, [COMPUTE], {"binding_position": 1}),
            "train": (_train, [TRAIN], {"model_positions": (0, 1)}),
        }
        for name, (make, kinds, extra) in specs.items():
            r1cs, witness = make()
            pk = groth16.setup(r1cs)
            self.pks[name], self.r1cs[name], self.witness[name] = pk, r1cs, witness
            # hand-made circuits with unbounded public inputs, declared so
            self.ids[name] = self.kernels.register(
                pk.verifying_key, r1cs.n_constraints, kinds, **extra,
                public_bounds=PublicBounds.unbounded(r1cs.n_public))

    def prove(self, name: str, *args: int) -> tuple[list[int], Proof]:
        key = (name, *args)
        if key not in self._proofs:
            w = self.witness[name](*args)
            proof, public = groth16.prove(self.pks[name], w, self.r1cs[name])
            self._proofs[key] = (public, proof)
        return self._proofs[key]

    def claim(self, name: str, node: str, task: str, *args: int, kind: ClaimKind = COMPUTE,
              model: tuple[str, int] | None = None) -> Claim:
        """A valid claim of ``name`` on witness ``args`` (for ``bound`` the binding is
        added, so pass only x)."""
        if name == "bound":
            args = (*args, claim_binding(node, task))
        public, proof = self.prove(name, *args)
        if name == "train":
            kind = TRAIN
        mid, mver = model if model else (None, None)
        return Claim(node, task, self.ids[name], tuple(public), proof, kind, mid, mver)


@pytest.fixture(scope="session")
def kit() -> Kit:
    return Kit()
