# SPDX-License-Identifier: MIT
"""MLP inference on a model's packed weights: the predictions of the weights the
training kernels (``mlp_grad``, ``grad_aggregate``, ``mlp_train``) take and commit.

Tensors: X (batch, n_0) private, ``weights`` (P,) committed, in the layout of
``zkcx.kernels.mlp_backprop`` (W_1 row-major, b_1, .., W_L, b_L), and the predictions
Y (batch, n_L) public. The pass is ``MLPInfer``'s, which is the training kernels'
forward pass (``MLPBackprop``): the same dense block (product, floor rescale by 2^f,
range check) and ReLU between layers, every activation within ``bound_bits``. With the
same frac_bits and bound_bits as the training kernels, commit(weights) equals theirs, so
a model version's commitment fixes the weights an inference task proves with.
"""

from __future__ import annotations

from collections.abc import Mapping

from zkcx.kernels.mlp import MLPInfer
from zkcx.kernels.mlp_backprop import n_parameters, unpack_parameters
from zkcx.kernels.registry import register


@register
class MLPInferPacked(MLPInfer):
    """See the module docstring. Parameters as ``MLPInfer``'s."""

    kind = "mlp_infer_packed"
    name_suffix = "infer_packed"

    @staticmethod
    def _parameter_tensors(sizes: list[int], bound_bits: int) -> list[tuple]:
        """One committed tensor ``weights`` (P,), every layer's W_i and b_i packed."""
        return [("weights", (n_parameters(sizes),), "input", bound_bits, "committed")]

    def _weight_bits(self, w: str) -> int:
        return self.spec["weights"].bound_bits

    @property
    def weights_commitment_position(self) -> int:
        """The public signal carrying commit(weights): a model's serving position."""
        return self.public_position("weights")

    def layer_parameters(self, t: Mapping) -> Mapping:
        """{"W1": .., "b1": .., ..} unpacked from ``t["weights"]``."""
        return unpack_parameters(self.sizes, t["weights"], self.spec.name)
