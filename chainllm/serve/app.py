"""The FastAPI app: routes, auth and limits as dependencies, one ASGI layer for request ids,
the body limit, metrics and the access log."""

import asyncio
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal, TypeVar

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from chainllm import __version__
from chainllm.errors import BadInputError, ChainLLMError, ServiceError
from chainllm.serve import logs
from chainllm.serve.auth import Authenticator, AuthFailure, Principal, require_scope
from chainllm.serve.calls import GenerateService, ScoreService, audit_sources
from chainllm.serve.jobs import JobManager, QueueFull
from chainllm.serve.keys import KeyStore
from chainllm.serve.limits import RateLimiter, Slots, retry_after
from chainllm.serve.metrics import Metrics
from chainllm.serve.settings import ServeConfig

T = TypeVar("T")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
MAX_HEADER_BYTES = 16 * 1024  # h11 caps only headers still arriving; this caps complete ones
_RID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FailOn = Literal["none", "low", "medium", "high"]


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


# ---------------------------------------------------------------- request bodies
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScoreRequest(_Body):
    hash: StrictStr | None = Field(None, description="One transaction hash: the answer is one score object.")
    hashes: list[StrictStr] | None = Field(
        None, description="A batch: the answer is {results: [...], model}."
    )


class AuditRequest(_Body):
    files: dict[StrictStr, StrictStr] | None = Field(None, description="A small project: {path: source}.")
    source: StrictStr | None = Field(None, description="One file's source (named by `name`).")
    name: StrictStr = "Contract.sol"
    entries: list[StrictStr] | None = Field(
        None, description="Files to audit (default: every .sol file sent)."
    )
    fail_on: FailOn = "high"
    exclude: list[StrictStr] = Field(default_factory=list, description="Slither detectors to skip.")


class GenerateRequest(_Body):
    prompt: StrictStr
    mode: Literal["structured", "freehand"] = "structured"
    k: int = Field(3, ge=1, le=5)
    rounds: int = Field(2, ge=0, le=3)
    fail_on: FailOn = "medium"
    temperature: float = Field(0.7, ge=0, le=2)
    seed: int = Field(0, ge=0, le=2**31 - 1)


