# SPDX-License-Identifier: MIT
"""How far a proved (fixed-point) MLP training step, or a data-parallel training run,
can be from the same computation in real arithmetic: float64 NumPy references and a
derived, rigorous error bound.

Notation: u = 2^-f; a hat marks the fixed-point value read as a real (X̂ = X·u); e_v
bounds |v̂ - v| elementwise, v the exact real value. The semantics are those of
``zkcx.kernels.mlp_train`` (floors toward -inf, one rescale per accumulation).

Per operation (a, b real operands with errors e_a, e_b):

1. Rounding an input (X, T, W, b; round half to even): e <= u/2. The learning rate:
   e_η = |η̂ - η| (<= u/2).
2. A rescale or an exact floor division: the result is the exact value rounded down to
   a multiple of u, so it adds an error in (-u, 0]: at most u.
3. A product: â·b̂ - a·b = a(b̂ - b) + b(â - a) + (â - a)(b̂ - b), so
   e_ab <= |a|·e_b + |b|·e_a + e_a·e_b (exact, not a first-order estimate); a sum adds
   the errors of its terms.
4. ReLU is 1-Lipschitz: e_H <= e_Z.
5. The backward mask m = [z >= 0]: where |z| > e_Z the fixed-point pre-activation has
   the same sign, so m̂ = m and e_(dH·m) = m·e_dH; where |z| <= e_Z the masks may
   differ, and |dĥ·m̂ - dh·m| <= |dh| + e_dH.

Propagated through the step (matrices: @ is a matrix product, |·| elementwise):

    e_Z_i   = |H_{i-1}| @ e_W_iᵀ + e_H_{i-1} @ |W_i|ᵀ + e_H_{i-1} @ e_W_iᵀ + e_b_i + u
    e_H_i   = e_Z_i;   e_D = e_Y + e_T  (D = Y - T)
    e_loss  = Σ (2|d|·e_D + e_D²) / n + u
    e_G_L   = 2·e_D / n + u
    e_dW_i  = |G_i|ᵀ @ e_H_{i-1} + e_G_iᵀ @ |H_{i-1}| + e_G_iᵀ @ e_H_{i-1} + u
    e_db_i  = Σ_batch e_G_i
    e_dH    = |G_i| @ e_W_i + e_G_i @ |W_i| + e_G_i @ e_W_i + u
    e_G_i-1 = rule 5 applied to e_dH
    e_W'    = e_W + |η|·e_dW + |dW|·e_η + e_η·e_dW + u        (and the same for b)

The magnitudes |·| are the real step's values (taken from the float64 step), so the
bound is per element and per data set; replacing each magnitude by its tensor's bound
(|x| <= A, ..) gives a data-independent bound, e.g. for a dense layer of fan-in K,
e_Z <= K·(A_H·e_W + A_W·e_H + e_H·e_W) + e_b + u. The float64 step itself is not exact
real arithmetic; its rounding (relative 2^-53 per operation, values below 2^7) is many
orders of magnitude below u and is covered by ``FLOAT64_SLACK`` in comparisons.

Data-parallel SGD (``zkcx.kernels.sharded``: K shards, each ``mlp_grad``, then
``grad_aggregate``) extends the propagation:

6. Each shard's gradient g_k (dW_i, db_i on its data) has the bound e_g_k above, the
   weights entering with their current error e_W (u/2 at step 0) instead of u/2.
7. The mean floor(Σ_k ĝ_k / K): the sum is exact, the floor adds at most u, so
   e_mean = Σ_k e_g_k / K + u.
8. The step: e_W' = e_W + |η|·e_mean + |mean|·e_η + e_η·e_mean + u (rule 3 for η·mean,
   rule 2 for the rescale), |mean| the real mean gradient; e_W' is the next step's e_W.

Over S steps the real run starts from the real initial weights and uses the real data,
so the bound compares the proved final weights with exact real data-parallel SGD (in
which the mean of the shards' mean-loss gradients is the full data's, for equal shard
sizes); each step's magnitudes come from that step of the float64 run. This global
bound grows geometrically with S: interval propagation adds |η|·|∂g/∂W|·e_W each step
where gradient descent would contract the difference, and once e_Z reaches |z| rule 5
takes whole gradients. It stays within tens of quanta for a few steps of a small MLP;
for long runs the per-step bound is the informative one: restart the real step from
the proved weights (exactly representable, e_W = 0: ``initial_errors`` of zeros) and
the proved step stays within one step's bound of exact real SGD, whatever S.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from zkcx.errors import ShapeError

#: Absolute allowance for the float64 reference's own rounding (far below 2^-f).
FLOAT64_SLACK = 1e-9


def _layers(weights: Mapping[str, np.ndarray]) -> int:
    n = 0
    while f"W{n + 1}" in weights:
        n += 1
    if n == 0:
        raise ShapeError(f"the weights have no W1: give W1, b1, W2, b2, .. (one pair per "
                         f"layer), got {sorted(weights)}")
    return n


def _parameter_names(n_layers: int) -> list[str]:
    return [name for i in range(1, n_layers + 1) for name in (f"W{i}", f"b{i}")]


def float_gradient(weights: Mapping[str, np.ndarray], x: np.ndarray,
                   t: np.ndarray) -> dict[str, np.ndarray]:
    """The forward and backward pass of ``zkcx.kernels.mlp_backprop`` in float64 (no
    rounding): the keys of ``MLPBackprop.backprop_trace`` (Z1.., H0.., Y, loss, G1..,
    dW1.., db1..) and the inputs (W1, b1, .., T); relu'(0) taken as 1 as in the
    kernels."""
    n_layers = _layers(weights)
    p = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    h = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    out: dict[str, np.ndarray] = {"H0": h, "T": t, **p}
    for i in range(1, n_layers + 1):
        z = h @ p[f"W{i}"].T + p[f"b{i}"]
        out[f"Z{i}"] = z
        if i < n_layers:
            h = np.maximum(z, 0.0)
            out[f"H{i}"] = h
    d = z - t
    out["Y"], out["loss"] = z, np.float64(np.mean(d * d))
    g = 2.0 * d / d.size
    for i in range(n_layers, 0, -1):
        out[f"G{i}"] = g
        out[f"dW{i}"] = g.T @ out[f"H{i - 1}"]
        out[f"db{i}"] = g.sum(axis=0)
        if i > 1:
            g = (g @ p[f"W{i}"]) * (out[f"Z{i - 1}"] >= 0)
    return out


def float_training_step(weights: Mapping[str, np.ndarray], x: np.ndarray, t: np.ndarray,
                        lr: float) -> dict[str, np.ndarray]:
    """The training step of ``zkcx.kernels.mlp_train`` in float64 (no rounding):
    ``float_gradient``'s keys and the updated W1_next.., b1_next.. (the same keys as
    ``MLPTrain.trace``)."""
    out = float_gradient(weights, x, t)
    for name in _parameter_names(_layers(weights)):
        out[f"{name}_next"] = out[name] - lr * out[f"d{name}"]
    return out


def gradient_error_bound(step: Mapping[str, np.ndarray], frac_bits: int,
                         weight_errors: Mapping[str, np.ndarray] | None = None
                         ) -> dict[str, np.ndarray]:
    """Elementwise bounds e_v on |v̂ - v| for the forward and backward pass (keys as
    ``float_gradient``: Z1.., H1.., Y, loss, G1.., dW1.., db1.., and the inputs W1,
    b1, ..), by the propagation of the module docstring; ``step`` is the real pass
    (``float_gradient``), f the kernels' fractional bits, ``weight_errors`` the errors
    of the weights {"W1": .., "b1": ..} (default u/2 each: freshly rounded)."""
    u = 2.0 ** -frac_bits
    half = u / 2
    n_layers = sum(1 for k in step if k.startswith("dW"))
    e: dict[str, np.ndarray] = {"H0": np.full_like(step["H0"], half)}
    for name in _parameter_names(n_layers):
        e[name] = (np.full(np.shape(step[name]), half) if weight_errors is None
                   else np.asarray(weight_errors[name], dtype=np.float64))
    for i in range(1, n_layers + 1):
        w, e_w, e_b = step[f"W{i}"], e[f"W{i}"], e[f"b{i}"]
        h, e_h = np.abs(step[f"H{i - 1}"]), e[f"H{i - 1}"]
        e[f"Z{i}"] = h @ e_w.T + e_h @ np.abs(w).T + e_h @ e_w.T + e_b + u
        if i < n_layers:
            e[f"H{i}"] = e[f"Z{i}"]
    e["Y"] = e[f"Z{n_layers}"]
    d = step["Y"] - step["T"]
    e_d = e["Y"] + half
    n = e_d.size
    e["loss"] = np.float64(np.sum(2 * np.abs(d) * e_d + e_d * e_d) / n + u)
    e_g = 2 * e_d / n + u
    for i in range(n_layers, 0, -1):
        e[f"G{i}"] = e_g
        g, h, e_h = np.abs(step[f"G{i}"]), np.abs(step[f"H{i - 1}"]), e[f"H{i - 1}"]
        e[f"dW{i}"] = g.T @ e_h + e_g.T @ h + e_g.T @ e_h + u
        e[f"db{i}"] = e_g.sum(axis=0)
        if i > 1:
            w, e_w = step[f"W{i}"], e[f"W{i}"]
            e_dh = g @ e_w + e_g @ np.abs(w) + e_g @ e_w + u
            z, e_z = step[f"Z{i - 1}"], e[f"Z{i - 1}"]
            dh = np.abs(step[f"G{i}"] @ w)
            e_g = np.where(np.abs(z) > e_z, (z >= 0) * e_dh, dh + e_dh)
    return e


def _learning_rate_error(lr: float, frac_bits: int) -> float:
    u = 2.0 ** -frac_bits
    return abs(np.round(lr / u) * u - lr)


def sgd_error_bound(e_w: np.ndarray, gradient: np.ndarray, e_gradient: np.ndarray,
                    frac_bits: int, lr: float) -> np.ndarray:
    """e_W' = e_W + |η|·e_g + |g|·e_η + e_η·e_g + u: the error of floor((W·2^f - η·g) /
    2^f) from the weights' error e_W, the real gradient g and its error e_g."""
    u, e_lr = 2.0 ** -frac_bits, _learning_rate_error(lr, frac_bits)
    return e_w + abs(lr) * e_gradient + np.abs(gradient) * e_lr + e_lr * e_gradient + u


