# SPDX-License-Identifier: MIT
"""The operator's HTTP API against a real server: every endpoint, and the attacks a
submission must survive (forged and cross-chain signatures, replays, stale and taken
nonces, duplicates, oversize and malformed bodies, unknown kernels, rate limits)."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest

from tests.operator.conftest import (
    CHAIN_ID,
    DOMAIN,
    NODES,
    assignee,
    claim_for,
    signer,
)
from tests.rollup.conftest import REQUESTER, addr
from zkcx import groth16
from zkcx.accounts import Signer
from zkcx.kernels import PublicBounds
from zkcx.rewards import Transfer
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import (
    KernelRegistry,
    SignedOperation,
    SQLiteChainStore,
    chain_domain,
    verify_chain,
)


def name_of(address: str) -> str:
    return next(n for n in NODES if addr(n) == address)


def tx_doc(op: SignedOperation, chain_id: int = CHAIN_ID) -> dict:
    return {"format": "zkcx-tx-v1", "chain_id": chain_id,
            "operation": "0x" + op.to_bytes().hex()}


def submit(server, claim) -> object:
    return server.client.post("/v1/claims", json=claim.to_json())


def assert_refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["error"], body
    return body


def test_status_and_openapi_document(serve):
    server = serve()
    status = server.client.get("/v1/status").json()
    with SQLiteChainStore.open(server.chain, read_only=True) as store:
        head = store.head()
        assert status["genesis_hash"] == store.genesis_hash().hex()
    assert status["chain_id"] == CHAIN_ID and status["height"] == head.height == 0
    assert status["head_hash"] == head.hash.hex() and status["pending"] == 0
    doc = server.client.get("/openapi.json").json()
    for path in ("/v1/status", "/v1/blocks", "/v1/blocks/{height}", "/v1/headers/{height}",
                 "/v1/verify", "/v1/accounts/{address}", "/v1/tasks", "/v1/tasks/{task_id}",
                 "/v1/nodes/{address}/assignments", "/v1/models", "/v1/models/{model_id}",
                 "/v1/jobs", "/v1/jobs/{job_id}", "/v1/kernels", "/v1/kernels/{kernel_id}",
                 "/v1/kernels/{kernel_id}/spec", "/v1/kernels/{kernel_id}/zkey",
                 "/v1/blobs", "/v1/blobs/{sha256}", "/v1/claims", "/v1/transactions",
                 "/v1/submissions/{item_hash}", "/v1/pool"):
        assert path in doc["paths"], path
    body = doc["paths"]["/v1/claims"]["post"]["requestBody"]["content"]["application/json"]
    assert "node_id" in body["schema"]["properties"]
    assert server.client.get("/docs").status_code == 200
    assert_refused(server.client.get("/v1/nope"), 404, "not_found")


def test_a_claim_goes_from_pending_to_accepted_and_pays(serve, square):
    server = serve()
    node = assignee(server.chain, 0)
    claim = claim_for(square, name_of(node), 0, 1)
    before = server.client.get(f"/v1/accounts/{node}").json()
    assert before["nonce"] == 1 and before["pending_nonce"] == 1  # it registered
    response = submit(server, claim)
    assert response.status_code == 202, response.text
    ack = response.json()
    assert ack["hash"] == claim.claim_hash.hex() and ack["status"] == "pending"
    sub = server.client.get(f"/v1/submissions/{ack['hash']}").json()
    assert sub["status"] == "pending" and sub["seq"] == ack["seq"]
    assert server.client.get(f"/v1/accounts/{node}").json()["pending_nonce"] == 2
    assert server.client.get("/v1/status").json()["pending"] == 1
    block = server.operator.sealer.seal()
    assert [c.claim_hash for c in block.accepted] == [claim.claim_hash]
    sub = server.client.get(f"/v1/submissions/{ack['hash']}").json()
    assert (sub["status"], sub["height"]) == ("accepted", 1)
    after = server.client.get(f"/v1/accounts/{node}").json()
    assert after["nonce"] == 2 and after["pending_nonce"] == 2
    assert after["earnings"]["claims_accepted"] == 1
    assert int(after["balance"]) > int(before["balance"])
    assert int(after["earnings"]["earned_total"]) > 0
    task = server.client.get("/v1/tasks/0").json()
    assert task["status"] == "done" and task["claim_hash"] == ack["hash"]
    shown = server.client.get("/v1/blocks/1").json()
    assert shown["hash"] == block.hash.hex()
    assert shown["accepted"][0]["claim_hash"] == ack["hash"]
    assert server.client.get("/v1/headers/1").json()["hash"] == block.hash.hex()
    listing = server.client.get("/v1/blocks").json()
    assert [h["height"] for h in listing["headers"]] == [0, 1]
    assert server.client.get("/v1/blocks", params={"start": 1, "limit": 1}).json()[
        "headers"][0]["hash"] == block.hash.hex()
    verified = server.client.get("/v1/verify").json()
    assert verified["status"] == "ok" and verified["blocks"] == 2
    assert verified["head_hash"] == block.hash.hex() and verified["accepted_claims"] == 1
    pool = server.client.get("/v1/pool").json()
    with SQLiteChainStore.open(server.chain, read_only=True) as store:
        market = store.load_state()
        emissions = [store.block(h).header.emission for h in (0, 1)]
    assert [p["height"] for p in pool["points"]] == [0, 1]
    assert [int(p["emission"]) for p in pool["points"]] == emissions
    assert int(pool["points"][-1]["released"]) == sum(emissions)
    assert int(pool["points"][-1]["pool"]) == market.ledger.pool


def test_the_same_claim_twice_is_one_item_and_a_replay_is_refused(serve, square):
    server = serve()
    node = assignee(server.chain, 0)
    claim = claim_for(square, name_of(node), 0, 1)
    first, again = submit(server, claim), submit(server, claim)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert server.client.get("/v1/status").json()["pending"] == 1
    server.operator.sealer.seal()
    body = assert_refused(submit(server, claim), 409, "already_included")
    assert body["height"] == 1
    # the same proof and task, signed again with the next nonce: a replay of the
    # statement, which the block rejects (the nonce is consumed, nothing paid twice)
    replay = claim_for(square, name_of(node), 0, 2)
    assert submit(server, replay).status_code == 202
    block = server.operator.sealer.seal()
    assert [r.reason.value for r in block.rejected] == ["replayed"]
    sub = server.client.get(f"/v1/submissions/{replay.claim_hash.hex()}").json()
    assert (sub["status"], sub["reason"], sub["height"]) == ("rejected", "replayed", 2)


def test_stale_taken_and_far_nonces_are_refused(serve, square):
    server = serve(max_nonce_ahead=8)
    node = assignee(server.chain, 0)
    name = name_of(node)
    assert submit(server, claim_for(square, name, 0, 1)).status_code == 202
    other = claim_for(square, name, 7, 1)  # another claim with the pending one's nonce
    assert_refused(submit(server, other), 409, "nonce_taken")
    assert_refused(submit(server, claim_for(square, name, 7, 9)), 409, "nonce_too_far")
    server.operator.sealer.seal()
    assert_refused(submit(server, other), 409, "stale_nonce")


def test_forged_and_cross_chain_signatures_are_refused(serve, square):
    server = serve()
    node = assignee(server.chain, 0)
    name = name_of(node)
    thief = Signer(bytes(31) + b"\x09")
    assert_refused(submit(server, claim_for(square, name, 0, 1, key=thief)), 403,
                   "wrong_signer")
    other_chain = chain_domain(CHAIN_ID + 1)
    assert_refused(submit(server, claim_for(square, name, 0, 1, domain=other_chain)), 403,
                   "wrong_signer")
    unsigned = dataclasses.replace(claim_for(square, name, 0, 1), signature=None)
    assert_refused(submit(server, unsigned), 401, "unsigned")
    # operations: signed for another chain (named as ours, or as the other)
    op = SignedOperation.sign(Transfer(REQUESTER, node, 5), 3, signer("requester"),
                              other_chain)
    assert_refused(server.client.post("/v1/transactions", json=tx_doc(op)), 403,
                   "wrong_signer")
    assert_refused(server.client.post("/v1/transactions", json=tx_doc(op, CHAIN_ID + 1)),
                   403, "wrong_chain")
    draft = SignedOperation(Transfer(REQUESTER, node, 5), 3)
    forged = dataclasses.replace(draft, signature=thief.sign(draft.digest(DOMAIN)))
    assert_refused(server.client.post("/v1/transactions", json=tx_doc(forged)), 403,
                   "wrong_signer")
    assert server.client.get("/v1/status").json()["pending"] == 0


def test_a_transaction_is_applied_and_its_replay_refused(serve):
    server = serve()
    node = addr(NODES[0])
    op = SignedOperation.sign(Transfer(REQUESTER, node, 12345), 3, signer("requester"),
                              DOMAIN)
    before = int(server.client.get(f"/v1/accounts/{node}").json()["balance"])
    response = server.client.post("/v1/transactions", json=tx_doc(op))
    assert response.status_code == 202 and response.json()["hash"] == op.hash.hex()
    server.operator.sealer.seal()
    sub = server.client.get(f"/v1/submissions/{op.hash.hex()}").json()
    assert (sub["status"], sub["height"]) == ("applied", 1)
    assert int(server.client.get(f"/v1/accounts/{node}").json()["balance"]) == before + 12345
    assert_refused(server.client.post("/v1/transactions", json=tx_doc(op)), 409,
                   "already_included")


def test_a_blocks_rejections_show_in_submissions(serve, square):
    server = serve()
    node = assignee(server.chain, 0)
    name = name_of(node)
    no_task = claim_for(square, name, 999, 1, x=5)  # a task that does not exist
    assert submit(server, no_task).status_code == 202
    block = server.operator.sealer.seal()
    assert [r.reason.value for r in block.rejected] == ["no-such-task"]
    sub = server.client.get(f"/v1/submissions/{no_task.claim_hash.hex()}").json()
    assert (sub["status"], sub["reason"], sub["height"]) == ("rejected", "no-such-task", 1)
    assert sub["detail"]
    unknown = server.client.get("/v1/submissions/" + "ab" * 32).json()
    assert unknown["status"] == "unknown"
    assert_refused(server.client.get("/v1/submissions/xyz"), 400, "bad_hash")


def test_bodies_are_bounded_and_validated(serve, square):
    server = serve(max_body=4096)
    node = assignee(server.chain, 0)
    claim = claim_for(square, name_of(node), 0, 1).to_json()
    big = json.dumps({**claim, "pad": "x" * 5000})
    assert_refused(server.client.post("/v1/claims", content=big,
                                      headers={"content-type": "application/json"}),
                   413, "body_too_large")

    def chunks():  # no Content-Length: refused while it streams
        for _ in range(10):
            yield b" " * 1000

    assert_refused(server.client.post("/v1/claims", content=chunks()), 413, "body_too_large")
    post = server.client.post
    assert_refused(post("/v1/claims", content=b"{not json"), 400, "malformed_json")
    assert_refused(post("/v1/claims", content=b"[" * 100 + b"]" * 100), 400,
                   "malformed_json")
    assert_refused(post("/v1/claims", content=b"\xff\xfe"), 400, "malformed_json")
    assert_refused(post("/v1/claims", json=[1, 2]), 422, "invalid_request")
    assert_refused(post("/v1/claims", json={**claim, "nonce": "0"}), 422, "invalid_request")
    assert_refused(post("/v1/claims", json={**claim, "extra": 1}), 422, "invalid_request")
    missing = {k: v for k, v in claim.items() if k != "proof"}
    assert_refused(post("/v1/claims", json=missing), 422, "invalid_request")
    assert_refused(post("/v1/claims", json={**claim, "kernel_id": "zz" * 32}), 400,
                   "malformed_claim")
    bad_point = {**claim, "proof": {**claim["proof"], "pi_a": ["1", "3", "1"]}}
    assert_refused(post("/v1/claims", json=bad_point), 400, "malformed_claim")
    assert_refused(post("/v1/claims", json={**claim, "format": "zkcx-claim-v0"}), 400,
                   "malformed_claim")
    assert_refused(post("/v1/claims", json={**claim, "kernel_id": "ab" * 32}), 400,
                   "unknown_kernel")
    tx = post("/v1/transactions", json={"format": "zkcx-tx-v1", "chain_id": CHAIN_ID,
                                         "operation": "0xzz"})
    assert_refused(tx, 422, "invalid_request")
    assert_refused(post("/v1/transactions", json={"format": "zkcx-tx-v1",
                                                   "chain_id": CHAIN_ID,
                                                   "operation": "0x0102"}),
                   400, "malformed_operation")
    assert server.client.get("/v1/status").json()["pending"] == 0


def test_rate_limits_answer_429_with_retry_after(serve, square):
    server = serve(account_rate=0.01, account_burst=2)
    node = assignee(server.chain, 0)
    name = name_of(node)
    for nonce in (1, 2):
        assert submit(server, claim_for(square, name, 0, nonce)).status_code == 202
    refused = submit(server, claim_for(square, name, 0, 3))
    assert_refused(refused, 429, "rate_limited")
    assert int(refused.headers["retry-after"]) >= 1
    # another account is not limited by this one's bucket
    other = assignee(server.chain, 1)
    assert submit(server, claim_for(square, name_of(other), 1, 1)).status_code == 202


def test_the_client_address_is_rate_limited_too(serve, square):
    server = serve(client_rate=0.01, client_burst=3)
    for _k in range(3):
        response = server.client.post("/v1/claims", content=b"{")
        assert response.status_code == 400
    assert_refused(server.client.post("/v1/claims", content=b"{"), 429, "rate_limited")


def test_state_views(serve, square):
    server = serve(tasks=3)
    get = server.client.get
    tasks = get("/v1/tasks").json()
    assert [t["task_id"] for t in tasks["tasks"]] == [0, 1, 2] and tasks["next_after"] is None
    page = get("/v1/tasks", params={"limit": 2}).json()
    assert [t["task_id"] for t in page["tasks"]] == [0, 1] and page["next_after"] == 1
    rest = get("/v1/tasks", params={"after": 1}).json()
    assert [t["task_id"] for t in rest["tasks"]] == [2]
    node = assignee(server.chain, 0)
    mine = get("/v1/tasks", params={"assignee": node}).json()["tasks"]
    assert mine and all(t["assignee"] == node for t in mine)
    assert get("/v1/tasks", params={"status": "done"}).json()["tasks"] == []
    assert_refused(get("/v1/tasks", params={"status": "nonsense"}), 400, "bad_status")
    assert_refused(get("/v1/tasks", params={"assignee": node.lower()}), 400, "bad_address")
    work = get(f"/v1/nodes/{node}/assignments").json()["items"]
    assert {t["task_id"] for t in work} == {t["task_id"] for t in mine}
    assert work[0]["kernel_id"] == square.kernel_id and work[0]["data_uri"] == "blob:test"
    assert_refused(get("/v1/tasks/99"), 404, "not_found")
    assert_refused(get("/v1/blocks/5"), 404, "not_found")
    assert_refused(get("/v1/headers/-1"), 404, "not_found")
    assert get("/v1/models").json()["items"] == []
    assert_refused(get("/v1/models/nope"), 404, "not_found")
    assert get("/v1/jobs").json()["items"] == []
    assert_refused(get("/v1/jobs/0"), 404, "not_found")
    assert_refused(get("/v1/accounts/0x1234"), 400, "bad_address")
    requester = get(f"/v1/accounts/{REQUESTER}").json()
    assert requester["nonce"] == 3 and int(requester["held"]) > 0


def test_kernels_blobs_and_files(serve, square, tmp_path):
    folder = tmp_path / "kernels"
    folder.mkdir()
    groth16.write_zkey(square.pk, folder / "square.zkey")
    (folder / "square.toml").write_text('kernel = "square"\n')
    server = serve(kernels_dir=str(folder))
    get = server.client.get
    items = get("/v1/kernels").json()["items"]
    assert [(k["kernel_id"], k["files"], k["task_ready"]) for k in items] == [
        (square.kernel_id, True, True)]
    entry = get(f"/v1/kernels/{square.kernel_id}").json()
    assert entry["verifying_key"] == square.registry.to_json()["kernels"][0]["verifying_key"]
    assert get(f"/v1/kernels/{square.kernel_id}/spec").text == 'kernel = "square"\n'
    zkey = get(f"/v1/kernels/{square.kernel_id}/zkey").content
    assert zkey == (folder / "square.zkey").read_bytes()
    assert groth16.read_zkey(zkey).verifying_key.digest() == square.kernel_id
    assert_refused(get("/v1/kernels/" + "cd" * 32), 404, "not_found")
    assert_refused(get("/v1/kernels/" + "cd" * 32 + "/zkey"), 404, "not_found")
    data = bytes(range(256)) * 100
    stored = server.client.post("/v1/blobs", content=data)
    assert stored.status_code == 201
    digest = stored.json()["sha256"]
    assert digest == hashlib.sha256(data).hexdigest()
    assert get(f"/v1/blobs/{digest}").content == data
    assert_refused(get("/v1/blobs/" + "00" * 32), 404, "not_found")
    assert_refused(get("/v1/blobs/00"), 400, "bad_hash")


def test_blocks_seal_by_size_without_waiting_for_the_interval(serve, square):
    server = serve(block_size=2)
    nonces: dict[str, int] = {}
    for task in (0, 1):
        node = assignee(server.chain, task)
        nonces[node] = nonces.get(node, 1) + 1
        claim = claim_for(square, name_of(node), task, nonces[node] - 1)
        assert submit(server, claim).status_code == 202
    server.wait_height(1, timeout=60)
    block = server.client.get("/v1/blocks/1").json()
    assert len(block["accepted"]) == 2


def test_blocks_seal_at_the_interval_empty_ones_too(serve, square):
    server = serve(block_interval=0.3, seal_empty=True)
    server.wait_height(2, timeout=60)  # nothing submitted: heights still move
    node = assignee(server.chain, 0)
    ack = submit(server, claim_for(square, name_of(node), 0, 1)).json()
    height = server.client.get("/v1/status").json()["height"]
    server.wait_height(height + 2, timeout=60)
    sub = server.client.get(f"/v1/submissions/{ack['hash']}").json()
    assert sub["status"] == "accepted"
    with SQLiteChainStore.open(server.chain, read_only=True) as store:
        verify_chain(store, store.kernel_registry())



def test_kernels_registered_while_serving_count_from_the_next_block(serve, square):
    server = serve()
    pk = groth16.setup(square.r1cs)  # the same circuit set up again: another kernel
    registry = KernelRegistry.from_json(square.registry.to_json())
    kid = registry.register(pk.verifying_key, square.r1cs.n_constraints, ClaimKind.COMPUTE,
                            None, 2, public_bounds=PublicBounds.unbounded(square.r1cs.n_public),
                            input_positions=(1,), unsafe_local_setup=True)
    with SQLiteChainStore.open(server.chain) as store:
        store.save_kernel_registry(registry)
    node = assignee(server.chain, 0)
    claim = dataclasses.replace(claim_for(square, name_of(node), 0, 1), kernel_id=kid)
    claim = claim.signed(signer(name_of(node)), DOMAIN, 1)
    assert_refused(submit(server, claim), 400, "unknown_kernel")
    server.operator.sealer.seal()  # an empty block; the sealer reloads the kernels
    assert submit(server, claim).status_code == 202
    kernels = server.client.get("/v1/kernels").json()["items"]
    assert {k["kernel_id"] for k in kernels} == {square.kernel_id, kid}


def test_a_chain_without_blocks_is_served_and_sealed(serve, tmp_path):
    path = tmp_path / "empty.db"
    SQLiteChainStore.create(path, chain_id=CHAIN_ID).close()
    server = serve(chain=path)
    status = server.client.get("/v1/status").json()
    assert (status["height"], status["head_hash"]) == (-1, None)
    assert server.client.get("/v1/blocks").json()["headers"] == []
    assert server.client.get("/v1/pool").json()["points"] == []
    block = server.operator.sealer.seal()
    assert block.height == 0 and server.client.get("/v1/status").json()["height"] == 0
    assert server.client.get("/v1/verify").json()["status"] == "ok"


def test_a_stopping_operator_answers_503(serve, square):
    server = serve()
    server.operator.accepting = False
    node = assignee(server.chain, 0)
    assert_refused(submit(server, claim_for(square, name_of(node), 0, 1)), 503,
                   "shutting_down")
    server.operator.accepting = True


def test_blocks_verify_on_a_dask_cluster(serve, square):
    pytest.importorskip("distributed")
    from zkcx.cluster import Cluster

    with Cluster(workers=1, progress=False) as cluster:
        inner, calls = cluster.verifier(), []

        def verifier(groups):
            calls.append(len(groups))
            return inner(groups)

        server = serve(verifier=verifier)
        node = assignee(server.chain, 0)
        good = claim_for(square, name_of(node), 0, 1)
        other = assignee(server.chain, 1)
        forged_proof = dataclasses.replace(claim_for(square, name_of(other), 1, 1),
                                           proof=good.proof)  # not this statement's proof
        forged_proof = forged_proof.signed(signer(name_of(other)), DOMAIN, 1)
        assert submit(server, good).status_code == 202
        assert submit(server, forged_proof).status_code == 202
        block = server.operator.sealer.seal()
        assert calls  # the cluster verified the block's batch
        assert [c.claim_hash for c in block.accepted] == [good.claim_hash]
        assert [r.reason.value for r in block.rejected] == ["invalid-proof"]
        verified = server.client.get("/v1/verify").json()
        assert verified["status"] == "ok" and len(calls) >= 2  # the verification too


def test_an_operator_on_postgresql(serve, square, postgres_url):
    from tests.operator.conftest import make_chain
    from zkcx.rollup.store import open_store

    make_chain(postgres_url, square)
    server = serve(chain=postgres_url)
    node = assignee(postgres_url, 0)
    claim = claim_for(square, name_of(node), 0, 1)
    ack = submit(server, claim)
    assert ack.status_code == 202 and submit(server, claim).json() == ack.json()
    assert server.client.get(f"/v1/submissions/{claim.claim_hash.hex()}").json()[
        "status"] == "pending"
    block = server.operator.sealer.seal()
    assert [c.claim_hash for c in block.accepted] == [claim.claim_hash]
    sub = server.client.get(f"/v1/submissions/{claim.claim_hash.hex()}").json()
    assert (sub["status"], sub["height"]) == ("accepted", 1)
    assert server.client.get("/v1/verify").json()["status"] == "ok"
    with open_store(postgres_url, read_only=True) as store:
        assert store.pending_count() == 0
        verify_chain(store, store.kernel_registry())
