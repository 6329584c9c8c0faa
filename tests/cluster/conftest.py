# SPDX-License-Identifier: MIT
"""A Dask LocalCluster of two worker processes shared by the cluster tests (started
once: a worker process takes about a second to start and import zkcx), the rollup kit's
kernels (tests.rollup.conftest) for blocks, and a small matmul kernel with the claim
binding, its catalogue text and its key."""

from __future__ import annotations

import pytest

from tests.rollup.conftest import kernels_kit, kit  # noqa: F401  (fixtures used here)
from zkcx import groth16
from zkcx import kernels as K

pytest.importorskip("distributed", reason="the cluster tests need zkcx[cluster] (dask)")

#: a 4x4x4 matmul with the claim binding: small, so setup and proofs take milliseconds
MATMUL_SPEC = """kernel = "matmul"
name = "matmul_4x4x4_bound"
m = 4
k = 4
n = 4
frac_bits = 8
bound_bits = 16
binding = true
"""


@pytest.fixture(scope="session")
def cluster():
    from zkcx.cluster import Cluster

    with Cluster(workers=2, progress=False) as c:
        yield c


class Matmul:
    """The test kernel loaded in this process, its key and the key file's bytes."""

    def __init__(self, spec: str = MATMUL_SPEC) -> None:
        import io

        self.spec = spec
        self.kernel = K.load(io.BytesIO(spec.encode()))
        self.pk = groth16.setup(self.kernel.circuit())
        self.vk = self.pk.verifying_key
        self.zkey = groth16.zkey_bytes(self.pk)


@pytest.fixture(scope="session")
def matmul() -> Matmul:
    return Matmul()
