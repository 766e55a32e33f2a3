"""A real uvicorn server on 127.0.0.1 over the tiny random LLaVA, per module."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from core.models.local import LocalLlavaBackend
from core.server import ServerConfig, create_app


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from core.models.tiny import build_tiny_llava

    return build_tiny_llava(tmp_path_factory.mktemp("server-model") / "tiny")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    def __init__(self, app) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> RunningServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def server(tiny_model: Path) -> Iterator[RunningServer]:
    backend = LocalLlavaBackend(tiny_model)
    with RunningServer(create_app(backend, ServerConfig(model_name="tiny", api_key="k-123"))) as running:
        yield running


@pytest.fixture
def run_server():
    """Start another app on its own port: ``with run_server(app) as running: ...``."""
    return RunningServer


@pytest.fixture(name="free_port")
def free_port_fixture():
    return free_port
