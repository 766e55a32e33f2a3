"""`cadcoder serve`'s API with the official openai client and raw HTTP, over the tiny model."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import threading
import time

import httpx
import openai
import pytest
from PIL import Image

from core.models.base import GenerationConfig, GenerationRequest, ImageInput, Message
from core.models.remote import RemoteBackend
from core.server import ServerConfig, create_app
from core.server.images import MAX_PIXELS


def png(width: int = 48, height: int = 32, mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (width, height), 255).save(buf, "PNG")
    return buf.getvalue()


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def messages(url: str) -> list[dict]:
    return [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": url}},
                {"type": "text", "text": "Generate."},
            ],
        }
    ]


@pytest.fixture(scope="module")
def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key="k-123", max_retries=0)


def test_models_and_health(server, client) -> None:
    assert [m.id for m in client.models.list().data] == ["tiny"]
    assert httpx.get(server.url + "/health").json()["status"] == "ok"


def test_chat_completion_with_the_openai_client(client) -> None:
    reply = client.chat.completions.create(
        model="tiny", messages=messages(data_url(png())), n=2, max_tokens=6
    )
    assert len(reply.choices) == 2 and all(isinstance(c.message.content, str) for c in reply.choices)


def test_streaming_gives_the_same_greedy_text(client) -> None:
    plain = client.chat.completions.create(model="tiny", messages=messages(data_url(png())), max_tokens=6)
    stream = client.chat.completions.create(
        model="tiny", messages=messages(data_url(png())), max_tokens=6, stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == plain.choices[0].message.content


def test_our_remote_client_talks_to_our_server(server) -> None:
    backend = RemoteBackend(base_url=server.url, api_key="k-123")
    assert backend.model == "tiny"
    request = GenerationRequest(
        (Message("user", "Generate.", (ImageInput(png()),)),), GenerationConfig(max_new_tokens=5)
    )
    pieces: list[str] = []
    texts = backend.generate(request, on_token=lambda i, p: pieces.append(p))
    assert texts == ["".join(pieces)]


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"model": "gpt-4", "messages": messages(data_url(png()))}, 404, "does not exist"),
        ({"model": "tiny", "messages": messages("https://example.com/part.png")}, 400, "data: URL"),
        ({"model": "tiny", "messages": messages("data:image/png;base64,!!!")}, 400, "malformed"),
        ({"model": "tiny", "messages": messages(data_url(b"not a png"))}, 400, "cannot be decoded"),
        ({"model": "tiny", "messages": []}, 400, "messages"),
        ({"model": "tiny", "messages": messages(data_url(png())), "n": 99}, 400, "n"),
        ({"model": "tiny", "messages": [{"role": "assistant", "content": "hi"}]}, 400, "last message"),
        (
            {
                "model": "tiny",
                "messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],
            },
            400,
            "chat template",
        ),
        ({"model": "tiny", "messages": [{"role": "user", "content": "<image> box"}]}, 400, "chat template"),
    ],
)
def test_bad_requests_get_openai_shaped_4xx(server, body: dict, status: int, fragment: str) -> None:
    r = httpx.post(server.url + "/v1/chat/completions", json=body, headers={"Authorization": "Bearer k-123"})
    assert r.status_code == status
    assert fragment in r.json()["error"]["message"]


def test_decompression_bomb_is_refused(server) -> None:
    side = int(MAX_PIXELS**0.5) + 100
    bomb = png(side, side, mode="1")  # a few kB that would decode to tens of megapixels
    assert len(bomb) < 200_000
    r = httpx.post(
        server.url + "/v1/chat/completions",
        json={"model": "tiny", "messages": messages(data_url(bomb))},
        headers={"Authorization": "Bearer k-123"},
    )
    assert r.status_code == 413 and "pixels" in r.json()["error"]["message"]


def test_malformed_json_and_oversized_body(server) -> None:
    headers = {"Authorization": "Bearer k-123", "Content-Type": "application/json"}
    r = httpx.post(server.url + "/v1/chat/completions", content=b"{not json", headers=headers)
    assert r.status_code == 400 and "error" in r.json()
    r = httpx.post(server.url + "/v1/chat/completions", content=b"x" * (33 * 2**20), headers=headers)
    assert r.status_code == 413, r.text[:300]


def test_api_key_is_enforced(server) -> None:
    url = server.url + "/v1/models"
    assert httpx.get(url).status_code == 401
    assert (
        httpx.get(url, headers={"Authorization": "Bearer wrong"}).json()["error"]["type"]
        == "authentication_error"
    )
    assert httpx.get(url, headers={"Authorization": "Bearer k-123"}).status_code == 200


class Blocking:
    """A backend that holds its slot until released: the only way to keep the server busy on cue."""

    name, supports_chat = "blocking", False

    def __init__(self) -> None:
        self.started, self.release = threading.Event(), threading.Event()

    def generate(self, request, *, on_token=None, cancel=None):
        self.started.set()
        self.release.wait(30)
        return ["done"] * request.config.n


def test_busy_server_answers_429_and_stays_healthy(run_server) -> None:
    backend = Blocking()
    with run_server(create_app(backend, ServerConfig(model_name="m"))) as running:
        body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
        results: list[httpx.Response] = []
        first = threading.Thread(
            target=lambda: results.append(
                httpx.post(running.url + "/v1/chat/completions", json=body, timeout=30)
            )
        )
        first.start()
        assert backend.started.wait(10)
        second = httpx.post(running.url + "/v1/chat/completions", json=body, timeout=10)
        assert second.status_code == 429 and second.headers["Retry-After"] == "1"
        assert httpx.get(running.url + "/health", timeout=5).json()["busy"] is True
        backend.release.set()
        first.join(30)
        assert (
            results[0].status_code == 200
            and json.loads(results[0].text)["choices"][0]["message"]["content"] == "done"
        )


CLI = [sys.executable, "-m", "core.cli.main", "serve"]


def test_serve_command_end_to_end(tiny_model, free_port) -> None:
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "--model", str(tiny_model), "--port", str(port)], stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "cadcoder serve did not come up"
            time.sleep(0.25)
        backend = RemoteBackend(base_url=f"http://127.0.0.1:{port}")
        assert backend.model == "tiny"
        request = GenerationRequest(
            (Message("user", "Generate.", (ImageInput(png()),)),), GenerationConfig(max_new_tokens=4)
        )
        assert len(backend.generate(request)) == 1
    finally:
        process.terminate()
        process.wait(30)


def test_serve_without_a_model_says_so(tmp_path) -> None:
    out = subprocess.run([*CLI, "--model", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "config.json missing" in out.stderr and "Traceback" not in out.stderr
