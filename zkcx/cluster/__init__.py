# SPDX-License-Identifier: MIT
"""Proving and verifying on a Dask cluster (the optional extra ``zkcx[cluster]``;
docs/cluster.md).

    from zkcx.cluster import Cluster, ProofJob, ProofResult
    with Cluster(scheduler=None, workers=2, progress=True) as cluster:
        for result in cluster.prove(jobs):     # ProofJob -> ProofResult, as they finish
            ...
        builder = BlockBuilder(kernels, chain_id, verifier=cluster.verifier())
        proofs = cluster.map_shards(plan, gradient, aggregate, tensors)

Importing this package imports no Dask: ``Cluster()`` does, and without the extra it
raises ``ClusterExtraMissingError`` naming it. ``ProofJob`` and ``ProofResult`` are plain
data."""

from zkcx.cluster.client import Cluster, check_address
from zkcx.cluster.errors import (
    ClusterError,
    ClusterExtraMissingError,
    SchedulerAddressError,
    SchedulerUnreachableError,
)
from zkcx.cluster.jobs import ProofJob, ProofResult
from zkcx.cluster.shards import ShardKernel, TrainingProofs, map_shards

__all__ = [
    "Cluster",
    "ClusterError",
    "ClusterExtraMissingError",
    "ProofJob",
    "ProofResult",
    "SchedulerAddressError",
    "SchedulerUnreachableError",
    "ShardKernel",
    "TrainingProofs",
    "check_address",
    "map_shards",
]
