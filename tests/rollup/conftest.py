# SPDX-License-Identifier: MIT
"""Small kernels built directly with ConstraintSystem (the kernel compiler is not a
dependency of these tests), set up once per session, and a kit that plans each test's
tasks and makes claims answering them. Every kernel is task-ready: its inputs are public
inputs and its last public input is the claim binding, bind = claim_binding(node, task).

- ``cube``: out = x³ + x + a (public [out, x, a, bind]); compute.
- ``chain``: out = x^(2^24) by 24 squarings (public [out, x, bind]); compute.
- ``infer``: the chain circuit set up again, as an inference kernel.
- ``bound``: out = x² + bind (public [out, x, bind]); compute.
- ``train``: step · g = after − before (public [before, after, step, g, bind]);
  training, model commitments at positions 0 and 1.

A test's tasks are posted by a genesis-granted requester in a setup block and assigned
by the market's scheduler to the nodes the test names (``Kit``).

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
from zkcx.market import CapacityProfile, Market, PostTask, RegisterModel, RegisterNode
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem
from zkcx.rewards import DEFAULT_PARAMS, TOKEN, ParamSchedule, Tier, Transfer
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


def sign_block(market, claims=(), operations=(), domain=DOMAIN):
    """(claims, operations) with every unsigned Claim and operation signed by its
    account's test key, nonces numbered from the market's in builder order.
    Bytes, signed items and accounts without a test key pass as they are."""
    nonces: dict[str, int] = {}

    def take(actor: str) -> int:
        n = nonces.get(actor, market.account(actor).nonce)
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

#: Test economics: 1 % of the pool per block, every kind in the open tier (the market
#: assigns a task only to a node that may earn its kind), a staked tier from 1 token of
#: stake and a reputation above the start.
TEST_PARAMS = DEFAULT_PARAMS.replace(
    emission_ppb=10_000_000,
    tiers=(Tier("open", 0, 0, 1000, frozenset({COMPUTE, INFER, TRAIN})),
           Tier("staked", TOKEN, DEFAULT_PARAMS.reputation_start + 1, 1250,
                frozenset({COMPUTE, INFER, TRAIN}))),
)
#: TEST_PARAMS with governance in a few blocks: votes open 2 blocks (a pause 1), changes
#: activate 1 block after the vote, proposals need 1 token of stake.
FAST_GOVERNANCE = TEST_PARAMS.replace(voting_period=2, emergency_voting_period=1,
                                      min_activation_delay=1, proposal_min_stake=TOKEN)
#: The requester of the kit's tasks, granted REQUESTER_GRANT at genesis.
REQUESTER = addr("requester")
REQUESTER_GRANT = 1_000_000 * TOKEN
#: What the kit's requester pays per work unit, blocks a task may take, its data.
FEE_PER_UNIT = TOKEN // 100
TASK_WINDOW = 1000
DATA_HASH = hashlib.sha256(b"zkcx test task data").digest()
#: Every kit node's capacity profile: far more than the kit's tasks need.
PROFILE = CapacityProfile("cube", 10**9, 1, 1, hashlib.sha256(b"bench").digest())


def new_market(params=None, grants=None) -> Market:
    """A genesis market under ``params`` (default TEST_PARAMS) with the requester's grant
    (and ``grants`` besides)."""
    schedule = ParamSchedule([(0, TEST_PARAMS if params is None else params)])
    return Market.genesis({REQUESTER: REQUESTER_GRANT, **(grants or {})}, schedule)


def _cube():
    cs = ConstraintSystem("cube")
    out = cs.output("out")
    x, a, bind = (cs.public_input(n) for n in ("x", "a", "bind"))
    cs.assert_equal(x * x * x + x + a, out, "result")
    r1cs = cs.build()
    return r1cs, lambda x_, a_, b_: r1cs.solve(
        {x: x_, a: a_, bind: b_, out: (x_**3 + x_ + a_) % FR_MODULUS})


def _chain(m: int = 24):
    cs = ConstraintSystem("chain")
    out = cs.output("out")
    first = cs.new_variables(1, "public", "x")
    bind = cs.public_input("bind")
    xs = np.concatenate([first, cs.new_variables(m - 1, "private", "y")])
    rows = np.arange(m)
    nxt = np.concatenate([xs[1:], [out.index]])
    cs.add_constraints(m, a=(rows, xs, 1), b=(rows, xs, 1), c=(rows, nxt, 1), label="square")
    r1cs = cs.build()

    def witness(x0: int, b_: int):
        vals = [x0 % FR_MODULUS]
        for _ in range(m):
            vals.append(vals[-1] * vals[-1] % FR_MODULUS)
        from zkcx.field import FrVec
        return r1cs.solve([(xs, FrVec.from_ints(vals[:m])), (out, vals[-1]), (bind, b_)])

    return r1cs, witness


def _bound():
    cs = ConstraintSystem("bound")
    out = cs.output("out")
    x, bind = cs.public_input("x"), cs.public_input("bind")
    cs.assert_equal(x * x + bind, out, "result")
    r1cs = cs.build()
    return r1cs, lambda x_, b_: r1cs.solve({x: x_, bind: b_, out: (x_ * x_ + b_) % FR_MODULUS})


def _train():
    cs = ConstraintSystem("train")
    before, after, step, g, bind = (cs.public_input(n)
                                    for n in ("before", "after", "step", "g", "bind"))
    cs.assert_equal(step * g, after - before, "sgd")
    r1cs = cs.build()
    return r1cs, lambda b_, g_, s_, bind_: r1cs.solve(
        {before: b_, after: (b_ + s_ * g_) % FR_MODULUS, step: s_, g: g_, bind: bind_})


def rerandomize(proof: Proof, t: int) -> Proof:
    """Another valid proof of the same statement: (A/t, t·B, C) (Groth16 malleability)."""
    return Proof(proof.a * pow(t, -1, FR_MODULUS), proof.b * t, proof.c)


#: (make, kind, input positions, binding position, model positions) of each kit kernel
_SPECS = {
    "cube": (_cube, COMPUTE, (1, 2), 3, None),
    "chain": (_chain, COMPUTE, (1,), 2, None),
    "infer": (_chain, INFER, (1,), 2, None),  # the chain circuit, set up again as inference
    "bound": (_bound, COMPUTE, (1,), 2, None),
    "train": (_train, TRAIN, (0, 2, 3), 4, (0, 1)),
}


class Kernels:
    """The kit's kernels set up once per session: their registry, keys and witnesses,
    and proofs cached per witness."""

    def __init__(self) -> None:
        self.kernels = KernelRegistry()
        self.ids: dict[str, str] = {}
        self.pks: dict[str, groth16.ProvingKey] = {}
        self.r1cs: dict[str, object] = {}
        self.witness: dict[str, object] = {}
        self._proofs: dict[tuple, tuple[list[int], Proof]] = {}
        for name, (make, kind, inputs, binding, model) in _SPECS.items():
            r1cs, witness = make()
            pk = groth16.setup(r1cs)
            self.pks[name], self.r1cs[name], self.witness[name] = pk, r1cs, witness
            # hand-made circuits with unbounded public inputs, declared so
            self.ids[name] = self.kernels.register(
                pk.verifying_key, r1cs.n_constraints, kind, model, binding,
                public_bounds=PublicBounds.unbounded(r1cs.n_public), input_positions=inputs,
                unsafe_local_setup=True)

    def prove(self, name: str, *args: int) -> tuple[list[int], Proof]:
        key = (name, *args)
        if key not in self._proofs:
            w = self.witness[name](*args)
            proof, public = groth16.prove(self.pks[name], w, self.r1cs[name])
            self._proofs[key] = (public, proof)
        return self._proofs[key]


@dataclasses.dataclass(frozen=True)
class PlannedTask:
    """A task a test's claims answer: its number, the node it is for, the kernel and the
    inputs (from the first claim that named it)."""

    task_id: int
    node: str
    kernel: str
    inputs: tuple[tuple[int, int], ...]


class Kit:
    """One test's market: the session's kernels, and the tasks its claims answer.

    ``kit.claim(name, node, "t1", *args)`` proves kernel ``name`` on witness ``args``
    for task "t1" of this test (the first claim naming "t1" plans it: for that node, on
    those inputs; task ids 0, 1, 2, … in that order) and returns the unsigned claim.
    ``kit.setup_operations(market)`` are the operations of the setup block that makes
    the planned tasks ``market`` lacks real (``SigningBuilder`` and ``SigningChain`` put
    one before the first block that needs it): each node registers a capacity profile,
    the genesis-granted requester REQUESTER transfers each node the bonds of its tasks
    and posts them. Task k's bond is 2^(n−1−k) base units (n planned tasks), so when the
    scheduler takes task k only its node can afford the bond (the others' bonds total
    less): every task is
    assigned to the node it was planned for. The bonds return with the fee."""

    def __init__(self, base: Kernels) -> None:
        self.base = base
        self.kernels, self.ids, self.pks = base.kernels, base.ids, base.pks
        self.r1cs, self.witness = base.r1cs, base.witness
        self.tasks: dict[str, PlannedTask] = {}
        #: model id -> the commitment of its version 0: the models the training claims
        #: name from version 0 (the setup block registers them in the market, owned by
        #: the requester and served by the kit's inference kernel)
        self.models: dict[str, int] = {}

    def prove(self, name: str, *args: int) -> tuple[list[int], Proof]:
        return self.base.prove(name, *args)

    def task_id(self, task: str) -> str:
        """The claim task id (decimal task number) of planned task ``task``."""
        return str(self.tasks[task].task_id)

    def claim(self, name: str, node: str, task: str, *args: int, kind: ClaimKind | None = None,
              model: tuple[str, int] | None = None) -> Claim:
        """A valid, unsigned claim of ``name`` on witness ``args`` (the binding is added)
        by test node ``node`` for this test's task ``task``, as the kernel's kind unless
        ``kind`` says otherwise."""
        node = addr(node)
        planned = self.tasks.get(task)
        task_id = str(len(self.tasks) if planned is None else planned.task_id)
        public, proof = self.prove(name, *args, claim_binding(node, task_id))
        entry = self.kernels.get(self.ids[name])
        if planned is None:
            self.tasks[task] = PlannedTask(int(task_id), node, name,
                                           tuple((p, public[p]) for p in entry.input_positions))
        kind = entry.kind if kind is None else kind
        mid, mver = model if model else (None, None)
        if kind is TRAIN and mver == 0 and entry.model_positions is not None:
            self.models.setdefault(mid, public[entry.model_positions[0]])
        return Claim(node, task_id, self.ids[name], tuple(public), proof, kind, mid, mver)

    def plan(self, name: str, node: str, task: str, *args: int) -> None:
        """Plan task ``task`` as ``claim`` would, without keeping the claim."""
        self.claim(name, node, task, *args)

    def unplanned_claim(self, name: str, node: str, task_id: str, *args: int) -> Claim:
        """A valid claim naming ``task_id`` as it is, planning nothing (for tasks that do
        not exist)."""
        node = addr(node)
        public, proof = self.prove(name, *args, claim_binding(node, task_id))
        entry = self.kernels.get(self.ids[name])
        return Claim(node, task_id, self.ids[name], tuple(public), proof, entry.kind)

    def pending(self, market) -> list[PlannedTask]:
        """The planned tasks ``market`` does not have yet, by id."""
        have = len(market.tasks)
        return sorted((t for t in self.tasks.values() if t.task_id >= have),
                      key=lambda t: t.task_id)

    def setup_operations(self, market) -> list:
        """The setup block's unsigned operations for the tasks ``market`` lacks (class
        docstring). When registered nodes hold free tokens F already, every bond is
        scaled by max F + 1, which keeps the steering exact."""
        pending = self.pending(market)
        infer = self.kernels.get(self.ids["infer"])
        serving = ((infer.kernel_id, infer.input_positions[0]),)
        models = [RegisterModel(REQUESTER, mid, 1, serving, w0)
                  for mid, w0 in self.models.items() if mid not in market.models]
        if not pending:
            return models
        n = len(pending)
        base = 1 + max((market.account(node).balance for node in market.nodes), default=0)
        bonds = {t.task_id: base << (n - 1 - k) for k, t in enumerate(pending)}
        ops: list = [*models, *(RegisterNode(node, PROFILE) for node in
                                sorted({t.node for t in pending} - set(market.nodes)))]
        per_node: dict[str, int] = {}
        for t in pending:
            per_node[t.node] = per_node.get(t.node, 0) + bonds[t.task_id]
        ops.extend(Transfer(REQUESTER, node, total) for node, total in per_node.items())
        deadline = market.height + 1 + TASK_WINDOW
        for t in pending:
            entry = self.kernels.get(self.ids[t.kernel])
            ops.append(PostTask(REQUESTER, entry.kernel_id, entry.kind, entry.work_units,
                                t.inputs, DATA_HASH, "", fee_of(entry.work_units),
                                bonds[t.task_id], 0, deadline))
        return ops


def fee_of(work_units: int) -> int:
    """The fee the kit's requester pays for a task of ``work_units``."""
    return work_units * FEE_PER_UNIT


