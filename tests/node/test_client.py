# SPDX-License-Identifier: MIT
"""The node client and the requester against a stand-in of the operator's API over a
real chain (tests/node/fake_operator.py): the whole round (register, post, assign,
prove, claim, pay), and the attacks a node must refuse (a key that is not the kernel's,
data that is not the task's) and the failures it must ride out (refused connections,
5xx, 429, a dropped claim, a taken nonce)."""

from __future__ import annotations

import hashlib
import json
import random

import numpy as np
import pytest

from tests.node.conftest import FEE_PER_UNIT, PROFILE, SmallKernel, key
from zkcx import groth16
from zkcx.market import PostTask
from zkcx.node import (
    KernelKeyError,
    NodeClient,
    OperatorHTTP,
    OperatorRejectedError,
    OperatorUnavailableError,
    Requester,
    TaskDataError,
    task_data,
)
from zkcx.node.kernel_files import KernelSource

URL = "http://operator.test"


def http(operator, **kw) -> OperatorHTTP:
    kw.setdefault("sleep", lambda seconds: None)
    return OperatorHTTP(URL, transport=operator.transport(), **kw)


def node(operator, name="alice", **kw) -> NodeClient:
    events: list[dict] = []
    client = NodeClient(URL, key(name), profile=PROFILE, http=http(operator),
                        log=events.append, **kw)
    client.events = events
    return client


def values(seed=1):
    rng = np.random.default_rng(seed)
    return {"x": rng.uniform(-0.5, 0.5, 4), "y": rng.uniform(-0.5, 0.5, 4)}


def registered(operator, *clients):
    for c in clients:
        assert not c.ensure_registered()  # submitted
    operator.seal()
    for c in clients:
        assert c.ensure_registered()


def post(operator, small_kernel, seed=1):
    requester = Requester(URL, key("rita"), http=http(operator))
    posted = requester.post_task(small_kernel.kernel_id, small_kernel.kernel, values(seed),
                                 fee=small_kernel.kernel.n_constraints * FEE_PER_UNIT,
                                 window=3)
    operator.seal()  # applies the PostTask; the scheduler assigns it
    return requester, posted, requester.task_of(posted, timeout=1)


def test_a_task_round_trip_pays_the_node(operator, small_kernel):
    alice = node(operator)
    registered(operator, alice)
    assert str(key("alice").address) in operator.chain.market.nodes
    requester, posted, task = post(operator, small_kernel)
    assert task["status"] == "assigned" and task["assignee"] == alice.address
    assert task["data_hash"] == hashlib.sha256(task_data.encode(values())).hexdigest()
    before = operator.chain.market.account(alice.address).balance
    assert alice.step() == 1
    assert alice.summary.proved == 1 and len(operator.pending) == 1
    operator.seal()
    alice.follow()
    assert alice.summary.accepted == [task["task_id"]]
    done = requester.wait_done([task["task_id"]], timeout=1)
    assert done[0]["status"] == "done"
    assert operator.chain.market.account(alice.address).balance > before
    assert alice.step() == 0  # nothing new: the task is not taken twice


def test_run_once_ends_when_its_claims_are_settled(operator, small_kernel):
    alice = node(operator, poll_interval=0)
    registered(operator, alice)
    post(operator, small_kernel)
    seals = iter(range(100))
    original = alice.follow

    def follow_and_seal():  # the operator seals between the node's rounds
        if operator.pending and next(seals) < 100:
            operator.seal()
        original()
    alice.follow = follow_and_seal
    summary = alice.run(once=True)
    assert len(summary.accepted) == 1 and summary.registered