def training_step_error_bound(step: Mapping[str, np.ndarray], frac_bits: int,
                              lr: float) -> dict[str, np.ndarray]:
    """Elementwise bounds e_v on |v̂ - v| for the step's values (keys as
    ``float_training_step``: Z1.., H1.., Y, loss, G1.., dW1.., db1.., W1_next..,
    b1_next..), by the propagation of the module docstring; ``step`` is the real step
    (``float_training_step``), f the kernel's fractional bits, lr the real η."""
    e = gradient_error_bound(step, frac_bits)
    for name in _parameter_names(sum(1 for k in step if k.startswith("dW"))):
        e[f"{name}_next"] = sgd_error_bound(e[name], step[f"d{name}"], e[f"d{name}"],
                                            frac_bits, lr)
    return e


def float_data_parallel_sgd(weights: Mapping[str, np.ndarray],
                            shards: Sequence[tuple[np.ndarray, np.ndarray]], steps: int,
                            lr: float) -> list[dict[str, object]]:
    """Data-parallel SGD in float64 (no rounding): ``steps`` steps over the shards
    [(X_k, T_k), ..], each step every shard's ``float_gradient`` at the current
    weights, their mean, and W - lr·mean. One dict per step: "shards" (the K passes),
    "mean" ({"dW1": .., "db1": ..}) and "next" ({"W1": .., "b1": ..}, the weights
    after the step)."""
    names = _parameter_names(_layers(weights))
    current = {n: np.asarray(weights[n], dtype=np.float64) for n in names}
    run: list[dict[str, object]] = []
    for _ in range(steps):
        passes = [float_gradient(current, x, t) for x, t in shards]
        mean = {f"d{n}": sum(p[f"d{n}"] for p in passes) / len(passes) for n in names}
        current = {n: current[n] - lr * mean[f"d{n}"] for n in names}
        run.append({"shards": passes, "mean": mean, "next": current})
    return run