# ---------------------------------------------------------------- state
class ServerState:
    def __init__(self, cfg: ServeConfig, *, llm: bool = True) -> None:
        lim = cfg.limits
        self.cfg = cfg
        self.metrics = Metrics()
        self.keys = KeyStore(cfg.keys_file)
        self.auth = Authenticator(self.keys, cfg.jwt, no_auth=cfg.no_auth)
        self.limiter = RateLimiter(lim.rate, lim.burst)
        self.slots = Slots(lim.max_inflight)
        self.executor = ThreadPoolExecutor(lim.max_inflight, thread_name_prefix="chainllm-work")
        self.scores = ScoreService(cfg, llm=llm) if cfg.rpc else None
        self.generator = GenerateService(cfg)
        self.jobs = JobManager(
            workers=lim.max_jobs, queue_size=lim.queue_size, ttl_s=lim.job_ttl_s, max_finished=lim.max_finished_jobs,
            on_change=self.metrics.set_jobs, on_finish=lambda s: self.metrics.jobs_finished.labels(s).inc(),
        )  # fmt: skip

    def models(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.scores is not None:
            info: dict[str, Any] = {"kind": "fraud", **self.scores.model_info}
            parts = (
                "rules"
                if self.scores.model is None
                else "rules+gbm" + ("+llm" if self.scores.uses_llm else "")
            )
            info["scorer"] = parts
            info["provenance"] = dict(self.cfg.model_provenance) or None
            out.append(info)
        out.append({**self.generator.model_info, "provenance": None})
        return out

    async def work(self, route: str, fn: Callable[[], T], timeout_s: float) -> T:
        """Run blocking library work in the bounded pool: 503 when every slot is busy, 504 past
        the deadline (the work finishes in the background and frees its slot then)."""
        if not self.slots.try_acquire():
            self.metrics.overloaded.labels(route, "busy").inc()
            raise ApiError(
                503, "server busy: too many requests in flight; retry shortly", {"Retry-After": "1"}
            )
        fut = asyncio.get_running_loop().run_in_executor(self.executor, fn)

        def done(f: asyncio.Future[T]) -> None:
            self.slots.release()
            if not f.cancelled():
                f.exception()  # retrieved: work that outlived its 504 must not log "never retrieved"

        fut.add_done_callback(done)
        try:
            return await asyncio.wait_for(asyncio.shield(fut), timeout_s)
        except TimeoutError:
            self.metrics.timeouts.labels(route).inc()
            raise ApiError(504, f"request took longer than {timeout_s:g} s") from None
        except BadInputError as exc:
            raise ApiError(422, str(exc)) from None
        except ServiceError as exc:
            self.metrics.upstream_errors.labels(route).inc()
            raise ApiError(502, str(exc)) from None


# ---------------------------------------------------------------- ASGI layer
class Observe:
    """Request id, body-size limit, metrics and one JSON log line per request."""

    def __init__(self, app: Any, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        incoming = headers.get("x-request-id", "")
        rid = incoming if _RID_RE.match(incoming) else uuid.uuid4().hex
        token = logs.request_id.set(rid)
        status = [500]
        start = time.perf_counter()
        m = self.state.metrics

        async def send_wrapped(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                status[0] = msg["status"]
                msg = {**msg, "headers": [*msg.get("headers", []), (b"x-request-id", rid.encode())]}
            await send(msg)

        m.in_flight.inc()
        try:
            body = await self._read_body(headers, receive)
            if sum(len(k) + len(v) for k, v in scope.get("headers", [])) > MAX_HEADER_BYTES:
                await self._reply(send_wrapped, 431, f"request headers over {MAX_HEADER_BYTES} bytes")
            elif isinstance(body, int):
                await self._reply(send_wrapped, body, "request body over the limit of "
                                  f"{self.state.cfg.limits.max_body_bytes} bytes" if body == 413 else "bad Content-Length")  # fmt: skip
            elif body and "json" not in headers.get("content-type", "json"):
                await self._reply(send_wrapped, 415, "send the body as JSON (Content-Type: application/json)")
            else:
                sent = [False]

                async def replay() -> Message:
                    if not sent[0]:
                        sent[0] = True
                        return {"type": "http.request", "body": body, "more_body": False}
                    return await receive()

                await self.app(scope, replay, send_wrapped)
        finally:
            route_obj = scope.get("route")
            route = getattr(route_obj, "path", None) or "unmatched"
            secs = time.perf_counter() - start
            m.in_flight.dec()
            m.requests.labels(route, scope["method"], str(status[0])).inc()
            m.latency.labels(route, scope["method"]).observe(secs)
            principal = scope.get("state", {}).get("principal")
            logs.log(logging.INFO, "request", method=scope["method"], route=route, status=status[0],
                     ms=round(secs * 1e3, 2), principal=principal)  # fmt: skip
            logs.request_id.reset(token)

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes | int:
        limit = self.state.cfg.limits.max_body_bytes
        cl = headers.get("content-length")
        if cl is not None:
            if not cl.isdigit():
                return 400
            if int(cl) > limit:
                return 413
        chunks, total = [], 0
        while True:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return b""
            chunk = msg.get("body", b"")
            total += len(chunk)
            if total > limit:
                return 413
            chunks.append(chunk)
            if not msg.get("more_body", False):
                return b"".join(chunks)

    @staticmethod
    async def _reply(send: Send, status: int, message: str) -> None:
        body = JSONResponse({"error": message, "request_id": logs.request_id.get()}, status_code=status).body
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"connection", b"close")]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})


