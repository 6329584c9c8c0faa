# SPDX-License-Identifier: MIT
"""The forward and backward pass of an MLP under mean squared error: the one
implementation shared by the training step (``zkcx.kernels.mlp_train``) and the
gradient of a data shard (``zkcx.kernels.mlp_grad``).

For layer sizes (n_0, .., n_L), a batch of m samples X (m, n_0) with targets T (m, n_L),
weights W_i (n_i, n_{i-1}) and biases b_i (n_i,), with f fractional bits (semantics of
every block in ``zkcx.kernels.reference`` and ``zkcx.kernels.grad_reference``)::

    H_0 = X;  Z_i = dense(H_{i-1}, W_i, b_i);  H_i = relu(Z_i) (i < L);  Y = Z_L
    loss = floor(Σ (Y - T)² / (n·2^f)),  n = m·n_L
    G_L = floor(2·(Y - T) / n)
    dW_i = floor(G_iᵀ·H_{i-1} / 2^f),  db_i = Σ_batch G_i
    G_{i-1} = floor(G_i·W_i / 2^f) · [Z_{i-1} >= 0]

(dW_i, db_i) is the gradient of the batch's *mean* squared error (the 1/n sits in G_L).
Bounds: activations (Z_i, H_i, Y) ``bound_bits``; gradients (G_i, the dX products,
dW_i) ``grad_bits``; the loss its tensor's bound. An intermediate that leaves its bound
is refused before proving (``BoundError``).

Layouts shared by every MLP kernel over flat parameters:

- parameters (P,): W_1 (row-major), b_1, W_2, b_2, .., W_L, b_L (``pack_weights``,
  ``unpack_weights``); a gradient vector has the same layout (dW_1, db_1, ..);
- data (m, n_0 + n_L): row j is sample j's inputs then its targets (``pack_data``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from zkcx.errors import ShapeError
from zkcx.kernels import grad_ops, ops
from zkcx.kernels import grad_reference as gref
from zkcx.kernels import reference as ref
from zkcx.kernels.base import Kernel
from zkcx.kernels.mlp import layer_names, mlp_sizes
from zkcx.kernels.quantize import check_bound
from zkcx.kernels.spec import KernelSpec, TensorSpec, check_accumulator


def parameter_shapes(sizes: Sequence[int]) -> list[tuple[str, tuple[int, ...]]]:
    """[("W1", (n_1, n_0)), ("b1", (n_1,)), .., ("WL", ..), ("bL", ..)]: the layout of
    the flat weights vector."""
    out: list[tuple[str, tuple[int, ...]]] = []
    for i, (w, b) in enumerate(layer_names(len(sizes) - 1)):
        out += [(w, (sizes[i + 1], sizes[i])), (b, (sizes[i + 1],))]
    return out


def n_parameters(sizes: Sequence[int]) -> int:
    """P, the length of the flat parameter vector of an MLP with these layer sizes."""
    return sum(int(np.prod(s)) for _, s in parameter_shapes(sizes))


def unpack_parameters(sizes: Sequence[int], flat: Any, kernel: str) -> dict[str, np.ndarray]:
    """{"W1": .., "b1": .., ..} from a flat weights (or gradient) vector of an MLP with
    these layer sizes (values or variables), in the layout of ``parameter_shapes``;
    ``ShapeError`` (naming ``kernel``) unless it has P = ``n_parameters(sizes)`` entries."""
    flat = np.asarray(flat)
    shapes = parameter_shapes(sizes)
    if flat.shape != (n_parameters(sizes),):
        raise ShapeError(f"{kernel}: a weights vector has shape ({n_parameters(sizes)},), "
                         f"got {flat.shape}")
    out, start = {}, 0
    for n, shape in shapes:
        size = int(np.prod(shape))
        out[n] = flat[start: start + size].reshape(shape)
        start += size
    return out


class MLPBackprop(Kernel):
    """Base class of MLP kernels over flat parameters and a data batch: the layouts and
    the forward+backward pass, in the circuit (``backprop``) and on integers
    (``backprop_trace``). Subclasses build the spec (with tensors ``weights`` (P,) and
    ``data`` (m, n_0 + n_L), and an output ``loss``) and add what follows the pass."""

    def __init__(self, spec: KernelSpec, sizes: Sequence[int], batch: int,
                 act_bits: int, grad_bits: int | None) -> None:
        super().__init__(spec)
        self.sizes, self.batch = mlp_sizes(sizes), int(batch)
        self.shapes = parameter_shapes(self.sizes)
        self.act_bits = int(act_bits)
        self.grad_bits = int(grad_bits or act_bits)
        self._check_backprop_accumulators()

    # -- layout ----------------------------------------------------------------------------
    @property
    def loss_position(self) -> int:
        return self.public_position("loss")

    @property
    def data_commitment_position(self) -> int:
        return self.public_position("data")

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
        """{"W1": .., "b1": .., ..} from a flat weights (or gradient) vector (values or
        variables)."""
        return unpack_parameters(self.sizes, flat, self.spec.name)

    def pack_data(self, x: Any, t: Any) -> np.ndarray:
        """The data tensor [X | T] (batch, n_0 + n_L) from inputs and targets."""
        x, t = np.asarray(x), np.asarray(t)
        want_x, want_t = (self.batch, self.sizes[0]), (self.batch, self.sizes[-1])
        if x.shape != want_x or t.shape != want_t:
            raise ShapeError(f"{self.spec.name}: X {x.shape} and T {t.shape} must have "
                             f"shapes {want_x} and {want_t}")
        return np.concatenate([x, t], axis=1)

    def _check_backprop_accumulators(self) -> None:
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

    # -- circuit ---------------------------------------------------------------------------
    def backprop(self, cs, t) -> tuple[dict[str, Any], np.ndarray]:
        """(gradients, loss) in the circuit: {"W1": dW_1 (variables), "b1": db_1 (an
        AffineVec), ..} and the loss variable, from ``t["weights"]`` and ``t["data"]``."""
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
        return grads, loss

    # -- integers --------------------------------------------------------------------------
    def backprop_trace(self, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Every intermediate of the pass on quantized integers: H0 (= X), Z1.., H1..,
        Y, loss, G1.. (dL/dZ_i), dW1.., db1... Raises ``BoundError`` where a value leaves
        the bound the circuit range-checks it to."""
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
        return out

    @staticmethod
    def _bounded(values: np.ndarray, bits: int, what: str) -> None:
        check_bound(np.asarray(values), TensorSpec(what, np.shape(values) or (1,), bits))
