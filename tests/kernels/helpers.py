# SPDX-License-Identifier: MIT
"""Shared helpers of the kernel tests: independent plain-Python references, random
inputs that keep outputs within bound, and the soundness checks every kernel gets."""

from __future__ import annotations

import numpy as np

from zkcx.errors import UnsatisfiedConstraintError
from zkcx.field import Fr
from zkcx.kernels import Kernel


def floor_div(z: int, f: int) -> int:
    """floor(z / 2^f) with Python ints (independent of NumPy's shift)."""
    return z // (1 << f)


def py_matmul(x, w, f: int) -> list[list[int]]:
    x, w = np.asarray(x).tolist(), np.asarray(w).tolist()
    return [[floor_div(sum(int(x[i][t]) * int(w[t][j]) for t in range(len(w))), f)
             for j in range(len(w[0]))] for i in range(len(x))]


def py_dense(x, w, b, f: int) -> list[list[int]]:
    wt = np.asarray(w).T
    rows = py_matmul(x, wt, 0)
    return [[floor_div(v + int(b[j]) * (1 << f), f) for j, v in enumerate(r)] for r in rows]


def random_inputs(kernel: Kernel, rng: np.random.Generator, magnitude: int) -> dict:
    """Integer inputs uniform in [-magnitude, magnitude] clipped to each tensor's bound."""
    out = {}
    for t in kernel.spec.inputs:
        lim = min(magnitude, t.high)
        out[t.name] = rng.integers(-lim, lim + 1, size=t.shape, dtype=np.int64)
    return out


def sound_random_inputs(kernel: Kernel, seed: int, magnitude: int) -> dict:
    """``random_inputs`` from a generator seeded with ``seed``, checked by
    ``assert_sound``: the inputs, for the caller's own reference."""
    rng = np.random.default_rng(seed)
    inputs = random_inputs(kernel, rng, magnitude)
    assert_sound(kernel, inputs, rng)
    return inputs


def assert_sound(kernel: Kernel, inputs: dict, rng: np.random.Generator,
                 n_perturb: int = 24) -> None:
    """The witness satisfies the circuit; its outputs equal the reference exactly; its
    public signals are what ``public_values`` rebuilds; changing a public output, or any
    single other wire (a lying hint), breaks a constraint."""
    r1cs = kernel.circuit()
    w = kernel.witness(**inputs)
    r1cs.check(w)
    ref = kernel.reference(**inputs)
    for name, value in ref.items():
        np.testing.assert_array_equal(kernel.read(w, name), value)
    assert w.public == kernel.public_values(**ref, **inputs)
    kernel.check_public(w.public)
    if w.n_public:
        bad = w.values.copy()
        bad[1] = bad[1] + Fr(1)
        assert not r1cs.is_satisfied(bad), "a changed public output went unnoticed"
    # every wire but the constant one is pinned down by the constraints
    wires = rng.choice(np.arange(1, r1cs.n_wires), size=min(n_perturb, r1cs.n_wires - 1),
                       replace=False)
    for wire in wires:
        bad = w.values.copy()
        bad[int(wire)] = bad[int(wire)] + Fr(1)
        try:
            r1cs.check(bad)
        except UnsatisfiedConstraintError:
            continue
        raise AssertionError(f"wire {wire} ({r1cs.wire_names.get(int(wire))}) can change "
                             "without breaking a constraint")


def py_backprop(p: dict, x, t, f: int) -> tuple[int, dict]:
    """An MLP's loss and gradient {"W1": [..], "b1": [..], ..} (flat lists) with Python
    ints and lists only (independent of NumPy's shifts): the pass of mlp_backprop."""
    n_layers = sum(1 for k in p if k.startswith("W"))
    hs, zs = [np.asarray(x).tolist()], []
    for i in range(1, n_layers + 1):
        z = py_dense(hs[-1], p[f"W{i}"], p[f"b{i}"], f)
        zs.append(z)
        hs.append([[max(v, 0) for v in row] for row in z])
    y, t = zs[-1], np.asarray(t).tolist()
    n = len(y) * len(y[0])
    loss = sum((a - b) ** 2 for ry, rt in zip(y, t) for a, b in zip(ry, rt)) // (n << f)
    g = [[(2 * (a - b)) // n for a, b in zip(ry, rt)] for ry, rt in zip(y, t)]
    grads = {}
    for i in range(n_layers, 0, -1):
        grads[f"W{i}"] = np.ravel(py_matmul(np.asarray(g).T, hs[i - 1], f)).tolist()
        grads[f"b{i}"] = [sum(col) for col in np.asarray(g).T.tolist()]
        if i > 1:
            dh = py_matmul(g, p[f"W{i}"], f)
            g = [[v if z >= 0 else 0 for v, z in zip(rv, rz)] for rv, rz in zip(dh, zs[i - 2])]
    return loss, grads


def py_sgd(w, dw, lr: int, f: int) -> list[int]:
    """floor((w·2^f - lr·dw) / 2^f) elementwise, Python ints."""
    return [floor_div(int(a) * (1 << f) - lr * int(d), f)
            for a, d in zip(np.ravel(w).tolist(), np.ravel(dw).tolist())]
