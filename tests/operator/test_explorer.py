# SPDX-License-Identifier: MIT
"""The explorer's pages against the chain they show: a small chain with real blocks
(``explorer_chain``), the router mounted in a bare FastAPI app, every page read with
httpx (Starlette's TestClient) and its content compared with what the store holds and
with what the chain's builder did (its own outcomes: the explorer replays the blocks
itself). Expected figures are derived from the store, the builder's outcomes or the
chain's parameters, never written in. Then the attacks: malformed and unknown heights,
ids, addresses and pages (400 and 404 pages, never a traceback), markup put on the chain
(escaped), a store that cannot be read, a chain that does not replay; and the cache of
replayed blocks following a growing chain and a replaced one."""

from __future__ import annotations

import contextlib

import pytest

fastapi = pytest.importorskip("fastapi", reason="the explorer needs zkcx[network]")
pytest.importorskip("jinja2", reason="the explorer needs zkcx[network]")

from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.operator.explorer_chain import EVIL_MODEL, EVIL_URI, build_chain  # noqa: E402
from tests.operator.explorer_pages import Page, polyline_points  # noqa: E402
from tests.rollup.conftest import Kernels, addr  # noqa: E402
from zkcx.market import Market, TaskStatus  # noqa: E402
from zkcx.operator import explorer  # noqa: E402
from zkcx.operator._explorer_format import tokens  # noqa: E402
from zkcx.operator._explorer_plot import MAX_POINTS, line_chart, nice_axis  # noqa: E402
from zkcx.rewards import SUPPLY, TOKEN  # noqa: E402
from zkcx.rollup import (  # noqa: E402
    Chain,
    ChainStoreError,
    KernelRegistry,
    SQLiteChainStore,
)

PPB = 10**9


@pytest.fixture(scope="module")
def kernels() -> Kernels:
    return Kernels()


@pytest.fixture(scope="module")
def chain(tmp_path_factory, kernels):
    return build_chain(tmp_path_factory.mktemp("explorer") / "chain.db", kernels)


def client_for(open_reader) -> TestClient:
    app = fastapi.FastAPI()
    app.include_router(explorer.router(open_reader))
    return TestClient(app)


@pytest.fixture(scope="module")
def client(chain):
    with client_for(lambda: SQLiteChainStore.open(chain.path, read_only=True)) as c:
        yield c


@pytest.fixture(scope="module")
def store(chain):
    with SQLiteChainStore.open(chain.path, read_only=True) as s:
        yield s


@pytest.fixture(scope="module")
def market(store) -> Market:
    return store.load_state()


def get(client, url: str, status: int = 200) -> Page:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text
    return Page(response.text)


def expected_verdicts(accepted, rejected) -> list[tuple[str, str, str]]:
    """(index, verdict, reason) in received order, from a block's stored lists."""
    reasons = {r.index: r.reason.value for r in rejected}
    return [(str(i), "rejected", reasons[i]) if i in reasons else (str(i), "accepted", "")
            for i in range(len(accepted) + len(rejected))]


# -- the status page and the block list ------------------------------------------------------

def test_the_status_page_shows_the_head_and_the_supply(client, store, market):
    page = get(client, "/")
    head = store.head()
    assert page.text("height") == str(head.height)
    assert page.text("head-hash") == head.hash.hex()
    assert page.text("chain-id") == str(store.chain_id())
    ledger = market.ledger
    balances, stakes, unbonding, held = ledger.totals()
    for ident, amount in (("pool", ledger.pool), ("balances", balances), ("stakes", stakes),
                          ("unbonding", unbonding), ("held", held), ("supply-total", SUPPLY)):
        assert page.text(ident) == tokens(amount), ident
    rows = [int(e.attrs["data-height"]) for e in page.find("tr", "block-row")]
    assert rows == list(range(head.height, max(head.height - explorer.LAST_BLOCKS, -1), -1))


def test_the_block_list_is_paged_newest_first(client, store, monkeypatch):
    monkeypatch.setitem(explorer.PER_PAGE, "blocks", 4)
    heights = list(range(store.head().height, -1, -1))
    seen, url = [], "/blocks"
    while url:
        page = get(client, url)
        rows = [int(e.attrs["data-height"]) for e in page.find("tr", "block-row")]
        assert 0 < len(rows) <= 4
        seen += rows
        nxt = [a for a in page.find("a") if a.attrs.get("rel") == "next"]
        url = nxt[0].attrs["href"] if nxt else None
    assert seen == heights
    get(client, f"/blocks?page={-(-len(heights) // 4) + 1}", 404)


# -- one block --------------------------------------------------------------------------------

