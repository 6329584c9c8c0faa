# SPDX-License-Identifier: MIT
"""``Cluster``: proving and verifying on Dask distributed (docs/cluster.md).

    with Cluster(workers=2) as cluster:              # a LocalCluster of 2 processes
        for result in cluster.prove(jobs):           # results as they finish
            ...
    with Cluster("tcp://10.0.0.5:8786") as cluster:  # join a running scheduler
        builder = BlockBuilder(kernels, chain_id, verifier=cluster.verifier())

Dask is imported here, when a ``Cluster`` is made, never at import: the rest of zkcx
runs without the ``zkcx[cluster]`` extra, and a missing extra is a
``ClusterExtraMissingError`` naming it.
"""

from __future__ import annotations

import importlib
import logging
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from zkcx._bindings import get_threads
from zkcx.cluster import worker
from zkcx.cluster.errors import (
    ClusterError,
    ClusterExtraMissingError,
    SchedulerAddressError,
    SchedulerUnreachableError,
)
from zkcx.cluster.jobs import ProofJob, ProofResult, digest_of, failed
from zkcx.errors import ArgumentTypeError, InvalidArgumentError
from zkcx.groth16 import VerifyingKey

#: the address forms Dask's comms take
_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.\-/]+)"
                      r"(?::(\d{1,5}))?$")

#: fewest claims a verification chunk holds (a smaller batch costs more in Dask's
#: round trip than in pairings)
MIN_CHUNK = 32


def _dask() -> Any:
    """The ``distributed`` module and tqdm, or ``ClusterExtraMissingError``."""
    try:
        distributed = importlib.import_module("distributed")
        importlib.import_module("tqdm")
    except ImportError as exc:
        raise ClusterExtraMissingError(
            f"the Dask cluster needs the optional extra zkcx[cluster] ({exc.name} is not "
            "installed): pip install 'zkcx[cluster]'") from None
    return distributed


def check_address(address: str) -> str:
    """``address`` if it is a Dask scheduler address (``tcp://host:port``, ``tls://``,
    ``inproc://``, ``ucx://``), else ``SchedulerAddressError`` saying what is expected."""
    if not isinstance(address, str):
        raise ArgumentTypeError(f"a scheduler address is a str like tcp://host:8786, got "
                                f"{type(address).__name__}")
    m = _ADDRESS.match(address.strip())
    if m is None or (m.group(1) == "tcp" and m.group(3) is None):
        raise SchedulerAddressError(
            f"scheduler address {address[:100]!r} is not of the form tcp://host:port "
            "(e.g. tcp://127.0.0.1:8786, as `dask scheduler` prints it)")
    if m.group(3) is not None and not 1 <= int(m.group(3)) <= 65535:
        raise SchedulerAddressError(f"scheduler address {address[:100]!r}: port "
                                    f"{m.group(3)} is not in 1..65535")
    return address.strip()


