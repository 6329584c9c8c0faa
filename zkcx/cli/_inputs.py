# SPDX-License-Identifier: MIT
"""Kernel inputs from files (``zkcx prove --kernel SPEC --input ...``) and sample input
files (``zkcx input template SPEC``).

An input file is a JSON object mapping each input tensor's name to a number (a scalar
tensor) or nested lists of numbers shaped like the tensor; ``--input NAME=FILE.npy``
gives one tensor as a NumPy array. The rule for numbers has no exception:

- by default every number is a real, integer-looking or not (``1`` means 1.0), and is
  quantized with the kernel's ``frac_bits``: X = round(x * 2^f);
- with ``--quantized`` every number must be an integer, taken as already fixed-point
  (X = x, so 256 means 1.0 at f = 8); a non-integer is refused.

Every problem (a missing, unreadable or huge file, text that is not UTF-8 JSON, ragged
lists, booleans, strings, a .npy file that is truncated, of object dtype or declaring
more data than it holds) is a ``UsageError`` naming the file.
"""

from __future__ import annotations

import io
import os
import tokenize
import warnings

import numpy as np

from zkcx.cli._files import checked_path, parse_json, read_bytes, read_text
from zkcx.cli.errors import UsageError
from zkcx.errors import BoundError
from zkcx.kernels import Kernel

#: the public input ``zkcx prove --node --task`` fills in (never an input file's)
BINDING = "claim_binding"
#: a .npy input larger than this is refused before reading (1 GiB: 2^27 float64 values)
MAX_NPY_BYTES = 1 << 30


def _as_array(value: object, name: str, where: str, quantized: bool) -> np.ndarray:
    """One tensor's value as float64 (reals) or int64 (``quantized``)."""
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged lists, mixed nesting
        raise UsageError(f"{where}: tensor {name!r} is not a rectangular array of numbers "
                         f"({exc})") from None
    kind = arr.dtype.kind
    if kind == "O":
        raise UsageError(f"{where}: tensor {name!r} holds an integer beyond 64 bits or a "
                         "value that is not a number")
    if kind not in "iuf":
        raise UsageError(f"{where}: tensor {name!r} holds {arr.dtype} values; give numbers")
    if not quantized:
        return arr.astype(np.float64)
    if kind == "f":
        raise UsageError(f"{where}: tensor {name!r} holds non-integers, but --quantized takes "
                         "integers only (already fixed-point values); drop --quantized to "
                         "give reals")
    if kind == "u" and arr.size and int(arr.max()) > np.iinfo(np.int64).max:
        raise UsageError(f"{where}: tensor {name!r} holds an integer beyond 64 bits")
    return arr.astype(np.int64)


def _read_npy(path: str, name: str) -> np.ndarray:
    """A .npy file's array, its header checked against the file size before reading."""
    with warnings.catch_warnings():
        # numpy parses the header with Python's tokenizer, which warns (SyntaxWarning) on
        # some malformed headers before failing: the UsageError says it once, cleanly
        warnings.simplefilter("ignore")
        return _parse_npy(path, name)


def _parse_npy(path: str, name: str) -> np.ndarray:
    where = f"input file {path!r}"
    data = read_bytes(path, "input file", max_bytes=MAX_NPY_BYTES, magic=b"\x93NUMPY")
    fh = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(fh)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise UsageError(f"{where}: .npy format version {version} is not supported "
                             "(1.0 and 2.0 are)")
        shape, _, dtype = read_header(fh)
        if dtype.hasobject:
            raise UsageError(f"{where}: an array of Python objects; give numbers")
        need = int(np.prod(shape, dtype=object)) * dtype.itemsize
        have = len(data) - fh.tell()
        if need != have:
            raise UsageError(f"{where}: its header declares {need:,} bytes of data "
                             f"(shape {shape}) but {have:,} follow (truncated or corrupt)")
        fh.seek(0)
        return np.load(fh, allow_pickle=False)
    except UsageError:
        raise
    except (ValueError, TypeError, KeyError, EOFError, OverflowError, SyntaxError,
            tokenize.TokenError, RecursionError) as exc:  # numpy's header parser's errors
        raise UsageError(f"{where}: not a valid .npy array ({exc})") from None


def read_kernel_inputs(items: list[str], quantized: bool = False) -> dict[str, np.ndarray]:
    """The tensors of ``--input`` arguments: ``FILE.json`` (an object of named arrays)
    or ``NAME=FILE.npy``; see the module docstring for how numbers are read."""
    inputs: dict[str, np.ndarray] = {}
    sources: dict[str, str] = {}

    def add(name: str, value: object, where: str) -> None:
        if name == BINDING:
            raise UsageError(f"{where}: {BINDING} is not an input: `zkcx prove --node NODE "
                             "--task TASK` sets it")
        if name in inputs:
            raise UsageError(f"{where}: tensor {name!r} is given twice (also in "
                             f"{sources[name]})")
        inputs[name] = _as_array(value, name, where, quantized)
        sources[name] = where

    for item in items:
        if "=" in item and not os.path.exists(item):
            name, path = item.split("=", 1)
            if not name:
                raise UsageError(f"--input {item!r}: name the tensor, NAME=FILE.npy")
            add(name, _read_npy(path, name), f"input file {path!r}")
            continue
        checked_path(item, "input file")
        if item.endswith(".npy"):
            raise UsageError(f"input file {item!r}: name its tensor, --input NAME={item}")
        where = f"input file {item!r}"
        obj = parse_json(read_text(item, "input file"), where)
        if not isinstance(obj, dict):
            raise UsageError(f"{where}: expected a JSON object mapping tensor names to "
                             f"arrays, got {type(obj).__name__}")
        for name, value in obj.items():
            add(name, value, where)
    if not inputs:
        raise UsageError("no kernel inputs: give --input in.json or --input NAME=x.npy "
                         "(`zkcx input template SPEC` writes a sample in.json)")
    return inputs


def sample_inputs(kernel: Kernel, seed: int, zeros: bool = False) -> dict[str, list]:
    """Reals for every input of ``kernel`` (nested lists shaped like the tensors), drawn
    uniformly and scaled down until the kernel's integer reference accepts them (no
    input or output outside its bound); all zeros with ``zeros``."""
    rng = np.random.default_rng(seed)
    specs = kernel.spec.inputs
    if zeros:
        return {t.name: np.zeros(t.shape).tolist() for t in specs}
    unit = 2.0 ** -kernel.spec.frac_bits
    draws = {t.name: rng.uniform(-1, 1, t.shape) for t in specs}
    scale = 1.0
    for _ in range(30):
        # values on the fixed-point grid, so that the file says exactly what is proved
        values = {n: np.round(v * scale / unit) * unit for n, v in draws.items()}
        try:
            kernel.reference(**values)
            return {n: v.tolist() for n, v in values.items()}
        except BoundError:  # an input or output out of its bound: scale down
            scale /= 2
    return {t.name: np.zeros(t.shape).tolist() for t in specs}