def test_every_block_page_shows_its_header_verdicts_and_payments(client, store, chain, market):
    for block in store.blocks():
        h = block.height
        page = get(client, f"/blocks/{h}")
        assert page.text("block-hash") == block.hash.hex()
        assert page.text("emission").startswith(tokens(block.header.emission) + " tokens")
        assert page.text("pool-after") == tokens(chain.pools[h]) + " tokens"
        claims = [(e.attrs["data-index"], e.attrs["data-verdict"], e.attrs["data-reason"])
                  for e in page.find("tr", "claim")]
        assert claims == expected_verdicts(block.accepted, block.rejected)
        ops = [(e.attrs["data-index"], e.attrs["data-verdict"].replace("applied", "accepted"),
                e.attrs["data-reason"]) for e in page.find("tr", "operation")]
        assert ops == expected_verdicts(block.operations, block.rejected_operations)
        for claim in block.accepted:
            assert claim.claim_hash.hex()[:12] in page.text("claims")
        outcome = chain.outcomes.get(h)
        paid = outcome.paid if outcome else ()
        rows = page.find("tr", "payment")
        assert [int(e.attrs["data-task"]) for e in rows] == [p.task_id for p in paid]
        shares = [e.text for e in page.find("td", "node-share")]
        for share, p in zip(shares, paid, strict=True):
            pool_fee = p.fee * market.params(h).pool_fee_ppb // PPB  # the rule, not the code
            assert share == tokens(p.fee - pool_fee)
        rewards = {e.attrs["data-node"]: e.text for e in page.find("tr", "reward")}
        expected = {} if outcome is None else {n: v for n, v in outcome.ledger.paid.items()}
        assert rewards.keys() == expected.keys()
        for node, amount in expected.items():
            assert rewards[node].endswith(tokens(amount))


def test_the_blocks_show_rejections_for_several_reasons(client, store):
    """The chain holds what the explorer must show (a guard on the fixture itself)."""
    reasons = {r.reason.value for b in store.blocks() for r in b.rejected}
    op_reasons = {r.reason.value for b in store.blocks() for r in b.rejected_operations}
    assert {"not-assignee", "invalid-proof", "replayed", "malformed"} <= reasons
    assert {"invalid-operation", "bad-nonce", "malformed"} <= op_reasons
    page = get(client, "/blocks/2")
    assert "the Groth16 proof does not verify" in page.text("claims")
    assert "stake slashed for an invalid proof" in page.text("penalties")


def test_undecodable_claims_and_operations_are_listed_as_such(client, store):
    block = next(b for b in store.blocks()
                 if any(r.reason.value == "malformed" for r in b.rejected))
    page = get(client, f"/blocks/{block.height}")
    malformed = [e for e in page.find("tr", "claim") if e.attrs["data-reason"] == "malformed"]
    assert malformed and all("—" in e.text for e in malformed)
    ops = [e for e in page.find("tr", "operation") if e.attrs["data-reason"] == "malformed"]
    assert ops and all("undecodable" in e.text for e in ops)


def test_every_paid_task_is_in_its_block_payments(client, market):
    done = [t for t in market.tasks if t.status is TaskStatus.DONE]
    assert done
    for task in done:
        page = get(client, f"/blocks/{task.closed_height}")
        assert str(task.task_id) in {e.attrs["data-task"] for e in page.find("tr", "payment")}


# -- tasks ------------------------------------------------------------------------------------

def test_the_task_list_and_its_status_filter(client, market):
    page = get(client, "/tasks")
    rows = [(int(e.attrs["data-task"]), e.attrs["data-status"])
            for e in page.find("tr", "task-row")]
    assert rows == [(t.task_id, t.status.value) for t in reversed(market.tasks)]
    for status in TaskStatus:
        page = get(client, f"/tasks?status={status.value}")
        ids = [int(e.attrs["data-task"]) for e in page.find("tr", "task-row")]
        assert ids == [t.task_id for t in reversed(market.tasks) if t.status is status]


def test_every_task_page_shows_its_state(client, market):
    for task in market.tasks:
        page = get(client, f"/tasks/{task.task_id}")
        assert page.text("task-status") == task.status.value
        assert page.text("poster") == task.poster
        assert page.text("assignee") == (task.assignee or "—")
        assert page.text("fee") == tokens(task.fee) + " tokens"
        assert page.text("bond") == tokens(task.bond) + " tokens"
        assert page.text("deadline") == f"block {task.deadline}"
        assert page.text("attempts").startswith(str(task.attempts))
        if task.status is TaskStatus.DONE:
            assert task.claim_hash.hex() in page.text("task")


