# SPDX-License-Identifier: MIT
"""A registered kernel's terms: exactly one claim kind (the game of a kernel registered
for several kinds, claimed as the best-paid one, loses), the public inputs that carry
its inputs (``Kernel.input_positions``: commitments of committed inputs, values of public
ones; never outputs or the binding), task readiness, and the registry JSON's version and
strictness."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.rollup.conftest import (
    CHAIN_ID,
    COMPUTE,
    INFER,
    TEST_PARAMS,
    SigningBuilder,
    addr,
    new_market,
)
from zkcx import groth16
from zkcx import kernels as K
from zkcx.kernels import PublicBounds
from zkcx.rollup import KernelRegistry, KernelRegistryError, RejectReason
from zkcx.rollup.kernel_registry import REGISTRY_FORMAT


def _vk(kit, name):
    return kit.pks[name].verifying_key


def test_a_kernel_has_exactly_one_kind(kit):
    vk = _vk(kit, "cube")
    unbounded = PublicBounds.unbounded(vk.n_public)
    for kinds in (["compute", "inference"], [COMPUTE], frozenset({INFER}), None, 3, "mining"):
        with pytest.raises(KernelRegistryError, match="one claim kind|unknown claim kind"):
            KernelRegistry().register(vk, 10, kinds, public_bounds=unbounded,
                                      unsafe_local_setup=True)
    reg = KernelRegistry()
    kid = reg.register(vk, 10, "inference", public_bounds=unbounded, unsafe_local_setup=True)
    assert reg.get(kid).kind is INFER


def test_claiming_a_kernel_as_its_best_paid_kind_loses(kit):
    """The game: inference weighs 4x compute; a node proves a compute kernel and labels
    the claim inference. The kernel has one kind, so the claim is rejected and earns
    nothing, while the honest label is paid."""
    params = TEST_PARAMS.replace(kind_weights={**TEST_PARAMS.kind_weights, INFER: 4000})
    honest = kit.claim("chain", "n1", "t1", 5)
    greedy = replace(kit.claim("chain", "n2", "t2", 6), kind=INFER)
    builder = SigningBuilder(kit.kernels, CHAIN_ID)
    built = builder.build(bytes(32), new_market(params), [honest, greedy],
                          timestamp=1, kit=kit)
    assert [(r.index, r.reason) for r in built.block.rejected] == [
        (1, RejectReason.KIND_NOT_ALLOWED)]
    assert "claimed as compute" in built.block.rejected[0].detail
    assert built.ledger.account(addr("n2")).balance == 0
    assert built.ledger.account(addr("n1")).balance > 0


def _mlp_train():
    return K.mlp_train(sizes=[2, 2, 1], batch=1, lr=0.0625, frac_bits=8, bound_bits=16,
                       name="tiny_train").with_binding()


def test_input_positions_are_the_inputs_public_signals_only():
    dot = K.dot(3, name="d", visibility={"x": "committed", "y": "public"}).with_binding()
    described = dot.public_inputs
    assert [described[i] for i in dot.input_positions()] == [
        "commit(x)", "y[0]", "y[1]", "y[2]"]
    assert dot.binding_position not in dot.input_positions()
    train = _mlp_train()
    names = [train.public_inputs[i] for i in train.input_positions()]
    assert names == ["commit(weights)", "commit(data)"]
    before, after = train.model_commitment_positions
    assert before in train.input_positions() and after not in train.input_positions()
    # a private input is fixed by no public signal: no positions, so no task can name it
    assert K.dot(3, name="p").with_binding().input_positions() is None


def test_task_ready_needs_every_input_fixed_and_a_binding():
    reg = KernelRegistry()
    ready = K.dot(2, name="ready", visibility={"x": "committed", "y": "committed"})
    cases = {"ready": ready.with_binding(), "unbound": ready,
             "private": K.dot(2, name="private").with_binding()}
    entries = {}
    for name, kernel in cases.items():
        pk = groth16.setup(kernel.circuit())
        entries[name] = reg.get(reg.register_kernel(kernel, pk.verifying_key, "compute",
                                                    unsafe_local_setup=True))
    assert entries["ready"].task_ready and entries["ready"].why_not_task_ready() is None
    assert entries["ready"].input_positions == ready.with_binding().input_positions()
    assert not entries["unbound"].task_ready
    assert "binding" in entries["unbound"].why_not_task_ready()
    assert not entries["private"].task_ready
    assert "public or committed" in entries["private"].why_not_task_ready()
    again = KernelRegistry.from_json(json.loads(json.dumps(reg.to_json())))
    assert list(again) == list(reg)


def test_input_positions_are_checked(kit):
    vk = _vk(kit, "train")  # public [before, after, step, g, bind]
    bounds = PublicBounds.unbounded(vk.n_public)
    register = KernelRegistry().register
    for positions, match in (((0, 5), "not a public input index"), ((0, 0), "repeat"),
                             ((0, 1), "after the step, an output"), ((2,), "before the step"),
                             ("02", "list of public input"), ((True,), "not a public input")):
        with pytest.raises(KernelRegistryError, match=match):
            register(vk, 10, "training", (0, 1), public_bounds=bounds,
                     input_positions=positions)
    vk = _vk(kit, "bound")  # public [out, x, bind]
    with pytest.raises(KernelRegistryError, match="is the claim binding"):
        KernelRegistry().register(vk, 10, "compute", binding_position=1,
                                  public_bounds=PublicBounds.unbounded(2),
                                  input_positions=(1,), unsafe_local_setup=True)


def test_the_registry_json_is_versioned_and_strict(kit):
    data = json.loads(json.dumps(kit.kernels.to_json()))
    assert data["format"] == REGISTRY_FORMAT
    assert list(KernelRegistry.from_json(data)) == list(kit.kernels)
    entry = data["kernels"][0]
    old_entry = {k: v for k, v in entry.items() if k not in ("kind", "input_positions")}
    bad = [
        (data["kernels"], "bare list"),                       # the v1 layout
        (dict(data, format="zkcx-kernels-v1"), "format"),
        ({"kernels": data["kernels"]}, "format"),
        (dict(data, extra=1), "format"),
        (dict(data, kernels={}), "JSON list"),
        (dict(data, kernels=[dict(entry, kinds=["compute"])]), "unknown keys"),
        (dict(data, kernels=[dict(old_entry, kinds=["compute"])]), "lacks"),
        (dict(data, kernels=[dict(entry, kind=["compute", "inference"])]), "one claim kind"),
        (dict(data, kernels=[dict(entry, input_positions="0")]), "list or null"),
        (dict(data, kernels=[dict(entry, model_positions=[])]), "before, after"),
    ]
    for value, match in bad:
        with pytest.raises(KernelRegistryError, match=match):
            KernelRegistry.from_json(value)


def test_tensor_positions_are_registered_kept_in_json_and_told_to_the_market(kit):
    vk = _vk(kit, "cube")
    n = vk.n_public
    unbounded = PublicBounds.unbounded(n)
    reg = KernelRegistry()
    kid = reg.register(vk, 10, "compute", public_bounds=unbounded, unsafe_local_setup=True,
                       tensor_positions={"y": 0, "x": n - 1})
    assert reg.get(kid).tensor_positions == (("x", n - 1), ("y", 0))
    assert reg.terms()[kid].tensor_positions == (("x", n - 1), ("y", 0))
    assert reg.terms()[kid].position("x") == n - 1
    data = json.loads(json.dumps(reg.to_json()))
    assert data["kernels"][0]["tensor_positions"] == {"x": n - 1, "y": 0}
    again = KernelRegistry.from_json(data)
    assert again.get(kid).tensor_positions == reg.get(kid).tensor_positions
    # a v2 registry (no tensor positions) still loads, naming none
    v2 = {"format": "zkcx-kernels-v2", "kernels": [
        {k: v for k, v in e.items() if k not in ("tensor_positions", "ceremony")}
        for e in data["kernels"]]}
    assert KernelRegistry.from_json(v2).get(kid).tensor_positions == ()
    with pytest.raises(KernelRegistryError, match="unknown keys"):
        KernelRegistry.from_json(dict(v2, kernels=data["kernels"]))
    with pytest.raises(KernelRegistryError, match="lacks"):
        KernelRegistry.from_json(dict(data, kernels=v2["kernels"]))
    for bad, match in (({"x": n}, "index below"), ({"x": 0, "y": 0}, "share a position"),
                       ({"": 0}, "non-empty"), ("x", "map tensor names"),
                       ([("x", 0, 1)], "tensor name, position"), ({"x": True}, "index")):
        with pytest.raises(KernelRegistryError, match=match):
            KernelRegistry().register(vk, 10, "compute", public_bounds=unbounded,
                                      tensor_positions=bad, unsafe_local_setup=True)
    with pytest.raises(KernelRegistryError, match="must be an object"):
        KernelRegistry.from_json(dict(data, kernels=[dict(data["kernels"][0],
                                                          tensor_positions=[["x", 0]])]))


def test_a_catalogue_kernel_registers_the_position_of_every_public_tensor():
    kernel = K.load(Path(__file__).resolve().parents[2] / "circuits"
                    / "mlp_4_4_1_grad.toml")
    named = dict(kernel.tensor_positions())
    public = [t.name for t in kernel.spec.tensors if t.visibility != "private"]
    assert sorted(named) == sorted(public) and "weights" in named and "data" in named
    assert all(named[name] == kernel.public_position(name) for name in public)
    assert list(named) == sorted(named)
