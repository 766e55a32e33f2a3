"""Fixtures shared by every test layer."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.paths import benchmark_dir


@pytest.fixture(scope="session")
def benchmark() -> Path:
    """The paper's benchmark folder; CI keeps ``shared/`` beside the clone, so it must exist."""
    path = benchmark_dir()
    assert (path / "test100.jsonl").is_file(), f"benchmark not found at {path} (set CADCODER_BENCHMARK_DIR)"
    return path


@pytest.fixture(scope="session")
def benchmark_samples(benchmark: Path) -> list[dict]:
    with open(benchmark / "test100.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Tests (and the CLIs they start) never read or fill the user's ~/.cache/cadcoder."""
    path = tmp_path_factory.mktemp("cadcoder-cache")
    previous = os.environ.get("CADCODER_CACHE_DIR")
    os.environ["CADCODER_CACHE_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("CADCODER_CACHE_DIR", None)
    else:
        os.environ["CADCODER_CACHE_DIR"] = previous


class Stub:
    """A scripted OpenAI-compatible endpoint: each POST pops one (status, headers, body) from
    ``replies`` (a list body is sent as server-sent events); GET /v1/models lists ``models``."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, dict, object]] = []
        self.requests: list[dict] = []
        self.models = ["cadcoder-mini"]

    def reply(self, *texts: str) -> None:
        """Queue a 200 chat completion whose choices are ``texts``."""
        choices = [{"index": i, "message": {"role": "assistant", "content": t}} for i, t in enumerate(texts)]
        self.replies.append((200, {}, {"choices": choices}))


@contextlib.contextmanager
def serve_stub() -> Iterator[tuple[Stub, str]]:
    """(the script, its base URL) for a real HTTP server on 127.0.0.1 in a thread."""
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            return

        def _send(self, status: int, headers: dict, body: object) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if isinstance(body, list):  # server-sent events
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for line in body:
                    self.wfile.write(line.encode() + b"\n\n")
                    self.wfile.flush()
                return
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._send(
                200, {}, {"object": "list", "data": [{"id": m, "object": "model"} for m in state.models]}
            )

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append({"body": body, "auth": self.headers.get("Authorization")})
            status, headers, reply = state.replies.pop(0)
            if body.get("stream") and status == 200 and isinstance(reply, dict) and "choices" in reply:
                reply = [  # what a real server sends for the same completion when asked to stream
                    "data: " + json.dumps({"choices": [{"index": c["index"], "delta": c["message"]}]})
                    for c in reply["choices"]
                ] + ["data: [DONE]"]
            self._send(status, headers, reply)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def stub() -> Iterator[tuple[Stub, str]]:
    with serve_stub() as running:
        yield running


@pytest.fixture(scope="session")
def stub_server_factory():
    """``serve_stub`` for fixtures of wider scope than ``stub``: ``with factory() as (state, url)``."""
    return serve_stub
