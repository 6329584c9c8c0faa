# SPDX-License-Identifier: MIT
"""The aggregation step of data-parallel training: K shard gradients (each committed
separately, so each is the commitment a shard's ``mlp_grad`` proof produced) averaged
and applied to the committed weights by one SGD step::

    mean         = floor((gradient_0 + .. + gradient_{K-1}) / K)      (exact sum, one floor)
    weights_next = floor((weights·2^f - η·mean) / 2^f)

elementwise over the flat parameter vector of an MLP with layer sizes ``sizes`` (the
layout of ``zkcx.kernels.mlp_backprop``); η is a fixed-point constant of the circuit
(``lr``). Semantics of ``mean`` and ``sgd_update`` in ``zkcx.kernels.grad_reference``.

Bounds: weights and weights_next ``bound_bits`` (equal, so the output is the next
step's input); each gradient ``grad_bits`` (default ``bound_bits``; it must equal the
``mlp_grad`` kernel's, since a commitment binds the bound). Tensors: ``weights`` (P,),
``gradient_0`` .. ``gradient_{K-1}`` (P,) and ``weights_next`` (P,), all committed.
Public signals, in order:

    0:     commit(weights_next)   the model after the step
    1:     commit(weights)        the model before the step
    2 + k: commit(gradient_k)     shard k's gradient

``model_commitment_positions`` = (1, 0): the aggregation is the proof that advances a
model's version chain.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

from zkcx.errors import KernelSpecError
from zkcx.kernels import grad_ops
from zkcx.kernels import grad_reference as gref
from zkcx.kernels.base import Kernel
from zkcx.kernels.mlp import mlp_sizes
from zkcx.kernels.mlp_backprop import n_parameters
from zkcx.kernels.registry import register
from zkcx.kernels.spec import build_spec, check_accumulator
from zkcx.kernels.training import learning_rate
from zkcx.params import MAX_TENSOR_ELEMENTS

Overrides = Mapping[str, object] | None

#: At most this many shards per aggregation (one committed input and public signal
#: each), and at most ``MAX_TENSOR_ELEMENTS`` gradient values in all: a catalogue file
#: cannot ask for millions of tensors.
MAX_SHARDS = 1024


def gradient_names(shards: int) -> list[str]:
    """["gradient_0", .., "gradient_{K-1}"]: the aggregation's gradient inputs."""
    return [f"gradient_{k}" for k in range(shards)]


@register
class GradAggregate(Kernel):
    """See the module docstring."""

    kind = "grad_aggregate"

    def __init__(self, sizes: Sequence[int], shards: int = 4, lr: float | int = 0.0625,
                 frac_bits: int = 8, bound_bits: int = 16, grad_bits: int | None = None,
                 name: str | None = None, visibility: Overrides = None,
                 bounds: Overrides = None) -> None:
        sizes = mlp_sizes(sizes)
        if isinstance(shards, bool) or not isinstance(shards, numbers.Integral) \
                or not 1 <= shards <= MAX_SHARDS:
            raise KernelSpecError(f"shards must be an integer in [1, {MAX_SHARDS}] "
                                  f"(MAX_SHARDS), got {shards!r}")
        shards = int(shards)
        n_params = n_parameters(sizes)
        if shards * n_params > MAX_TENSOR_ELEMENTS:
            raise KernelSpecError(f"{shards} gradients of {n_params} values are more than "
                                  f"{MAX_TENSOR_ELEMENTS} (MAX_TENSOR_ELEMENTS) in all")
        self.sizes, self.shards = sizes, shards
        self.lr = learning_rate(lr, frac_bits)
        w_bits = int((bounds or {}).get("weights", bound_bits))
        g_bits = grad_bits or bound_bits
        super().__init__(build_spec(
            self.kind, name or f"mlp_{'_'.join(map(str, sizes))}_aggregate_{shards}",
            frac_bits,
            [("weights", (n_params,), "input", bound_bits, "committed")]
            + [(g, (n_params,), "input", g_bits, "committed") for g in gradient_names(shards)]
            + [("weights_next", (n_params,), "output", w_bits, "committed")],
            bounds, visibility,
            {"sizes": sizes, "shards": shards, "lr": lr, "grad_bits": grad_bits}))
        s = self.spec
        if s["weights_next"].bound_bits != s["weights"].bound_bits:
            raise KernelSpecError("weights_next must have the bound of weights (a step's "
                                  "output is the next step's input)")
        self.grad_bits = max(s[g].bound_bits for g in gradient_names(shards))
        check_accumulator(s, self.grad_bits + (shards - 1).bit_length(), "Σ_k gradient_k")
        check_accumulator(s, max(s["weights"].bound_bits + frac_bits,
                                 self.grad_bits + self.lr.bit_length()) + 1, "W·2^f - η·mean")

    @property
    def model_commitment_positions(self) -> tuple[int, int]:
        """(index of commit(weights), index of commit(weights_next)) in the public
        signals: the model before and after the step."""
        return self.public_position("weights"), self.public_position("weights_next")

    @property
    def gradient_commitment_positions(self) -> list[int]:
        """The index of commit(gradient_k) in the public signals, for k = 0 .. K-1."""
        return [self.public_position(g) for g in gradient_names(self.shards)]

    def define(self, cs, t):
        s = self.spec
        mean = grad_ops.mean(cs, [t[g] for g in gradient_names(self.shards)], self.grad_bits)
        return {"weights_next": grad_ops.sgd_update(cs, t["weights"], mean, self.lr,
                                                    s.frac_bits, s["weights_next"].bound_bits)}

    def compute(self, t):
        mean = gref.mean([t[g] for g in gradient_names(self.shards)])
        return {"weights_next": gref.sgd_update(t["weights"], mean, self.lr,
                                                self.spec.frac_bits)}
