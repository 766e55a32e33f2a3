"""Chat requests -> backend calls -> OpenAI-shaped answers; no HTTP here (app.py has the routes)."""

from __future__ import annotations

import time
import uuid

from core.models.base import GenerationConfig, GenerationRequest, Message
from core.models.prompt import render_prompt
from core.server.images import decode_data_url
from core.server.protocol import ChatCompletion, ChatCompletionRequest, ChatMessage, Choice, ResponseMessage
from core.server.stops import truncate_at_stop

DEFAULT_MAX_TOKENS = 3450  # the paper's budget


def to_generation_request(body: ChatCompletionRequest) -> GenerationRequest:
    """The backend's request; ValueError for a conversation the model's template cannot take
    (``core.server.images.ImageRejected``, a ValueError, for unusable images)."""
    messages = tuple(_message(m) for m in body.messages)
    if messages[-1].role != "user":
        raise ValueError("the last message must be the user's")
    try:  # checked here, so a conversation the model cannot take is a 400, not a backend 500
        render_prompt(messages)
    except ValueError as exc:
        raise ValueError(f"the conversation does not fit the model's chat template: {exc}") from exc
    config = GenerationConfig(
        n=body.n,
        temperature=body.temperature,
        top_p=body.top_p,
        max_new_tokens=body.max_tokens or DEFAULT_MAX_TOKENS,
        seed=body.seed,
    )
    return GenerationRequest(messages, config)


def _message(message: ChatMessage) -> Message:
    if isinstance(message.content, str):
        return Message(message.role, message.content)
    texts, images = [], []
    for part in message.content:
        if part.type == "text":
            texts.append(part.text)
        else:
            images.append(decode_data_url(part.image_url.url))
    return Message(message.role, "\n".join(texts), tuple(images))


def stop_sequences(body: ChatCompletionRequest) -> tuple[str, ...]:
    if body.stop is None:
        return ()
    return (body.stop,) if isinstance(body.stop, str) else tuple(body.stop)


def completion(model: str, texts: list[str], stops: tuple[str, ...] = ()) -> ChatCompletion:
    """The non-streamed answer; stop sequences cut each text (the backend cannot see them)."""
    texts = [truncate_at_stop(t, stops)[0] for t in texts]
    return ChatCompletion(
        id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        model=model,
        choices=[Choice(index=i, message=ResponseMessage(content=t)) for i, t in enumerate(texts)],
    )


def chunk(
    completion_id: str,
    model: str,
    index: int,
    piece: str | None,
    *,
    finish: str | None = None,
    role: str | None = None,
) -> dict:
    """One ``chat.completion.chunk``; the first per candidate carries the role, the last ``finish``."""
    delta: dict[str, str] = {"role": role} if role else {}
    if piece is not None:
        delta["content"] = piece
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
    }
