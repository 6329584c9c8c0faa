# SPDX-License-Identifier: MIT
"""What a proving job is and what comes back: ``ProofJob`` and ``ProofResult``, plain
data that needs no Dask (the node client and the operator build them either way)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from zkcx.errors import ArgumentTypeError
from zkcx.groth16 import Proof


@dataclass(frozen=True, eq=False)
class ProofJob:
    """One proof to make on the cluster.

    ``zkey`` is the proving key: the key file's bytes (sent once to each worker and kept
    there, whatever the number of jobs that use it) or a path every worker can read (a
    shared filesystem: nothing of the key is sent). ``spec`` is the kernel's catalogue
    TOML text (``zkcx.kernels.load``; ``binding = true`` for a kernel with the claim
    binding); the worker builds its circuit once and computes the witness from
    ``inputs`` (tensor name -> array, as ``Kernel.witness`` takes them) and
    ``claim_binding`` (None for a kernel without one)."""

    job_id: str
    zkey: str | bytes
    spec: str
    inputs: Mapping[str, Any]
    claim_binding: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.job_id, str):
            raise ArgumentTypeError(f"ProofJob.job_id is a str, got {type(self.job_id).__name__}")
        zkey = self.zkey
        if isinstance(zkey, (bytearray, memoryview)):
            object.__setattr__(self, "zkey", bytes(zkey))
        elif isinstance(zkey, os.PathLike):
            object.__setattr__(self, "zkey", os.fspath(zkey))
        elif not isinstance(zkey, (str, bytes)):
            raise ArgumentTypeError(f"ProofJob.zkey is the key file's bytes or a path, got "
                                    f"{type(zkey).__name__}")
        if not isinstance(self.spec, str):
            raise ArgumentTypeError(f"ProofJob.spec is the kernel's catalogue TOML text, got "
                                    f"{type(self.spec).__name__}")
        if not isinstance(self.inputs, Mapping):
            raise ArgumentTypeError(f"ProofJob.inputs maps tensor names to arrays, got "
                                    f"{type(self.inputs).__name__}")
        binding = self.claim_binding
        if binding is not None and (isinstance(binding, bool) or not isinstance(binding, int)):
            raise ArgumentTypeError(f"ProofJob.claim_binding is an int or None, got "
                                    f"{type(binding).__name__}")

    @property
    def key_is_path(self) -> bool:
        """Whether the key is a path on the workers' filesystem (else its bytes)."""
        return isinstance(self.zkey, str)


@dataclass(frozen=True, eq=False)
class ProofResult:
    """The outcome of one ``ProofJob``: the proof and its public signals, the seconds
    the worker spent (witness and proof), and ``error`` (None on success, else a message
    saying what was wrong: bad inputs, a key that does not match the kernel, a lost
    worker; ``proof`` is then None and ``public`` empty). ``outputs`` holds the kernel's
    output tensors as the witness computed them (signed int64 arrays, ``Kernel.read``):
    committed outputs a later task takes as input (a training job's gradients)."""

    job_id: str
    proof: Proof | None
    public: tuple[int, ...]
    seconds: float
    error: str | None = None
    outputs: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "outputs", MappingProxyType(dict(self.outputs)))

    @property
    def ok(self) -> bool:
        """Whether the job gave a proof."""
        return self.error is None

    def __reduce__(self):
        return (ProofResult, (self.job_id, self.proof, self.public, self.seconds, self.error,
                              dict(self.outputs)))


def failed(job_id: str, message: str, seconds: float = 0.0) -> ProofResult:
    """The result of a job that gave no proof."""
    return ProofResult(job_id, None, (), seconds, message)


def digest_of(data: bytes | str) -> str:
    """SHA-256 (hex) of a key's bytes or a spec's text: what the workers' caches are
    keyed by."""
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()
