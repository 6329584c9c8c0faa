# SPDX-License-Identifier: MIT
"""A task's input data as it travels off chain: a JSON object mapping each input tensor
of the kernel to its values (nested lists; floats are quantized by the kernel, integers
taken as quantized already), as ``zkcx prove --input in.json`` reads it. The task
carries the data's SHA-256 (``data_hash``) and the inputs' public values (``inputs``:
each public value, or the commitment of a committed tensor); a node checks both before
proving."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from zkcx import kernels
from zkcx.errors import ZkcxError
from zkcx.io.jsontext import loads
from zkcx.node.errors import TaskDataError


def encode(values: Mapping[str, Any]) -> bytes:
    """The data file of input tensors ``values`` (name -> array-like)."""
    return json.dumps({name: np.asarray(v).tolist() for name, v in values.items()},
                      sort_keys=True).encode()


def decode(data: bytes, kernel: kernels.Kernel) -> dict[str, np.ndarray]:
    """The input tensors of a data file, exactly the kernel's inputs."""
    obj = loads(data, "the task's input data", TaskDataError)
    if not isinstance(obj, dict):
        raise TaskDataError("the task's input data is not a JSON object of tensors")
    names = {t.name for t in kernel.spec.inputs}
    if set(obj) != names:
        raise TaskDataError(f"the task's input data has tensors {sorted(obj)}, the kernel "
                            f"takes {sorted(names)}")
    try:
        return {name: np.asarray(obj[name]) for name in sorted(names)}
    except ValueError as exc:
        raise TaskDataError(f"the task's input data is not rectangular arrays: {exc}"
                            ) from None


def check(data: bytes, data_hash: str, kernel: kernels.Kernel,
          inputs: list) -> dict[str, np.ndarray]:
    """The tensors of ``data`` once checked against a task: its SHA-256 is the task's
    ``data_hash`` (hex) and its public values are the task's ``inputs`` ([position,
    value] pairs, values as decimal strings or ints). TaskDataError otherwise."""
    digest = hashlib.sha256(data).hexdigest()
    if digest != data_hash.lower():
        raise TaskDataError(f"the task's input data hashes to {digest[:16]}…, the task "
                            f"says {data_hash[:16]}…: refused")
    values = decode(data, kernel)
    try:
        expected = tuple((int(pos), int(value)) for pos, value in inputs)
        actual = kernel.task_inputs(**values)
    except (ZkcxError, TypeError, ValueError) as exc:
        raise TaskDataError(f"the task's input data does not fit the kernel: {exc}"
                            ) from None
    if actual != expected:
        wrong = [pos for (pos, v), (_, w) in zip(actual, expected) if v != w]
        raise TaskDataError("the task's input data is not what the task committed to "
                            f"(public inputs {wrong or 'positions'} differ)")
    return values