# -- accounts ---------------------------------------------------------------------------------

def test_the_task_list_pages_keep_the_filter(client, market, monkeypatch):
    monkeypatch.setitem(explorer.PER_PAGE, "tasks", 1)
    done = [t.task_id for t in reversed(market.tasks) if t.status is TaskStatus.DONE]
    assert len(done) > 1
    seen, url = [], "/tasks?status=done"
    while url:
        page = get(client, url)
        seen += [int(e.attrs["data-task"]) for e in page.find("tr", "task-row")]
        nxt = [a for a in page.find("a") if a.attrs.get("rel") == "next"]
        url = nxt[0].attrs["href"] if nxt else None
    assert seen == done


def test_the_account_list(client, market):
    page = get(client, "/accounts")
    rows = [e.attrs["data-address"] for e in page.find("tr", "account-row")]
    assert rows == sorted(market.ledger.accounts)


def test_every_account_page_shows_its_tokens_and_earnings(client, market, chain):
    ledger = market.ledger
    nodes_paid = set()
    for address, acc in ledger.accounts.items():
        page = get(client, f"/accounts/{address}")
        assert page.text("address") == address
        for ident, amount in (("balance", acc.balance), ("stake", acc.stake),
                              ("unbonding", acc.unbonding_total), ("held", acc.held)):
            assert page.text(ident) == tokens(amount), (address, ident)
        assert page.text("nonce") == str(acc.nonce)
        assert page.text("reputation") == str(acc.reputation)
        assert page.text("tier") == ledger.tier_of(address).name
        # earnings, block by block, as the chain's builder paid them
        expected = []
        for h, outcome in sorted(chain.outcomes.items(), reverse=True):
            reward = outcome.ledger.paid.get(address, 0)
            fees = sum(p.fee - p.price - p.pool_fee for p in outcome.paid
                       if p.node_id == address)
            if reward or fees or outcome.ledger.slashed.get(address):
                expected.append((h, reward, fees))
        rows = [(int(e.attrs["data-height"]), int(e.attrs["data-reward"]),
                 int(e.attrs["data-fees"])) for e in page.find("tr", "earning")]
        assert rows == expected, address
        assert sum(reward for _, reward, _ in rows) == acc.earned_total  # the ledger's count
        if rows:
            nodes_paid.add(address)
    assert {addr("n1"), addr("n2")} <= nodes_paid


def test_earnings_are_paged_newest_first(client, market, monkeypatch):
    n1 = addr("n1")
    everything = [int(e.attrs["data-height"]) for e in
                  get(client, f"/accounts/{n1}").find("tr", "earning")]
    assert len(everything) > 1 and everything == sorted(everything, reverse=True)
    monkeypatch.setitem(explorer.PER_PAGE, "earnings", 1)
    pages = [[int(e.attrs["data-height"]) for e in
              get(client, f"/accounts/{n1}?page={k}").find("tr", "earning")]
             for k in range(1, len(everything) + 1)]
    assert [h for page in pages for h in page] == everything
    get(client, f"/accounts/{n1}?page={len(everything) + 1}", 404)