def test_a_key_that_is_not_the_kernels_is_refused(operator, small_kernel, tmp_path):
    other = groth16.setup(small_kernel.kernel.circuit())  # same circuit, another key
    operator.kernels[small_kernel.kernel_id] = (small_kernel.spec, groth16.zkey_bytes(other))
    alice = node(operator)
    registered(operator, alice)
    post(operator, small_kernel)
    assert alice.step() == 1
    assert alice.summary.proved == 0 and not operator.pending
    assert "verifying key's digest" in alice.summary.refused[0]["why"]
    source = KernelSource(http(operator), cache_dir=tmp_path / "cache")
    with pytest.raises(KernelKeyError, match="refused"):
        source.get(small_kernel.kernel_id)
    assert not (tmp_path / "cache").exists()  # nothing cached


def test_a_spec_of_another_circuit_is_refused(operator, small_kernel):
    spec = small_kernel.spec.replace("n = 4", "n = 5")
    operator.kernels[small_kernel.kernel_id] = (spec, small_kernel.zkey)
    with pytest.raises(KernelKeyError, match="wires"):
        KernelSource(http(operator)).get(small_kernel.kernel_id)


def test_fetched_keys_are_cached_and_a_local_folder_is_used_first(operator, small_kernel,
                                                                 tmp_path):
    cache = tmp_path / "cache"
    KernelSource(http(operator), cache_dir=cache).get(small_kernel.kernel_id)
    assert (cache / f"{small_kernel.kernel_id}.zkey").read_bytes() == small_kernel.zkey
    operator.requests.clear()
    KernelSource(http(operator), cache_dir=cache).get(small_kernel.kernel_id)
    assert not operator.requests  # read from the cache
    folder = tmp_path / "kernels"
    folder.mkdir()
    (folder / "dot_4.toml").write_text(small_kernel.spec)
    (folder / "dot_4.zkey").write_bytes(small_kernel.zkey)
    (folder / "junk.zkey").write_bytes(b"not a key")
    got = KernelSource(None, folder).get(small_kernel.kernel_id)
    assert got.zkey == str(folder / "dot_4.zkey")


def test_input_data_that_is_not_the_tasks_is_refused(operator, small_kernel):
    alice = node(operator)
    registered(operator, alice)
    _, _, task = post(operator, small_kernel)
    digest = task["data_hash"]
    operator.blobs[digest] = task_data.encode(values(seed=2))  # swapped by the operator
    assert alice.step() == 1 and not operator.pending
    assert "hashes to" in alice.summary.refused[0]["why"]


def test_data_matching_its_hash_but_not_the_tasks_inputs_is_refused(operator, small_kernel):
    """A requester whose task's public inputs are not its data's commitments: the node
    does not prove what the task would never accept."""
    alice = node(operator)
    registered(operator, alice)
    rita = Requester(URL, key("rita"), http=http(operator))
    data = task_data.encode(values(1))
    digest = rita.upload(data)
    wrong = small_kernel.kernel.task_inputs(**task_data.decode(task_data.encode(values(2)),
                                                               small_kernel.kernel))
    units = small_kernel.kernel.n_constraints
    op = PostTask(rita.address, small_kernel.kernel_id, "compute", units, wrong,
                  bytes.fromhex(digest), "", units * FEE_PER_UNIT, 0, 0, 5)
    rita.session.submit_operation(op)
    operator.seal()
    assert alice.step() == 1 and not operator.pending
    assert "not what the task committed to" in alice.summary.refused[0]["why"]
    with pytest.raises(TaskDataError, match="takes"):
        task_data.decode(json.dumps({"x": [1, 2, 3, 4]}).encode(), small_kernel.kernel)


def test_a_dropped_claim_is_signed_again_with_a_fresh_nonce(operator, small_kernel):
    alice = node(operator)
    registered(operator, alice)
    _, _, task = post(operator, small_kernel)
    alice.step()
    first = operator.pending[0]
    operator.drop_pending()
    alice.follow()
    assert alice.summary.resubmitted == 1 and len(operator.pending) == 1
    assert operator.pending[0].nonce == first.nonce  # the nonce was never used
    operator.seal()
    alice.follow()
    assert alice.summary.accepted == [task["task_id"]]


