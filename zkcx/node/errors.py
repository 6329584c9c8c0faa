# SPDX-License-Identifier: MIT
"""The node client's errors: what the operator answered, what it could not be reached
for, and what a node refuses to run (a key that is not its kernel's, input data that is
not its task's). Each says what to do where that is not obvious."""

from __future__ import annotations

from zkcx.errors import ZkcxError


class NodeError(ZkcxError, RuntimeError):
    """A node client (or requester) failed: the operator's answer, its data or the
    client's own files were not what the protocol expects."""


class OperatorRejectedError(NodeError):
    """The operator answered a request with a 4xx status other than 429: the request is
    wrong and retrying it unchanged gives the same answer. ``status``, ``code`` (the
    operator's snake_case code) and the operator's message are kept."""

    def __init__(self, message: str, status: int, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class OperatorUnavailableError(NodeError):
    """The operator could not be reached (refused connections, timeouts, 5xx or 429
    answers) for longer than the client's bounded wait: check the operator's URL and
    that it runs, or give the client a longer ``max_wait``."""


class KernelKeyError(NodeError):
    """A proving key or kernel spec does not belong to the kernel a task names (its
    verifying key's digest is not the kernel id, or its circuit's size differs): the node
    refuses to prove with it."""


class TaskDataError(NodeError):
    """A task's input data is not what the task committed to (its SHA-256 differs from
    the task's data hash, it does not decode as the kernel's tensors, or its values are
    not the task's input commitments): the node does not prove it."""


class NodeExtraMissingError(NodeError, ImportError):
    """The node client needs the optional extra ``zkcx[network]`` (httpx), which is not
    installed: ``pip install 'zkcx[network]'``."""