def test_an_address_is_read_in_any_case_and_looked_up_by_the_form(client):
    n1 = addr("n1")
    assert get(client, f"/accounts/{n1.lower()}").text("address") == n1
    response = client.get(f"/accounts?address={n1.lower()}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/accounts/{n1}"
    get(client, "/accounts?address=0x12", 400)


# -- models and the pool ----------------------------------------------------------------------

def test_the_models_and_their_version_chains(client, market):
    page = get(client, "/models")
    ids = [e.attrs["data-model"] for e in page.find("tr", "model-row")]
    assert ids == sorted(market.models, key=str.encode)
    for model in market.models.values():
        page = get(client, f"/models/{explorer.fmt.url_part(model.model_id)}")
        rows = [(int(e.attrs["data-version"]), int(e.attrs["data-height"]))
                for e in page.find("tr", "version")]
        assert rows == [(n, v.height) for n, v in enumerate(model.versions)]
        assert page.text("price") == tokens(model.price) + " tokens"
    assert len(market.model("m1").versions) == 2  # the training claim made version 1


def test_the_pool_page_plots_every_block(client, store, chain, market):
    page = get(client, "/pool")
    blocks = store.head().height + 1
    pool_points = polyline_points(page, "pool-line")
    emission_points = polyline_points(page, "emission-line")
    assert len(pool_points) == len(emission_points) == blocks
    # x increases with the height; a larger pool is drawn higher (smaller y)
    assert [x for x, _ in pool_points] == sorted(x for x, _ in pool_points)
    for (_, y1), (_, y2), p1, p2 in zip(pool_points, pool_points[1:], chain.pools,
                                        chain.pools[1:]):
        assert (y2 < y1) == (p2 > p1) and (y2 == y1) == (p2 == p1)
    rows = [(int(e.attrs["data-height"]), int(e.attrs["data-pool"]),
             int(e.attrs["data-emission"])) for e in page.find("tr", "pool-row")]
    assert rows == [(b.height, chain.pools[b.height], b.header.emission)
                    for b in reversed(list(store.blocks()))]
    assert page.text("genesis-pool") == tokens(chain.genesis_pool)
    assert page.text("pool-now") == tokens(market.ledger.pool)
    assert page.text("emitted") == tokens(sum(b.header.emission for b in store.blocks()))


# -- bad requests, unknown things, hostile text -----------------------------------------------

@pytest.mark.parametrize(("url", "status", "says"), [
    ("/blocks/99", 404, "no block 99"),
    ("/blocks/abc", 400, "not a block height"),
    ("/blocks/-1", 400, "not a block height"),
    ("/blocks/1e3", 400, "not a block height"),
    ("/blocks/" + "9" * 5000, 400, "not a block height"),
    ("/blocks/99999999999999999999", 400, "not a block height"),
    ("/blocks?page=0", 400, "numbered from 1"),
    ("/blocks?page=x", 400, "not a page number"),
    ("/blocks?page=99", 404, "page 99 of 1"),
    ("/tasks/9999", 404, "no task 9999"),
    ("/tasks/one", 400, "not a task id"),
    ("/tasks?status=lost", 400, "not a task status"),
    ("/accounts/0x1234", 400, "not an account address"),
    ("/accounts/nobody", 400, "not an account address"),
    ("/accounts/0x" + "ab" * 20, 404, "has no tokens"),
    ("/models/ghost", 404, "no model 'ghost'"),
    ("/models/a%2Fb", 404, "no model 'a/b'"),
    ("/pool?page=-1", 400, "not a page number"),
])
def test_bad_and_unknown_requests_get_an_html_page(client, url, status, says):
    assert says in _main(get(client, url, status))


def _main(page: Page) -> str:
    (main,) = page.find("main")
    return main.text


def test_a_mistyped_checksum_is_refused_not_taken_for_another_account(client):
    n1 = addr("n1")
    flipped = n1[:2] + "".join(c.swapcase() if c.isalpha() else c for c in n1[2:])
    assert flipped != n1 and flipped[2:] not in (n1[2:].lower(), n1[2:].upper())
    assert "EIP-55 checksum" in _main(get(client, f"/accounts/{flipped}", 400))


def test_markup_put_on_the_chain_is_escaped(client, market):
    task = next(t for t in market.tasks if t.data_uri == EVIL_URI)
    for url in (f"/tasks/{task.task_id}", "/models",
                f"/models/{explorer.fmt.url_part(EVIL_MODEL)}", "/blocks/1"):
        html = client.get(url).text
        assert "<script>" not in html and "<i>m" not in html, url
    assert EVIL_URI in Page(client.get(f"/tasks/{task.task_id}").text).text("task")
    assert EVIL_MODEL in _main(get(client, f"/models/{explorer.fmt.url_part(EVIL_MODEL)}"))


def test_a_store_that_cannot_be_read_gets_a_503_page_naming_no_file(tmp_path):
    secret = str(tmp_path / "operator-secret.db")

    def broken():
        raise ChainStoreError(f"{secret}: disk I/O error", path=secret, reason="disk I/O error")

    with client_for(broken) as c:
        for url in ("/", "/blocks/0", "/pool"):
            page = get(c, url, 503)
            assert "disk I/O error" in _main(page) and secret not in _main(page)


class _WithoutKernels:
    """A store whose kernel registry reads as empty: its blocks no longer replay."""

    def __init__(self, store) -> None:
        self._store = store

    def kernel_registry(self) -> KernelRegistry:
        return KernelRegistry()

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_a_chain_that_does_not_replay_gets_an_error_page(chain):
    @contextlib.contextmanager
    def reader():
        with SQLiteChainStore.open(chain.path, read_only=True) as s:
            yield _WithoutKernels(s)

    with client_for(reader) as c:
        page = get(c, "/pool", 500)
        assert "does not replay" in _main(page)
        get(c, "/tasks", 200)  # pages that need no replay still work


def test_the_replay_takes_the_recorded_proof_verdicts_and_verifies_no_proof(chain,
                                                                          monkeypatch):
    def no_pairings(*args, **kwargs):
        raise AssertionError("the explorer's replay verified proofs")

    monkeypatch.setattr("zkcx.rollup.builder.batch_verify", no_pairings)
    with client_for(lambda: SQLiteChainStore.open(chain.path, read_only=True)) as c:
        page = get(c, "/pool")  # a header that did not replay exactly is a 500 page
        assert len(polyline_points(page, "pool-line")) == len(chain.pools)
        slashed = [e for e in get(c, "/blocks/2").find("tr", "claim")
                   if e.attrs["data-reason"] == "invalid-proof"]
        assert slashed


def test_an_empty_chain_is_shown_and_its_history_follows_it_as_it_grows(tmp_path):
    path = tmp_path / "empty.db"
    SQLiteChainStore.create(path, Market.genesis({addr("n9"): 5 * TOKEN})).close()
    with client_for(lambda: SQLiteChainStore.open(path, read_only=True)) as c:
        for url in ("/", "/blocks", "/tasks", "/accounts", "/models", "/pool"):
            get(c, url)
        assert "no blocks yet" in _main(get(c, "/pool"))
        get(c, "/blocks/0", 404)
        for grown in (1, 3):
            with SQLiteChainStore.open(path) as writer:
                ch = Chain(writer, KernelRegistry())
                while ch.height + 1 < grown:
                    ch.produce([])
            page = get(c, "/pool")
            assert len(polyline_points(page, "pool-line")) == grown
            assert get(c, "/").text("height") == str(grown - 1)


def test_the_history_starts_again_for_another_chain(tmp_path, chain):
    """One router over a path whose file is replaced by another chain's: its cache of
    replayed blocks must not mix the two."""
    other = tmp_path / "other.db"
    SQLiteChainStore.create(other, Market.genesis({addr("n8"): 7 * TOKEN})).close()
    with SQLiteChainStore.open(other) as writer:
        ch = Chain(writer, KernelRegistry())
        for _ in range(2):
            ch.produce([])
    current = {"path": chain.path}
    with client_for(lambda: SQLiteChainStore.open(current["path"], read_only=True)) as c:
        first = get(c, "/pool")
        current["path"] = other
        second = get(c, "/pool")
        assert len(polyline_points(second, "pool-line")) == 2
        with SQLiteChainStore.open(other, read_only=True) as s:
            assert second.text("genesis-pool") == tokens(
                Market.from_bytes(s.genesis()).ledger.pool)
        current["path"] = chain.path
        again = get(c, "/pool")
        assert polyline_points(again, "pool-line") == polyline_points(first, "pool-line")


def test_a_long_series_is_thinned_to_every_kth_point_with_its_last():
    points = [(h, (h * 7919) % 1000 * TOKEN) for h in range(3 * MAX_POINTS + 5)]
    svg = Page(str(line_chart(points, title="t", y_label="y", css_class="s",
                              y_format=tokens, y_unit=TOKEN)))
    drawn = polyline_points(svg, "s")
    k = -(-len(points) // MAX_POINTS)
    kept = points[k - 1::k]
    assert len(drawn) == len(kept) + (kept[-1] != points[-1]) <= MAX_POINTS + 1
    assert f"one point per {k} blocks" in svg.elements[0].text
    assert not svg.find("circle")  # no dot per point on a long series
    single = Page(str(line_chart(points[-1:], title="t", y_label="y", css_class="s",
                                 y_format=tokens)))
    assert len(polyline_points(single, "s")) == 1 and single.find("circle", "s")


# -- formatting and axes ----------------------------------------------------------------------

@given(st.integers(min_value=0, max_value=2**256))
def test_tokens_are_written_exactly(amount):
    text = tokens(amount)
    whole, _, frac = text.partition(".")
    assert len(frac) <= 18 and not frac.endswith("0")
    assert int(whole.replace(",", "")) * TOKEN + int(frac.ljust(18, "0")) == amount
    assert whole == f"{amount // TOKEN:,}"
    assert tokens(-amount) == (("-" + text) if amount else "0")


@given(st.integers(-(2**90), 2**90), st.integers(0, 2**90), st.integers(2, 12),
       st.sampled_from([1, 10, TOKEN]))
def test_axes_cover_their_range_with_round_even_ticks(low, span, most, unit):
    axis = nice_axis(low, low + span, most, unit)
    ticks = axis.ticks
    step = ticks[1] - ticks[0]
    assert all(b - a == step for a, b in zip(ticks, ticks[1:]))
    assert ticks[0] == axis.low <= low and low + span <= axis.high == ticks[-1]
    assert len(ticks) <= most + 3
    digits = str(step // unit if span >= unit else step).rstrip("0")
    assert digits in ("1", "2", "5") and (span < unit or step % unit == 0)
