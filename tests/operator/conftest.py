# SPDX-License-Identifier: MIT
"""The operator's tests: one small task-ready kernel set up once per session, a chain
file whose block 0 posts tasks to registered nodes, signed claims answering them (or
not), and a real uvicorn server on 127.0.0.1 in a thread, talked to with httpx.

Kernel ``square``: out = x² + bind (public [out, x, bind]; input position 1, binding
position 2), so a claim's proof is for its node and task; claims for other task ids reuse
one proof (their statement is then the same, and their binding wrong: the block rejects
them, which the tests want as much as the accepted ones)."""

from __future__ import annotations

import dataclasses
import hashlib
import socket
import threading
import time

import pytest

from tests.rollup.conftest import (
    PROFILE,
    REQUESTER,
    TASK_WINDOW,
    addr,
    fee_of,
    new_market,
    signer,
)
from zkcx import groth16
from zkcx.kernels import PublicBounds
from zkcx.market import PostTask, RegisterNode
from zkcx.params import FR_MODULUS
from zkcx.r1cs import ConstraintSystem
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import (
    Chain,
    Claim,
    KernelRegistry,
    SignedOperation,
    chain_domain,
    claim_binding,
)
from zkcx.rollup.store import create_store, open_store

CHAIN_ID = 4343
DOMAIN = chain_domain(CHAIN_ID)
#: the nodes block 0 registers; task k is assigned to NODES[k % len(NODES)]
NODES = ("op-n1", "op-n2", "op-n3")
DATA_HASH = hashlib.sha256(b"operator test data").digest()


@dataclasses.dataclass
class Square:
    """The session's kernel: its registry (one entry), proving key and circuit."""

    registry: KernelRegistry
    kernel_id: str
    pk: object
    r1cs: object
    witness: object
    proofs: dict

    def prove(self, x: int, bind: int):
        key = (x, bind)
        if key not in self.proofs:
            proof, public = groth16.prove(self.pk, self.witness(x, bind), self.r1cs)
            self.proofs[key] = (tuple(public), proof)
        return self.proofs[key]


@pytest.fixture(scope="session")
def square() -> Square:
    cs = ConstraintSystem("square")
    out = cs.output("out")
    x, bind = cs.public_input("x"), cs.public_input("bind")
    cs.assert_equal(x * x + bind, out, "result")
    r1cs = cs.build()
    pk = groth16.setup(r1cs)
    registry = KernelRegistry()
    kid = registry.register(pk.verifying_key, r1cs.n_constraints, ClaimKind.COMPUTE, None, 2,
                            public_bounds=PublicBounds.unbounded(r1cs.n_public),
                            input_positions=(1,), unsafe_local_setup=True)

    def witness(x_: int, b_: int):
        return r1cs.solve({x: x_, bind: b_, out: (x_ * x_ + b_) % FR_MODULUS})

    return Square(registry, kid, pk, r1cs, witness, {})


def task_x(task: int) -> int:
    """The input x of task ``task`` (block 0 posts it)."""
    return 3 + task


def make_chain(path, square: Square, tasks: int = 3, aggregation_srs=None):
    """A chain at ``path`` (a file path or a postgresql:// URL): the kernel kept with it,
    block 0 registering NODES and posting ``tasks`` tasks (assigned by the scheduler at
    block 0's end); with ``aggregation_srs``, its key kept first (the blocks carry
    aggregates)."""
    store = create_store(path, new_market(), chain_id=CHAIN_ID)
    try:
        store.save_kernel_registry(square.registry)
        if aggregation_srs is not None:
            store.save_aggregation_key(aggregation_srs.verifier_key())
        chain = Chain(store, square.registry, aggregation_srs=aggregation_srs)
        market = chain.market
        entry = square.registry.get(square.kernel_id)
        ops = [RegisterNode(addr(n), PROFILE) for n in NODES]
        ops += [PostTask(REQUESTER, square.kernel_id, entry.kind, entry.work_units,
                         ((1, task_x(k)),), DATA_HASH, "blob:test", fee_of(entry.work_units),
                         0, 0, market.height + 1 + TASK_WINDOW) for k in range(tasks)]
        nonces: dict[str, int] = {}
        signed = []
        for op in ops:
            n = nonces.get(op.actor, 0)
            nonces[op.actor] = n + 1
            signed.append(SignedOperation.sign(op, n, signer(_name_of(op.actor)), DOMAIN))
        block = chain.produce([], signed)
        assert not block.rejected_operations, block.rejected_operations
    finally:
        store.close()
    return path


def _name_of(address: str) -> str:
    for name in (*NODES, "requester"):
        if addr(name) == address:
            return name
    raise AssertionError(address)


def assignee(path, task: int) -> str:
    """The node task ``task`` is assigned to (read from the chain)."""
    with open_store(path, read_only=True) as store:
        return store.load_state().task(task).assignee


def claim_for(square: Square, node: str, task: int, nonce: int, *, x: int | None = None,
              domain=DOMAIN, key=None) -> Claim:
    """A claim by test node ``node`` (a name) for task ``task``, signed with ``nonce``
    (by ``key``, default the node's own, in ``domain``)."""
    address = addr(node)
    public, proof = square.prove(task_x(task) if x is None else x,
                                 claim_binding(address, str(task)))
    claim = Claim(address, str(task), square.kernel_id, public, proof, ClaimKind.COMPUTE)
    if key is None:
        key = signer(node)
    return dataclasses.replace(claim, nonce=nonce,
                               signature=key.sign(dataclasses.replace(
                                   claim, nonce=nonce).digest(domain)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A uvicorn server of ``create_app(config)`` in a thread; ``client`` talks to it."""

    def __init__(self, config) -> None:
        httpx = pytest.importorskip("httpx")
        uvicorn = pytest.importorskip("uvicorn")
        from zkcx.operator import create_app

        self.app = create_app(config)
        self.operator = self.app.state.operator
        self.url = f"http://127.0.0.1:{config.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1",
                                                    port=config.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "no server"
            time.sleep(0.02)
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def stop(self) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(60)
        assert not self.thread.is_alive()

    def wait_height(self, height: int, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            status = self.client.get("/v1/status").json()
            if status["height"] >= height:
                return status
            assert time.monotonic() < deadline, f"no block {height}: {status}"
            time.sleep(0.05)


@pytest.fixture
def serve(tmp_path, square):
    """``serve(**config)``: a fresh chain (make_chain) served with these OperatorConfig
    fields (default: no timed sealing to speak of, no empty blocks)."""
    from zkcx.operator import OperatorConfig

    servers = []

    def start(tasks: int = 3, chain=None, **fields) -> Server:
        path = chain or make_chain(tmp_path / f"chain{len(servers)}.db", square, tasks)
        settings = {"block_interval": 3600.0, "seal_empty": False, **fields}
        server = Server(OperatorConfig(str(path), port=free_port(), **settings))
        server.chain = path
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
