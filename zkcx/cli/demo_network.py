# SPDX-License-Identifier: MIT
"""``zkcx demo --network``: the compute market run through the real service and clients.

An operator (``zkcx operator serve``) runs as a process on a free loopback port over a
fresh chain whose genesis grants rita, the requester, her budget; the demo's three market
kernels (``dot_256``, ``matmul_16x16x16``, ``mlp_64_32_10_infer``, inputs committed,
bound to node and task; an unsafe local setup, as ``zkcx demo`` says) are registered in
the chain and their specs and keys served from its ``--kernels`` folder. Three nodes
(alice, bob, carol) run as ``zkcx node run`` processes with their own keystore accounts:
each measures its capacity, registers it, and proves what the scheduler assigns it,
fetching keys and input data from the operator. Rita (``zkcx.node.Requester``, in this
process) uploads each task's input data, signs and submits her PostTasks, and waits for
the tasks to be done. Then everything stops, and the chain file is reopened and
re-verified from genesis; the report shows the blocks, the tasks with their nodes and
fees, the accounts (fees and emission paid) and the supply.

``ServiceProcess``, ``OperatorProcess`` and ``free_port`` are the process handling the
end-to-end test (tests/node/test_end_to_end.py) uses too."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

from zkcx import groth16
from zkcx.accounts import Keystore
from zkcx.cli._output import Reporter
from zkcx.cli.chain_commands import rewards_table, tokens
from zkcx.cli.demo import (
    DEMO_KERNELS,
    DEMO_PARAMS,
    DEMO_PASSWORD,
    FEE_PER_UNIT,
    RITA_TASKS,
    demo_kernel,
    demo_key,
    spec_toml,
)
from zkcx.market import Market
from zkcx.node.errors import NodeError
from zkcx.rewards import SUPPLY, TOKEN, ParamSchedule
from zkcx.rollup import KernelRegistry, SQLiteChainStore, verify_chain

#: the network demo's nodes and requester
NODES = ("alice", "bob", "carol")
REQUESTER = "rita"
#: the kernels it posts tasks of (the market kernels of ``zkcx demo``)
KERNELS = ("dot_256", "matmul_16x16x16", "mlp_64_32_10_infer")
#: blocks a task may take after the next one
WINDOW = 20
#: the package's folder's parent: a child process imports this very zkcx
_ROOT = pathlib.Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a ``python -m zkcx`` child: this package first on its path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(_ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("ZKCX_STOP_AT_WORK", None)
    env.update(extra)
    return env


class ServiceProcess:
    """``python -m zkcx ARGS`` as a long-running child, its output in ``log``."""

    def __init__(self, args: list[str], log: pathlib.Path, **env: str) -> None:
        self.args, self.log, self.env = [str(a) for a in args], log, env
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        """Start it (again)."""
        with open(self.log, "ab") as fh:
            self.proc = subprocess.Popen([sys.executable, "-m", "zkcx", *self.args],
                                         stdout=fh, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=child_env(**self.env),
                                         start_new_session=True)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail(self, lines: int = 15) -> str:
        """The end of its output (for error messages)."""
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(text[-lines:])

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, then SIGKILL past ``timeout``; the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL: no chance to finish anything."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class OperatorProcess(ServiceProcess):
    """``zkcx operator serve`` on 127.0.0.1 (a free port) over ``chain``."""

    def __init__(self, chain: pathlib.Path, kernels: pathlib.Path, log: pathlib.Path,
                 block_interval: float = 0.5, port: int | None = None,
                 extra: tuple[str, ...] = ()) -> None:
        self.port = port or free_port()
        super().__init__(["operator", "serve", "--chain", chain, "--host", "127.0.0.1",
                          "--port", str(self.port), "--block-interval", str(block_interval),
                          "--kernels", kernels, *extra], log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60.0) -> dict:
        """Wait for GET /v1/status to answer; NodeError if the process ends first."""
        import httpx

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.alive:
                raise NodeError(f"the operator exited ({self.proc.returncode}):\n"
                                f"{self.tail()}")
            try:
                return httpx.get(self.url + "/v1/status", timeout=2).json()
            except (httpx.HTTPError, ValueError):
                time.sleep(0.1)
        raise NodeError(f"the operator did not answer within {timeout:g} s:\n{self.tail()}")


def node_process(url: str, address: str, directory: pathlib.Path, *extra: str
                 ) -> ServiceProcess:
    """A ``zkcx node run`` child for ``address`` (a key of ``directory/keystore``)."""
    return ServiceProcess(["--json", "node", "run", "--operator", url, "--account", address,
                           "--keystore", directory / "keystore", "--password-file",
                           directory / "password", "--cache", directory / "cache",
                           "--poll", "0.2", "--measure-size", "8", *extra],
                          directory / f"node-{address[:10]}.log", ZKCX_THREADS="1")


class NetworkDemo:
    """One run of the network demo in ``directory`` (module docstring)."""

    def __init__(self, directory: pathlib.Path, out: Reporter, seed: int) -> None:
        self.dir, self.out, self.seed = directory, out, seed
        self.keys = {n: demo_key(seed, n) for n in (*NODES, REQUESTER)}
        self.address = {n: str(k.address) for n, k in self.keys.items()}
        self.name_of = {a: n for n, a in self.address.items()}

    def prepare(self) -> dict:
        """Kernels (files + registry), keys, the genesis chain; the kernels by name."""
        import numpy as np

        folder = self.dir / "kernels"
        folder.mkdir(parents=True, exist_ok=True)
        registry, made = KernelRegistry(), {}
        for name, kind, params, claim_kind, committed in DEMO_KERNELS:
            if name not in KERNELS:
                continue
            kernel = demo_kernel(kind, name, params, committed)
            with self.out.step(f"compile and set up {name}") as progress:
                pk = groth16.setup(kernel.circuit(), progress=progress)
            kid = registry.register_kernel(kernel, pk.verifying_key, claim_kind,
                                           unsafe_local_setup=True)
            (folder / f"{name}.toml").write_text(spec_toml(kind, params, committed))
            groth16.write_zkey(pk, folder / f"{name}.zkey")
            made[name] = (kid, kernel)
        keystore = Keystore(self.dir / "keystore")
        for key in self.keys.values():
            keystore.new(DEMO_PASSWORD, key, kdf="pbkdf2", iterations=1000)
        (self.dir / "password").write_text(DEMO_PASSWORD + "\n")
        (self.dir / "nodes.json").write_text(json.dumps(self.address, indent=1))
        market = Market.genesis({self.address[REQUESTER]: 10_000 * TOKEN},
                                ParamSchedule([(0, DEMO_PARAMS)]))
        self.pool_start = market.ledger.pool
        with SQLiteChainStore.create(self.dir / "chain.db", market) as store:
            store.save_kernel_registry(registry)
        self.registry = registry
        self.rng = np.random.default_rng(self.seed)
        return made

    def run(self) -> dict:
        from zkcx.node import Requester

        made = self.prepare()
        operator = OperatorProcess(self.dir / "chain.db", self.dir / "kernels",
                                   self.dir / "operator.log", block_interval=0.5)
        nodes = [node_process(operator.url, self.address[n], self.dir) for n in NODES]
        rita = None
        try:
            with self.out.step(f"start the operator on {operator.url}"):
                operator.start()
                operator.wait_ready()
            for node in nodes:
                node.start()
            rita = Requester(operator.url, self.keys[REQUESTER])
            with self.out.step("nodes measure and register their capacity"):
                self._wait_registered(rita, nodes)
            posted = []
            with self.out.step(f"rita posts {len(RITA_TASKS)} tasks"):
                for name in RITA_TASKS:
                    kid, kernel = made[name]
                    values = {t.name: self.rng.uniform(-0.5, 0.5, t.shape)
                              for t in kernel.spec.inputs}
                    units = self.registry.get(kid).work_units
                    posted.append((name, rita.post_task(kid, kernel, values,
                                                        fee=units * FEE_PER_UNIT,
                                                        window=WINDOW)))
                tasks = [(name, rita.task_of(p)) for name, p in posted]
            with self.out.step("nodes prove, the operator seals, rita waits"):
                done = rita.wait_done([t["task_id"] for _, t in tasks], timeout=600)
        finally:
            if rita is not None:
                rita.close()
            for node in nodes:
                node.stop()
            operator.stop()
        return self.report([name for name, _ in tasks], done, nodes)

    def _wait_registered(self, rita, nodes, timeout: float = 300.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for node in nodes:
                if not node.alive:
                    raise NodeError(f"a node exited ({node.proc.returncode}):\n"
                                    f"{node.tail()}")
            if all(rita.session.account(self.address[n]).get("node") for n in NODES):
                return
            time.sleep(0.3)
        raise NodeError("the nodes did not register in time")

    def report(self, names: list[str], done: list[dict], nodes) -> dict:
        out = self.out
        with SQLiteChainStore.open(self.dir / "chain.db") as store:
            with out.step("re-verify the chain from genesis") as progress:
                report = verify_chain(store, store.kernel_registry(), progress=progress)
            market = store.load_state()
        ledger = market.ledger
        out.line(f"An operator, {len(NODES)} node processes and a requester over HTTP on "
                 "127.0.0.1; the tasks, as the chain has them:")
        rows = [[t["task_id"], name, self.name_of.get(t["poster"], t["poster"]),
                 self.name_of.get(t["assignee"] or "", "-"), tokens(int(t["fee"])),
                 t["status"], t["closed_height"]] for name, t in zip(names, done)]
        out.table(["task", "kernel", "poster", "node", "fee", "status", "block"], rows)
        per_node = {n: sum(1 for t in done if t["assignee"] == self.address[n]
                           and t["status"] == "done") for n in NODES}
        out.line("Tasks done by node: " + ", ".join(f"{n} {k}" for n, k in per_node.items()))
        # each fee: to the node less the pool fee (the chain's parameter), to the pool
        rate = market.params().pool_fee_ppb
        fees = {n: [0, 0] for n in NODES}
        for t in done:
            if t["status"] == "done":
                pool_fee = int(t["fee"]) * rate // 10**9
                fees[self.name_of[t["assignee"]]][0] += int(t["fee"]) - pool_fee
                fees[self.name_of[t["assignee"]]][1] += pool_fee
        emission = {n: ledger.account(self.address[n]).balance - fees[n][0] for n in NODES}
        out.line("Payments to each node: fees from rita's escrow less the pool fee, and "
                 "the pool's emission:")
        out.table(["node", "fees to the node", "pool fees", "emission", "balance"],
                  [[n, tokens(fees[n][0]), tokens(fees[n][1]), tokens(emission[n]),
                    tokens(ledger.account(self.address[n]).balance)] for n in NODES])
        out.line()
        out.line(f"Accounts after block {market.height} (each node's balance: its fees less "
                 "the pool fee, and its share of the emission):")
        rewards_table(ledger, out, self.name_of)
        parts = (ledger.pool, *ledger.totals())
        supply = sum(parts)
        out.line()
        out.line(f"Chain re-verified from genesis: {report.blocks} blocks, "
                 f"{report.accepted_claims} accepted and {report.rejected_claims} rejected "
                 f"claims; state root {report.state_root.hex()[:32]}…")
        out.line("Supply: pool + balances + stakes + unbonding + held = "
                 + " + ".join(tokens(v) for v in parts) + f" = {tokens(supply)} tokens: "
                 + ("conserved" if supply == SUPPLY else "NOT conserved"))
        result = {
            "network": True, "blocks": report.blocks, "accepted": report.accepted_claims,
            "rejected": report.rejected_claims, "state_root": report.state_root.hex(),
            "tasks": done, "tasks_by_node": per_node, "nodes": self.address,
            "payments": {n: {"fees": str(fees[n][0]), "pool_fees": str(fees[n][1]),
                             "emission": str(emission[n])} for n in NODES},
            "supply_conserved": supply == SUPPLY, "pool": str(ledger.pool),
            "pool_at_genesis": str(self.pool_start), "market_height": market.height,
            "accounts": {self.name_of.get(a, a): {
                "balance": str(acc.balance), "held": str(acc.held),
                "earned_total": str(acc.earned_total),
                "claims_accepted": acc.claims_accepted}
                for a, acc in ledger.accounts.items()},
            "unsafe_local_setup": True,
        }
        out.set(demo=result)
        return result


def run_network_demo(directory: pathlib.Path, out: Reporter, seed: int) -> dict:
    """Run the network demo in ``directory`` (which must be new or empty)."""
    return NetworkDemo(directory, out, seed).run()