# ---------------------------------------------------------------- app
def create_app(cfg: ServeConfig, *, llm: bool = True, state: ServerState | None = None) -> FastAPI:
    st = state or ServerState(cfg, llm=llm)
    lim = cfg.limits

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if cfg.no_auth:
            logs.log(logging.WARNING, "AUTHENTICATION IS OFF (--no-auth): every caller has every scope; "
                     "loopback development only", host=cfg.host)  # fmt: skip
        logs.log(
            logging.INFO,
            "ready",
            host=cfg.host,
            port=cfg.port,
            models=[m.get("name") or m.get("backend") for m in st.models()],
        )
        yield
        logs.log(logging.INFO, "shutting down: finishing running jobs", grace_s=lim.request_timeout_s)
        await run_in_threadpool(st.jobs.shutdown, lim.request_timeout_s)
        st.executor.shutdown(wait=True, cancel_futures=False)
        if st.scores is not None:
            st.scores.close()

    app = FastAPI(
        title="chainllm",
        version=__version__,
        description="Transaction risk scores, Solidity audits and audited contract generation.",
        lifespan=lifespan,
    )
    app.state.server = st
    app.add_middleware(Observe, state=st)

    def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse(
            {"error": message, "request_id": logs.request_id.get()}, status_code=status, headers=headers
        )

    @app.exception_handler(ApiError)
    async def _api_error(_r: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.message, exc.headers)

    @app.exception_handler(AuthFailure)
    async def _auth_error(_r: Request, exc: AuthFailure) -> JSONResponse:
        st.metrics.auth_failures.labels(exc.reason).inc()
        hdr = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if exc.status == 401 else None
        if exc.status == 403:
            hdr = {"WWW-Authenticate": 'Bearer error="insufficient_scope"'}
        return _error(exc.status, exc.message, hdr)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_r: Request, exc: RequestValidationError) -> JSONResponse:
        errs = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errs):
            return _error(400, "malformed JSON body")
        first = errs[0] if errs else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body") or "body"
        return _error(
            422,
            f"{where}: {first.get('msg', 'invalid')}"
            + (f" (+{len(errs) - 1} more)" if len(errs) > 1 else ""),
        )

    @app.exception_handler(Exception)
    async def _unexpected(_r: Request, exc: Exception) -> JSONResponse:
        logs.log(logging.ERROR, "unhandled error", error=type(exc).__name__)
        return _error(500, f"internal error ({type(exc).__name__}); quote the request id when reporting it")

    @app.exception_handler(ChainLLMError)
    async def _lib_error(_r: Request, exc: ChainLLMError) -> JSONResponse:
        return _error(
            422 if isinstance(exc, BadInputError) else 502 if isinstance(exc, ServiceError) else 500, str(exc)
        )

    def principal(scope: str | None) -> Callable[[Request], Awaitable[Principal]]:
        async def dep(request: Request) -> Principal:
            hdrs = {k.lower(): v for k, v in request.headers.items()}
            client = request.client.host if request.client else "?"
            if st.auth.may_block(hdrs):  # a JWKS fetch may go to the network
                p = await run_in_threadpool(st.auth.authenticate, hdrs, client)
            else:  # API keys: a hash and a dict lookup, no hop to a thread
                p = st.auth.authenticate(hdrs, client)
            request.state.principal = f"{p.kind}:{p.subject}"
            if scope is not None:
                require_scope(p, scope)
            wait = st.limiter.take(f"{p.kind}:{p.subject}")
            if wait:
                route = getattr(request.scope.get("route"), "path", "?")
                st.metrics.rate_limited.labels(route).inc()
                raise ApiError(
                    429, "rate limit reached for these credentials", {"Retry-After": retry_after(wait)}
                )
            return p

        return dep

    # ---- operations
    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, Any]:
        """The process is up (liveness)."""
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        """The services this server needs answer: the JSON-RPC node, the IPFS node (when configured)."""
        checks: dict[str, Any] = {}
        async with httpx.AsyncClient(timeout=2.0) as client:
            if cfg.rpc:
                checks["rpc"] = await _probe(client, "POST", cfg.rpc[0],
                                             json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})  # fmt: skip
            if cfg.ipfs_url:
                checks["ipfs"] = await _probe(client, "POST", cfg.ipfs_url.rstrip("/") + "/api/v0/version")
        queued, running = st.jobs.counts()
        ready = all(c["ok"] for c in checks.values())
        body = {"ready": ready, "checks": checks, "jobs": {"queued": queued, "running": running}}
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["operations"])
    async def metrics() -> Response:
        """Prometheus metrics."""
        return Response(generate_latest(st.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    # ---- API
    @app.get("/v1/models", tags=["api"])
    async def models(_p: Annotated[Principal, Depends(principal(None))]) -> dict[str, Any]:
        """The loaded models, with their provenance (CID, registry, publisher) when pulled."""
        return {"models": st.models()}

    @app.post("/v1/score", tags=["api"])
    async def score(body: ScoreRequest, _p: Annotated[Principal, Depends(principal("score"))]) -> Any:
        """`chainllm score --json` for one hash (`hash`) or a batch (`hashes`)."""
        if (body.hash is None) == (body.hashes is None):
            raise ApiError(422, 'send exactly one of "hash" or "hashes"')
        hashes = [body.hash] if body.hash is not None else list(body.hashes or [])
        if not hashes:
            raise ApiError(422, "hashes: empty list")
        if len(hashes) > lim.max_hashes:
            raise ApiError(
                422,
                f"{len(hashes)} hashes is over the limit of {lim.max_hashes} per request; split the batch",
            )
        if st.scores is None:
            raise ApiError(503, "scoring is off: start the server with --rpc URL")
        scores = st.scores
        results = await st.work("/v1/score", lambda: scores.score(hashes), lim.request_timeout_s)
        for r in results:
            st.metrics.scored.labels(r["verdict"]).inc()
        if body.hash is not None:
            return results[0]
        return {"results": results, "model": st.models()[0]}

    @app.post("/v1/audit", tags=["api"])
    async def audit(
        body: AuditRequest, _p: Annotated[Principal, Depends(principal("audit"))]
    ) -> JSONResponse:
        """`chainllm audit --format json` on one file (`source`) or a small project (`files`).
        422 with the same envelope when a file does not compile or an import leaves the project."""
        if (body.files is None) == (body.source is None):
            raise ApiError(422, 'send exactly one of "files" or "source"')
        files = dict(body.files) if body.files is not None else {body.name: body.source or ""}
        for name, text in files.items():
            size = len(text.encode("utf-8"))
            if size > lim.max_source_bytes:
                raise ApiError(
                    413, f"{name} is {size} bytes, over the limit of {lim.max_source_bytes} per file"
                )

        def run() -> tuple[bool, dict[str, Any]]:
            return audit_sources(files, body.entries, fail_on=body.fail_on, exclude=body.exclude, limits=lim,
                                 timeout_s=lim.request_timeout_s)  # fmt: skip

        ok, envelope = await st.work("/v1/audit", run, lim.request_timeout_s)
        return JSONResponse(envelope, status_code=200 if ok else 422)

    @app.post("/v1/generate", tags=["api"], status_code=202)
    async def generate(body: GenerateRequest, request: Request,
                       p: Annotated[Principal, Depends(principal("generate"))]) -> JSONResponse:  # fmt: skip
        """Queue a generation (compile + audit + repair); poll `GET /v1/jobs/{id}`. 503 when the queue is full."""
        prompt = body.prompt.strip()
        if not prompt or len(prompt) > lim.max_prompt_chars:
            raise ApiError(422, f"prompt must be 1..{lim.max_prompt_chars} characters")
        if _CONTROL_RE.search(prompt):
            raise ApiError(422, "prompt contains control characters")
        from chainllm.generate.spec import validate_request

        validate_request(prompt)  # empty, huge or out-of-scope requests: 422 now, not a failed job later
        params = body.model_dump(exclude={"prompt"})
        try:
            job = st.jobs.submit(
                f"{p.kind}:{p.subject}", "generate", lambda: st.generator.run(prompt, params)
            )
        except QueueFull as exc:
            st.metrics.overloaded.labels("/v1/generate", "queue_full").inc()
            raise ApiError(503, f"generation queue full ({exc}); retry later", {"Retry-After": "5"}) from None
        href = f"/v1/jobs/{job.id}"
        return JSONResponse({"id": job.id, "status": job.status, "href": href}, status_code=202,
                            headers={"Location": href})  # fmt: skip

    @app.get("/v1/jobs/{job_id}", tags=["api"])
    async def job(job_id: str, p: Annotated[Principal, Depends(principal("generate"))]) -> dict[str, Any]:
        """A job's status; its result once done (the same JSON as `generate --json`)."""
        j = st.jobs.get(job_id, f"{p.kind}:{p.subject}")
        if j is None:
            raise ApiError(404, f"no job {job_id} for these credentials")
        return j.to_json()

    @app.get("/v1/jobs", tags=["api"])
    async def jobs(p: Annotated[Principal, Depends(principal("generate"))]) -> dict[str, Any]:
        """This caller's jobs (without results), oldest first."""
        return {"jobs": [{**j.to_json(), "result": None} for j in st.jobs.list(f"{p.kind}:{p.subject}")]}

    return app


async def _probe(client: httpx.AsyncClient, method: str, url: str, **kw: Any) -> dict[str, Any]:
    t0 = time.perf_counter()
    try:
        r = await client.request(method, url, **kw)
        ok = r.status_code == 200
        detail = "ok" if ok else f"HTTP {r.status_code}"
    except httpx.HTTPError as exc:
        ok, detail = False, f"{type(exc).__name__}: {exc}"[:200]
    return {"ok": ok, "detail": detail, "url": _redact(url), "ms": round((time.perf_counter() - t0) * 1e3, 1)}


def _redact(url: str) -> str:
    """No credentials in URLs (https://user:token@node/...) reach a response or a log."""
    return re.sub(r"//[^/@]*@", "//***@", url)
