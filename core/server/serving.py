"""Chat requests -> backend calls -> OpenAI-shaped answers; no HTTP here (app.py has the routes)."""

from __future__ import annotations

import time
import uuid

from core.models.base import GenerationConfig, GenerationRequest, Message
from core.server.images import decode_data_url
from core.server.protocol import ChatCompletion, ChatCompletionRequest, ChatMessage, Choice, ResponseMessage

DEFAULT_MAX_TOKENS = 3450  # the paper's budget


def to_generation_request(body: ChatCompletionRequest) -> GenerationRequest:
    """The backend's request; raises core.server.images.ImageRejected for unusable images."""
    messages = tuple(_message(m) for m in body.messages)
    if messages[-1].role != "user":
        raise ValueError("the last message must be the user's")
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


def completion(model: str, texts: list[str]) -> ChatCompletion:
    return ChatCompletion(
        id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        model=model,
        choices=[Choice(index=i, message=ResponseMessage(content=t)) for i, t in enumerate(texts)],
    )


def chunk(completion_id: str, model: str, index: int, piece: str | None, finish: str | None = None) -> dict:
    delta = {"content": piece} if piece is not None else {}
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
    }