def test_a_taken_nonce_is_answered_by_signing_again(operator, small_kernel, monkeypatch):
    rita = Requester(URL, key("rita"), http=http(operator))
    stale = [0]  # the first read of the nonce is one behind the pool
    real = rita.session.next_nonce

    def racing():
        n = real()
        if stale:
            stale.pop()
            rita.transfer(str(key("bob").address), 1)  # someone took nonce n meanwhile
            return n
        return n
    monkeypatch.setattr(rita.session, "next_nonce", racing)
    submitted = rita.transfer(str(key("carol").address), 2)
    assert submitted.nonce == 1
    operator.seal()
    assert operator.chain.market.account(str(key("carol").address)).balance == 2


def test_refused_connections_5xx_and_429_are_retried(operator):
    waits: list[float] = []
    client = OperatorHTTP(URL, transport=operator.transport(), sleep=waits.append,
                          rng=random.Random(1), base_delay=0.1, max_delay=1.0)
    operator.down = 3
    operator.fail_with = [503, 429, 500]
    assert client.get_json("/v1/status")["height"] == -1
    assert len(waits) == 6
    # exponential, capped, with jitter in [delay/2, delay]
    for attempt, wait in enumerate(waits):
        delay = min(1.0, 0.1 * 2 ** attempt)
        assert delay / 2 <= wait <= delay


def test_retry_after_is_honoured_and_the_wait_is_bounded(operator):
    waits: list[float] = []
    client = OperatorHTTP(URL, transport=operator.transport(), sleep=waits.append,
                          base_delay=0.01, max_wait=5.0)
    operator.fail_with = [429]
    import httpx

    def slow_down(request):
        return httpx.Response(429, json={"error": "slow down", "code": "rate_limited"},
                              headers={"retry-after": "2"})
    client._client = httpx.Client(base_url=URL, transport=httpx.MockTransport(slow_down))
    with pytest.raises(OperatorUnavailableError, match="rate_limited: slow down"):
        client.get_json("/v1/status")
    assert waits == [2.0, 2.0]  # a third wait would pass max_wait
    operator.down = 10**6
    never = OperatorHTTP(URL, transport=operator.transport(), sleep=lambda s: None,
                         max_wait=3.0)
    with pytest.raises(OperatorUnavailableError, match="ConnectError"):
        never.get_json("/v1/status")


def test_4xx_is_raised_at_once_with_the_operators_message(operator):
    client = http(operator)
    with pytest.raises(OperatorRejectedError, match="no kernel abc") as info:
        client.get_json("/v1/kernels/abc")
    assert info.value.status == 404 and info.value.code == "not_found"
    assert operator.requests == ["GET /v1/kernels/abc"]  # not retried


def test_the_node_survives_the_operator_going_away(operator, small_kernel):
    """Down for longer than one request's bounded wait: the loop logs it and goes on
    when the operator is back."""
    alice = node(operator, poll_interval=0)
    alice.http.max_wait = 0.5
    registered(operator, alice)
    _, _, task = post(operator, small_kernel)
    operator.down = 10**6
    rounds = []

    def wait(seconds):  # the loop's pause between rounds: the operator comes back
        rounds.append(seconds)
        if len(rounds) == 3:
            operator.down = 0
        if operator.pending:
            operator.seal()
        return False
    stop = type("Stop", (), {"is_set": lambda self: False, "wait": lambda self, s: wait(s)})()
    summary = alice.run(max_tasks=1, stop=stop)
    assert summary.accepted == [task["task_id"]]
    assert sum(e["event"] == "operator_unavailable" for e in alice.events) >= 2


def test_an_unregistered_node_without_a_profile_says_so(operator):
    alice = NodeClient(URL, key("alice"), http=http(operator))
    with pytest.raises(Exception, match="no capacity profile"):
        alice.ensure_registered()


def test_a_small_kernel_fixture_is_task_ready(small_kernel: SmallKernel):
    assert small_kernel.kernel.input_positions() is not None


