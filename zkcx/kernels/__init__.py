# SPDX-License-Identifier: MIT
"""Kernels: compute (and, on the same framework, gradient) kernels, each a spec, a
circuit, an exact integer NumPy reference and a witness generator (docs/fixed-point.md).

    k = zkcx.kernels.matmul(16, 16, 16, frac_bits=8, bound_bits=16)
    r1cs = k.circuit()                       # built once, cached
    w = k.witness(X=x, W=w)                  # floats -> round(x·2^f); ints as quantized
    out = k.reference(X=x, W=w)              # {"Y": int64 array}, exactly the circuit's
    k.public_values(**out) == w.public       # what a verifier expects
    k.check_public(w.public)                 # a verifier's check of the public bounds
    k = zkcx.kernels.load("circuits/matmul_16x16x16.toml")

``REGISTRY`` maps kernel kinds to classes; ``get(kind, **params)`` builds one;
``load(path)`` reads a catalogue TOML file. Building blocks for new kernels:
``zkcx.kernels.ops`` (circuit) and ``zkcx.kernels.reference`` (integers); for gradient
kernels ``zkcx.kernels.grad_ops`` and ``zkcx.kernels.grad_reference``. Gradient kernels:
``mse_loss``, ``mse_grad``, ``dense_backward``, ``relu_backward``, ``sgd_update`` and the
whole training step ``mlp_train`` (``zkcx.kernels.mlp_train``; accuracy against float64 in
``zkcx.kernels.accuracy``). Data-parallel (sharded) training: a shard's gradient
``mlp_grad``, the aggregation ``grad_aggregate`` (mean of K shard gradients, SGD step),
the exact reference of the whole run in ``zkcx.kernels.sharded`` and the split of a job
into tasks in ``zkcx.kernels.job_split``; inference on a trained model's packed weights
``mlp_infer_packed`` (``zkcx.kernels.mlp_packed``).
"""

from zkcx.kernels import ops, reference
from zkcx.kernels.base import Kernel, PublicSegment
from zkcx.kernels.bounds import PublicBounds
from zkcx.kernels.ceremony_terms import CeremonyTerms
from zkcx.kernels.commit import commit
from zkcx.kernels.elementwise import ElementwiseMul, Relu, Scale, VectorAdd
from zkcx.kernels.grad_aggregate import GradAggregate
from zkcx.kernels.linalg import Dense, Dot, Matmul
from zkcx.kernels.mlp import MLPInfer
from zkcx.kernels.mlp_grad import MLPGrad
from zkcx.kernels.mlp_packed import MLPInferPacked
from zkcx.kernels.mlp_train import MLPTrain
from zkcx.kernels.preprocess import MinMax, Normalize
from zkcx.kernels.quantize import quantize
from zkcx.kernels.registry import REGISTRY, catalogue, get, load, register
from zkcx.kernels.spec import VISIBILITIES, KernelSpec, TensorSpec, build_spec
from zkcx.kernels.training import DenseBackward, MSEGrad, MSELoss, ReluBackward, SGDUpdate

vector_add = VectorAdd
elementwise_mul = ElementwiseMul
scale = Scale
relu = Relu
dot = Dot
matmul = Matmul
dense = Dense
normalize = Normalize
minmax = MinMax
mlp_infer = MLPInfer
mse_loss = MSELoss
mse_grad = MSEGrad
dense_backward = DenseBackward
relu_backward = ReluBackward
sgd_update = SGDUpdate
mlp_train = MLPTrain
mlp_grad = MLPGrad
mlp_infer_packed = MLPInferPacked
grad_aggregate = GradAggregate

__all__ = [
    "REGISTRY",
    "VISIBILITIES",
    "Dense",
    "CeremonyTerms",
    "DenseBackward",
    "Dot",
    "ElementwiseMul",
    "GradAggregate",
    "Kernel",
    "KernelSpec",
    "MLPGrad",
    "MLPInfer",
    "MLPInferPacked",
    "MLPTrain",
    "MSEGrad",
    "MSELoss",
    "MinMax",
    "Matmul",
    "Normalize",
    "PublicBounds",
    "PublicSegment",
    "Relu",
    "ReluBackward",
    "SGDUpdate",
    "Scale",
    "TensorSpec",
    "VectorAdd",
    "build_spec",
    "catalogue",
    "commit",
    "dense",
    "dense_backward",
    "dot",
    "elementwise_mul",
    "get",
    "grad_aggregate",
    "load",
    "matmul",
    "minmax",
    "mlp_grad",
    "mlp_infer",
    "mlp_infer_packed",
    "mlp_train",
    "mse_grad",
    "mse_loss",
    "normalize",
    "ops",
    "quantize",
    "reference",
    "register",
    "relu",
    "relu_backward",
    "scale",
    "sgd_update",
    "vector_add",
]
