# SPDX-License-Identifier: MIT
"""The operator's explorer: read-only HTML pages over a chain store, for people in a
browser. Server-rendered (Jinja2 templates, every value escaped), no script.

``router(open_reader)`` gives the pages as a FastAPI router, mounted at "/":

    /                      chain status: height, head, chain id, supply, the last blocks
    /blocks, /blocks/{h}   blocks; one block's header, its claims with their verdicts
                           (accepted, or rejected with the reason), its operations
                           (applied or rejected) and what it paid
    /tasks, /tasks/{id}    tasks (?status=) and one task's state
    /accounts, /accounts/{address}   accounts; one account's tokens, reputation, tier,
                           nonce and, for a node, its earnings block by block
    /models, /models/{id}  registered models and one model's version chain
    /pool                  the pool's release over time: an SVG plot of the pool after
                           each block and of each block's emission, and the figures

Every read of a page happens in one snapshot of the store. What blocks do not store (the
payments, emission per node, the pool after each block) comes from a replay of the
blocks kept in memory and extended as the chain grows (``_explorer_history``). Amounts
are written exactly (18 decimals where needed). Long lists are paged (``?page=``). A
height, id or address that does not exist gives a 404 page, a malformed one (or a bad
page number) a 400 page; a store that cannot be read a 503 page: never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from zkcx.errors import ZkcxError
from zkcx.market import Market, TaskStatus
from zkcx.operator import _explorer_format as fmt
from zkcx.operator._explorer_history import ChainHistory, HistoryView
from zkcx.operator._explorer_plot import line_chart
from zkcx.rewards import SUPPLY, TOKEN
from zkcx.rollup import (
    Block,
    BlockHeader,
    ChainStore,
    ChainStoreError,
    Claim,
    MalformedClaimError,
    MalformedOperationError,
    SignedOperation,
)

#: Rows per page of each list.
PER_PAGE = {"blocks": 25, "tasks": 50, "accounts": 50, "models": 50, "earnings": 50,
            "pool": 50}
#: Blocks on the status page.
LAST_BLOCKS = 10
#: Tasks of an account listed on its page.
ACCOUNT_TASKS = 20
#: Operation fields that are amounts (written as tokens).
_AMOUNT_FIELDS = {"amount", "fee", "bond", "price", "gradient_fee", "aggregate_fee"}
#: Operation fields not repeated in an operation's detail.
_OP_HEADER_FIELDS = {"op", "actor", "nonce", "signature", "hash"}

_log = logging.getLogger(__name__)


class _PageProblem(Exception):
    """A page that cannot be shown for what the visitor asked (status 400 or 404): raised
    and caught in this module only."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def _not_found(what: str, message: str) -> _PageProblem:
    return _PageProblem(404, f"No such {what}", message)


def _bad_request(message: str) -> _PageProblem:
    return _PageProblem(400, "Bad request", message)


