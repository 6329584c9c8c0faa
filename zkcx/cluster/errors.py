# SPDX-License-Identifier: MIT
"""Exceptions of the cluster layer; each subclasses a zkcx exception and the builtin a
caller would expect. They live here rather than in ``zkcx.errors`` because they name the
cluster's own things (the Dask scheduler, its workers, the optional extra), which the
layers below never see (zkcx/errors.py states the rule)."""

from __future__ import annotations

from zkcx.errors import ZkcxError


class ClusterError(ZkcxError, RuntimeError):
    """Work sent to the Dask cluster could not be done there: the scheduler or a worker
    went away, or a verification or training task failed on a worker. The message names
    the task and what the worker said."""


class ClusterExtraMissingError(ClusterError, ImportError):
    """Dask distributed or tqdm is not installed: the cluster is the optional extra
    ``zkcx[cluster]`` (``pip install 'zkcx[cluster]'``); everything else of zkcx runs
    without it."""


class SchedulerAddressError(ClusterError, ValueError):
    """A scheduler address that is not ``tcp://host:port`` (or another Dask protocol,
    ``tls://``, ``inproc://``, ``ucx://``) with a port in 1..65535."""


class SchedulerUnreachableError(ClusterError, ConnectionError):
    """No Dask scheduler answered at the given address within the timeout: it is not
    running, the host or port is wrong, or a firewall is in the way."""