class Cluster:
    """A Dask client: on a ``LocalCluster`` of ``workers`` processes (one Dask thread
    each; the native code of each worker runs on its share of the cores) when
    ``scheduler`` is None, or joined to the scheduler at ``scheduler``
    (``tcp://host:port``), whose workers must have zkcx installed (the same version);
    ``workers`` is then unused (the scheduler has the workers it has), and ``timeout``
    bounds the wait for the scheduler and for a first worker. ``progress`` shows a tqdm
    progress bar on stderr while proving. A context manager: leaving it closes the
    client (and the LocalCluster it started)."""

    def __init__(self, scheduler: str | None = None, workers: int = 2,
                 progress: bool = True, *, timeout: float = 10.0) -> None:
        distributed = _dask()
        self.progress = bool(progress)
        self._local = None
        self._keys: dict[str, Any] = {}   # key digest -> future of the scattered bytes
        self._vks: dict[str, Any] = {}    # vk digest -> future of the scattered key
        if scheduler is None:
            if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
                raise InvalidArgumentError(f"workers must be a positive integer, got "
                                           f"{workers!r}")
            native = max(1, get_threads() // workers)
            self._local = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
                env={"ZKCX_THREADS": str(native)},
                # no dashboard; Dask's health/metrics routes on a free loopback port
                # rather than 8787 on every interface
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
            self.client = distributed.Client(self._local)
        else:
            address = check_address(scheduler)
            try:
                self.client = distributed.Client(address, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise SchedulerUnreachableError(
                    f"no Dask scheduler answered at {address} within {timeout:g} s: start "
                    f"one (`dask scheduler`) or check the address ({exc})") from None
            try:
                self.client.wait_for_workers(1, timeout=timeout)
            except (OSError, TimeoutError):
                self.client.close()
                raise ClusterError(f"the Dask scheduler at {address} has no workers "
                                   f"(none joined within {timeout:g} s): start some with "
                                   f"`dask worker {address}`") from None

    # -- lifetime -------------------------------------------------------------------------
    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the client, and the LocalCluster if this object started it."""
        self.client.close()
        if self._local is not None:
            self._local.close()
            self._local = None

    @property
    def address(self) -> str:
        """The scheduler's address (another ``Cluster`` may join it)."""
        return self.client.scheduler.address

    @property
    def n_workers(self) -> int:
        """The workers the scheduler has now."""
        return len(self.client.scheduler_info()["workers"])

    def worker_stats(self) -> dict[str, dict[str, int]]:
        """Each worker's counters (``zkcx.cluster.worker.stats``) by worker address."""
        return self.client.run(worker.stats)

    # -- proving --------------------------------------------------------------------------
    def _scattered(self, table: dict[str, Any], digest: str, value: object) -> Any:
        """The future of ``value`` sent once to every worker (broadcast), by digest."""
        future = table.get(digest)
        if future is None:
            future = self.client.scatter(value, broadcast=True, hash=False)
            table[digest] = future
        return future

    def prove(self, jobs: Iterable[ProofJob]) -> Iterator[ProofResult]:
        """Submit every job now; yield their ``ProofResult`` as they finish (not in job
        order). A key given as bytes is sent to each worker once and kept there; a job's
        own bytes are its inputs. A job that fails (bad inputs, a key that is not the
        kernel's, a worker lost) gives a result with ``error`` set; the others go on.
        Leaving the iteration early cancels the jobs not finished."""
        jobs = list(jobs)
        for job in jobs:
            if not isinstance(job, ProofJob):
                raise ArgumentTypeError(f"Cluster.prove takes ProofJob objects, got "
                                        f"{type(job).__name__}")
        try:
            futures = self._submit(jobs)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"the jobs could not be sent to the Dask scheduler: "
                               f"{type(exc).__name__}: {exc}") from exc
        return self._stream(futures)

    def _submit(self, jobs: list[ProofJob]) -> dict[Any, str]:
        """Each job's future (key bytes scattered first, once per key)."""
        digests: dict[int, str] = {}  # id(key bytes) -> digest, each distinct object hashed once
        futures = {}
        for job in jobs:
            if job.key_is_path:
                key_id, source = "path:" + str(job.zkey), job.zkey
            else:
                key_id = digests.get(id(job.zkey)) or digest_of(job.zkey)
                digests[id(job.zkey)] = key_id
                source = self._scattered(self._keys, key_id, job.zkey)
            future = self.client.submit(worker.prove_job, job.job_id, key_id, source,
                                        digest_of(job.spec), job.spec, dict(job.inputs),
                                        job.claim_binding, pure=False)
            futures[future] = job.job_id
        return futures

    def _stream(self, futures: Mapping[Any, str]) -> Iterator[ProofResult]:
        distributed = _dask()
        from tqdm import tqdm

        bar = tqdm(total=len(futures), desc="proving", unit="proof", file=sys.stderr,
                   disable=not self.progress)
        try:
            for future in distributed.as_completed(list(futures)):
                try:
                    result = future.result()
                except Exception as exc:  # the task did not run: a lost worker, say
                    result = failed(futures[future], f"the job did not run on the cluster: "
                                    f"{type(exc).__name__}: {exc}")
                bar.update(1)
                yield result
        finally:
            bar.close()
            for future in futures:
                future.cancel()

    # -- verifying ------------------------------------------------------------------------
    def verifier(self, min_chunk: int = MIN_CHUNK) -> Callable[[list], set[int]]:
        """A block verifier for ``BlockBuilder(..., verifier=)`` / ``Chain(...,
        verifier=)``: each key's batch split into chunks of at least ``min_chunk`` claims,
        one per worker at most, each batch-verified on a worker (the verifying key sent
        once per worker); returns exactly the indices of the failing claims."""
        if isinstance(min_chunk, bool) or not isinstance(min_chunk, int) or min_chunk < 1:
            raise InvalidArgumentError(f"min_chunk must be a positive integer, got "
                                       f"{min_chunk!r}")

        def verify(groups: list) -> set[int]:
            return self._verify_groups(groups, min_chunk)

        return verify

    def _verify_groups(self, groups: list, min_chunk: int) -> set[int]:
        workers = max(1, self.n_workers)
        tasks = []
        for vk, seed, items in groups:
            if not isinstance(vk, VerifyingKey):
                raise ArgumentTypeError(f"a verifier group starts with a VerifyingKey, got "
                                        f"{type(vk).__name__}")
            vk_future = self._scattered(self._vks, vk.digest(), vk)
            for chunk in split(items, workers, min_chunk):
                future = self.client.submit(
                    worker.verify_chunk, vk_future, bytes(seed),
                    [(tuple(public), proof) for _index, public, proof in chunk], pure=False)
                tasks.append((future, chunk))
        bad: set[int] = set()
        try:
            for future, chunk in tasks:
                bad.update(chunk[k][0] for k in future.result())
        except Exception as exc:
            for future, _chunk in tasks:
                future.cancel()
            raise ClusterError(f"a verification chunk failed on the cluster: "
                               f"{type(exc).__name__}: {exc}") from exc
        return bad

    # -- training -------------------------------------------------------------------------
    def map_shards(self, plan, gradient, aggregate, tensors, binding=None):
        """A sharded training job's tasks proved across the workers
        (``zkcx.cluster.shards.map_shards``, which documents the arguments)."""
        from zkcx.cluster.shards import map_shards

        return map_shards(self, plan, gradient, aggregate, tensors, binding)


def split(items: list, parts: int, min_size: int) -> list[list]:
    """``items`` in at most ``parts`` contiguous chunks of at least ``min_size`` items
    (one chunk when there are fewer), sizes differing by one at most."""
    n = len(items)
    if n == 0:
        return []
    count = max(1, min(parts, n // min_size))
    base, extra = divmod(n, count)
    out, start = [], 0
    for k in range(count):
        size = base + (1 if k < extra else 0)
        out.append(items[start:start + size])
        start += size
    return out
