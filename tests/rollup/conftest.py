# SPDX-License-Identifier: MIT
"""Four small kernels built directly with ConstraintSystem (the kernel compiler is not a
dependency of these tests), set up once per session, and a kit that makes claims.

- ``cube``: out = x³ + x + a (public [out, a]); compute.
- ``chain``: out = x^(2^24) by 24 squarings (public [out]); compute and inference.
- ``bound``: out = x² + bind (public [out, bind]), bind = claim_binding(node, task).
- ``train``: step · g = after − before (public [before, after, step]); training, model
  commitments at positions 0 and 1.

Nodes are named by short test names (``addr("n1")``: the address of a key derived from
the name); ``sign_block`` signs a block's unsigned claims and operations with those keys,
numbering each account's nonces as the builder takes them (operations, then claims).
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pytest

from zkcx import groth16
from zkcx.accounts import Signer
from zkcx.groth16 import Proof
from zkcx.kernels import PublicBounds
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem
from zkcx.rewards import DEFAULT_PARAMS, TOKEN, Accountant, ParamSchedule, Tier
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import (
    BlockBuilder,
    Chain,
    Claim,
    KernelRegistry,
    SignedOperation,
    chain_domain,
    claim_binding,
)

CHAIN_ID = 4242
DOMAIN = chain_domain(CHAIN_ID)
_SIGNERS: dict[str, Signer] = {}


def signer(name: str) -> Signer:
    """The test key of ``name`` (derived from it: the same in every run)."""
    key = Signer(hashlib.sha256(b"zkcx-test-node:" + name.encode()).digest())
    _SIGNERS.setdefault(str(key.address), key)
    return key


def addr(name: str) -> str:
    """The account address (EIP-55 text) of test node ``name``."""
    return str(signer(name).address)


def sign_block(accountant: Accountant, claims=(), operations=(), domain=DOMAIN):
    """(claims, operations) with every unsigned Claim and rewards operation signed by its
    account's test key, nonces numbered from the accountant's in builder order.
    Bytes, signed items and accounts without a test key pass as they are."""
    nonces: dict[str, int] = {}

    def take(actor: str) -> int:
        n = nonces.get(actor, accountant.account(actor).nonce)
        nonces[actor] = n + 1
        return n

    ops = []
    for op in operations:
        if isinstance(op, (bytes, SignedOperation)):
            ops.append(op)
        elif op.actor in _SIGNERS:
            ops.append(SignedOperation.sign(op, take(op.actor), _SIGNERS[op.actor], domain))
        else:
            ops.append(SignedOperation(op))
    out = []
    for c in claims:
        if isinstance(c, Claim) and c.signature is None and c.node_id in _SIGNERS:
            c = c.signed(_SIGNERS[c.node_id], domain, take(c.node_id))
        out.append(c)
    return out, ops


def draft(claim: Claim) -> Claim:
    """``claim`` without nonce and signature (to compare with what was signed)."""
    return dataclasses.replace(claim, nonce=0, signature=None)

COMPUTE, INFER, TRAIN = ClaimKind.COMPUTE, ClaimKind.INFERENCE, ClaimKind.TRAINING

#: Test economics: 1 % of the pool per block, training from 1 token of stake and one
#: reputation point above the start. Until the rollup carries task fees (issue 14, the
#: market), claims reach the accountant with fee 0: min_fee_per_unit = 0 makes them paid
#: work (they weigh and gain reputation, a point per work unit, without decay) but the fee
#: cap pays them nothing, so the tests that need tokens get them from genesis grants.
TEST_PARAMS = DEFAULT_PARAMS.replace(
    emission_ppb=10_000_000,
    tiers=(Tier("open", 0, 0, 1000, frozenset({COMPUTE, INFER})),
           Tier("staked", TOKEN, 1001, 1250, frozenset({COMPUTE, INFER, TRAIN}))),
    min_fee_per_unit=0,
    reputation_units_per_point=1,
    reputation_gain_max=1000,
    reputation_decay_per_block=0,
)


def new_accountant(params=TEST_PARAMS, grants=()) -> Accountant:
    """A genesis accountant under ``params``; each test node named in ``grants`` (names,
    or a mapping name -> tokens) holds 1,000 tokens (or the tokens given) from genesis:
    the fee-0 claims of these tests earn nothing, so stakes and transfers are paid from
    grants."""
    tokens = dict(grants) if isinstance(grants, dict) else dict.fromkeys(grants, 1_000)
    return Accountant.genesis({addr(n): t * TOKEN for n, t in tokens.items()},
                              ParamSchedule([(0, params)]))


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
        """A valid, unsigned claim of ``name`` on witness ``args`` by test node ``node``
        (for ``bound`` the binding is added, so pass only x)."""
        node = addr(node)
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


class SigningBuilder(BlockBuilder):
    """A BlockBuilder that first signs what it is given with the test keys
    (``sign_block``): the old tests' claims and operations, now as their nodes sign them."""

    def build(self, parent_hash, accountant, models, claims, operations=(), *args, **kw):
        claims, operations = sign_block(accountant, claims, operations, self.domain)
        return super().build(parent_hash, accountant, models, claims, operations, *args, **kw)


class SigningChain(Chain):
    """A Chain whose ``build`` first signs with the test keys (``sign_block``) against the
    state after its head."""

    def build(self, claims, operations=(), timestamp=None):
        claims, operations = sign_block(self._accountant, claims, operations, self.domain)
        return super().build(claims, operations, timestamp)
