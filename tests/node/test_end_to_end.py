# SPDX-License-Identifier: MIT
"""End to end on 127.0.0.1: a real operator (``zkcx operator serve``, a process), three
``zkcx node run`` processes with their own keystore accounts, and a requester in the
test posting tasks through the operator's API. Blocks are sealed, fees and emission
paid; the operator is killed with SIGKILL mid-run and restarted: every submission it
acknowledged (the requester's, and each node's, read from the nodes' event logs) is in
a block or still pending, the nodes carry on, and the chain re-verifies from genesis."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from tests.node.conftest import FEE_PER_UNIT, SmallKernel, key
from zkcx.accounts import Keystore
from zkcx.cli.demo_network import OperatorProcess, node_process
from zkcx.market import Market
from zkcx.rewards import SUPPLY, TOKEN
from zkcx.rollup import KernelRegistry, SQLiteChainStore, verify_chain

pytest.importorskip("fastapi", reason="the operator needs the extra zkcx[network]")
try:
    from zkcx.operator import create_app  # noqa: F401
except ImportError:
    pytest.skip("the operator service (zkcx.operator.create_app) is not in this tree",
                allow_module_level=True)

from zkcx.node import Requester  # noqa: E402

PASSWORD = "e2e-password"
NODES = ("alice", "bob", "carol")
GRANT = 1000 * TOKEN


class Network:
    """The folder, chain, kernels and processes of one run."""

    def __init__(self, tmp_path, small_kernel: SmallKernel) -> None:
        self.dir = tmp_path
        kernels = tmp_path / "kernels"
        kernels.mkdir()
        (kernels / "dot_4.toml").write_text(small_kernel.spec)
        (kernels / "dot_4.zkey").write_bytes(small_kernel.zkey)
        registry = KernelRegistry()
        small_kernel.register(registry)
        self.rita = str(key("rita").address)
        with SQLiteChainStore.create(tmp_path / "chain.db",
                                     Market.genesis({self.rita: GRANT})) as store:
            store.save_kernel_registry(registry)
        keystore = Keystore(tmp_path / "keystore")
        for name in NODES:
            keystore.new(PASSWORD, key(name), kdf="pbkdf2", iterations=1000)
        (tmp_path / "password").write_text(PASSWORD + "\n")
        self.address = {n: str(key(n).address) for n in NODES}
        self.operator = OperatorProcess(tmp_path / "chain.db", kernels,
                                        tmp_path / "operator.log", block_interval=0.3)
        self.nodes = {n: node_process(self.operator.url, a, tmp_path, "--measure-size", "6")
                      for n, a in self.address.items()}

    def start(self) -> None:
        self.operator.start()
        self.operator.wait_ready()
        for node in self.nodes.values():
            node.start()

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()
        self.operator.stop()

    def wait_registered(self, rita: Requester, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for name, node in self.nodes.items():
                assert node.alive, f"{name} exited:\n{node.tail()}"
            if all(rita.session.account(a)["node"] for a in self.address.values()):
                return
            time.sleep(0.2)
        raise AssertionError("the nodes did not register: " + "\n".join(
            n.tail() for n in self.nodes.values()))

    def node_events(self) -> list[dict]:
        events = []
        for node in self.nodes.values():
            for line in node.log.read_text().splitlines():
                if line.startswith("{"):
                    events.append(json.loads(line))
        return events


def post(rita: Requester, small_kernel: SmallKernel, seed: int):
    rng = np.random.default_rng(seed)
    values = {"x": rng.uniform(-0.5, 0.5, 4), "y": rng.uniform(-0.5, 0.5, 4)}
    return rita.post_task(small_kernel.kernel_id, small_kernel.kernel, values,
                          fee=small_kernel.kernel.n_constraints * FEE_PER_UNIT, window=30)


def run_network(tmp_path, small_kernel, tasks_before: int, tasks_after: int, kills: int):
    net = Network(tmp_path, small_kernel)
    net.start()
    rita = Requester(net.operator.url, key("rita"), max_wait=60)
    try:
        net.wait_registered(rita)
        acknowledged = []
        posted = [post(rita, small_kernel, seed) for seed in range(tasks_before)]
        acknowledged += [p.submitted.hash for p in posted]
        first = [rita.task_of(p) for p in posted[:1]]
        rita.wait_done([t["task_id"] for t in first], timeout=60)
        for kill in range(kills):
            # more tasks, acknowledged (durable in the pool) but maybe not yet in a block,
            # while the nodes work: then SIGKILL, whatever the operator was doing
            more = [post(rita, small_kernel, 100 * (kill + 1) + s) for s in range(tasks_after)]
            acknowledged += [p.submitted.hash for p in more]
            posted += more
            net.operator.kill()
            time.sleep(0.5)
            net.operator.start()
            net.operator.wait_ready()
        tasks = [rita.task_of(p) for p in posted]
        done = rita.wait_done([t["task_id"] for t in tasks], timeout=120)
        assert [t["status"] for t in done] == ["done"] * len(done)
        # every acknowledged submission is in a block (or still pending): nothing lost
        claims = [e["hash"] for e in net.node_events() if e.get("event") == "submitted"]
        assert len(claims) >= len(done)
        for digest in acknowledged + claims:
            status = rita.session.submission(digest)["status"]
            assert status in ("applied", "accepted", "rejected", "pending"), (digest, status)
        api = {n: rita.session.account(a) for n, a in net.address.items()}
        api_rita = rita.session.account(rita.address)
        height = rita.session.height()
    finally:
        rita.close()
        net.stop()
    for name, node in net.nodes.items():
        assert node.proc.returncode == 0, f"{name}:\n{node.tail()}"
    with SQLiteChainStore.open(tmp_path / "chain.db") as store:
        report = verify_chain(store, store.kernel_registry())
        market = store.load_state()
    assert report.blocks >= height + 1 and report.accepted_claims >= len(done)
    # fees: rita paid each done task's fee; the nodes hold what they were paid
    fees = sum(int(t["fee"]) for t in done)
    ledger = market.ledger
    assert ledger.account(net.rita).balance == GRANT - fees
    assert int(api_rita["balance"]) == ledger.account(net.rita).balance
    workers = {t["assignee"] for t in done}
    assert len(workers) >= 2  # the scheduler spread the work
    for name, address in net.address.items():
        account = ledger.account(address)
        assert int(api[name]["balance"]) == account.balance
        if address in workers:
            assert account.balance > 0 and account.claims_accepted > 0
    # the nodes got the fees less the pool fee, plus the pool's emission: together with
    # what the pool gained, exactly the fees rita paid
    paid = sum(ledger.account(a).balance for a in net.address.values())
    pool_gain = ledger.pool - Market.genesis({net.rita: GRANT}).ledger.pool
    assert paid + pool_gain == fees and paid > 0
    assert sum(ledger.totals()) + ledger.pool == SUPPLY
    return done


def test_operator_nodes_and_requester_over_http_with_a_crash(tmp_path, small_kernel):
    done = run_network(tmp_path, small_kernel, tasks_before=4, tasks_after=2, kills=1)
    assert len(done) == 6


@pytest.mark.slow
def test_a_longer_run_with_several_crashes(tmp_path, small_kernel):
    done = run_network(tmp_path, small_kernel, tasks_before=12, tasks_after=6, kills=3)
    assert len(done) == 30
