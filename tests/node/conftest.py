# SPDX-License-Identifier: MIT
"""Fixtures of the node client's tests: a small task-ready kernel (dot product of 4,
inputs committed, bound to node and task) set up once, a chain with a requester's grant,
and the fake operator over it."""

from __future__ import annotations

import hashlib

import pytest

pytest.importorskip("httpx", reason="the node client needs the extra zkcx[network]")

from tests.node.fake_operator import FakeOperator  # noqa: E402
from zkcx import groth16  # noqa: E402
from zkcx.accounts import Signer  # noqa: E402
from zkcx.cli.demo import demo_kernel, spec_toml  # noqa: E402
from zkcx.market import CapacityProfile, Market  # noqa: E402
from zkcx.rewards import TOKEN  # noqa: E402
from zkcx.rollup import Chain, KernelRegistry, SQLiteChainStore  # noqa: E402

DOT = ("dot", {"n": 4, "frac_bits": 8, "bound_bits": 16}, ("x", "y"))
#: a task's fee per work unit in these tests (the demo's)
FEE_PER_UNIT = TOKEN // 1000


class SmallKernel:
    """dot_4 with its inputs committed and a claim binding: spec text, key, id."""

    def __init__(self) -> None:
        kind, params, committed = DOT
        self.kernel = demo_kernel(kind, "dot_4", params, committed)
        self.spec = spec_toml(kind, params, committed)
        self.pk = groth16.setup(self.kernel.circuit())
        self.zkey = groth16.zkey_bytes(self.pk)
        self.kernel_id = self.pk.verifying_key.digest()

    def register(self, registry: KernelRegistry) -> str:
        return registry.register_kernel(self.kernel, self.pk.verifying_key, "compute",
                                        unsafe_local_setup=True)


@pytest.fixture(scope="session")
def small_kernel() -> SmallKernel:
    return SmallKernel()


def key(name: str) -> Signer:
    return Signer(hashlib.sha256(f"zkcx-node-test:{name}".encode()).digest())


PROFILE = CapacityProfile("chain 2^8", 256, 50, 1, bytes(32))


@pytest.fixture
def operator(tmp_path, small_kernel) -> FakeOperator:
    registry = KernelRegistry()
    small_kernel.register(registry)
    market = Market.genesis({str(key("rita").address): 1000 * TOKEN})
    store = SQLiteChainStore.create(tmp_path / "chain.db", market)
    store.save_kernel_registry(registry)
    fake = FakeOperator(Chain(store, registry),
                        {small_kernel.kernel_id: (small_kernel.spec, small_kernel.zkey)})
    yield fake
    store.close()
