# SPDX-License-Identifier: MIT
"""Proving on the Dask cluster: every proof verifies and carries the public signals the
kernel gives in process; a key is loaded once per worker and its bytes never travel
with a task; a bad job is reported in its result while the others are proved; a
running scheduler can be joined; bad or unreachable scheduler addresses are refused
clearly; and nothing of Dask is imported by zkcx's ordinary paths."""

from __future__ import annotations

import socket
import subprocess
import sys

import numpy as np
import pytest

from tests.cluster.conftest import MATMUL_SPEC, Matmul
from zkcx import groth16
from zkcx.cluster import (
    Cluster,
    ClusterExtraMissingError,
    ProofJob,
    ProofResult,
    SchedulerAddressError,
    SchedulerUnreachableError,
    check_address,
)
from zkcx.errors import ArgumentTypeError, InvalidArgumentError
from zkcx.rollup import claim_binding


def _inputs(seed: int, shape=(4, 4)) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"X": rng.uniform(-2, 2, shape), "W": rng.uniform(-2, 2, shape)}


def _expected_public(m: Matmul, inputs, binding: int) -> list[int]:
    """The public signals the kernel's exact reference gives (no proving involved)."""
    out = m.kernel.reference(**inputs)
    return m.kernel.public_values(**out, **inputs, claim_binding=binding)


def test_proofs_verify_and_carry_the_in_process_public_signals(cluster, matmul):
    bindings = {f"job{i}": claim_binding("0x" + f"{i + 1:040x}", str(i)) for i in range(6)}
    jobs = [ProofJob(job_id, matmul.zkey, matmul.spec, _inputs(i), bindings[job_id])
            for i, job_id in enumerate(bindings)]
    results = {r.job_id: r for r in cluster.prove(jobs)}
    assert set(results) == set(bindings)
    for i, job in enumerate(jobs):
        r = results[job.job_id]
        assert isinstance(r, ProofResult) and r.ok and r.error is None, r.error
        in_process = matmul.kernel.witness(**job.inputs, claim_binding=bindings[job.job_id])
        assert list(r.public) == in_process.public == _expected_public(
            matmul, job.inputs, bindings[job.job_id])
        assert groth16.verify(matmul.vk, r.public, r.proof)
        # the binding is the last public signal: the proof does not verify for another
        other = list(r.public[:-1]) + [(r.public[-1] + 1)]
        assert not groth16.verify(matmul.vk, other, r.proof)
        np.testing.assert_array_equal(r.outputs["Y"], matmul.kernel.reference(**_inputs(i))["Y"])
        assert r.seconds > 0


def test_a_key_is_loaded_once_per_worker_and_never_sent_with_a_task(cluster):
    fresh = Matmul(MATMUL_SPEC.replace("matmul_4x4x4_bound", "fresh"))  # new to every worker
    before = cluster.worker_stats()
    sent = []
    submit = cluster.client.submit

    def spy(func, *args, **kw):
        sent.append(args)
        return submit(func, *args, **kw)

    cluster.client.submit = spy
    try:
        results = list(cluster.prove(
            ProofJob(f"k{i}", fresh.zkey, fresh.spec, _inputs(100 + i), 7) for i in range(10)))
    finally:
        del cluster.client.submit
    assert all(r.ok for r in results)
    after = cluster.worker_stats()
    loads = {w: after[w]["keys_loaded"] - before.get(w, {}).get("keys_loaded", 0)
             for w in after}
    proofs = {w: after[w]["proofs"] - before.get(w, {}).get("proofs", 0) for w in after}
    assert sum(proofs.values()) == 10
    for w in after:  # a worker that proved loaded the key once, whatever its share
        assert loads[w] == (1 if proofs[w] else 0), (loads, proofs)
        assert after[w]["circuits_built"] - before.get(w, {}).get("circuits_built", 0) \
            == (1 if proofs[w] else 0)
    # no task carries the key's bytes: each gets a reference to the scattered copy
    assert len(sent) == 10
    for args in sent:
        assert not any(isinstance(a, (bytes, bytearray)) for a in args)
        assert sum(len(str(a)) for a in args) < len(fresh.zkey) // 100
    # the same key in a second batch: no new load anywhere
    list(cluster.prove([ProofJob("again", fresh.zkey, fresh.spec, _inputs(1), 1)]))
    assert sum(s["keys_loaded"] for s in cluster.worker_stats().values()) == \
        sum(s["keys_loaded"] for s in after.values())


