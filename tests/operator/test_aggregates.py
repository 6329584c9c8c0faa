# SPDX-License-Identifier: MIT
"""An operator on a chain whose blocks carry SnarkPack aggregates: the blocks it seals
carry them, its light view of a block serves what light verification reads (no proofs),
and the chain verifies in full and light."""

from __future__ import annotations

import pytest

from tests.operator.conftest import NODES, assignee, claim_for, make_chain
from tests.rollup.conftest import addr
from zkcx.errors import InvalidArgumentError
from zkcx.groth16 import AggregateProof, unsafe_local_aggregation_srs, verify_aggregate
from zkcx.rollup import SQLiteChainStore, verify_chain, verify_chain_light
from zkcx.rollup.block import aggregate_label

SRS = unsafe_local_aggregation_srs(2, b"operator aggregates test")


def _name_of(address: str) -> str:
    return next(n for n in NODES if addr(n) == address)


def test_sealed_blocks_carry_aggregates_and_a_light_view(serve, square, tmp_path):
    from zkcx.operator import OperatorConfig

    with pytest.raises(InvalidArgumentError, match="exceeds the aggregation SRS"):
        OperatorConfig("chain.db", block_size=4, aggregation_srs=SRS)
    path = make_chain(tmp_path / "agg.db", square, aggregation_srs=SRS)
    server = serve(chain=path, block_size=2, aggregation_srs=SRS)
    nonces: dict[str, int] = {}
    for task in (0, 1):
        node = assignee(path, task)
        nonces[node] = nonces.get(node, 1) + 1
        claim = claim_for(square, _name_of(node), task, nonces[node] - 1)
        assert server.client.post("/v1/claims", json=claim.to_json()).status_code == 202
    server.wait_height(1, timeout=60)
    view = server.client.get("/v1/blocks/1/light").json()
    assert len(view["statements"]) == 2 and "proof" not in str(view).lower()
    (agg,) = view["aggregates"]
    assert agg["kernel_id"] == square.kernel_id
    label = aggregate_label(server.operator.chain_id, bytes.fromhex(view["header"]["parent_hash"]),
                            1, square.kernel_id)
    assert verify_aggregate(SRS.verifier_key(), square.registry.get(square.kernel_id).vk,
                            [[int(x) for x in c["public_inputs"]] for c in view["statements"]],
                            AggregateProof.from_bytes(bytes.fromhex(agg["aggregate"])), label)
    assert server.client.get("/v1/blocks/9/light").status_code == 404
    page = server.client.get("/blocks/1")  # the explorer replays blocks with aggregates
    assert page.status_code == 200, page.text[:500]
    with SQLiteChainStore.open(path, read_only=True) as store:
        verify_chain(store, square.registry)
        assert verify_chain_light(store, square.registry).aggregates == 1
        # a light client checks the served light views alone, no proof or body
        views = [server.client.get(f"/v1/blocks/{h}/light").json() for h in (0, 1)]
        light = verify_chain_light(views, square.registry, genesis=store.genesis(),
                                   chain_id=store.chain_id(),
                                   aggregation_key=SRS.verifier_key())
        assert light.head_hash.hex() == views[1]["hash"] and light.accepted_claims == 2


def test_serve_refuses_an_srs_for_a_chain_without_a_key_and_a_key_without_srs(square,
                                                                               tmp_path):
    from tests.cli.conftest import run_main

    plain = make_chain(tmp_path / "plain.db", square)
    run = run_main("operator", "serve", "--chain", plain, "--port", "0",
                   "--unsafe-aggregation-srs", "x")
    assert run.code == 2 and "keeps no aggregation key" in run.stderr
    keyed = make_chain(tmp_path / "keyed.db", square, aggregation_srs=SRS)
    run = run_main("operator", "serve", "--chain", keyed, "--port", "0")
    assert run.code == 2 and "--unsafe-aggregation-srs" in run.stderr
