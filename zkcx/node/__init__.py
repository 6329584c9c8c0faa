# SPDX-License-Identifier: MIT
"""The node client: talks to an operator over HTTP (the optional extra ``zkcx[network]``).

``NodeClient`` works as a node (registers its capacity, proves its assigned tasks,
submits claims); ``Requester`` posts tasks; ``OperatorHTTP`` is the HTTP client both use
(retries with backoff through an operator's restarts)."""

from zkcx.node.client import NodeClient, NodeSummary
from zkcx.node.errors import (
    KernelKeyError,
    NodeError,
    NodeExtraMissingError,
    OperatorRejectedError,
    OperatorUnavailableError,
    TaskDataError,
)
from zkcx.node.http import OperatorHTTP
from zkcx.node.requester import PostedTask, Requester

__all__ = [
    "KernelKeyError",
    "NodeClient",
    "NodeError",
    "NodeExtraMissingError",
    "NodeSummary",
    "OperatorHTTP",
    "OperatorRejectedError",
    "OperatorUnavailableError",
    "PostedTask",
    "Requester",
    "TaskDataError",
]
