# SPDX-License-Identifier: MIT
"""The explorer as the operator serves it: ``create_app`` mounts the router at "/" over
the operator's own readers (``Operator.reader``: a per-thread read-only store inside a
snapshot). Claims submitted over the JSON API and sealed by the operator show on the HTML
pages, which agree with the JSON API's figures and the store, and follow the chain as the
sealer adds blocks."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the operator needs zkcx[network]")
pytest.importorskip("jinja2", reason="the explorer needs zkcx[network]")

from tests.operator.conftest import NODES, assignee, claim_for  # noqa: E402
from tests.operator.explorer_pages import Page, polyline_points  # noqa: E402
from tests.rollup.conftest import addr  # noqa: E402
from zkcx.operator._explorer_format import tokens  # noqa: E402
from zkcx.rollup import SQLiteChainStore  # noqa: E402


def page(server, url: str, status: int = 200) -> Page:
    response = server.client.get(url)
    assert response.status_code == status, (url, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


def test_the_operator_serves_the_explorer_over_its_chain(serve, square):
    server = serve()
    assert page(server, "/").text("height") == "0"
    assert len(polyline_points(page(server, "/pool"), "pool-line")) == 1
    claims = []
    for task in range(2):
        node = assignee(server.chain, task)
        name = next(n for n in NODES if addr(n) == node)
        nonce = server.client.get(f"/v1/accounts/{node}").json()["pending_nonce"]
        claims.append(claim_for(square, name, task, nonce))
        response = server.client.post("/v1/claims", json=claims[-1].to_json())
        assert response.status_code == 202, response.text
    block = server.operator.sealer.seal()
    assert {c.claim_hash for c in block.accepted} == {c.claim_hash for c in claims}
    status = server.client.get("/v1/status").json()
    home = page(server, "/")
    assert home.text("height") == str(status["height"]) == str(block.height)
    assert home.text("head-hash") == status["head_hash"] == block.hash.hex()
    shown = page(server, f"/blocks/{block.height}")
    assert [e.attrs["data-verdict"] for e in shown.find("tr", "claim")] == ["accepted"] * 2
    assert sorted(int(e.attrs["data-task"]) for e in shown.find("tr", "payment")) == [0, 1]
    pool = server.client.get("/v1/pool").json()["points"]
    plotted = page(server, "/pool")
    assert len(polyline_points(plotted, "pool-line")) == len(pool) == block.height + 1
    assert [int(e.attrs["data-pool"]) for e in plotted.find("tr", "pool-row")] == \
        [int(p["pool"]) for p in reversed(pool)]
    with SQLiteChainStore.open(server.chain, read_only=True) as store:
        market = store.load_state()
    for claim in claims:
        account = page(server, f"/accounts/{claim.node_id}")
        assert account.text("balance") == tokens(market.ledger.account(claim.node_id).balance)
        earned = server.client.get(f"/v1/accounts/{claim.node_id}").json()["earnings"]
        rewards = [int(e.attrs["data-reward"]) for e in account.find("tr", "earning")]
        assert sum(rewards) == int(earned["earned_total"])
        assert [int(e.attrs["data-height"]) for e in account.find("tr", "earning")] == \
            [block.height]
    page(server, f"/blocks/{block.height + 1}", 404)
