# SPDX-License-Identifier: MIT
"""Kernel specifications: the tensors of a kernel, their shapes, bit bounds and
visibilities, and the kernel's fractional bits.

A tensor of bound B holds integers X with -2^(B-1) <= X < 2^(B-1); a real x is carried as
X = round(x * 2^f) (docs/fixed-point.md, "Quantization"). Visibility says what a verifier
sees of a tensor:

- ``public``: every element is a public signal;
- ``committed``: one public signal, the Poseidon commitment of the elements
  (``zkcx.kernels.commit``), the elements themselves private;
- ``private``: nothing.

A tensor has at most ``MAX_TENSOR_ELEMENTS`` (2^24, zkcx.params) elements, checked when
its spec is made, before anything is built or allocated.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from zkcx.errors import KernelSpecError, UnknownTensorError
from zkcx.params import MAX_TENSOR_ELEMENTS

VISIBILITIES = ("public", "committed", "private")
ROLES = ("input", "output")

#: Kernels compute exactly in int64: every intermediate must fit below 2^62.
MAX_INTERMEDIATE_BITS = 62


def _integer(value: object, what: str) -> int:
    """``value`` as an int if it is an integer (not a bool, not a float); else
    ``KernelSpecError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise KernelSpecError(f"{what} must be an integer, got {_short(value)}")
    return int(value)


def _short(value: object) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's int-to-str limit
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class TensorSpec:
    """One tensor of a kernel: name, shape, bit bound, visibility and role."""

    name: str
    shape: tuple[int, ...]
    bound_bits: int
    visibility: str = "private"
    role: str = "input"

    def __post_init__(self) -> None:
        if self.visibility not in VISIBILITIES:
            raise KernelSpecError(
                f"tensor {self.name!r}: visibility must be one of {VISIBILITIES}, "
                f"got {_short(self.visibility)}"
            )
        if self.role not in ROLES:
            raise KernelSpecError(f"tensor {self.name!r}: role must be one of {ROLES}")
        if any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in self.shape):
            raise KernelSpecError(f"tensor {self.name!r}: dimensions must be positive "
                                  f"integers, got {_short(self.shape)}")
        if self.size > MAX_TENSOR_ELEMENTS:
            raise KernelSpecError(f"tensor {self.name!r}: shape {_short(self.shape)} has "
                                  f"{_short(self.size)} elements, at most "
                                  f"{MAX_TENSOR_ELEMENTS} (MAX_TENSOR_ELEMENTS)")
        bits = _integer(self.bound_bits, f"tensor {self.name!r}: bound_bits")
        if not 2 <= bits <= MAX_INTERMEDIATE_BITS:
            raise KernelSpecError(
                f"tensor {self.name!r}: bound_bits must lie in [2, {MAX_INTERMEDIATE_BITS}], "
                f"got {bits}"
            )

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def low(self) -> int:
        """Smallest allowed value, -2^(B-1)."""
        return -(1 << (self.bound_bits - 1))

    @property
    def high(self) -> int:
        """Largest allowed value, 2^(B-1) - 1."""
        return (1 << (self.bound_bits - 1)) - 1


@dataclass(frozen=True)
class KernelSpec:
    """A kernel instance: its registry kind, instance name, parameters, fractional bits
    and tensors (inputs then outputs, in the order their public signals appear)."""

    kind: str
    name: str
    frac_bits: int
    tensors: tuple[TensorSpec, ...]
    params: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 <= _integer(self.frac_bits, "frac_bits") <= 32:
            raise KernelSpecError(f"frac_bits must lie in [0, 32], got {self.frac_bits}")
        names = [t.name for t in self.tensors]
        if len(set(names)) != len(names):
            raise KernelSpecError(f"tensor names repeat in {names}")

    def __getitem__(self, name: str) -> TensorSpec:
        for t in self.tensors:
            if t.name == name:
                return t
        raise UnknownTensorError(f"kernel {self.name!r} has no tensor {name!r}; it has "
                                 f"{[t.name for t in self.tensors]}")

    @property
    def inputs(self) -> tuple[TensorSpec, ...]:
        return tuple(t for t in self.tensors if t.role == "input")

    @property
    def outputs(self) -> tuple[TensorSpec, ...]:
        return tuple(t for t in self.tensors if t.role == "output")


