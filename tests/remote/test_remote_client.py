"""The OpenAI-compatible client against a scripted HTTP endpoint on 127.0.0.1 (``stub``, in
tests/conftest.py): the failure paths (refusals, 401, 404, 429/5xx, broken bodies) cannot be
produced on demand by a real model server."""

from __future__ import annotations

import json
import logging
import socket
import threading

import pytest

from core.models.base import GenerationCancelled, GenerationConfig, GenerationRequest, ImageInput, Message
from core.models.remote import (
    AuthenticationFailed,
    EndpointBusy,
    EndpointUnreachable,
    MalformedReply,
    ModelNotFound,
    RemoteBackend,
)

KEY = "sk-test-secret-key-123"


def request(n: int = 1) -> GenerationRequest:
    image = ImageInput(b"\x89PNG fake bytes", "image/png")
    return GenerationRequest((Message("user", "Generate the code.", (image,)),), GenerationConfig(n=n))


def test_completion_sends_image_model_and_key(stub) -> None:
    state, url = stub
    state.reply("solid = 1", "solid = 2")
    backend = RemoteBackend(base_url=url, api_key=KEY)
    assert backend.generate(request(n=2)) == ["solid = 1", "solid = 2"]
    sent = state.requests[0]
    assert sent["auth"] == f"Bearer {KEY}"
    assert sent["body"]["model"] == "cadcoder-mini" and sent["body"]["n"] == 2
    parts = sent["body"]["messages"][0]["content"]
    assert parts[0]["image_url"]["url"].startswith("data:image/png;base64,")
    assert parts[1] == {"type": "text", "text": "Generate the code."}


def test_key_from_environment(stub, monkeypatch) -> None:
    state, url = stub
    monkeypatch.setenv("CADCODER_API_KEY", KEY)
    state.reply("x")
    RemoteBackend(base_url=url, model="m").generate(request())
    assert state.requests[0]["auth"] == f"Bearer {KEY}"


def test_streaming_feeds_tokens(stub) -> None:
    state, url = stub
    events = [
        "data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": piece}}]})
        for piece in ("import cadquery as cq\n", "solid = ", "cq.Workplane().box(1, 1, 1)")
    ] + ["data: [DONE]"]
    state.replies.append((200, {}, events))
    pieces: list[tuple[int, str]] = []
    texts = RemoteBackend(base_url=url, model="m").generate(
        request(), on_token=lambda i, p: pieces.append((i, p))
    )
    assert texts == ["import cadquery as cq\nsolid = cq.Workplane().box(1, 1, 1)"]
    assert [p for _, p in pieces] == ["import cadquery as cq\n", "solid = ", "cq.Workplane().box(1, 1, 1)"]
    assert state.requests[0]["body"]["stream"] is True


def test_refused_connection_is_reported_clearly() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(EndpointUnreachable, match=r"cannot reach .* is the server running"):
        RemoteBackend(base_url=f"http://127.0.0.1:{port}", model="m", max_retries=0).generate(request())


def test_wrong_key_never_appears_in_errors_or_logs(stub, caplog) -> None:
    state, url = stub
    state.replies.append((401, {}, {"error": {"message": f"bad key {KEY}"}}))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthenticationFailed) as info:
        RemoteBackend(base_url=url, model="m", api_key=KEY).generate(request())
    assert KEY not in str(info.value) and KEY not in caplog.text


def test_unknown_model_lists_the_available_ones(stub) -> None:
    state, url = stub
    state.replies.append((404, {}, {"error": {"message": "model not found"}}))
    with pytest.raises(ModelNotFound, match=r"no model 'gpt-x'.*cadcoder-mini"):
        RemoteBackend(base_url=url, model="gpt-x").generate(request())


def test_retries_on_busy_then_succeeds(stub) -> None:
    state, url = stub
    state.replies += [(429, {"Retry-After": "0"}, {"error": {"message": "slow down"}}), (503, {}, b"")]
    state.reply("ok")
    assert RemoteBackend(base_url=url, model="m", backoff=0.01).generate(request()) == ["ok"]
    assert len(state.requests) == 3


def test_gives_up_after_the_retries(stub) -> None:
    state, url = stub
    state.replies += [(500, {}, {"error": {"message": "boom"}})] * 3
    with pytest.raises(EndpointBusy, match="HTTP 500 after 2 retries: boom"):
        RemoteBackend(base_url=url, model="m", backoff=0.01, max_retries=2).generate(request())


@pytest.mark.parametrize("body", [b"<html>oops</html>", {"choices": [{"text": "legacy"}]}, {"choices": []}])
def test_malformed_replies(stub, body) -> None:
    state, url = stub
    state.replies.append((200, {}, body))
    with pytest.raises(MalformedReply):
        RemoteBackend(base_url=url, model="m").generate(request())


def test_stream_without_done_is_malformed(stub) -> None:
    state, url = stub
    state.replies.append(
        (200, {}, ["data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": "x"}}]})])
    )
    with pytest.raises(MalformedReply, match=r"without \[DONE\]"):
        RemoteBackend(base_url=url, model="m").generate(request(), on_token=lambda i, p: None)


def test_cancel_before_sending(stub) -> None:
    _, url = stub
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(GenerationCancelled):
        RemoteBackend(base_url=url, model="m").generate(request(), cancel=cancel)


def test_base_url_forms_are_normalised(stub) -> None:
    _, url = stub
    root = url.removesuffix("/v1")
    for form in (root, root + "/", url, url + "/chat/completions"):
        assert RemoteBackend(base_url=form).base_url == url
    assert RemoteBackend(base_url=root).model == "cadcoder-mini"  # first model of /v1/models
