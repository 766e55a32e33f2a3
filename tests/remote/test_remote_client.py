"""The OpenAI-compatible client against a scripted HTTP endpoint on 127.0.0.1 (``stub``, in
tests/conftest.py): the failure paths (refusals, 401, 404, 429/5xx, broken bodies) cannot be
produced on demand by a real model server."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from core.models.base import GenerationCancelled, GenerationConfig, GenerationRequest, ImageInput, Message
from core.models.remote import (
    AuthenticationFailed,
    EndpointBusy,
    EndpointTimedOut,
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


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A port that accepts connections (the kernel's backlog) but never answers a byte."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"


def test_read_timeout_is_its_own_error(silent_endpoint: str) -> None:
    backend = RemoteBackend(base_url=silent_endpoint, model="m", read_timeout=0.3, max_retries=0)
    started = time.monotonic()
    with pytest.raises(EndpointTimedOut, match=r"did not answer within 0.3 s"):
        backend.generate(request())
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("stream", [False, True])
def test_cancel_interrupts_a_blocked_read(silent_endpoint: str, stream: bool) -> None:
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    backend = RemoteBackend(base_url=silent_endpoint, model="m", read_timeout=60, max_retries=0)
    started = time.monotonic()
    with pytest.raises(GenerationCancelled):
        backend.generate(request(), cancel=cancel, on_token=(lambda i, p: None) if stream else None)
    assert time.monotonic() - started < 5


def test_cancel_between_stream_events_stops_reading(stub) -> None:
    state, url = stub
    state.replies.append(
        (
            200,
            {},
            ["data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": c}}]}) for c in "abc"]
            + ["data: [DONE]"],
        )
    )
    cancel = threading.Event()
    pieces: list[str] = []

    def on_token(_index: int, piece: str) -> None:
        pieces.append(piece)
        cancel.set()

    with pytest.raises(GenerationCancelled):
        RemoteBackend(base_url=url, model="m").generate(request(), on_token=on_token, cancel=cancel)
    assert pieces == ["a"]


def test_retry_after_is_honoured_and_the_key_stays_out_of_the_log(stub, caplog) -> None:
    state, url = stub
    state.replies.append((503, {"Retry-After": "0.6"}, {"error": {"message": "warming up"}}))
    state.reply("ok")
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()
    assert RemoteBackend(base_url=url, model="m", api_key=KEY, backoff=0.001).generate(request()) == ["ok"]
    assert time.monotonic() - started >= 0.6
    assert "HTTP 503, retrying in 0.60 s" in caplog.text and KEY not in caplog.text


@pytest.mark.parametrize("stream", [False, True])
def test_endpoints_that_ignore_n_are_asked_again(stub, stream: bool) -> None:
    state, url = stub
    state.reply("solid = 1")  # like Ollama: one choice whatever n says
    state.reply("solid = 2", "solid = 3")
    pieces: list[tuple[int, str]] = []
    backend = RemoteBackend(base_url=url, model="m")
    texts = backend.generate(request(n=3), on_token=(lambda i, p: pieces.append((i, p))) if stream else None)
    assert texts == ["solid = 1", "solid = 2", "solid = 3"]
    assert [r["body"]["n"] for r in state.requests] == [3, 2]
    if stream:
        assert sorted(pieces) == [(0, "solid = 1"), (1, "solid = 2"), (2, "solid = 3")]