def test_a_key_on_a_shared_path_is_read_by_the_workers(cluster, matmul, tmp_path):
    path = tmp_path / "matmul.zkey"
    groth16.write_zkey(matmul.pk, path)
    (r,) = cluster.prove([ProofJob("by-path", str(path), matmul.spec, _inputs(5), 3)])
    assert r.ok, r.error
    assert groth16.verify(matmul.vk, r.public, r.proof)


def test_a_key_file_replaced_at_its_path_is_read_again(cluster, matmul, tmp_path):
    """A node that downloads a new key to the same path gets proofs under the new key,
    not the one its workers mapped before (renamed over: the old mapping stays valid)."""
    path = tmp_path / "replaced.zkey"
    groth16.write_zkey(matmul.pk, path)
    (first,) = cluster.prove([ProofJob("old", str(path), matmul.spec, _inputs(6), 3)])
    assert first.ok and groth16.verify(matmul.vk, first.public, first.proof)
    newer = groth16.setup(matmul.kernel.circuit())
    groth16.write_zkey(newer, tmp_path / "next.zkey")
    (tmp_path / "next.zkey").replace(path)
    results = list(cluster.prove(
        [ProofJob(f"new{i}", str(path), matmul.spec, _inputs(7 + i), 3) for i in range(4)]))
    for r in results:
        assert r.ok and groth16.verify(newer.verifying_key, r.public, r.proof)
        assert not groth16.verify(matmul.vk, r.public, r.proof)


def test_bad_jobs_are_reported_and_the_others_proved(cluster, matmul):
    other = Matmul(matmul.spec.replace("m = 4", "m = 2"))  # another circuit's key
    jobs = [
        ProofJob("good0", matmul.zkey, matmul.spec, _inputs(1), 1),
        ProofJob("shape", matmul.zkey, matmul.spec, _inputs(2, (3, 3)), 1),
        ProofJob("missing", matmul.zkey, matmul.spec, {"X": np.zeros((4, 4))}, 1),
        ProofJob("nan", matmul.zkey, matmul.spec,
                 {"X": np.full((4, 4), np.nan), "W": np.zeros((4, 4))}, 1),
        ProofJob("wrong-key", other.zkey, matmul.spec, _inputs(3), 1),
        ProofJob("not-a-key", b"\x00" * 64, matmul.spec, _inputs(3), 1),
        ProofJob("not-toml", matmul.zkey, "kernel = ", _inputs(3), 1),
        ProofJob("no-path", "/nonexistent/key.zkey", matmul.spec, _inputs(3), 1),
        ProofJob("good1", matmul.zkey, matmul.spec, _inputs(4), 2),
    ]
    results = {r.job_id: r for r in cluster.prove(jobs)}
    assert set(results) == {j.job_id for j in jobs}
    for job_id in ("good0", "good1"):
        r = results[job_id]
        assert r.ok and groth16.verify(matmul.vk, r.public, r.proof)
    messages = {job_id: r.error for job_id, r in results.items() if not r.ok}
    assert set(messages) == set(results) - {"good0", "good1"}
    assert "ShapeError" in messages["shape"] and "(3, 3)" in messages["shape"]
    assert "missing" in messages["missing"]
    for job_id in messages:
        assert results[job_id].proof is None and results[job_id].public == ()
    assert "is not the key of kernel 'matmul_4x4x4_bound'" in messages["wrong-key"]
    assert "FileFormatError" in messages["not-a-key"]
    assert "/nonexistent/key.zkey" in messages["no-path"]
    assert "NonFiniteError" in messages["nan"]
    assert "not valid TOML" in messages["not-toml"]


