# SPDX-License-Identifier: MIT
"""``zkcx operator serve`` as a process: nothing acknowledged is lost when it is killed
with SIGKILL in the middle of submissions and sealing, SIGTERM stops it gracefully, and
bad arguments exit with code 2 and a message."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from tests.cli.conftest import ROOT, run_main
from tests.operator.conftest import NODES, claim_for, free_port, make_chain
from tests.rollup.conftest import addr
from zkcx.rollup import PendingItem, SQLiteChainStore, raw_claim_hash, verify_chain

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")


def start_operator(chain, port: int, *flags: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    proc = subprocess.Popen([sys.executable, "-m", "zkcx", "--quiet", "operator", "serve",
                             "--chain", str(chain), "--port", str(port), "--rate", "off",
                             "--client-rate", "off", *flags],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/status", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the operator did not start"
        time.sleep(0.1)


def test_a_kill_loses_nothing_acknowledged(tmp_path, square):
    chain = make_chain(tmp_path / "chain.db", square)
    port = free_port()
    proc = start_operator(chain, port, "--block-interval", "0.2", "--block-size", "6")
    url = f"http://127.0.0.1:{port}"
    # each node signs claims with consecutive nonces (for a task that does not exist:
    # every block rejects them, and each consumes its nonce)
    claims = {name: [claim_for(square, name, 999, nonce, x=5) for nonce in range(1, 41)]
              for name in NODES}
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def submitter(name: str) -> None:
        with httpx.Client(base_url=url, timeout=10) as client:
            for claim in claims[name]:
                if stop.is_set():
                    return
                try:
                    response = client.post("/v1/claims", json=claim.to_json())
                except httpx.TransportError:
                    return  # killed: this one was never acknowledged
                if response.status_code == 202:
                    with lock:
                        acked.append(response.json()["hash"])

    threads = [threading.Thread(target=submitter, args=(n,)) for n in NODES]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while len(acked) < 45 and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.kill()  # SIGKILL, mid-stream: requests in flight and maybe a block being sealed
    proc.wait(30)
    stop.set()
    for t in threads:
        t.join(30)
    assert len(acked) >= 45
    sent = {c.claim_hash.hex() for cs in claims.values() for c in cs}
    assert set(acked) <= sent

    proc = start_operator(chain, port, "--block-interval", "0.2", "--block-size", "6")
    with httpx.Client(base_url=url, timeout=30) as client:
        for h in acked:
            status = client.get(f"/v1/submissions/{h}").json()["status"]
            assert status in ("pending", "rejected"), (h, status)
    proc.send_signal(signal.SIGTERM)  # graceful: finishes the block being sealed
    assert proc.wait(60) == 0, proc.stderr.read().decode()[-2000:]

    with SQLiteChainStore.open(chain, read_only=True) as store:
        verify_chain(store, store.kernel_registry())
        in_blocks = {raw_claim_hash(raw if isinstance(raw, bytes) else raw.to_bytes()).hex()
                     for block in store.blocks() for raw in block.received()}
        pending = {item.hash.hex() for item in store.pending()}
        assert not in_blocks & pending  # never both
        for h in acked:
            found = store.submission(bytes.fromhex(h))
            assert found is not None, h
            assert (h in pending) == isinstance(found, PendingItem)
            assert (h in in_blocks) != (h in pending)


def test_sigterm_stops_an_idle_operator_cleanly(tmp_path, square):
    chain = make_chain(tmp_path / "chain.db", square)
    port = free_port()
    proc = start_operator(chain, port, "--block-interval", "0.1")
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(60) == 0
    with SQLiteChainStore.open(chain, read_only=True) as store:
        assert store.head().height >= 1  # empty blocks were sealed at the interval
        verify_chain(store, store.kernel_registry())
    assert not os.path.exists(str(chain) + "-wal")  # closed: the file is at rest


@pytest.mark.parametrize("args, message", [
    (["--chain", "missing.db"], "missing.db"),
    (["--chain", "chain.db", "--max-body", "lots"], "not a size"),
    (["--chain", "chain.db", "--rate=-3/s"], "not a rate"),
    (["--chain", "chain.db", "--rate", "fast"], "not a rate"),
    (["--chain", "chain.db", "--block-interval", "0"], "positive number"),
    (["--chain", "chain.db", "--port", "70000"], "not a port"),
    (["--chain", "chain.db", "--kernels", "nowhere"], "not a folder"),
])
def test_bad_arguments_exit_2_with_a_message(tmp_path, monkeypatch, square, args, message):
    make_chain(tmp_path / "chain.db", square)
    monkeypatch.chdir(tmp_path)
    run = run_main("operator", "serve", *args)
    assert run.code == 2, run.stderr
    assert message in run.stderr and "Traceback" not in run.stderr


def test_a_busy_port_is_a_usage_error(tmp_path, monkeypatch, square):
    make_chain(tmp_path / "chain.db", square)
    monkeypatch.chdir(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        run = run_main("operator", "serve", "--chain", "chain.db", "--port", str(port))
    assert run.code == 2 and "cannot listen" in run.stderr, run.stderr


def test_cluster_flags_without_the_cluster_api_are_a_usage_error(tmp_path, monkeypatch,
                                                                  square):
    import types

    make_chain(tmp_path / "chain.db", square)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "zkcx.cluster", types.ModuleType("zkcx.cluster"))
    run = run_main("operator", "serve", "--chain", "chain.db", "--workers", "2")
    assert run.code == 2 and "pip install 'zkcx[cluster]'" in run.stderr, run.stderr


def test_addresses_are_nodes():  # the fixtures' node names are accounts
    assert len({addr(n) for n in NODES}) == len(NODES)
