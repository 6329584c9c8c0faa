# SPDX-License-Identifier: MIT
"""How far a proved (fixed-point) MLP training step can be from the same step in real
arithmetic: a float64 NumPy training step and a derived, rigorous error bound.

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
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: Absolute allowance for the float64 reference's own rounding (far below 2^-f).
FLOAT64_SLACK = 1e-9


def _layers(weights: Mapping[str, np.ndarray]) -> int:
    n = 0
    while f"W{n + 1}" in weights:
        n += 1
    if n == 0:
        raise KeyError("weights need W1, b1, ..")
    return n


def float_training_step(weights: Mapping[str, np.ndarray], x: np.ndarray, t: np.ndarray,
                        lr: float) -> dict[str, np.ndarray]:
    """The training step of ``zkcx.kernels.mlp_train`` in float64 (no rounding):
    the same keys as ``MLPTrain.trace`` (Z1.., H0.., Y, loss, G1.., dW1.., db1..,
    W1_next.., b1_next..) and the inputs (W1, b1, .., T); relu'(0) taken as 1 as in
    the kernel."""
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
    for i in range(1, n_layers + 1):
        for name in (f"W{i}", f"b{i}"):
            out[f"{name}_next"] = p[name] - lr * out[f"d{name}"]
    return out


def training_step_error_bound(step: Mapping[str, np.ndarray], frac_bits: int,
                              lr: float) -> dict[str, np.ndarray]:
    """Elementwise bounds e_v on |v̂ - v| for the step's values (keys as
    ``float_training_step``: Z1.., H1.., Y, loss, G1.., dW1.., db1.., W1_next..,
    b1_next..), by the propagation of the module docstring; ``step`` is the real step
    (``float_training_step``), f the kernel's fractional bits, lr the real η."""
    u = 2.0 ** -frac_bits
    half = u / 2
    e_lr = abs(np.round(lr / u) * u - lr)
    n_layers = sum(1 for k in step if k.startswith("dW"))
    e: dict[str, np.ndarray] = {"H0": np.full_like(step["H0"], half)}
    for i in range(1, n_layers + 1):
        w = step[f"W{i}"]
        e_w = np.full_like(w, half)
        h, e_h = np.abs(step[f"H{i - 1}"]), e[f"H{i - 1}"]
        e[f"W{i}"], e[f"b{i}"] = e_w, np.full(w.shape[0], half)
        e[f"Z{i}"] = h @ e_w.T + e_h @ np.abs(w).T + e_h @ e_w.T + half + u
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
    for i in range(1, n_layers + 1):
        for name in (f"W{i}", f"b{i}"):
            e[f"{name}_next"] = (e[name] + abs(lr) * e[f"d{name}"]
                                 + np.abs(step[f"d{name}"]) * e_lr + e_lr * e[f"d{name}"] + u)
    return e