@pytest.fixture(scope="session")
def kernels_kit() -> Kernels:
    return Kernels()


@pytest.fixture()
def kit(kernels_kit) -> Kit:
    return Kit(kernels_kit)


class SigningBuilder(BlockBuilder):
    """A BlockBuilder that first signs what it is given with the test keys
    (``sign_block``): the old tests' claims and operations, now as their nodes sign them.
    Given ``kit=``, it first builds the kit's setup block when tasks are pending
    (``Kit.setup_operations``) and the block asked for on top of it."""

    def build(self, parent_hash, market, claims, operations=(), *args, kit=None, **kw):
        if kit is not None and kit.pending(market):
            setup = super().build(parent_hash, market,
                                  *sign_block(market, (), kit.setup_operations(market),
                                              self.domain), *args, **kw)
            assert not setup.block.rejected_operations, setup.block.rejected_operations
            parent_hash, market = setup.block.hash, setup.market
        claims, operations = sign_block(market, claims, operations, self.domain)
        return super().build(parent_hash, market, claims, operations, *args, **kw)


class SigningChain(Chain):
    """A Chain whose ``build`` first signs with the test keys (``sign_block``) against the
    state after its head. Given a ``kit``, ``produce`` first appends the kit's setup
    block when tasks are pending."""

    def __init__(self, store, kernels, *args, kit: Kit | None = None, **kw) -> None:
        super().__init__(store, kernels, *args, **kw)
        self.kit = kit

    def setup(self, timestamp=None):
        """Append the kit's setup block (the pending tasks), if any; returns it or None."""
        if self.kit is None or not self.kit.pending(self._market):
            return None
        ops = self.kit.setup_operations(self._market)
        block = super().produce([], sign_block(self._market, (), ops, self.domain)[1],
                                timestamp)
        assert not block.rejected_operations, block.rejected_operations
        return block

    def produce(self, claims, operations=(), timestamp=None):
        self.setup(timestamp)
        return super().produce(claims, operations, timestamp)

    def build(self, claims, operations=(), timestamp=None):
        claims, operations = sign_block(self._market, claims, operations, self.domain)
        return super().build(claims, operations, timestamp)