def data_parallel_error_bound(run: Sequence[Mapping[str, object]], frac_bits: int, lr: float,
                              initial_errors: Mapping[str, np.ndarray] | None = None
                              ) -> list[dict[str, np.ndarray]]:
    """Per step of ``float_data_parallel_sgd``'s run, elementwise bounds on the proved
    run's error (rules 6-8 of the module docstring): {"W1": .., "b1": ..} bounding
    |Ŵ - W| for the weights after the step, and "shards", each shard's
    ``gradient_error_bound``. ``initial_errors`` bounds the initial weights' error
    ({"W1": .., ..}; default u/2: the real weights rounded)."""
    u = 2.0 ** -frac_bits
    errors = initial_errors
    out: list[dict[str, np.ndarray]] = []
    for step in run:
        passes = step["shards"]
        mean = step["mean"]
        with np.errstate(over="ignore", invalid="ignore"):  # a bound past float64 is inf
            e_passes = [{k: _nan_as_inf(v) for k, v in
                         gradient_error_bound(p, frac_bits, errors).items()} for p in passes]
            names = _parameter_names(sum(1 for k in passes[0] if k.startswith("dW")))
            nxt: dict[str, object] = {"shards": e_passes}
            for n in names:
                e_mean = sum(e[f"d{n}"] for e in e_passes) / len(e_passes) + u
                nxt[n] = _nan_as_inf(sgd_error_bound(e_passes[0][n], mean[f"d{n}"], e_mean,
                                                     frac_bits, lr))
        errors = {n: nxt[n] for n in names}
        out.append(nxt)
    return out


def _nan_as_inf(bound: np.ndarray) -> np.ndarray:
    """NaN (inf·0 once a bound overflowed float64) as inf: no information, still true."""
    return np.where(np.isnan(bound), np.inf, bound)
