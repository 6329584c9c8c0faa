# SPDX-License-Identifier: MIT
"""The exact integer reference of data-parallel (sharded) SGD: what a training job of
K shards and S steps proves, task by task, with every commitment a task's proof carries.

Per step s (weights W_s, W_0 the quantized initial weights; shard data D_k fixed over
the run)::

    gradient_{s,k}, loss_{s,k} = mlp_grad(W_s, D_k)            k = 0 .. K-1
    W_{s+1} = grad_aggregate(W_s, gradient_{s,0}, .., gradient_{s,K-1})
            = floor((W_s·2^f - η·floor(Σ_k gradient_{s,k} / K)) / 2^f)

each step being the kernels' own references (``kernel.reference``), so the run equals
what the circuits prove. The commitments chain: a shard task's commit(weights) is
commit(W_s), the aggregation's commit(weights) the same, its commit(gradient_k) shard
k's commit(gradient), and its commit(weights_next) = commit(W_{s+1}) the next step's
commit(weights). ``data_parallel_kernels`` builds a matching pair of kernels;
``check_compatible`` refuses a pair whose commitments could not chain. The float64
reference and the error bound of the result are in ``zkcx.kernels.accuracy``.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zkcx.errors import KernelInputError, KernelSpecError
from zkcx.kernels.commit import commit
from zkcx.kernels.grad_aggregate import GradAggregate, gradient_names
from zkcx.kernels.mlp_grad import MLPGrad


def data_parallel_kernels(sizes: Sequence[int], shard_batch: int, shards: int,
                          lr: float | int = 0.0625, frac_bits: int = 8, bound_bits: int = 16,
                          grad_bits: int | None = None,
                          loss_bits: int | None = None) -> tuple[MLPGrad, GradAggregate]:
    """The gradient kernel of one shard (``shard_batch`` samples) and the aggregation
    of ``shards`` gradients for an MLP of layer sizes ``sizes``, with matching tensors
    (``check_compatible`` holds)."""
    grad = MLPGrad(sizes, batch=shard_batch, frac_bits=frac_bits, bound_bits=bound_bits,
                   grad_bits=grad_bits, loss_bits=loss_bits)
    aggregate = GradAggregate(sizes, shards=shards, lr=lr, frac_bits=frac_bits,
                              bound_bits=bound_bits, grad_bits=grad_bits)
    return grad, aggregate


def check_compatible(grad: MLPGrad, aggregate: GradAggregate) -> None:
    """``KernelSpecError`` unless the aggregation takes what the gradient kernel makes:
    the same MLP and fractional bits, the same weights tensor (shape and bound), each
    gradient_k shaped and bounded as the gradient (a commitment binds both)."""
    g, a = grad.spec, aggregate.spec
    problems = []
    if grad.sizes != aggregate.sizes:
        problems.append(f"layer sizes {grad.sizes} and {aggregate.sizes}")
    if g.frac_bits != a.frac_bits:
        problems.append(f"frac_bits {g.frac_bits} and {a.frac_bits}")
    for ours, theirs in [("weights", "weights")] + [("gradient", n) for n in
                                                    gradient_names(aggregate.shards)]:
        if (g[ours].shape, g[ours].bound_bits) != (a[theirs].shape, a[theirs].bound_bits):
            problems.append(f"{g.name}'s {ours} {g[ours].shape}/{g[ours].bound_bits} bits "
                            f"and {a.name}'s {theirs} {a[theirs].shape}/"
                            f"{a[theirs].bound_bits} bits")
    if problems:
        raise KernelSpecError(f"{g.name} and {a.name} do not chain: " + "; ".join(problems))


@dataclass(frozen=True)
class ShardedStep:
    """One step of a data-parallel run: the weights it starts from, every shard's
    gradient and loss, and the weights after the aggregation, with commitments."""

    step: int
    weights: np.ndarray
    weights_commitment: int
    gradients: tuple[np.ndarray, ...]
    gradient_commitments: tuple[int, ...]
    losses: tuple[int, ...]
    weights_next: np.ndarray
    weights_next_commitment: int


@dataclass(frozen=True)
class ShardedRun:
    """A whole data-parallel run: the shards' data commitments and every step."""

    data_commitments: tuple[int, ...]
    steps: tuple[ShardedStep, ...]

    @property
    def final_weights(self) -> np.ndarray:
        """The quantized weights after the last step (int64, flat layout)."""
        return self.steps[-1].weights_next

    @property
    def weight_commitments(self) -> list[int]:
        """commit(W_0), commit(W_1), .., commit(W_S): the model's version chain."""
        return [self.steps[0].weights_commitment] + [
            s.weights_next_commitment for s in self.steps]


def _positive(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise KernelInputError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def data_parallel_sgd(grad: MLPGrad, aggregate: GradAggregate, weights: Any,
                      shards: Sequence[Any], steps: int) -> ShardedRun:
    """Run ``steps`` steps of data-parallel SGD over ``shards`` (one data tensor per
    shard, ``grad.pack_data``; as many as the aggregation takes) from ``weights`` (the
    flat vector, ``grad.pack_weights``; floats are quantized, integers taken as
    quantized), exactly as the kernels prove it. Raises ``KernelSpecError`` for kernels
    that do not chain, ``KernelInputError``/``ShapeError``/``BoundError`` for bad
    inputs or a value leaving its bound."""
    check_compatible(grad, aggregate)
    steps = _positive(steps, "steps")
    if len(shards) != aggregate.shards:
        raise KernelInputError(f"{aggregate.spec.name} aggregates {aggregate.shards} shards, "
                               f"got {len(shards)} data tensors")
    quantized = [grad.quantize_inputs({"weights": weights, "data": d}) for d in shards]
    w = quantized[0]["weights"]
    data = [q["data"] for q in quantized]
    spec = grad.spec
    data_commitments = tuple(commit(d, spec["data"]) for d in data)
    w_commitment = commit(w, spec["weights"])
    out = []
    for s in range(steps):
        results = [grad.reference(weights=w, data=d) for d in data]
        gradients = tuple(r["gradient"] for r in results)
        w_next = aggregate.reference(weights=w, **dict(zip(
            gradient_names(aggregate.shards), gradients)))["weights_next"]
        next_commitment = commit(w_next, spec["weights"])
        out.append(ShardedStep(
            s, w, w_commitment, gradients,
            tuple(commit(g, spec["gradient"]) for g in gradients),
            tuple(int(r["loss"]) for r in results), w_next, next_commitment))
        w, w_commitment = w_next, next_commitment
    return ShardedRun(data_commitments, tuple(out))
