# SPDX-License-Identifier: MIT
"""The operator's HTTP API (FastAPI): ``create_app(config)`` maps the routes of
``/v1`` onto an ``Operator`` (``zkcx.operator.service``) and mounts the explorer at "/"
when ``zkcx.operator.explorer`` is there. ``/openapi.json`` and ``/docs`` describe it.

Every refusal is JSON ``{"error": message, "code": snake_case}``: 400 malformed, 401 an
unsigned transaction or a signature recovering no key, 403 the wrong signer or chain,
404 absent, 409 a nonce used or taken, 413 too large, 422 off the schema, 429 over a
rate limit (``Retry-After``), 503 the pool full or the operator shutting down.

Request bodies are read here up to the size limit and decoded with the library's
bounded JSON reader (``zkcx.io.jsontext``: no deep nesting, no huge integers), then
validated by the pydantic models of ``zkcx.operator.api_models``; the checks that need
the chain run in a worker thread (``Operator.submit_claim`` / ``submit_operation``)."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from zkcx import __version__
from zkcx.errors import FileFormatError
from zkcx.io import jsontext
from zkcx.market import TaskStatus
from zkcx.operator.api_models import (
    Accepted,
    AccountView,
    BlobStored,
    BlockList,
    ClaimSubmission,
    ErrorResponse,
    Items,
    PoolHistory,
    Status,
    Submission,
    TaskList,
    TransactionSubmission,
    VerifyResult,
)
from zkcx.operator.config import OperatorConfig
from zkcx.operator.errors import OperatorRequestError
from zkcx.operator.limits import read_limited
from zkcx.operator.service import Operator, explorer_router
from zkcx.rollup import ChainStoreError, PendingItem, UnknownBlockError
from zkcx.rollup.signing import account_address
from zkcx.rollup.store import MAX_BLOB_SIZE

log = logging.getLogger("zkcx.operator")

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": what} for code, what in (
        (400, "malformed"), (401, "unsigned, or a signature recovering no key"),
        (403, "signed by another account or for another chain"), (404, "absent"),
        (409, "nonce already used or taken"), (413, "too large"), (422, "off the schema"),
        (429, "rate limited (Retry-After)"), (503, "pool full or shutting down"))}
_STATUS_CODES = {404: "not_found", 405: "method_not_allowed"}


def _body_schema(model: type[BaseModel]) -> dict:
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": model.model_json_schema()}}}}


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def _not_found(what: str) -> OperatorRequestError:
    return OperatorRequestError(404, "not_found", what)


def _hex32(text: str, what: str) -> bytes:
    if len(text) != 64:
        raise OperatorRequestError(400, "bad_hash", f"{what} is 64 hex digits, got "
                                   f"{len(text)} characters")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise OperatorRequestError(400, "bad_hash", f"{what} is 64 hex digits") from None


def _address(text: str) -> str:
    def bad(message: str) -> OperatorRequestError:
        return OperatorRequestError(400, "bad_address", message)

    account_address(text, bad, "address")
    return text


def create_app(config: OperatorConfig) -> FastAPI:
    """The operator's FastAPI application over ``config.chain`` (opened now: a chain
    that does not open raises ``ChainStoreError`` here). Sealing starts with the
    application's lifespan and stops with it (the block being sealed is finished)."""
    operator = Operator(config)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        operator.start()
        try:
            yield
        finally:
            await run_in_threadpool(operator.close)

    app = FastAPI(title="zkcx operator", version=__version__, lifespan=lifespan,
                  description="The rollup operator: submit signed claims and transactions, "
                              "read blocks, accounts, tasks, models and jobs.")
    app.state.operator = operator
    _install_handlers(app)

    async def json_body(request: Request, model: type[BaseModel]) -> Any:
        data = await read_limited(request.headers, request.stream(), config.max_body)
        try:
            obj = jsontext.loads(data, "the request body")
        except FileFormatError as exc:
            raise OperatorRequestError(400, "malformed_json", str(exc)) from None
        try:
            return model.model_validate(obj)
        except ValidationError as exc:
            raise OperatorRequestError(422, "invalid_request", _describe(exc)) from None

    def client_of(request: Request) -> str:
        return request.client.host if request.client is not None else "unknown"

    def accepted(item: PendingItem) -> JSONResponse:
        return JSONResponse(Accepted(hash=item.hash.hex(), seq=item.seq).model_dump(),
                            status_code=202)

    # -- submissions ---------------------------------------------------------------------
    @app.post("/v1/claims", status_code=202, response_model=Accepted, responses=_ERRORS,
              openapi_extra=_body_schema(ClaimSubmission), tags=["submit"])
    async def post_claim(request: Request):
        """Submit a signed claim (``Claim.to_json``); 202 once it is durable in the pool."""
        operator.check_client(client_of(request))
        doc = await json_body(request, ClaimSubmission)
        return accepted(await run_in_threadpool(operator.submit_claim, doc.model_dump()))

    @app.post("/v1/transactions", status_code=202, response_model=Accepted,
              responses=_ERRORS, openapi_extra=_body_schema(TransactionSubmission),
              tags=["submit"])
    async def post_transaction(request: Request):
        """Submit a signed operation (a ``zkcx-tx-v1`` document); 202 once durable."""
        operator.check_client(client_of(request))
        doc = await json_body(request, TransactionSubmission)
        return accepted(await run_in_threadpool(operator.submit_operation, doc.chain_id,
                                                doc.operation))

    @app.post("/v1/blobs", status_code=201, response_model=BlobStored, responses=_ERRORS,
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/octet-stream": {"schema": {"type": "string",
                                                          "format": "binary"}}}}},
              tags=["submit"])
    async def post_blob(request: Request):
        """Keep a blob (task inputs): the raw body; answers its SHA-256."""
        operator.check_client(client_of(request))
        data = await read_limited(request.headers, request.stream(), MAX_BLOB_SIZE, "blob")
        digest = await run_in_threadpool(operator.store.put_blob, data)
        return JSONResponse({"sha256": digest.hex()}, status_code=201)

    # -- reads ---------------------------------------------------------------------------
    @app.get("/v1/status", response_model=Status, tags=["chain"])
    def status() -> Status:
        """The chain's id, genesis, head and the pool's size."""
        with operator.reader() as store:
            head = store.head()
            pending = store.pending_count()
        return Status(chain_id=operator.chain_id, genesis_hash=operator.genesis_hash.hex(),
                      height=-1 if head is None else head.height,
                      head_hash=None if head is None else head.hash.hex(), pending=pending,
                      time=time.time())

    @app.get("/v1/blocks", response_model=BlockList, tags=["chain"])
    def blocks(start: int | None = Query(None, ge=0),
               limit: int = Query(20, ge=1, le=100)) -> BlockList:
        """Block headers from ``start`` (default: the last ``limit`` blocks)."""
        with operator.reader() as store:
            head = store.head()
            height = -1 if head is None else head.height
            first = max(0, height - limit + 1) if start is None else start
            headers = [store.block(h).header.to_json()
                       for h in range(first, min(height, first + limit - 1) + 1)]
        return BlockList(start=first, height=height, headers=headers)

    @app.get("/v1/blocks/{height}", responses=_ERRORS, tags=["chain"])
    def block(height: int) -> dict:
        """A block: its header, accepted and rejected claims, operations (with verdicts)."""
        with operator.reader() as store:
            found = _block_at(store, height)
        return {"height": height, "hash": found.hash.hex(), **found.summary()}

    @app.get("/v1/blocks/{height}/light", responses=_ERRORS, tags=["chain"])
    def block_light(height: int) -> dict:
        """What light verification reads of a block: header, each accepted claim's
        statement (node, task, kernel, kind, public inputs, model; no proof), which the
        header's statements root commits, and the aggregates (``Block.light_view``; a
        list of these is what ``verify_chain_light`` checks)."""
        with operator.reader() as store:
            found = _block_at(store, height)
        return {"height": height, "hash": found.hash.hex(), **found.light_view()}

    @app.get("/v1/headers/{height}", responses=_ERRORS, tags=["chain"])
    def header(height: int) -> dict:
        """A block's header."""
        with operator.reader() as store:
            return _block_at(store, height).header.to_json()

    @app.get("/v1/verify", response_model=VerifyResult, tags=["chain"])
    def verify(wait: float = Query(30.0, ge=0, le=600)):
        """``verify_chain`` of the head (cached per head; 202 "running" after ``wait``)."""
        result = operator.verification(wait)
        return JSONResponse(VerifyResult(**result).model_dump(),
                            status_code=202 if result["status"] == "running" else 200)

    @app.get("/v1/pool", response_model=PoolHistory, tags=["chain"])
    def pool(wait: float = Query(30.0, ge=0, le=600)) -> PoolHistory:
        """The mining pool's release over the blocks: emission and the pool after each."""
        return PoolHistory(**operator.pool_history(wait))

    @app.get("/v1/submissions/{item_hash}", response_model=Submission, responses=_ERRORS,
             tags=["submit"])
    def submission(item_hash: str) -> Submission:
        """Where a submitted claim or operation is: pending, in a block, or unknown."""
        raw = _hex32(item_hash, "a submission hash")
        with operator.reader() as store:
            found = store.submission(raw)
        if found is None:
            return Submission(hash=item_hash.lower(), status="unknown")
        if isinstance(found, PendingItem):
            return Submission(hash=item_hash.lower(), status="pending", seq=found.seq,
                              received=found.received)
        return Submission(hash=item_hash.lower(), status=found.verdict, height=found.height,
                          reason=found.reason or None, detail=found.detail or None)

    @app.get("/v1/blobs/{sha256}", responses=_ERRORS, tags=["chain"])
    def blob(sha256: str) -> Response:
        """A blob's bytes."""
        digest = _hex32(sha256, "a blob's SHA-256")
        with operator.reader() as store:
            data = store.blob(digest)
        if data is None:
            raise _not_found(f"no blob {sha256}")
        return Response(data, media_type="application/octet-stream")

    @app.get("/v1/accounts/{address}", response_model=AccountView, responses=_ERRORS,
             tags=["state"])
    def account(address: str) -> AccountView:
        """An account's balance, stake, nonce (and pending nonce), reputation, earnings."""
        return AccountView(**operator.account_view(address))

    @app.get("/v1/tasks", response_model=TaskList, responses=_ERRORS, tags=["state"])
    def tasks(status: str | None = None, assignee: str | None = None,
              limit: int = Query(100, ge=1, le=1000),
              after: int = Query(-1, ge=-1)) -> TaskList:
        """Tasks by id after ``after``, filtered by status and assignee."""
        wanted = None
        if status is not None:
            try:
                wanted = TaskStatus(status)
            except ValueError:
                raise OperatorRequestError(
                    400, "bad_status", f"status {status[:40]!r} is not one of "
                    f"{[s.value for s in TaskStatus]}") from None
        if assignee is not None:
            _address(assignee)
        with operator.reader() as store:
            _head, market = operator.state(store)
        out, last = [], None
        all_tasks = market.tasks_list()
        for task in all_tasks[after + 1:]:
            if (wanted is None or task.status is wanted) \
                    and (assignee is None or task.assignee == assignee):
                out.append(task.to_dict())
                if len(out) == limit:
                    last = task.task_id
                    break
        if last is not None and last == len(all_tasks) - 1:
            last = None
        return TaskList(tasks=out, next_after=last)

    @app.get("/v1/tasks/{task_id}", responses=_ERRORS, tags=["state"])
    def task(task_id: int) -> dict:
        """One task."""
        with operator.reader() as store:
            _head, market = operator.state(store)
        found = market.task_or_none(task_id)
        if found is None:
            raise _not_found(f"there is no task {task_id}")
        return found.to_dict()

    @app.get("/v1/nodes/{address}/assignments", response_model=Items, responses=_ERRORS,
             tags=["state"])
    def assignments(address: str) -> Items:
        """The open tasks assigned to a node: kernel, inputs, data hash and URI, deadline."""
        _address(address)
        with operator.reader() as store:
            _head, market = operator.state(store)
        items = [t.to_dict() for t in map(market.task, market.open_ids())
                 if t.status is TaskStatus.ASSIGNED and t.assignee == address]
        return Items(height=market.height, items=items)

    @app.get("/v1/models", response_model=Items, tags=["state"])
    def models() -> Items:
        """The registered models."""
        with operator.reader() as store:
            _head, market = operator.state(store)
        return Items(height=market.height,
                     items=[m.to_dict() for _k, m in sorted(market.models.items())])

    @app.get("/v1/models/{model_id}", responses=_ERRORS, tags=["state"])
    def model(model_id: str) -> dict:
        """One model with its version chain."""
        with operator.reader() as store:
            _head, market = operator.state(store)
        found = market.models.get(model_id)
        if found is None:
            raise _not_found(f"there is no model {model_id[:80]!r}")
        return found.to_dict()

    @app.get("/v1/jobs", response_model=Items, tags=["state"])
    def jobs() -> Items:
        """The sharded training jobs."""
        with operator.reader() as store:
            _head, market = operator.state(store)
        return Items(height=market.height, items=[j.to_dict() for j in market.jobs])

    @app.get("/v1/jobs/{job_id}", responses=_ERRORS, tags=["state"])
    def job(job_id: int) -> dict:
        """One training job."""
        with operator.reader() as store:
            _head, market = operator.state(store)
        found = next((j for j in market.jobs if j.job_id == job_id), None)
        if found is None:
            raise _not_found(f"there is no job {job_id}")
        return found.to_dict()

    def registry_items() -> list[dict]:
        with operator.reader() as store:
            return store.kernel_registry().to_json()["kernels"]

    @app.get("/v1/kernels", response_model=Items, tags=["kernels"])
    def kernels() -> Items:
        """The chain's registered kernels (``files``: spec and key served here)."""
        with operator.reader() as store:
            head = store.head()
            registry = store.kernel_registry()
        items = [{"kernel_id": e.kernel_id, "kind": e.kind.value, "work_units": e.work_units,
                  "n_public": e.n_public, "task_ready": e.task_ready,
                  "files": e.kernel_id in operator.kernel_files} for e in registry]
        return Items(height=-1 if head is None else head.height, items=items)

    @app.get("/v1/kernels/{kernel_id}", responses=_ERRORS, tags=["kernels"])
    def kernel(kernel_id: str) -> dict:
        """A kernel's registry entry with its verifying key."""
        for item in registry_items():
            if item["kernel_id"] == kernel_id:
                return {**item, "files": kernel_id in operator.kernel_files}
        raise _not_found(f"kernel {kernel_id[:64]} is not registered with this chain")

    def files_of(kernel_id: str):
        files = operator.kernel_files.get(kernel_id)
        if files is None:
            raise _not_found(f"this operator has no spec and key files for kernel "
                             f"{kernel_id[:64]}")
        return files

    @app.get("/v1/kernels/{kernel_id}/spec", responses=_ERRORS, tags=["kernels"])
    def kernel_spec(kernel_id: str) -> PlainTextResponse:
        """The kernel's spec (TOML)."""
        return PlainTextResponse(files_of(kernel_id).spec.read_text(),
                                 media_type="application/toml")

    @app.get("/v1/kernels/{kernel_id}/zkey", responses=_ERRORS, tags=["kernels"])
    def kernel_zkey(kernel_id: str) -> FileResponse:
        """The kernel's proving key (.zkey); check its verifying key's digest."""
        return FileResponse(files_of(kernel_id).zkey, media_type="application/octet-stream")

    router = explorer_router(operator)
    if router is not None:
        app.include_router(router)
    return app


def _block_at(store, height: int):
    if height < 0:
        raise _not_found(f"there is no block {height}")
    try:
        return store.block(height)
    except (UnknownBlockError, KeyError):
        raise _not_found(f"there is no block {height} (the head is "
                         f"{-1 if store.head() is None else store.head().height})") from None


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(OperatorRequestError)
    async def refused(_request: Request, exc: OperatorRequestError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
                 for e in exc.errors()[:5]]
        return JSONResponse({"error": "; ".join(parts), "code": "invalid_request"},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail),
                             "code": _STATUS_CODES.get(exc.status_code, "http_error")},
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(ChainStoreError)
    async def store_error(_request: Request, exc: ChainStoreError) -> JSONResponse:
        log.error("chain store error: %s", exc)
        return JSONResponse({"error": f"the chain store failed: {exc.reason}",
                             "code": "store_unavailable"}, status_code=503)
