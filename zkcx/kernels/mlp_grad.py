# SPDX-License-Identifier: MIT
"""The gradient of one data shard (data-parallel training, Model-PoT at scale): an
MLP's forward and backward pass (``zkcx.kernels.mlp_backprop``, the same as the
training step's) on committed weights and a committed shard, with the gradient
committed and the loss public.

The gradient is that of the shard's *mean* squared error, averaged over the shard's
batch of m samples (the 1/n of G_L = floor(2·(Y - T)/n), n = m·n_L), in fixed point::

    gradient = (dW_1, db_1, .., dW_L, db_L),  dW_i = floor(G_iᵀ·H_{i-1} / 2^f),
                                              db_i = Σ_batch G_i

flattened in the weights' layout (``unpack_weights`` reads it). The aggregation
(``zkcx.kernels.grad_aggregate``) averages K shards' gradients, so with equal shard
sizes the step follows the mean loss over all K·m samples. Every gradient value must
lie within ``grad_bits`` (default ``bound_bits``): dW_i and the backward products are
range-checked there, db_i by the gradient's commitment (a shard whose db_i leaves it is
refused before proving, ``BoundError``).

Tensors: ``weights`` (P,) committed, ``data`` (m, n_0 + n_L) committed (``pack_data``),
``gradient`` (P,) committed, ``loss`` () public. Public signals, in order:

    0: commit(gradient)   what the aggregation takes as input
    1: loss
    2: commit(weights)    the model the gradient is taken at
    3: commit(data)       the shard
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from zkcx.gadgets.affine import materialize
from zkcx.kernels.mlp import layer_names, mlp_sizes
from zkcx.kernels.mlp_backprop import MLPBackprop, n_parameters
from zkcx.kernels.registry import register
from zkcx.kernels.spec import build_spec

Overrides = Mapping[str, object] | None


@register
class MLPGrad(MLPBackprop):
    """See the module docstring."""

    kind = "mlp_grad"

    def __init__(self, sizes: Sequence[int], batch: int = 1, frac_bits: int = 8,
                 bound_bits: int = 16, grad_bits: int | None = None,
                 loss_bits: int | None = None, name: str | None = None,
                 visibility: Overrides = None, bounds: Overrides = None) -> None:
        sizes = mlp_sizes(sizes)
        n_params = n_parameters(sizes)
        super().__init__(build_spec(
            self.kind, name or f"mlp_{'_'.join(map(str, sizes))}_grad", frac_bits,
            [("weights", (n_params,), "input", bound_bits, "committed"),
             ("data", (int(batch), sizes[0] + sizes[-1]), "input", bound_bits, "committed"),
             ("gradient", (n_params,), "output", grad_bits or bound_bits, "committed"),
             ("loss", (), "output", loss_bits or bound_bits, "public")],
            bounds, visibility, {"sizes": sizes, "batch": int(batch), "grad_bits": grad_bits}),
            sizes, batch, bound_bits, grad_bits)

    @property
    def gradient_commitment_position(self) -> int:
        return self.public_position("gradient")

    @property
    def weights_commitment_position(self) -> int:
        return self.public_position("weights")

    def define(self, cs, t):
        grads, loss = self.backprop(cs, t)
        parts = []
        for w, b in layer_names(len(self.sizes) - 1):
            parts.append(np.asarray(grads[w]).reshape(-1))
            parts.append(materialize(cs, grads[b], label=f"d{b}").reshape(-1))
        return {"gradient": np.concatenate(parts), "loss": loss}

    def trace(self, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Every intermediate of the pass (``backprop_trace``) and the flat
        ``gradient``, on quantized integers."""
        out = self.backprop_trace(t)
        out["gradient"] = np.concatenate([np.ravel(out[f"d{n}"]) for n, _ in self.shapes])
        return out

    def compute(self, t):
        out = self.trace(t)
        return {"gradient": out["gradient"], "loss": out["loss"]}