def test_a_job_refuses_what_is_not_a_job():
    with pytest.raises(ArgumentTypeError, match="zkey"):
        ProofJob("x", 12, "", {})
    with pytest.raises(ArgumentTypeError, match="claim_binding"):
        ProofJob("x", b"", "", {}, claim_binding=True)
    with pytest.raises(ArgumentTypeError, match="job_id"):
        ProofJob(3, b"", "", {})


def test_the_progress_bar_goes_to_stderr_unless_disabled(cluster, matmul, capsys):
    jobs = [ProofJob(f"p{i}", matmul.zkey, matmul.spec, _inputs(i), 1) for i in range(2)]
    list(cluster.prove(jobs))
    assert capsys.readouterr().err == ""
    cluster.progress = True
    try:
        list(cluster.prove(jobs))
    finally:
        cluster.progress = False
    err = capsys.readouterr().err
    assert "proving" in err and "2/2" in err


def test_joining_a_running_scheduler(matmul):
    from distributed import LocalCluster

    running = LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                           dashboard_address=None, scheduler_kwargs={
                               "dashboard": False, "dashboard_address": "127.0.0.1:0"})
    with running, Cluster(scheduler=running.scheduler_address, progress=False) as joined:
        assert joined.address == running.scheduler_address
        assert joined.n_workers == 1
        results = list(joined.prove(
            [ProofJob(f"j{i}", matmul.zkey, matmul.spec, _inputs(i), 5) for i in range(3)]))
        assert all(r.ok and groth16.verify(matmul.vk, r.public, r.proof) for r in results)
        (stats,) = joined.worker_stats().values()
        assert stats["keys_loaded"] == 1 and stats["proofs"] == 3


@pytest.mark.parametrize("address", ["http://127.0.0.1:8786", "tcp://127.0.0.1",
                                     "tcp://127.0.0.1:99999", "127.0.0.1:8786", "",
                                     "tcp://host name:1"])
def test_a_bad_scheduler_address_is_refused(address):
    with pytest.raises(SchedulerAddressError, match="tcp://host:port|not in 1..65535"):
        Cluster(scheduler=address)


def test_good_addresses_pass_the_check():
    for address in ("tcp://127.0.0.1:8786", "tcp://[::1]:8786", "tls://sched.example:8786",
                    "inproc://10.0.0.1/123/1"):
        assert check_address(address) == address


def test_an_unreachable_scheduler_is_named():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SchedulerUnreachableError, match=f"127.0.0.1:{port}"):
        Cluster(scheduler=f"tcp://127.0.0.1:{port}", timeout=1)


def test_a_bad_worker_count_is_refused():
    for workers in (0, -1, 1.5, True):
        with pytest.raises(InvalidArgumentError, match="workers"):
            Cluster(workers=workers)


def test_a_missing_extra_names_it(monkeypatch):
    import importlib

    real = importlib.import_module

    def without_dask(name, *args):
        if name in ("distributed", "tqdm"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_dask)
    with pytest.raises(ClusterExtraMissingError, match=r"pip install 'zkcx\[cluster\]'"):
        Cluster()


def test_zkcx_and_the_default_block_builder_import_no_dask():
    code = (
        "import sys\n"
        "import zkcx, zkcx.rollup, zkcx.cluster\n"
        "from zkcx.rollup import batch_verifier\n"
        "assert batch_verifier([]) == set()\n"
        "from zkcx.cluster import ProofJob\n"
        "ProofJob('a', b'', '', {})\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'tqdm')]\n"
        "assert not loaded, loaded\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
