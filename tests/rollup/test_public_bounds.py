# SPDX-License-Identifier: MIT
"""Public bounds on the chain (issue 13): the kernel registry keeps each kernel's public
bounds beside its verifying key, fixed at registration; the block builder rejects a
claim outside them (public-input-out-of-bounds, no penalty) although its proof verifies;
verify_chain, which rebuilds every block, refuses a block that accepted one."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

import zkcx.kernels as K
from tests.kernels.forged import HALF, forged
from tests.rollup.conftest import CHAIN_ID, SigningBuilder, addr, new_market
from zkcx import groth16
from zkcx.kernels import PublicBounds
from zkcx.params import FR_MODULUS
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import (
    ChainVerificationError,
    Claim,
    KernelRegistry,
    RejectReason,
    verify_chain,
)
from zkcx.rollup.block import genesis_hash

CASES = ["scale", "dense", "dense_bias", "normalize_s", "normalize_mu"]
COMPUTE = ClaimKind.COMPUTE


def _registry(f, bounds=None) -> tuple[KernelRegistry, str]:
    reg = KernelRegistry()
    kid = reg.register(f.vk, f.kernel.n_constraints, COMPUTE, unsafe_local_setup=True,
                       public_bounds=f.kernel.public_bounds() if bounds is None else bounds)
    return reg, kid


def _genesis():
    acc = new_market()
    return acc, genesis_hash(acc.to_bytes(), CHAIN_ID)


def _honest_claim(f, kid: str) -> Claim:
    k = f.kernel
    inputs = {t.name: np.ones(t.shape, dtype=np.int64) for t in k.spec.inputs}
    proof, public = groth16.prove(f.pk, k.witness(**inputs), k.circuit())
    return Claim(addr("honest"), "task-h", kid, tuple(public), proof, "compute")


@pytest.mark.parametrize("case", CASES)
def test_the_builder_rejects_a_valid_proof_outside_the_bounds_without_penalty(case):
    """Checked before the proof and the task: the honest claim's proof verifies and it
    reaches the task check (these kernels have private inputs: no task can name them, so
    it answers none), the out-of-bounds one stops at the bounds, unpenalised."""
    f = forged(case)
    reg, kid = _registry(f)
    bad = Claim(addr("mallory"), "1", kid, f.public, f.proof, "compute")
    good = _honest_claim(f, kid)
    acc, parent = _genesis()
    built = SigningBuilder(reg, CHAIN_ID).build(parent, acc, [bad, good], timestamp=1)
    assert [(r.index, r.reason) for r in built.block.rejected] == [
        (0, RejectReason.PUBLIC_INPUT_BOUNDS), (1, RejectReason.NO_SUCH_TASK)]
    rejected = built.block.rejected[0]
    assert RejectReason.PUBLIC_INPUT_BOUNDS.value == "public-input-out-of-bounds"
    assert f"public signal {f.index} is" in rejected.detail
    mallory = built.ledger.accounts[addr("mallory")]  # neither paid nor penalised:
    assert (mallory.balance, mallory.proofs_invalid, mallory.reputation, mallory.nonce) == (
        0, 0, acc.account(addr("mallory")).reputation, 1)  # only its nonce is used
    # the same key registered without bounds: the proof verifies and reaches the task
    loose, kid2 = _registry(f, PublicBounds.unbounded(f.vk.n_public))
    assert kid2 == kid
    built = SigningBuilder(loose, CHAIN_ID).build(parent, acc, [bad], timestamp=1)
    assert [r.reason for r in built.block.rejected] == [RejectReason.NO_SUCH_TASK]


def test_verify_chain_refuses_a_block_that_accepted_an_out_of_bounds_claim():
    f = forged("scale")
    strict, kid = _registry(f)
    loose, _ = _registry(f, PublicBounds.unbounded(f.vk.n_public))
    bad = Claim(addr("mallory"), "1", kid, f.public, f.proof, "compute")
    acc, parent = _genesis()
    genesis = acc.to_bytes()
    forged_block = SigningBuilder(loose, CHAIN_ID).build(parent, acc, [bad], timestamp=1).block
    assert verify_chain([forged_block], loose, genesis=genesis,
                        chain_id=CHAIN_ID).rejected_claims == 1  # past the bounds: no task
    with pytest.raises(ChainVerificationError, match="block 0: the rejected claims or "
                                                     "their reasons differ"):
        verify_chain([forged_block], strict, genesis=genesis, chain_id=CHAIN_ID)
    honest_block = SigningBuilder(strict, CHAIN_ID).build(parent, acc, [bad], timestamp=1).block
    report = verify_chain([honest_block], strict, genesis=genesis, chain_id=CHAIN_ID)
    assert (report.accepted_claims, report.rejected_claims) == (0, 1)


# -- the registry --------------------------------------------------------------------
def test_the_registry_round_trips_its_bounds_through_json():
    f, g = forged("dense"), forged("normalize_s")
    reg, kid = _registry(f)
    kid2 = reg.register(g.vk, g.kernel.n_constraints, COMPUTE, unsafe_local_setup=True,
                        public_bounds=PublicBounds.unbounded(g.vk.n_public))
    text = json.dumps(reg.to_json())
    again = KernelRegistry.from_json(json.loads(text))
    assert again.get(kid).public_bounds == f.kernel.public_bounds()
    assert again.get(kid2).public_bounds == PublicBounds.unbounded(g.vk.n_public)
    assert again.to_json() == reg.to_json()
    item = json.loads(text)["kernels"][0]
    assert item["public_bounds"] == [{"count": f.vk.n_public, "range": [-32768, 32767]}]


def test_a_registered_key_cannot_be_registered_again_with_other_bounds():
    f = forged("scale")
    reg, kid = _registry(f)
    looser = PublicBounds.unbounded(f.vk.n_public)
    with pytest.raises(ValueError, match="already registered with other public bounds"):
        reg.register(f.vk, f.kernel.n_constraints, COMPUTE, public_bounds=looser,
                     unsafe_local_setup=True)
    with pytest.raises(ValueError, match="already registered$"):
        reg.register(f.vk, f.kernel.n_constraints, COMPUTE, unsafe_local_setup=True,
                     public_bounds=f.kernel.public_bounds())
    assert reg.get(kid).public_bounds == f.kernel.public_bounds()
    # nor through a registry file listing the key twice, the looser entry second
    data = reg.to_json()
    items = data["kernels"]
    loose_item = dict(items[0], public_bounds=looser.to_json())
    with pytest.raises(ValueError, match="already registered with other public bounds"):
        KernelRegistry.from_json(dict(data, kernels=[items[0], loose_item]))


def test_registration_needs_bounds_that_fit_the_key():
    f = forged("scale")
    n = f.vk.n_public
    reg = KernelRegistry()
    with pytest.raises(TypeError, match="public_bounds"):
        reg.register(f.vk, 10, COMPUTE)  # no default: bounds are never forgotten
    for bounds, match in ((None, "must be a PublicBounds"),
                          ([(n, -1, 1)], "must be a PublicBounds"),
                          (PublicBounds.unbounded(n + 1), f"describe {n + 1} signals"),
                          (PublicBounds.unbounded(n - 1), f"describe {n - 1} signals")):
        with pytest.raises(ValueError, match=match):
            reg.register(f.vk, 10, COMPUTE, public_bounds=bounds, unsafe_local_setup=True)
    with pytest.raises(ValueError, match="binding .*public input 0.*field element"):
        reg.register(f.vk, 10, COMPUTE, binding_position=0, unsafe_local_setup=True,
                     public_bounds=f.kernel.public_bounds())
    assert len(reg) == 0
    data = _registry(f)[0].to_json()
    item = data["kernels"][0]
    for broken, match in ((None, r"lacks \['public_bounds'\]"),
                          ([{"count": n, "range": "any"}], "range is"),
                          ([{"count": n + 1, "range": "field"}], f"describe {n + 1}")):
        entry = dict(item)
        if broken is None:
            del entry["public_bounds"]
        else:
            entry["public_bounds"] = broken
        with pytest.raises(ValueError, match=match):
            KernelRegistry.from_json(dict(data, kernels=[entry]))


def test_a_catalogue_kernel_with_binding_registers_its_bounds():
    k = K.scale(2, name="scale_2_public_s").with_binding()
    bounds = k.public_bounds()
    assert bounds.range_of(k.binding_position) is None
    pk = groth16.setup(k.circuit())
    reg = KernelRegistry()
    kid = reg.register(pk.verifying_key, k.n_constraints, COMPUTE, unsafe_local_setup=True,
                       binding_position=k.binding_position, public_bounds=bounds)
    assert reg.get(kid).public_bounds.range_of(k.public_inputs.index("s[]")) == (-32768, 32767)


def test_the_extra_cost_of_a_1000_claim_block_of_dense_32x64x32():
    """The bounds check of 1000 claims of dense_32x64x32 (3,104 public signals each),
    printed, not asserted (a loaded machine times nothing reliably)."""
    k = K.load("circuits/dense_32x64x32.toml")
    bounds = k.public_bounds()
    n = bounds.n_public
    assert n == 3104
    rng = np.random.default_rng(3)
    vectors = [tuple(int(v) % FR_MODULUS for v in rng.integers(-32768, 32768, n))
               for _ in range(20)]
    start = time.perf_counter()
    for i in range(1000):
        assert bounds.first_violation(vectors[i % 20]) is None
    seconds = time.perf_counter() - start
    print(f"\npublic bounds of 1000 dense_32x64x32 claims ({n} signals each): "
          f"{seconds:.3f} s, {seconds:.3g} ms per claim")
    bad = list(vectors[0])
    bad[-1] = HALF
    assert bounds.first_violation(bad) == n - 1
