# SPDX-License-Identifier: MIT
"""One SGD training step of an MLP (Model-PoT): forward through dense layers with ReLU
between, mean squared error, backward, SGD update, proved in one circuit.

For layer sizes (n_0, .., n_L), a batch of m samples X (m, n_0) with targets T (m, n_L),
weights W_i (n_i, n_{i-1}) and biases b_i (n_i,), with f fractional bits (semantics of
every block in ``zkcx.kernels.reference`` and ``zkcx.kernels.grad_reference``)::

    H_0 = X;  Z_i = dense(H_{i-1}, W_i, b_i);  H_i = relu(Z_i) (i < L);  Y = Z_L
    loss = floor(Σ (Y - T)² / (n·2^f)),  n = m·n_L
    G_L = floor(2·(Y - T) / n)
    dW_i = floor(G_iᵀ·H_{i-1} / 2^f),  db_i = Σ_batch G_i
    G_{i-1} = floor(G_i·W_i / 2^f) · [Z_{i-1} >= 0]
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
from typing import Any

import numpy as np

from zkcx.errors import KernelSpecError, ShapeError
from zkcx.kernels import grad_ops, ops
from zkcx.kernels import grad_reference as gref
from zkcx.kernels import reference as ref
from zkcx.kernels.base import Kernel
from zkcx.kernels.mlp import layer_names
from zkcx.kernels.quantize import check_bound
from zkcx.kernels.registry import register
from zkcx.kernels.spec import TensorSpec, build_spec, check_accumulator
from zkcx.kernels.training import learning_rate

Overrides = Mapping[str, object] | None


def parameter_shapes(sizes: Sequence[int]) -> list[tuple[str, tuple[int, ...]]]:
    """[("W1", (n_1, n_0)), ("b1", (n_1,)), .., ("WL", ..), ("bL", ..)]: the layout of
    the flat weights vector."""
    out: list[tuple[str, tuple[int, ...]]] = []
    for i, (w, b) in enumerate(layer_names(len(sizes) - 1)):
        out += [(w, (sizes[i + 1], sizes[i])), (b, (sizes[i + 1],))]
    return out


@register
class MLPTrain(Kernel):
    """See the module docstring."""

    kind = "mlp_train"

    def __init__(self, sizes: Sequence[int], batch: int = 1, lr: float | int = 0.0625,
                 frac_bits: int = 8, bound_bits: int = 16, grad_bits: int | None = None,
                 loss_bits: int | None = None, name: str | None = None,
                 visibility: Overrides = None, bounds: Overrides = None) -> None:
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise KernelSpecError(f"an MLP needs at least two positive layer sizes, got {sizes}")
        self.sizes, self.batch = sizes, int(batch)
        self.shapes = parameter_shapes(sizes)
        n_params = sum(int(np.prod(s)) for _, s in self.shapes)
        self.lr = learning_rate(lr, frac_bits)
        w_bits = int((bounds or {}).get("weights", bound_bits))
        super().__init__(build_spec(
            self.kind, name or f"mlp_{'_'.join(map(str, sizes))}_train", frac_bits,
            [("weights", (n_params,), "input", bound_bits, "committed"),
             ("data", (self.batch, sizes[0] + sizes[-1]), "input", bound_bits, "committed"),
             ("weights_next", (n_params,), "output", w_bits, "committed"),
             ("loss", (), "output", loss_bits or bound_bits, "public")],
            bounds, visibility,
            {"sizes": sizes, "batch": self.batch, "lr": lr, "grad_bits": grad_bits}))
        s = self.spec
        if s["weights_next"].bound_bits != s["weights"].bound_bits:
            raise KernelSpecError("weights_next must have the bound of weights (a step's "
                                  "output is the next step's input)")
        self.act_bits = bound_bits
        self.grad_bits = int(grad_bits or bound_bits)
        self._check_accumulators()

    # -- layout ----------------------------------------------------------------------------
    @property
    def model_commitment_positions(self) -> tuple[int, int]:
        """(index of commit(weights), index of commit(weights_next)) in the public
        signals: the model before and after the step."""
        return self._position("weights"), self._position("weights_next")

    @property
    def loss_position(self) -> int:
        return self._position("loss")

    @property
    def data_commitment_position(self) -> int:
        return self._position("data")

    def _position(self, tensor: str) -> int:
        for seg in self.public_layout:
            if seg.tensor == tensor:
                return seg.start
        raise KernelSpecError(f"{self.spec.name}: tensor {tensor!r} has no public signal "
                              f"(visibility {self.spec[tensor].visibility!r})")

    def pack_weights(self, weights: Mapping[str, Any]) -> np.ndarray:
        """The flat weights vector from {"W1": .., "b1": .., ..} (floats or quantized
        integers, kept as given; the kernel quantizes)."""
        missing = [n for n, _ in self.shapes if n not in weights]
        if missing:
            raise ShapeError(f"{self.spec.name}: weights {missing} are missing")
        parts = []
        for n, shape in self.shapes:
            arr = np.asarray(weights[n])
            if arr.shape != shape:
                raise ShapeError(f"{self.spec.name}: {n} has shape {arr.shape}, the MLP "
                                 f"{self.sizes} needs {shape}")
            parts.append(arr.reshape(-1))
        return np.concatenate(parts)

    def unpack_weights(self, flat: Any) -> dict[str, np.ndarray]:
        """{"W1": .., "b1": .., ..} from a flat weights vector (values or variables)."""
        flat = np.asarray(flat)
        if flat.shape != self.spec["weights"].shape:
            raise ShapeError(f"{self.spec.name}: a weights vector has shape "
                             f"{self.spec['weights'].shape}, got {flat.shape}")
        out, start = {}, 0
        for n, shape in self.shapes:
            size = int(np.prod(shape))
            out[n] = flat[start: start + size].reshape(shape)
            start += size
        return out

    def pack_data(self, x: Any, t: Any) -> np.ndarray:
        """The data tensor [X | T] (batch, n_0 + n_L) from inputs and targets."""
        x, t = np.asarray(x), np.asarray(t)
        want_x, want_t = (self.batch, self.sizes[0]), (self.batch, self.sizes[-1])
        if x.shape != want_x or t.shape != want_t:
            raise ShapeError(f"{self.spec.name}: X {x.shape} and T {t.shape} must have "
                             f"shapes {want_x} and {want_t}")
        return np.concatenate([x, t], axis=1)

    def _check_accumulators(self) -> None:
        s, f = self.spec, self.spec.frac_bits
        w, d, g = s["weights"].bound_bits, s["data"].bound_bits, self.grad_bits
        m = self.batch
        for i in range(len(self.sizes) - 1):
            act = d if i == 0 else self.act_bits
            bits = max(act + w - 1 + (self.sizes[i] - 1).bit_length(), w + f) + 1
            check_accumulator(s, bits, f"layer {i + 1}'s accumulator")
            check_accumulator(s, g + act - 1 + (m - 1).bit_length(), f"dW{i + 1}'s accumulator")
            check_accumulator(s, g + w - 1 + (self.sizes[i + 1] - 1).bit_length(),
                              f"layer {i + 1}'s dX accumulator")
        diff = max(self.act_bits, d) + 1
        check_accumulator(s, 2 * diff - 1 + (m * self.sizes[-1] - 1).bit_length(), "Σ (Y - T)²")
        check_accumulator(s, max(w + f, g + (m - 1).bit_length() + self.lr.bit_length()) + 1,
                          "W·2^f - η·dW")

    # -- circuit ---------------------------------------------------------------------------
    def define(self, cs, t):
        f, n_layers = self.spec.frac_bits, len(self.sizes) - 1
        p = self.unpack_weights(t["weights"])
        data = np.asarray(t["data"])
        x, target = data[:, : self.sizes[0]], data[:, self.sizes[0]:]
        layers = layer_names(n_layers)
        acts, masks = [x], []
        h = x
        for i, (w, b) in enumerate(layers):
            with cs.namespace(f"forward{i + 1}"):
                z = ops.dense(cs, h, p[w], p[b], f, self.act_bits)
                if i < n_layers - 1:
                    h, mask = grad_ops.relu_with_mask(cs, z, self.act_bits)
                    acts.append(h)
                    masks.append(mask)
        y = z
        loss = grad_ops.mse_loss(cs, y, target, f, self.spec["loss"].bound_bits)
        g = grad_ops.mse_grad(cs, y, target, self.grad_bits)
        grads: dict[str, Any] = {}
        for i in reversed(range(n_layers)):
            w, b = layers[i]
            with cs.namespace(f"backward{i + 1}"):
                dw, db, dh = grad_ops.dense_backward(cs, g, acts[i], p[w] if i else None, f,
                                                     self.grad_bits, self.grad_bits)
                grads[w], grads[b] = dw, db
                if i:
                    g = grad_ops.relu_backward(cs, dh, masks[i - 1])
        out_bits = self.spec["weights_next"].bound_bits
        parts = []
        for i, (w, b) in enumerate(layers):
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
        f, n_layers = self.spec.frac_bits, len(self.sizes) - 1
        p = self.unpack_weights(t["weights"])
        data = np.asarray(t["data"], dtype=np.int64)
        x, target = data[:, : self.sizes[0]], data[:, self.sizes[0]:]
        layers = layer_names(n_layers)
        out: dict[str, np.ndarray] = {"H0": x}
        h = x
        for i, (w, b) in enumerate(layers):
            z = ref.dense(h, p[w], p[b], f)
            self._bounded(z, self.act_bits, f"layer{i + 1} pre-activation")
            out[f"Z{i + 1}"] = z
            if i < n_layers - 1:
                h = ref.relu(z)
                out[f"H{i + 1}"] = h
        out["Y"] = z
        out["loss"] = gref.mse_loss(z, target, f)
        self._bounded(out["loss"], self.spec["loss"].bound_bits, "loss")
        g = gref.mse_grad(z, target)
        self._bounded(g, self.grad_bits, "dL/dY")
        for i in reversed(range(n_layers)):
            w, b = layers[i]
            out[f"G{i + 1}"] = g
            dw, db, dh = gref.dense_backward(g, out[f"H{i}"], p[w], f, need_dx=i > 0)
            self._bounded(dw, self.grad_bits, f"d{w}")
            out[f"d{w}"], out[f"d{b}"] = dw, db
            if i:
                self._bounded(dh, self.grad_bits, f"dH{i}")
                g = gref.relu_backward(dh, out[f"Z{i}"])
        parts = []
        for w, b in layers:
            for name in (w, b):
                out[f"{name}_next"] = gref.sgd_update(p[name], out[f"d{name}"], self.lr, f)
                parts.append(out[f"{name}_next"].reshape(-1))
        out["weights_next"] = np.concatenate(parts)
        return out

    def compute(self, t):
        out = self.trace(t)
        return {"weights_next": out["weights_next"], "loss": out["loss"]}

    @staticmethod
    def _bounded(values: np.ndarray, bits: int, what: str) -> None:
        check_bound(np.asarray(values), TensorSpec(what, np.shape(values) or (1,), bits))