def test_proving_on_a_cluster_sends_the_key_spec_inputs_and_binding(operator, small_kernel,
                                                                    monkeypatch):
    """The cluster's API (zkcx.cluster.ProofJob in, ProofResult out): a stand-in that
    proves in process shows what the node hands over, and that a job's error refuses
    only that task."""
    import dataclasses
    import sys
    import types

    @dataclasses.dataclass
    class ProofJob:
        job_id: str
        zkey: object
        spec: str
        inputs: dict
        claim_binding: int | None

    @dataclasses.dataclass
    class ProofResult:
        job_id: str
        proof: object
        public: tuple
        seconds: float
        error: str | None

    class Cluster:
        jobs: list = []

        def prove(self, jobs):
            from zkcx.node.kernel_files import checked

            for job in jobs:
                self.jobs.append(job)
                if len(self.jobs) == 2:
                    yield ProofResult(job.job_id, None, (), 0.0, "out of memory")
                    continue
                files = checked(small_kernel.kernel_id, job.spec, job.zkey)
                witness = files.kernel.witness(**job.inputs, claim_binding=job.claim_binding)
                proof, public = groth16.prove(files.pk, witness, files.kernel.circuit())
                yield ProofResult(job.job_id, proof, tuple(public), 0.1, None)

    monkeypatch.setitem(sys.modules, "zkcx.cluster",
                        types.SimpleNamespace(ProofJob=ProofJob, Cluster=Cluster))
    alice = node(operator, cluster=Cluster())
    registered(operator, alice)
    tasks = [post(operator, small_kernel, seed)[2] for seed in (1, 2)]
    assert alice.step() == 2
    jobs = Cluster.jobs
    assert [j.job_id for j in jobs] == [str(t["task_id"]) for t in tasks]
    assert jobs[0].zkey == small_kernel.zkey and jobs[0].spec == small_kernel.spec
    from zkcx.rollup import claim_binding
    assert jobs[0].claim_binding == claim_binding(alice.address, str(tasks[0]["task_id"]))
    assert alice.summary.refused == [{"task": tasks[1]["task_id"],
                                      "why": "the cluster could not prove it: out of memory"}]
    operator.seal()
    alice.follow()
    assert alice.summary.accepted == [tasks[0]["task_id"]]


def test_the_cli_modules_load_no_http_client():
    """``zkcx task list`` or ``zkcx node register`` import the node's command module's
    parser, never httpx (only ``node run`` does, when it runs)."""
    import subprocess
    import sys

    code = ("import sys, zkcx.cli.market_commands, zkcx.cli.node_commands, "
            "zkcx.cli.demo_commands; print(sorted(m for m in ('httpx', 'zkcx.node', "
            "'fastapi', 'uvicorn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_a_rejected_registration_stops_the_node_with_the_reason(operator):
    from zkcx.market import CapacityProfile
    from zkcx.node import NodeError

    alice = node(operator)
    alice.profile = CapacityProfile("chain 2^8", 256, 50, 1, bytes(32))
    assert not alice.ensure_registered()
    digest = operator.pending[0].hash
    operator.seal()
    operator.settled[digest] = {"status": "rejected", "reason": "bad-profile",
                                "detail": "made up"}
    with pytest.raises(NodeError, match="rejected .* registration: bad-profile: made up"):
        alice.ensure_registered()


def test_the_node_proves_on_a_real_dask_cluster(operator, small_kernel):
    pytest.importorskip("distributed", reason="the cluster needs the extra zkcx[cluster]")
    try:
        from zkcx.cluster import Cluster
    except ImportError:
        pytest.skip("the cluster (zkcx.cluster.Cluster) is not in this tree")
    with Cluster(workers=1, progress=False) as cluster:
        alice = node(operator, cluster=cluster)
        registered(operator, alice)
        tasks = [post(operator, small_kernel, seed)[2] for seed in (1, 2)]
        assert alice.step() == 2 and alice.summary.refused == []
        operator.seal()
        alice.follow()
    assert sorted(alice.summary.accepted) == [t["task_id"] for t in tasks]
