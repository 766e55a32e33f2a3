"""A chat completion as server-sent events, with generation in a worker thread.

The model blocks for seconds to minutes, so it runs in a thread and hands tokens to the event loop
through a queue; the loop stays free to answer /health and to refuse excess requests. The worker
always ends the stream (``[DONE]`` or an error event) so a client never hangs, and a client that
goes away sets the cancel event so the model stops instead of generating for nobody.

The response starts with the first piece, not before: a request the model cannot take (a prompt
longer than its context, :class:`BackendInputError`) is found as generation starts, and must still
be an OpenAI-shaped 400 rather than an error event inside a 200 stream.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from collections.abc import AsyncIterator, Callable

from core.models.base import (
    Backend,
    BackendError,
    BackendInputError,
    GenerationCancelled,
    GenerationRequest,
)
from core.server.serving import chunk
from core.server.stops import StopFilter

log = logging.getLogger(__name__)


def sse(payload: dict) -> str:
    return f"data: {json.dumps(payload)}\n\n"


async def start_stream(
    backend: Backend,
    request: GenerationRequest,
    *,
    model: str,
    stops: tuple[str, ...],
    on_finished: Callable[[], None],
) -> AsyncIterator[str]:
    """Start generating now and wait for the first piece; ``on_finished`` runs on the loop after
    generation. Raises :class:`BackendInputError` when the backend refuses the request outright."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, int, str]] = asyncio.Queue()
    cancel = threading.Event()
    refused: list[BackendInputError] = []
    n = request.config.n
    filters = [StopFilter(stops) for _ in range(n)]

    def put(kind: str, index: int = 0, text: str = "") -> None:
        loop.call_soon_threadsafe(queue.put_nowait, (kind, index, text))

    def on_token(index: int, piece: str) -> None:
        if not 0 <= index < n:
            return
        text = filters[index].feed(piece)
        if text:
            put("token", index, text)
        if stops and all(f.stopped for f in filters):
            cancel.set()  # every candidate hit a stop sequence: the rest would be thrown away

    def work() -> None:
        try:
            backend.generate(request, on_token=on_token, cancel=cancel)
        except GenerationCancelled:
            pass  # a stop sequence or a departed client; what was sent stands
        except BackendInputError as exc:
            refused.append(exc)
            put("refused", text=str(exc))  # an error event, should it ever come after a piece
            return
        except BackendError as exc:
            put("error", text=str(exc))
            return
        except Exception as exc:  # a model bug must still end the stream, or the client hangs
            log.exception("generation failed")
            put("error", text=f"internal error ({exc.__class__.__name__})")
            return
        finally:
            loop.call_soon_threadsafe(on_finished)
        for index, stream_filter in enumerate(filters):
            tail = stream_filter.flush()
            if tail:
                put("token", index, tail)
        put("done")

    loop.run_in_executor(None, work)
    try:
        first = await queue.get()
    except BaseException:  # the request was abandoned before the first piece
        cancel.set()
        raise
    if first[0] == "refused":
        raise refused[0]
    return _events(queue, cancel, n, model, first)


async def _events(
    queue: asyncio.Queue[tuple[str, int, str]],
    cancel: threading.Event,
    n: int,
    model: str,
    first: tuple[str, int, str],
) -> AsyncIterator[str]:
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    try:
        for index in range(n):
            yield sse(chunk(completion_id, model, index, "", role="assistant"))
        item: tuple[str, int, str] | None = first
        while True:
            kind, index, text = item if item is not None else await queue.get()
            item = None
            if kind == "token":
                yield sse(chunk(completion_id, model, index, text))
            elif kind in ("error", "refused"):
                yield sse({"error": {"message": text, "type": "server_error", "code": None}})
                return
            else:
                for i in range(n):
                    yield sse(chunk(completion_id, model, i, None, finish="stop"))
                yield "data: [DONE]\n\n"
                return
    finally:
        cancel.set()