# -- both chain store backends ----------------------------------------------------------------
#: the store's tables, in the order a dump lists them
STORE_TABLES = ("meta", "blocks", "claims", "state", "pending", "blobs", "txs")


@dataclasses.dataclass
class Backend:
    """Where a test's chain store lives: ``location`` an SQLite file's path or a
    postgresql:// URL (``create_store``/``open_store`` take either); ``sql`` edits the
    database directly, as damage or a forger would (``?`` placeholders)."""

    name: str
    location: str

    def create(self, market=None, **kw):
        from zkcx.rollup import create_store

        return create_store(self.location, new_market() if market is None else market,
                            **kw)

    def open(self, read_only: bool = False):
        from zkcx.rollup import open_store

        return open_store(self.location, read_only=read_only)

    def sql(self, *statements) -> None:
        """Run statements (text, or (text, params)) in one committed transaction."""
        if self.name == "sqlite":
            import sqlite3

            conn = sqlite3.connect(self.location)
            try:
                for st in statements:
                    conn.execute(*(st if isinstance(st, tuple) else (st,)))
                conn.commit()
            finally:
                conn.close()
            return
        import psycopg

        with psycopg.connect(self.location) as conn:
            for st in statements:
                text, *params = st if isinstance(st, tuple) else (st,)
                conn.execute(text.replace("?", "%s"), *params)

    def dump(self) -> dict[str, list]:
        """Every row of every table of the store, in a stable order."""
        out = {}
        if self.name == "sqlite":
            import sqlite3

            conn = sqlite3.connect(self.location)
            try:
                for table in STORE_TABLES:
                    out[table] = conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            finally:
                conn.close()
            return out
        import psycopg

        with psycopg.connect(self.location) as conn:
            for table in STORE_TABLES:
                out[table] = [tuple(r) for r in conn.execute(
                    f"SELECT * FROM {table} ORDER BY 1").fetchall()]
        return out


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path) -> Backend:
    """Each chain store backend in turn: an SQLite file, a PostgreSQL database (skipped
    with the reason where no server can start)."""
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "chain.db"))
    return Backend("postgres", request.getfixturevalue("postgres_url"))
