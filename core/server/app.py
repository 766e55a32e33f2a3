"""`cadcoder serve`: an OpenAI-compatible HTTP API over any backend (FastAPI).

Organised like vLLM's OpenAI server: ``protocol`` (wire models), ``serving`` (request -> backend ->
answer), ``streaming`` (SSE), ``errors``, ``limits``, and here the routes. Generation runs in a
worker thread so the event loop keeps answering /health and refusing excess requests with 429
while the model works. Malformed input is a 4xx in OpenAI's error shape, never a 500 or a hang.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from dataclasses import dataclass

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from core.models.base import Backend, BackendError, BackendInputError
from core.server.errors import ApiError, error_response, install_error_handlers
from core.server.images import ImageRejected
from core.server.limits import BodySizeLimit
from core.server.protocol import ChatCompletion, ChatCompletionRequest, ErrorResponse, ModelCard, ModelList
from core.server.serving import completion, stop_sequences, to_generation_request
from core.server.streaming import start_stream

log = logging.getLogger(__name__)
ERRORS: dict[int | str, dict] = {
    status: {"model": ErrorResponse} for status in (400, 401, 404, 413, 429, 500)
}
# With "stream": true the 200 is server-sent events whose data is a chat.completion.chunk (JSON),
# an error object, or the final "[DONE]".
SSE_EVENT = {"type": "object", "properties": {"data": {"type": "string"}}, "required": ["data"]}
STREAMED = {200: {"content": {"text/event-stream": {"schema": SSE_EVENT}}}}


@dataclass(frozen=True)
class ServerConfig:
    model_name: str = "cadcoder-mini"
    api_key: str | None = None
    max_concurrent: int = 1  # one model, one generation at a time; the rest get 429
    max_body_bytes: int = 32 * 1024 * 1024


def create_app(backend: Backend, config: ServerConfig | None = None) -> FastAPI:
    config = config or ServerConfig()
    app = FastAPI(title="CAD-Coder OpenAI-compatible API", version="1")
    app.add_middleware(BodySizeLimit, max_bytes=config.max_body_bytes)
    install_error_handlers(app)
    slots = asyncio.Semaphore(config.max_concurrent)
    created = int(time.time())
    bearer = HTTPBearer(auto_error=False)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, f"internal error ({exc.__class__.__name__})", "server_error")

    async def require_key(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        """Bearer key check in constant time, so response timing does not leak the key."""
        if config.api_key is None:
            return
        supplied = credentials.credentials if credentials is not None else ""
        if not hmac.compare_digest(supplied.encode(), config.api_key.encode()):
            raise ApiError(401, "missing or wrong API key", "authentication_error", "invalid_api_key")

    @app.get("/health")
    async def health() -> dict:
        return {"status": "ok", "model": config.model_name, "busy": slots.locked()}

    @app.get("/v1/models", response_model=ModelList, responses=ERRORS, dependencies=[Depends(require_key)])
    async def models() -> ModelList:
        return ModelList(data=[ModelCard(id=config.model_name, created=created)])

    @app.post(
        "/v1/chat/completions",
        response_model=ChatCompletion,
        responses={**ERRORS, **STREAMED},
        dependencies=[Depends(require_key)],
    )
    async def chat(body: ChatCompletionRequest):
        if body.model != config.model_name:
            raise ApiError(
                404,
                f"model {body.model!r} does not exist; this server has {config.model_name!r}",
                code="model_not_found",
            )
        try:  # decoding and checking images takes a moment: off the event loop
            request = await anyio.to_thread.run_sync(to_generation_request, body)
        except ImageRejected as exc:
            raise ApiError(exc.status, str(exc)) from exc
        except ValueError as exc:
            raise ApiError(400, str(exc)) from exc
        stops = stop_sequences(body)
        if slots.locked():
            raise ApiError(429, "the model is busy; retry shortly", "rate_limit_error", "busy")
        await slots.acquire()  # no await since the check: nothing can take the slot in between
        if body.stream:
            try:
                events = await start_stream(
                    backend, request, model=config.model_name, stops=stops, on_finished=slots.release
                )
            except BackendInputError as exc:
                raise ApiError(400, str(exc), code=exc.code) from exc
            return StreamingResponse(events, media_type="text/event-stream")
        try:
            texts = await anyio.to_thread.run_sync(lambda: backend.generate(request))
        except BackendInputError as exc:  # e.g. a prompt longer than the context: the client's to fix
            raise ApiError(400, str(exc), code=exc.code) from exc
        except BackendError as exc:
            raise ApiError(500, str(exc), "server_error") from exc
        finally:
            slots.release()
        return completion(config.model_name, texts, stops)

    return app
