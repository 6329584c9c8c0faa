# SPDX-License-Identifier: MIT
"""One SGD training step of an MLP (Model-PoT): forward through dense layers with ReLU
between, mean squared error, backward, SGD update, proved in one circuit. The forward
and backward pass is ``zkcx.kernels.mlp_backprop``'s (shared with ``mlp_grad``): its
docstring defines the loss and the gradient (dW_i, db_i) of layer i. The step then
updates every layer::

    W_i' = floor((W_i·2^f - η·dW_i) / 2^f),  b_i' = floor((b_i·2^f - η·db_i) / 2^f)

η is a fixed-point constant of the circuit (``lr``). Bounds: activations (Z_i, H_i, Y)
``bound_bits``; gradients (G_i, the dX products, dW_i) ``grad_bits``; the loss
``loss_bits``; weights before and after ``bound_bits`` (or the ``weights`` override),
the same for both so a step's output is the next step's input. Any intermediate that
leaves its bound is refused before proving (``BoundError``).

Tensors (all private but the loss; the framework commits with Poseidon):

- ``weights`` (P,): every layer's parameters flattened in the order W_1 (row-major),
  b_1, W_2, b_2, .., W_L, b_L (``pack_weights``/``unpack_weights``); committed;
- ``data`` (m, n_0 + n_L): row j is sample j's inputs then its targets
  (``pack_data``); committed;
- ``weights_next`` (P,): the updated parameters, same layout; committed;
- ``loss`` (): public.

Public signals, in order (outputs first, then inputs, as the framework lays them out):

    0: commit(weights_next)   the model after the step
    1: loss
    2: commit(weights)        the model before the step
    3: commit(data)           the batch

``model_commitment_positions`` gives (before, after) = (2, 0) from the layout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from zkcx.errors import KernelSpecError
from zkcx.kernels import grad_ops
from zkcx.kernels import grad_reference as gref
from zkcx.kernels.mlp import layer_names, mlp_sizes
from zkcx.kernels.mlp_backprop import MLPBackprop, n_parameters
from zkcx.kernels.registry import register
from zkcx.kernels.spec import build_spec, check_accumulator
from zkcx.kernels.training import learning_rate

Overrides = Mapping[str, object] | None


@register
class MLPTrain(MLPBackprop):
    """See the module docstring."""

    kind = "mlp_train"

    def __init__(self, sizes: Sequence[int], batch: int = 1, lr: float | int = 0.0625,
                 frac_bits: int = 8, bound_bits: int = 16, grad_bits: int | None = None,
                 loss_bits: int | None = None, name: str | None = None,
                 visibility: Overrides = None, bounds: Overrides = None) -> None:
        sizes = mlp_sizes(sizes)
        n_params = n_parameters(sizes)
        self.lr = learning_rate(lr, frac_bits)
        w_bits = int((bounds or {}).get("weights", bound_bits))
        super().__init__(build_spec(
            self.kind, name or f"mlp_{'_'.join(map(str, sizes))}_train", frac_bits,
            [("weights", (n_params,), "input", bound_bits, "committed"),
             ("data", (int(batch), sizes[0] + sizes[-1]), "input", bound_bits, "committed"),
             ("weights_next", (n_params,), "output", w_bits, "committed"),
             ("loss", (), "output", loss_bits or bound_bits, "public")],
            bounds, visibility,
            {"sizes": sizes, "batch": int(batch), "lr": lr, "grad_bits": grad_bits}),
            sizes, batch, bound_bits, grad_bits)
        s = self.spec
        if s["weights_next"].bound_bits != s["weights"].bound_bits:
            raise KernelSpecError("weights_next must have the bound of weights (a step's "
                                  "output is the next step's input)")
        check_accumulator(s, max(s["weights"].bound_bits + s.frac_bits,
                                 self.grad_bits + (self.batch - 1).bit_length()
                                 + self.lr.bit_length()) + 1, "W·2^f - η·dW")

    @property
    def model_commitment_positions(self) -> tuple[int, int]:
        """(index of commit(weights), index of commit(weights_next)) in the public
        signals: the model before and after the step."""
        return self.public_position("weights"), self.public_position("weights_next")

    # -- circuit ---------------------------------------------------------------------------
    def define(self, cs, t):
        f = self.spec.frac_bits
        p = self.unpack_weights(t["weights"])
        grads, loss = self.backprop(cs, t)
        out_bits = self.spec["weights_next"].bound_bits
        parts = []
        for i, (w, b) in enumerate(layer_names(len(self.sizes) - 1)):
            with cs.namespace(f"update{i + 1}"):
                parts.append(grad_ops.sgd_update(cs, p[w], grads[w], self.lr, f, out_bits))
                parts.append(grad_ops.sgd_update(cs, p[b], grads[b], self.lr, f, out_bits))
        return {"weights_next": np.concatenate([v.reshape(-1) for v in parts]), "loss": loss}

    # -- integers --------------------------------------------------------------------------
    def trace(self, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Every intermediate of the step on quantized integers: Z1.., H1.., Y, loss,
        G1.. (dL/dZ_i), dW1.., db1.., the updated W1'.. b1'.. (keys "W1_next", ..),
        weights_next and loss. Raises ``BoundError`` where a value leaves the bound the
        circuit range-checks it to."""
        f = self.spec.frac_bits
        p = self.unpack_weights(t["weights"])
        out = self.backprop_trace(t)
        parts = []
        for w, b in layer_names(len(self.sizes) - 1):
            for name in (w, b):
                out[f"{name}_next"] = gref.sgd_update(p[name], out[f"d{name}"], self.lr, f)
                parts.append(out[f"{name}_next"].reshape(-1))
        out["weights_next"] = np.concatenate(parts)
        return out

    def compute(self, t):
        out = self.trace(t)
        return {"weights_next": out["weights_next"], "loss": out["loss"]}