def make_tensors(
    declared: Iterable[tuple[str, tuple[int, ...], str, int, str]],
    bounds: Mapping[str, int] | None,
    visibility: Mapping[str, str] | None,
) -> tuple[TensorSpec, ...]:
    """Tensor specs from a kernel's declaration ``(name, shape, role, default bound,
    default visibility)``, with per-tensor overrides of bound and visibility."""
    declared = list(declared)
    known = {d[0] for d in declared}
    for label, overrides in (("bounds", bounds), ("visibility", visibility)):
        if overrides is not None and not isinstance(overrides, Mapping):
            raise KernelSpecError(f"{label} must be a table of tensor names, got "
                                  f"{_short(overrides)}")
        unknown = set(overrides or {}) - known
        if unknown:
            raise KernelSpecError(f"{label} names unknown tensor(s) {sorted(unknown)}; "
                                  f"tensors are {sorted(known)}")
    out = []
    for name, shape, role, bound, vis in declared:
        dims = tuple(_integer(d, f"tensor {name!r}: a dimension") for d in shape)
        spec = TensorSpec(name, dims, _integer(bound, f"tensor {name!r}: bound_bits"), vis, role)
        if bounds and name in bounds:
            spec = replace(spec, bound_bits=_integer(bounds[name], f"bounds.{name}"))
        if visibility and name in visibility:
            if not isinstance(visibility[name], str):
                raise KernelSpecError(f"visibility.{name} must be a string, got "
                                      f"{_short(visibility[name])}")
            spec = replace(spec, visibility=visibility[name])
        out.append(spec)
    return tuple(out)


def build_spec(
    kind: str,
    name: str,
    frac_bits: int,
    declared: Iterable[tuple[str, tuple[int, ...], str, int, str]],
    bounds: Mapping[str, int] | None = None,
    visibility: Mapping[str, str] | None = None,
    params: Mapping[str, object] | None = None,
) -> KernelSpec:
    """A ``KernelSpec`` from a kernel's declared tensors and the caller's overrides."""
    if not isinstance(frac_bits, int) or isinstance(frac_bits, bool):
        raise KernelSpecError(f"frac_bits must be an int, got {_short(frac_bits)}")
    return KernelSpec(kind, str(name), frac_bits, make_tensors(declared, bounds, visibility),
                      dict(params or {}))


def binary_op_tensors(shape: tuple[int, ...], inputs: tuple[str, str], output: str,
                      bound_bits: int, output_bits: int,
                      output_shape: tuple[int, ...] | None = None,
                      ) -> list[tuple[str, tuple[int, ...], str, int, str]]:
    """The declared tensors of a kernel of two operands: the ``inputs`` of ``shape``,
    private, and the public ``output`` (of ``output_shape``, else ``shape``), with the
    default bounds (overrides apply in ``build_spec``)."""
    a, b = inputs
    return [(a, shape, "input", bound_bits, "private"),
            (b, shape, "input", bound_bits, "private"),
            (output, shape if output_shape is None else output_shape, "output", output_bits,
             "public")]


def check_accumulator(spec: KernelSpec, bits: int, what: str) -> None:
    """Refuse a spec whose exact intermediate (``what``, ``bits`` signed bits) would not
    fit the int64 arithmetic of the reference and the hints."""
    if bits > MAX_INTERMEDIATE_BITS:
        raise KernelSpecError(
            f"kernel {spec.name!r}: {what} needs {bits} bits, above the "
            f"{MAX_INTERMEDIATE_BITS}-bit limit of exact int64 arithmetic; lower bound_bits"
        )