@functools.cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("zkcx.operator", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(tokens=fmt.tokens, utc=fmt.utc, short=fmt.short,
                       short_address=fmt.short_address, url_part=fmt.url_part)
    return env


def _render(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` with ``context``, as an HTML response."""
    html = _environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code)


def _error_page(status: int, title: str, message: str) -> HTMLResponse:
    return _render("error.html", status, title=title, message=message, status=status,
                   footer=None)


class _LastState:
    """The market after the last head a page read, kept for the next pages (read only:
    a page never changes it), so that a page does not decode the state again until a
    block is added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: bytes | None = None
        self._market: Market | None = None

    def market(self, store: ChainStore, head: BlockHeader | None) -> Market:
        key = store.genesis_hash() if head is None else head.hash
        with self._lock:
            if key == self._key and self._market is not None:
                return self._market
        market = store.load_state()
        with self._lock:
            self._key, self._market = key, market
        return market


class _Reader:
    """One page's view of the chain: a store snapshot, with the market after its head
    and the history of its blocks read when first asked for."""

    def __init__(self, store: ChainStore, history: ChainHistory, state: _LastState) -> None:
        self.store = store
        self._history, self._state = history, state
        self.head = store.head()
        self.height = -1 if self.head is None else self.head.height

    @functools.cached_property
    def market(self) -> Market:
        return self._state.market(self.store, self.head)

    @functools.cached_property
    def history(self) -> HistoryView:
        return self._history.sync(self.store)

    def footer(self) -> dict:
        return {"chain_id": self.store.chain_id(), "height": self.height}


def _pages(total: int, page: int, per_page: int) -> tuple[int, int, int]:
    """(start, stop, number of pages) of page ``page`` (from 1) of ``total`` rows; a page
    past the last is a 404 (page 1 of nothing is an empty page)."""
    pages = max(-(-total // per_page), 1)
    if page < 1:
        raise _bad_request(f"page {page}: pages are numbered from 1")
    if page > pages:
        raise _not_found("page", f"page {page} of {pages}: there are {total} rows, "
                                 f"{per_page} a page")
    start = (page - 1) * per_page
    return start, min(start + per_page, total), pages


def _pager(request: Request, page: int, pages: int) -> dict:
    """Links to the previous and next pages, keeping the other query parameters."""
    def link(number: int) -> str:
        query = dict(request.query_params)
        query["page"] = str(number)
        return f"{request.url.path}?{urllib.parse.urlencode(query)}"

    return {"page": page, "pages": pages,
            "previous": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if page < pages else None}


def _page_number(text: str | None) -> int:
    number = fmt.count(text, 1)
    if number is None:
        raise _bad_request(f"page {text[:40]!r} is not a page number (1, 2, …)")
    return number


def _address(text: str) -> str:
    address, why = fmt.address(text)
    if address is None:
        raise _bad_request(f"{text[:60]!r} is not an account address: {why}")
    return address


# -- pages ---------------------------------------------------------------------------------

def _status_page(r: _Reader, request: Request) -> HTMLResponse:
    market, history = r.market, r.history
    ledger = market.ledger
    balances, stakes, unbonding, held = ledger.totals()
    supply = ledger.pool + balances + stakes + unbonding + held
    last = list(reversed(history.records[-LAST_BLOCKS:]))
    return _render("index.html", title="Chain status", head=r.head, height=r.height,
                   chain_id=r.store.chain_id(), genesis_hash=r.store.genesis_hash(),
                   pool=ledger.pool, balances=balances, stakes=stakes, unbonding=unbonding,
                   held=held, supply=supply, full_supply=SUPPLY,
                   tasks=len(market.tasks), open_tasks=len(market.open_ids()),
                   nodes=len(market.nodes), models=len(market.models),
                   accounts=len(ledger.accounts), blocks=last, footer=r.footer())


def _blocks_page(r: _Reader, request: Request, page: str | None) -> HTMLResponse:
    records = r.history.records
    start, stop, pages = _pages(len(records), _page_number(page), PER_PAGE["blocks"])
    newest_first = [records[len(records) - 1 - i] for i in range(start, stop)]
    return _render("blocks.html", title="Blocks", blocks=newest_first,
                   pager=_pager(request, _page_number(page), pages), footer=r.footer())


def _claim_rows(block: Block) -> list[dict]:
    """The block's claims in the order received, each with its verdict."""
    rejected = {x.index: x for x in block.rejected}
    accepted = iter(block.accepted)
    rows = []
    for index in range(len(block.accepted) + len(block.rejected)):
        why = rejected.get(index)
        claim: Claim | None
        if why is None:
            claim = next(accepted)
            row = {"verdict": "accepted", "reason": "", "detail": "",
                   "hash": claim.claim_hash}
        else:
            try:
                claim = Claim.from_bytes(why.data) if why.data else None
            except MalformedClaimError:
                claim = None
            row = {"verdict": "rejected", "reason": why.reason.value, "detail": why.detail,
                   "hash": why.claim_hash}
        row.update(index=index, node=claim.node_id if claim else None,
                   task=claim.task_id if claim else None,
                   kind=claim.kind.value if claim else None,
                   kernel=claim.kernel_id if claim else None,
                   nonce=claim.nonce if claim else None,
                   model=(f"{claim.model_id} v{claim.model_version}"
                          if claim is not None and claim.model_id is not None else None))
        rows.append(row)
    return rows


def _operation_fields(op: SignedOperation) -> list[tuple[str, str]]:
    fields = []
    for name, value in op.to_json().items():
        if name in _OP_HEADER_FIELDS:
            continue
        if name in _AMOUNT_FIELDS and isinstance(value, str) and value.isdigit():
            value = fmt.tokens(int(value)) + " tokens"
        elif not isinstance(value, str):
            value = str(value)
        fields.append((name, value))
    return fields


def _operation_rows(block: Block) -> list[dict]:
    """The block's operations in the order received, each applied or rejected."""
    rejected = {x.index: x for x in block.rejected_operations}
    applied = iter(block.operations)
    rows = []
    for index in range(len(block.operations) + len(block.rejected_operations)):
        why = rejected.get(index)
        op: SignedOperation | None
        if why is None:
            op = next(applied)
            row = {"verdict": "applied", "reason": "", "detail": ""}
        else:
            try:
                op = SignedOperation.from_bytes(why.data) if why.data else None
            except MalformedOperationError:
                op = None
            row = {"verdict": "rejected", "reason": why.reason.value, "detail": why.detail}
        row.update(index=index, kind=op.to_json()["op"] if op else None,
                   actor=op.actor if op else None, nonce=op.nonce if op else None,
                   fields=_operation_fields(op) if op else [])
        rows.append(row)
    return rows


def _height(text: str) -> int:
    height = fmt.count(text)
    if height is None:
        raise _bad_request(f"{text[:40]!r} is not a block height (0, 1, 2, …)")
    return height


def _block_page(r: _Reader, request: Request, height: str) -> HTMLResponse:
    h = _height(height)
    if h > r.height:
        raise _not_found("block", f"there is no block {h}: " + (
            "the chain has no blocks yet" if r.height < 0 else f"the head is block {r.height}"))
    block = r.store.block(h)
    record = r.history.records[h]
    return _render("block.html", title=f"Block {h}", block=block, header=block.header,
                   record=record, claims=_claim_rows(block), operations=_operation_rows(block),
                   head_height=r.height, footer=r.footer())


def _tasks_page(r: _Reader, request: Request, page: str | None,
                status: str | None) -> HTMLResponse:
    tasks: Sequence = r.market.tasks
    if status:
        try:
            wanted = TaskStatus(status)
        except ValueError:
            raise _bad_request(f"status {status[:40]!r} is not a task status (one of "
                               f"{', '.join(s.value for s in TaskStatus)})") from None
        tasks = [t for t in tasks if t.status is wanted]
    number = _page_number(page)
    start, stop, pages = _pages(len(tasks), number, PER_PAGE["tasks"])
    shown = [tasks[len(tasks) - 1 - i] for i in range(start, stop)]
    return _render("tasks.html", title="Tasks", tasks=shown, total=len(tasks),
                   status=status or "", statuses=[s.value for s in TaskStatus],
                   pager=_pager(request, number, pages), footer=r.footer())


def _task_page(r: _Reader, request: Request, task_id: str) -> HTMLResponse:
    number = fmt.count(task_id)
    if number is None:
        raise _bad_request(f"{task_id[:40]!r} is not a task id (0, 1, 2, …)")
    market = r.market
    task = market.task_or_none(number)
    if task is None:
        raise _not_found("task", f"there is no task {number} ({len(market.tasks)} tasks "
                                 "posted)")
    payment = None
    if task.status is TaskStatus.DONE and task.closed_height < len(r.history.records):
        payment = next((p for p in r.history.records[task.closed_height].payments
                        if p.task_id == number), None)
    return _render("task.html", title=f"Task {number}", task=task, payment=payment,
                   bill=market.inference_bill(number), footer=r.footer())


def _accounts_page(r: _Reader, request: Request, page: str | None,
                   address: str | None) -> Response:
    if address is not None:
        return RedirectResponse(f"/accounts/{_address(address.strip())}", status_code=303)
    ledger = r.market.ledger
    names = sorted(ledger.accounts)
    number = _page_number(page)
    start, stop, pages = _pages(len(names), number, PER_PAGE["accounts"])
    rows = [(name, ledger.accounts[name], ledger.tier_of(name).name)
            for name in names[start:stop]]
    return _render("accounts.html", title="Accounts", rows=rows, total=len(names),
                   nodes=r.market.nodes, pager=_pager(request, number, pages),
                   footer=r.footer())


def _account_page(r: _Reader, request: Request, address: str,
                  page: str | None) -> HTMLResponse:
    account = _address(address)
    market, history = r.market, r.history
    ledger = market.ledger
    earnings = history.earnings(account)
    tasks = [t for t in market.tasks if account in (t.poster, t.assignee)]
    models = [m for m in market.models.values()
              if m.owner == account or any(h == account for h, _ in m.shares)]
    if account not in ledger.accounts and account not in market.nodes and not earnings \
            and not tasks and not models:
        raise _not_found("account", f"account {account} has no tokens, tasks, models or "
                                    "history on this chain")
    number = _page_number(page)
    start, stop, pages = _pages(len(earnings), number, PER_PAGE["earnings"])
    shown = [earnings[len(earnings) - 1 - i] for i in range(start, stop)]
    totals = {name: sum(getattr(e, name) for e in earnings)
              for name in ("reward", "fees", "revenue", "slashed", "bond_slashed", "total")}
    return _render("account.html", title="Account", address=account,
                   account=ledger.account(account), known=account in ledger.accounts,
                   tier=ledger.tier_of(account).name, node=market.nodes.get(account),
                   earnings=shown, earning_blocks=len(earnings), totals=totals,
                   tasks=list(reversed(tasks))[:ACCOUNT_TASKS], task_count=len(tasks),
                   models=models, pager=_pager(request, number, pages), footer=r.footer())


def _models_page(r: _Reader, request: Request, page: str | None) -> HTMLResponse:
    models = sorted(r.market.models.values(), key=lambda m: m.model_id.encode())
    number = _page_number(page)
    start, stop, pages = _pages(len(models), number, PER_PAGE["models"])
    return _render("models.html", title="Models", models=models[start:stop],
                   total=len(models), pager=_pager(request, number, pages), footer=r.footer())


def _model_page(r: _Reader, request: Request, model_id: str) -> HTMLResponse:
    model = r.market.models.get(model_id)
    if model is None:
        raise _not_found("model", f"there is no model {model_id[:80]!r} "
                                  f"({len(r.market.models)} registered)")
    return _render("model.html", title=f"Model {model_id}", model=model,
                   versions=list(enumerate(model.versions)), footer=r.footer())


def _pool_page(r: _Reader, request: Request, page: str | None) -> HTMLResponse:
    history = r.history
    records = history.records
    pool_chart = line_chart([(x.height, x.pool) for x in records],
                            title="Pool after each block", y_label="tokens",
                            css_class="pool-line", y_format=fmt.tokens, y_unit=TOKEN)
    emission_chart = line_chart([(x.height, x.emission) for x in records],
                                title="Emission released by each block", y_label="tokens",
                                css_class="emission-line", y_format=fmt.tokens,
                                y_unit=TOKEN, from_zero=True)
    number = _page_number(page)
    start, stop, pages = _pages(len(records), number, PER_PAGE["pool"])
    shown = [records[len(records) - 1 - i] for i in range(start, stop)]
    released = sum(x.emission - x.returned_to_pool for x in records)
    return _render("pool.html", title="The pool's release", records=shown,
                   pool_chart=pool_chart, emission_chart=emission_chart,
                   genesis_pool=history.genesis_pool,
                   pool=records[-1].pool if records else history.genesis_pool,
                   emitted=sum(x.emission for x in records), released=released,
                   pager=_pager(request, number, pages), footer=r.footer())


# -- the router ----------------------------------------------------------------------------

def router(open_reader: Callable[[], contextlib.AbstractContextManager[ChainStore]]
           ) -> APIRouter:
    """The explorer's pages (module docstring) as a router to mount at "/".
    ``open_reader()`` is a context manager yielding a read-only chain store; each page
    reads it inside one ``snapshot()``."""
    history, state = ChainHistory(), _LastState()

    def serve(view: Callable[..., Response], request: Request, **params: Any) -> Response:
        try:
            with open_reader() as store, store.snapshot():
                return view(_Reader(store, history, state), request, **params)
        except _PageProblem as problem:
            return _error_page(problem.status, problem.title, problem.message)
        except ChainStoreError as exc:
            return _error_page(503, "The chain cannot be read", exc.reason)
        except ZkcxError as exc:
            return _error_page(500, "The chain cannot be shown", str(exc))
        except Exception:  # a bug: logged here, never shown as a traceback
            _log.exception("explorer page %s failed", request.url.path)
            return _error_page(500, "Internal error",
                               "this page failed; the operator's log has the details")

    r = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

    @r.get("/")
    def status(request: Request) -> Response:
        return serve(_status_page, request)

    @r.get("/blocks")
    def blocks(request: Request, page: str | None = None) -> Response:
        return serve(_blocks_page, request, page=page)

    @r.get("/blocks/{height}")
    def block(request: Request, height: str) -> Response:
        return serve(_block_page, request, height=height)

    @r.get("/tasks")
    def tasks(request: Request, page: str | None = None,
              status: str | None = None) -> Response:
        return serve(_tasks_page, request, page=page, status=status)

    @r.get("/tasks/{task_id}")
    def task(request: Request, task_id: str) -> Response:
        return serve(_task_page, request, task_id=task_id)

    @r.get("/accounts")
    def accounts(request: Request, page: str | None = None,
                 address: str | None = None) -> Response:
        return serve(_accounts_page, request, page=page, address=address)

    @r.get("/accounts/{address}")
    def account(request: Request, address: str, page: str | None = None) -> Response:
        return serve(_account_page, request, address=address, page=page)

    @r.get("/models")
    def models(request: Request, page: str | None = None) -> Response:
        return serve(_models_page, request, page=page)

    @r.get("/models/{model_id:path}")
    def model(request: Request, model_id: str) -> Response:
        return serve(_model_page, request, model_id=model_id)

    @r.get("/pool")
    def pool(request: Request, page: str | None = None) -> Response:
        return serve(_pool_page, request, page=page)

    return r
