# SPDX-License-Identifier: MIT
"""pytest-benchmark cases for signed transactions (issue 13): recovering the signers of
1000 claims' digests (``accounts.recover``) and of 1000 decoded claims (``Claim.signer``:
the EIP-712 digest, then the recovery). Under the project's default options they run
once as plain tests, checking a tenth of the 10,000/s target (a loaded machine must not
fail them); benchmarks/rollup_report.py prints the figures."""

from __future__ import annotations

import time

import pytest

from zkcx.accounts import Signer, recover
from zkcx.curve import G1, G2
from zkcx.groth16 import Proof
from zkcx.rollup import Claim, chain_domain

TARGET_PER_SECOND = 10_000
DOMAIN = chain_domain(31337)


@pytest.fixture(scope="module")
def signed_claims() -> list[bytes]:
    """1000 claims of 50 nodes over two public inputs, signed (the proof's points are
    fixed: signing does not look at whether the proof verifies)."""
    nodes = [Signer(bytes([0] * 31 + [k + 1])) for k in range(50)]
    proof = Proof(G1.generator(), G2.generator(), G1.generator())
    out = []
    for i in range(1000):
        node = nodes[i % 50]
        claim = Claim(str(node.address), f"task{i}", "ab" * 32, (i, i + 1), proof, "compute")
        out.append(claim.signed(node, DOMAIN, i // 50).to_bytes())
    return out


def test_recover_1000_signatures(benchmark, signed_claims):
    claims = [Claim.from_bytes(b) for b in signed_claims]
    pairs = [(c.digest(DOMAIN), c.signature) for c in claims]
    signers = benchmark(lambda: [recover(d, s) for d, s in pairs])
    assert [str(a) for a in signers] == [c.node_id for c in claims]
    started = time.perf_counter()
    for d, s in pairs:
        recover(d, s)
    rate = len(pairs) / (time.perf_counter() - started)
    assert rate >= TARGET_PER_SECOND / 10, f"{rate:,.0f} recoveries/s"


def test_claim_signers_of_1000_decoded_claims(benchmark, signed_claims):
    def decode_and_recover():
        return [Claim.from_bytes(b).signer(DOMAIN) for b in signed_claims]

    signers = benchmark(decode_and_recover)
    assert len(set(signers)) == 50
