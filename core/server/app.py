"""`cadcoder serve`: an OpenAI-compatible HTTP API over any backend (FastAPI).

Organised like vLLM's OpenAI server: ``protocol`` (wire models), ``serving`` (request -> backend ->
answer), ``app`` (routes, limits, errors). Generation runs in a worker thread so the event loop keeps
answering /health and refusing excess requests with 429 while the model works. Every error has the
OpenAI shape ``{"error": {"message", "type", "code"}}``; malformed input is a 4xx, never a 500.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.models.base import Backend, BackendError, GenerationCancelled
from core.server.images import ImageRejected
from core.server.protocol import ChatCompletion, ChatCompletionRequest, ErrorResponse, ModelCard, ModelList
from core.server.serving import chunk, completion, to_generation_request


@dataclass(frozen=True)
class ServerConfig:
    model_name: str = "cadcoder-mini"
    api_key: str | None = None
    max_concurrent: int = 1  # one model, one generation at a time; the rest get 429
    max_body_bytes: int = 32 * 1024 * 1024


class ApiError(Exception):
    def __init__(
        self, status: int, message: str, type_: str = "invalid_request_error", code: str | None = None
    ):
        super().__init__(message)
        self.status, self.message, self.type, self.code = status, message, type_, code


def error_response(
    status: int, message: str, type_: str, code: str | None = None, headers=None
) -> JSONResponse:
    body = ErrorResponse(error={"message": message, "type": type_, "code": code})
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def create_app(backend: Backend, config: ServerConfig | None = None) -> FastAPI:
    config = config or ServerConfig()
    app = FastAPI(title="CAD-Coder OpenAI-compatible API", version="1")
    slots = asyncio.Semaphore(config.max_concurrent)
    created = int(time.time())

    @app.middleware("http")
    async def limits_and_auth(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > config.max_body_bytes):
            return error_response(
                413, f"request body over {config.max_body_bytes} bytes", "invalid_request_error"
            )
        if config.api_key and request.url.path.startswith("/v1/"):
            supplied = request.headers.get("authorization", "")
            expected = f"Bearer {config.api_key}"
            if not hmac.compare_digest(supplied.encode(), expected.encode()):
                return error_response(
                    401, "missing or wrong API key", "authentication_error", "invalid_api_key"
                )
        return await call_next(request)

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError):
        headers = {"Retry-After": "1"} if exc.status == 429 else None
        return error_response(exc.status, exc.message, exc.type, exc.code, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error_response(400, f"{where}: {first.get('msg', 'invalid request')}", "invalid_request_error")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        return error_response(exc.status_code, str(exc.detail), "invalid_request_error")

    @app.get("/health")
    async def health() -> dict:
        return {"status": "ok", "model": config.model_name, "busy": slots.locked()}

    @app.get("/v1/models", response_model=ModelList)
    async def models() -> ModelList:
        return ModelList(data=[ModelCard(id=config.model_name, created=created)])

    @app.post(
        "/v1/chat/completions",
        response_model=ChatCompletion,
        responses={
            400: {"model": ErrorResponse},
            401: {"model": ErrorResponse},
            404: {"model": ErrorResponse},
            413: {"model": ErrorResponse},
            429: {"model": ErrorResponse},
        },
    )
    async def chat(body: ChatCompletionRequest):
        if body.model != config.model_name:
            raise ApiError(
                404,
                f"model {body.model!r} does not exist; this server has {config.model_name!r}",
                code="model_not_found",
            )
        try:
            request = to_generation_request(body)
        except ImageRejected as exc:
            raise ApiError(exc.status, str(exc)) from exc
        except ValueError as exc:
            raise ApiError(400, str(exc)) from exc
        if slots.locked():
            raise ApiError(429, "the model is busy; retry shortly", "rate_limit_error", "busy")
        await slots.acquire()
        if body.stream:
            return StreamingResponse(_start_stream(request, body.n), media_type="text/event-stream")
        try:
            texts = await anyio.to_thread.run_sync(lambda: backend.generate(request))
        except BackendError as exc:
            raise ApiError(500, str(exc), "server_error") from exc
        finally:
            slots.release()
        return completion(config.model_name, texts)

    def _start_stream(request, n: int) -> AsyncIterator[str]:
        """Generation starts now, in a worker thread that frees the slot when it ends, whatever
        the client does; tokens cross to the response through a queue. A client that goes away
        cancels the generation instead of leaving it running."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        cancel = threading.Event()

        def put(item: tuple) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        def work() -> None:
            try:
                backend.generate(request, on_token=lambda i, piece: put(("token", i, piece)), cancel=cancel)
                put(("done", None, None))
            except GenerationCancelled:
                put(("done", None, None))
            except BackendError as exc:
                put(("error", None, str(exc)))
            finally:
                loop.call_soon_threadsafe(slots.release)

        loop.run_in_executor(None, work)
        return _events(queue, cancel, n, f"chatcmpl-{uuid.uuid4().hex}")

    async def _events(
        queue: asyncio.Queue, cancel: threading.Event, n: int, completion_id: str
    ) -> AsyncIterator[str]:
        try:
            while True:
                kind, index, payload = await queue.get()
                if kind == "token":
                    yield f"data: {json.dumps(chunk(completion_id, config.model_name, index, payload))}\n\n"
                elif kind == "error":
                    error = {"error": {"message": payload, "type": "server_error", "code": None}}
                    yield f"data: {json.dumps(error)}\n\n"
                    return
                else:
                    for i in range(n):
                        yield f"data: {json.dumps(chunk(completion_id, config.model_name, i, None, 'stop'))}\n\n"
                    yield "data: [DONE]\n\n"
                    return
        finally:
            cancel.set()

    return app
