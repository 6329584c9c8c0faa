# SPDX-License-Identifier: MIT
"""MLP inference: dense layers with ReLU between, built from the dense and relu blocks.

For layer sizes (n_0, n_1, ..., n_L), tensors X (batch, n_0), W1 (n_1, n_0), b1 (n_1,),
..., WL, bL and the output Y (batch, n_L):

    H_0 = X,   H_i = relu(dense(H_{i-1}, W_i, b_i))  (i < L),   Y = dense(H_{L-1}, W_L, b_L)

Every hidden activation is rescaled into the hidden bound (``bound_bits``); an
activation that overflows it is refused before proving (the circuit could not prove
it). Defaults: X private, weights and biases committed, Y public.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from zkcx.errors import KernelSpecError
from zkcx.kernels import ops
from zkcx.kernels import reference as ref
from zkcx.kernels.base import Kernel
from zkcx.kernels.quantize import check_bound
from zkcx.kernels.registry import register
from zkcx.kernels.spec import TensorSpec, build_spec, check_accumulator

Overrides = Mapping[str, object] | None


def layer_names(n_layers: int) -> list[tuple[str, str]]:
    """[("W1", "b1"), ..., ("WL", "bL")]."""
    return [(f"W{i}", f"b{i}") for i in range(1, n_layers + 1)]


def mlp_sizes(sizes: Sequence[int]) -> list[int]:
    """The layer sizes as ints, or ``KernelSpecError`` unless there are at least two,
    all positive."""
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise KernelSpecError(f"an MLP needs at least two positive layer sizes, got {sizes}")
    return sizes


@register
class MLPInfer(Kernel):
    """See the module docstring."""

    kind = "mlp_infer"

    def __init__(self, sizes: Sequence[int], batch: int = 1, frac_bits: int = 8,
                 bound_bits: int = 16, name: str | None = None, visibility: Overrides = None,
                 bounds: Overrides = None) -> None:
        sizes = mlp_sizes(sizes)
        declared = [("X", (batch, sizes[0]), "input", bound_bits, "private"),
                    *self._parameter_tensors(sizes, bound_bits),
                    ("Y", (batch, sizes[-1]), "output", bound_bits, "public")]
        name = name or f"mlp_{'_'.join(map(str, sizes))}_{self.name_suffix}"
        super().__init__(build_spec(self.kind, name, frac_bits, declared, bounds, visibility,
                                    {"sizes": sizes, "batch": batch}))
        self.sizes = sizes
        self.hidden = TensorSpec("hidden", (1,), bound_bits)
        s = self.spec
        for i, (w, _) in enumerate(layer_names(len(sizes) - 1)):
            act = s["X"].bound_bits if i == 0 else bound_bits
            bits = act + self._weight_bits(w) + sizes[i].bit_length() + frac_bits
            check_accumulator(s, bits, f"layer {i + 1}'s accumulator")

    #: the default instance name's last part: mlp_<sizes>_<suffix>
    name_suffix = "infer"

    @staticmethod
    def _parameter_tensors(sizes: list[int], bound_bits: int) -> list[tuple]:
        """The declared weight tensors: W_i (n_i, n_{i-1}) and b_i (n_i,), committed."""
        declared: list[tuple] = []
        for i, (w, b) in enumerate(layer_names(len(sizes) - 1)):
            declared.append((w, (sizes[i + 1], sizes[i]), "input", bound_bits, "committed"))
            declared.append((b, (sizes[i + 1],), "input", bound_bits, "committed"))
        return declared

    def _weight_bits(self, w: str) -> int:
        """The bound of weight matrix ``w``'s entries."""
        return self.spec[w].bound_bits

    def layer_parameters(self, t: Mapping) -> Mapping:
        """{"W1": .., "b1": .., ..} from the kernel's tensors (values or variables)."""
        return t

    def _out_bits(self, layer: int) -> int:
        last = layer == len(self.sizes) - 2
        return self.spec["Y"].bound_bits if last else self.hidden.bound_bits

    def define(self, cs, t):
        h, p = t["X"], self.layer_parameters(t)
        layers = layer_names(len(self.sizes) - 1)
        for i, (w, b) in enumerate(layers):
            with cs.namespace(f"layer{i + 1}"):
                h = ops.dense(cs, h, p[w], p[b], self.spec.frac_bits, self._out_bits(i))
                if i < len(layers) - 1:
                    h = ops.relu(cs, h, self.hidden.bound_bits)
        return {"Y": h}

    def compute(self, t):
        h, p = t["X"], self.layer_parameters(t)
        layers = layer_names(len(self.sizes) - 1)
        for i, (w, b) in enumerate(layers):
            h = ref.dense(h, p[w], p[b], self.spec.frac_bits)
            if i < len(layers) - 1:
                check_bound(h, TensorSpec(f"layer{i + 1} activation", h.shape,
                                          self.hidden.bound_bits))
                h = ref.relu(h)
        return {"Y": h}
