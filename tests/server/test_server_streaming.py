"""Streaming, stop sequences, client disconnects, body limits and backend crashes, each against a
real uvicorn server over a scripted backend (the tiny model's random text cannot show a stop
sequence being honoured or a generation being abandoned)."""

from __future__ import annotations

import json
import threading
import time

import httpx
import openai
import pytest

from core.models.base import GenerationCancelled
from core.server import ServerConfig, create_app

REPLY = "import cadquery as cq\nsolid = cq.Workplane().box(1, 2, 3)\n```\nThat is the code."


class Scripted:
    """Writes ``text`` three characters at a time, ``delay`` apart, until done or cancelled."""

    name, supports_chat = "scripted", False

    def __init__(self, text: str = REPLY, delay: float = 0.0) -> None:
        self.text, self.delay = text, delay
        self.sent = 0
        self.cancelled = threading.Event()

    def generate(self, request, *, on_token=None, cancel=None):
        self.sent = 0
        for start in range(0, len(self.text), 3):
            if cancel is not None and cancel.is_set():
                self.cancelled.set()
                raise GenerationCancelled("cancelled")
            if on_token is not None:
                for i in range(request.config.n):
                    on_token(i, self.text[start : start + 3])
            self.sent += 1
            time.sleep(self.delay)
        return [self.text] * request.config.n


class Crashing:
    name, supports_chat = "crashing", False

    def generate(self, request, *, on_token=None, cancel=None):
        raise RuntimeError("CUDA error: an illegal memory access was encountered")


BODY = {"model": "m", "messages": [{"role": "user", "content": "Generate."}]}


def test_stop_sequences_cut_plain_and_streamed_replies_alike(run_server) -> None:
    backend = Scripted()
    with run_server(create_app(backend, ServerConfig(model_name="m"))) as running:
        client = openai.OpenAI(base_url=running.url + "/v1", api_key="none", max_retries=0)
        plain = client.chat.completions.create(model="m", messages=BODY["messages"], stop=["```"], n=2)
        stream = client.chat.completions.create(
            model="m", messages=BODY["messages"], stop="```", n=2, stream=True
        )
        texts = ["", ""]
        for event in stream:
            for choice in event.choices:
                texts[choice.index] += choice.delta.content or ""
    expected = REPLY[: REPLY.index("```")]
    assert [c.message.content for c in plain.choices] == [expected, expected]
    assert texts == [expected, expected]
    assert backend.cancelled.is_set() and backend.sent < len(REPLY) // 3  # stopped generating early


def test_a_client_that_leaves_cancels_the_generation(run_server) -> None:
    backend = Scripted("x" * 3000, delay=0.01)
    with run_server(create_app(backend, ServerConfig(model_name="m"))) as running:
        with httpx.stream(
            "POST", running.url + "/v1/chat/completions", json=BODY | {"stream": True}, timeout=10
        ) as response:
            lines = response.iter_lines()
            first = json.loads(next(line for line in lines if line.startswith("data:"))[5:])
            assert first["object"] == "chat.completion.chunk"
        assert backend.cancelled.wait(10), "the model kept generating for a client that had gone"
        deadline = time.monotonic() + 10
        while httpx.get(running.url + "/health").json()["busy"]:
            assert time.monotonic() < deadline, "the slot was never freed"
            time.sleep(0.05)
        backend.delay = 0.0
        assert httpx.post(running.url + "/v1/chat/completions", json=BODY, timeout=60).status_code == 200


def test_chunked_and_declared_oversized_bodies_are_413(run_server) -> None:
    app = create_app(Scripted(), ServerConfig(model_name="m", max_body_bytes=4096))
    big = json.dumps(BODY | {"user": "x" * 10_000}).encode()
    with run_server(app) as running:
        url = running.url + "/v1/chat/completions"
        declared = httpx.post(url, content=big, headers={"Content-Type": "application/json"})
        chunked = httpx.post(
            url,
            content=(big[i : i + 1000] for i in range(0, len(big), 1000)),
            headers={"Content-Type": "application/json"},
        )
        assert chunked.request.headers.get("transfer-encoding") == "chunked"
        for response in (declared, chunked):
            assert response.status_code == 413
            assert "over 4096 bytes" in response.json()["error"]["message"]
        assert httpx.post(url, json=BODY).status_code == 200


@pytest.mark.parametrize("stream", [False, True])
def test_a_crashing_backend_gives_an_openai_error_not_a_hang(run_server, stream: bool) -> None:
    with run_server(create_app(Crashing(), ServerConfig(model_name="m"))) as running:
        response = httpx.post(
            running.url + "/v1/chat/completions", json=BODY | {"stream": stream}, timeout=10
        )
        if stream:
            events = [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:")]
            error = events[-1]["error"]
        else:
            assert response.status_code == 500
            error = response.json()["error"]
        assert error["type"] == "server_error" and "RuntimeError" in error["message"]
        assert httpx.get(running.url + "/health").json()["busy"] is False
