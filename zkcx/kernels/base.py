# SPDX-License-Identifier: MIT
"""The ``Kernel`` base class: a spec, a circuit body, an exact integer reference, and
what the framework derives from them (circuit, witness, public signals).

A kernel class implements two methods over the same tensor names:

- ``define(cs, tensors) -> outputs``: the circuit body; ``tensors`` maps every input name
  to an array of variable indices shaped like the tensor, the result maps every output
  name to one. The body must guarantee (by its constraints) that outputs lie within their
  bounds whenever inputs lie within theirs.
- ``compute(tensors) -> outputs``: the same function on int64 arrays, exactly.

Both compose: a kernel built from others calls their ``define``/``compute`` (an MLP is
dense, relu, dense). The framework wraps the body with the visibilities of the spec:

- public tensors are public signals (outputs first, then inputs, as circom orders them);
- committed tensors are private values plus one public signal, their Poseidon
  commitment, computed in the circuit with ``zkcx.gadgets.commitment_gadget``;
- private inputs are range-checked to their bound in the circuit (committed ones by
  the commitment gadget, which enforces the bound to pack the values); public inputs
  are checked by the verifier instead: ``public_bounds()`` declares each public signal's
  range and ``check_public`` checks a public vector against it.

``kernel.with_binding()`` adds one more public input, last: ``claim_binding``, a field
element the prover chooses (the rollup uses ``zkcx.rollup.claim_binding(node, task)``)
and no constraint uses. Groth16 with snarkjs's conventions binds every public input
(setup adds a row A = x_i for each), so a proof made for one binding value does not
verify under another: a proof copied into another node's claim fails.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from zkcx.errors import BoundError, KernelInputError, KernelSpecError, ShapeError
from zkcx.field import FrVec
from zkcx.kernels._circuit import bind_equal, range_check_signed
from zkcx.kernels._signed import signed_ints
from zkcx.kernels.bounds import PublicBounds
from zkcx.kernels.ceremony_terms import CeremonyTerms
from zkcx.kernels.quantize import check_bound, quantize
from zkcx.kernels.spec import KernelSpec, TensorSpec
from zkcx.params import FR_MODULUS
from zkcx.r1cs import R1CS, ConstraintSystem, Witness


@dataclass(frozen=True)
class PublicSegment:
    """A run of consecutive public signals: ``count`` values of tensor ``tensor``
    (``what = "values"``, row-major), its commitment (``what = "commitment"``, 1), or the
    claim binding (``what = "binding"``, tensor ``claim_binding``, 1)."""

    tensor: str
    what: str
    count: int
    start: int


#: name of the optional public input tying a proof to a claim (``with_binding``)
BINDING = "claim_binding"


def _binding_value(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or not 0 <= int(value) < FR_MODULUS:
        raise KernelInputError(f"{BINDING} must be an int in [0, r), got {value!r}")
    return int(value)


class Kernel:
    """Base class of kernels; see the module docstring. Subclasses set ``kind`` and
    build their ``KernelSpec`` in ``__init__`` from their parameters."""

    kind: ClassVar[str] = ""
    #: inputs whose bound the body itself enforces (no separate range check needed)
    self_bounded: ClassVar[frozenset[str]] = frozenset()
    #: the trusted setup its catalogue file requires of its key (``[ceremony]``, set by
    #: ``zkcx.kernels.load``), or None: any verified ceremony
    ceremony_terms: CeremonyTerms | None = None

    def __init__(self, spec: KernelSpec) -> None:
        self.spec = spec
        self._r1cs: R1CS | None = None
        self._vars: dict[str, np.ndarray] = {}
        self._commit_vars: dict[str, int] = {}
        self._binding = False
        self._binding_var: int | None = None

    # -- to implement ----------------------------------------------------------------
    def define(self, cs: ConstraintSystem, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def compute(self, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        raise NotImplementedError

    # -- inputs ------------------------------------------------------------------------
    def quantize_inputs(self, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Every input quantized and checked (names, dtype, shape, finiteness, bound)."""
        names = {t.name for t in self.spec.inputs}
        unknown = set(inputs) - names
        if unknown:
            raise KernelInputError(f"kernel {self.spec.name!r} has no input(s) "
                                   f"{sorted(unknown)}; its inputs are {sorted(names)}")
        missing = names - set(inputs)
        if missing:
            raise ShapeError(f"kernel {self.spec.name!r}: input(s) {sorted(missing)} "
                             "are missing")
        return {t.name: quantize(inputs[t.name], self.spec.frac_bits, t)
                for t in self.spec.inputs}

    def _outputs_of(self, q: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = self.compute(q)
        for t in self.spec.outputs:
            try:
                check_bound(out[t.name], t)
            except BoundError as exc:
                raise BoundError(f"output overflow: {exc}; the inputs are within their "
                                 "bounds but the result is not") from None
        return {t.name: out[t.name] for t in self.spec.outputs}

    def reference(self, **inputs: Any) -> dict[str, np.ndarray]:
        """The outputs, exact integers (int64 arrays), from the integer NumPy reference.
        Raises ``BoundError`` when an output overflows its bound."""
        return self._outputs_of(self.quantize_inputs(inputs))

    # -- circuit -----------------------------------------------------------------------
    def build(self, cs: ConstraintSystem | None = None) -> R1CS:
        """Record the kernel (with its visibilities) into ``cs`` (a fresh system if
        None) and return the built R1CS. Variables are kept for ``witness``/``read``."""
        cs = cs if cs is not None else ConstraintSystem(self.spec.name)
        spec = self.spec
        self._vars, self._commit_vars = {}, {}
        with cs.namespace(f"kernels/{spec.name}"):
            out_public: dict[str, np.ndarray] = {}
            for t in spec.outputs:
                if t.visibility == "public":
                    out_public[t.name] = cs.new_variables(t.size, "output", t.name)
                elif t.visibility == "committed":
                    out_public[t.name] = cs.new_variables(1, "output", f"commit({t.name})")
            body_in: dict[str, np.ndarray] = {}
            in_commit: dict[str, np.ndarray] = {}
            for t in spec.inputs:
                if t.visibility == "public":
                    flat = cs.new_variables(t.size, "public", t.name)
                else:
                    flat = cs.new_variables(t.size, "private", t.name)
                    if t.visibility == "committed":
                        in_commit[t.name] = cs.new_variables(1, "public", f"commit({t.name})")
                body_in[t.name] = flat.reshape(t.shape)
                self._vars[t.name] = flat
            for t in spec.inputs:
                # committed inputs are range-checked by the commitment gadget itself
                if t.visibility == "private" and t.name not in self.self_bounded:
                    with cs.namespace(f"{t.name}/bound"):
                        range_check_signed(cs, self._vars[t.name], t.bound_bits)
            results = self.define(cs, body_in)
            for t in spec.outputs:
                got = np.asarray(results[t.name], dtype=np.int64)
                if got.shape != t.shape:
                    raise ShapeError(f"kernel body returned {t.name} of shape {got.shape}, "
                                     f"the spec says {t.shape}")
                flat = got.reshape(-1)
                self._vars[t.name] = flat
                if t.visibility == "public":
                    with cs.namespace(f"{t.name}/public"):
                        bind_equal(cs, out_public[t.name], flat)
                elif t.visibility == "committed":
                    self._commit(cs, t, flat, out_public[t.name])
            for t in spec.inputs:
                if t.name in in_commit:
                    self._commit(cs, t, self._vars[t.name], in_commit[t.name])
            if self._binding:  # allocated last, so it is the last public signal
                self._binding_var = int(cs.new_variables(1, "public", BINDING)[0])
        self._r1cs = cs.build()
        return self._r1cs

    def _commit(self, cs: ConstraintSystem, t: TensorSpec, flat: np.ndarray,
                public: np.ndarray) -> None:
        from zkcx.gadgets.commitment import commitment_gadget

        with cs.namespace(f"{t.name}/commit"):
            c = commitment_gadget(cs, flat.reshape(t.shape), t.bound_bits)
            index = c.index if hasattr(c, "index") else int(np.asarray(c).reshape(-1)[0])
            bind_equal(cs, public, np.array([index], dtype=np.int64))
        self._commit_vars[t.name] = int(public[0])

    def circuit(self) -> R1CS:
        """The kernel's R1CS, built once and cached."""
        if self._r1cs is None:
            self.build()
        assert self._r1cs is not None
        return self._r1cs

    @property
    def n_constraints(self) -> int:
        return self.circuit().n_constraints

    # -- witness -----------------------------------------------------------------------
    def witness(self, **inputs: Any) -> Witness:
        """A satisfying witness from NumPy inputs (floats quantized as round(x * 2^f),
        integers taken as quantized). Every check (names, shapes, dtypes, NaN/inf,
        input and output bounds) runs before the circuit is touched."""
        inputs = dict(inputs)
        binding = inputs.pop(BINDING, None)
        if binding is not None and not self._binding:
            raise KernelInputError(f"kernel {self.spec.name!r} has no {BINDING} input "
                                   "(use kernel.with_binding())")
        q = self.quantize_inputs(inputs)
        self._outputs_of(q)  # refuses overflowing outputs before any circuit work
        r1cs = self.circuit()
        pairs = [(self._vars[t.name], q[t.name].reshape(-1)) for t in self.spec.inputs]
        if self._binding:
            pairs.append((np.array([self._binding_var]), FrVec.from_ints(
                [_binding_value(0 if binding is None else binding)])))
        return r1cs.solve(pairs)

    # -- claim binding -----------------------------------------------------------------
    def with_binding(self) -> Kernel:
        """A copy of this kernel with the ``claim_binding`` public input (last); see the
        module docstring. The constraint count does not change."""
        bound = copy.copy(self)
        bound._binding, bound._binding_var = True, None
        bound._r1cs, bound._vars, bound._commit_vars = None, {}, {}
        return bound

    @property
    def binding_position(self) -> int | None:
        """Index of ``claim_binding`` among the public signals, or None without one."""
        for seg in self.public_layout:
            if seg.what == "binding":
                return seg.start
        return None

    def read(self, witness: Witness, name: str) -> np.ndarray:
        """A tensor's values in a witness, as signed int64 (shaped like the tensor)."""
        t = self.spec[name]
        r1cs = self.circuit()
        wires = r1cs.wire_of[self._vars[name]]
        return signed_ints(witness.values[wires]).reshape(t.shape)

    def read_commitment(self, witness: Witness, name: str) -> int:
        """The commitment of a committed tensor, as carried by the witness."""
        r1cs = self.circuit()
        return int(witness.values[r1cs.wire_of[self._commit_vars[name]]])

    def public_tensor(self, public: Sequence[int], name: str) -> np.ndarray:
        """A public tensor's values read back from a public signal vector (a proof's),
        as signed int64 shaped like the tensor; ``KernelSpecError`` unless the tensor's
        values are public, ``KernelInputError`` for a vector of another length."""
        segment = next((s for s in self.public_layout if s.tensor == name), None)
        if segment is None or segment.what != "values":
            raise KernelSpecError(f"{self.spec.name}: tensor {name!r} has no public values")
        n = sum(s.count for s in self.public_layout)
        if len(public) != n:
            raise KernelInputError(f"{len(public)} public signals, kernel "
                                   f"{self.spec.name!r} has {n}")
        values = public[segment.start: segment.start + segment.count]
        return signed_ints(FrVec.from_ints([int(v) for v in values])).reshape(
            self.spec[name].shape)

    # -- public signals ----------------------------------------------------------------
    @property
    def public_layout(self) -> list[PublicSegment]:
        """The public signals in order: outputs first (values or commitment, in spec
        order), then public inputs and commitments of committed inputs."""
        segs, start = [], 0
        for group in (self.spec.outputs, self.spec.inputs):
            for t in group:
                if t.visibility == "public":
                    segs.append(PublicSegment(t.name, "values", t.size, start))
                    start += t.size
                elif t.visibility == "committed":
                    segs.append(PublicSegment(t.name, "commitment", 1, start))
                    start += 1
        if self._binding:
            segs.append(PublicSegment(BINDING, "binding", 1, start))
        return segs

    def public_position(self, tensor: str) -> int:
        """Index of ``tensor``'s first public signal (its commitment, or its first value;
        ``claim_binding`` for the binding); ``KernelSpecError`` for a private tensor."""
        for seg in self.public_layout:
            if seg.tensor == tensor:
                return seg.start
        visibility = self.spec[tensor].visibility if tensor != BINDING else "absent"
        raise KernelSpecError(f"{self.spec.name}: tensor {tensor!r} has no public signal "
                              f"(visibility {visibility!r})")

    @property
    def public_inputs(self) -> list[str]:
        """One description per public signal, e.g. ``Y[0, 3]`` or ``commit(W1)``."""
        out = []
        for seg in self.public_layout:
            if seg.what in ("commitment", "binding"):
                out.append(f"commit({seg.tensor})" if seg.what == "commitment" else BINDING)
                continue
            shape = self.spec[seg.tensor].shape
            for index in np.ndindex(*shape) if shape else [()]:
                out.append(f"{seg.tensor}[{', '.join(map(str, index))}]")
        return out

    def public_values(self, **tensors: Any) -> list[int]:
        """The public vector a verifier expects, from tensor values (outputs as the
        reference returns them, public inputs, committed tensors as arrays or as their
        commitment int). Values are checked like inputs; each is embedded mod r."""
        out: list[int] = []
        for seg in self.public_layout:
            if seg.tensor not in tensors:
                raise KernelInputError(f"public_values needs tensor {seg.tensor!r} "
                                       f"({seg.what})")
            if seg.what == "binding":
                out.append(_binding_value(tensors[seg.tensor]))
                continue
            t, value = self.spec[seg.tensor], tensors[seg.tensor]
            if seg.what == "commitment":
                if isinstance(value, int) and not isinstance(value, bool):
                    out.append(value % FR_MODULUS)
                else:
                    from zkcx.kernels.commit import commit

                    out.append(commit(quantize(value, self.spec.frac_bits, t), t))
            else:
                q = quantize(value, self.spec.frac_bits, t).reshape(-1)
                out.extend(FrVec.from_int64(q).to_ints())
        return out

    def input_positions(self) -> tuple[int, ...] | None:
        """The positions, among the public signals, that carry the kernel's inputs: every
        value of a public input tensor and the commitment of a committed one, in layout
        order (outputs and the claim binding are not inputs). None when an input is
        private: the public signals then do not fix it, so a task cannot name it."""
        if any(t.visibility == "private" for t in self.spec.inputs):
            return None
        names = {t.name for t in self.spec.inputs}
        return tuple(seg.start + i for seg in self.public_layout
                     if seg.what != "binding" and seg.tensor in names
                     for i in range(seg.count))

    def tensor_positions(self) -> tuple[tuple[str, int], ...]:
        """(tensor name, position of its first public signal) of every tensor with a
        public signal (its commitment, or its first value), inputs and outputs, sorted by
        name; the claim binding is not a tensor. What a chain's kernel registry tells a
        training job, which finds the weights, data and gradients by name."""
        return tuple(sorted((seg.tensor, seg.start) for seg in self.public_layout
                            if seg.what != "binding"))

    def task_inputs(self, **inputs: Any) -> tuple[tuple[int, int], ...]:
        """(public-signal position, value) at every input position for these inputs (as
        ``witness`` takes them): what a task fixes, so that only a proof on these inputs
        matches it. ``KernelInputError`` when an input is private."""
        positions = self.input_positions()
        if positions is None:
            private = [t.name for t in self.spec.inputs if t.visibility == "private"]
            raise KernelInputError(f"kernel {self.spec.name!r} has private inputs "
                                   f"{private}: no task can fix them (make them committed "
                                   "or public)")
        q = self.quantize_inputs(inputs)
        tensors: dict[str, Any] = {**q, **self._outputs_of(q)}
        if self._binding:
            tensors[BINDING] = 0
        public = self.public_values(**tensors)
        return tuple((pos, public[pos]) for pos in positions)

    def public_bounds(self) -> PublicBounds:
        """What a verifier must require of each public signal: a value signal lies within
        its tensor's bound [-2^(B-1), 2^(B-1) - 1] (public inputs are not range-checked in
        the circuit, and outputs are bounded only when inputs are); a commitment or the
        claim binding may be any field element."""
        runs: list[tuple[int, int | None, int | None]] = []
        for seg in self.public_layout:
            if seg.what == "values":
                t = self.spec[seg.tensor]
                runs.append((seg.count, t.low, t.high))
            else:
                runs.append((seg.count, None, None))
        return PublicBounds(runs)

    def check_public(self, public: Sequence[int]) -> None:
        """Raise ``KernelInputError`` unless ``public`` has the layout's length, and
        ``PublicBoundsError`` (a ``BoundError``) naming the first signal outside
        ``public_bounds()``: a verifier of this kernel's proofs must call this."""
        n = sum(s.count for s in self.public_layout)
        if len(public) != n:
            raise KernelInputError(f"{len(public)} public signals, kernel "
                                   f"{self.spec.name!r} has {n}")
        self.public_bounds().check(public, describe=lambda i: self.public_inputs[i])

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.name}>"
