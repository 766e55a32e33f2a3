"""``cadcoder serve --model DIR``: share a local model over the OpenAI chat-completions API."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from core.models.base import BackendError
from core.paths import EMBEDDED_MODEL_DIR


def serve(
    model: Path | None = typer.Option(None, "--model", help="Model directory (default: the embedded model)."),
    load_in_4bit: bool = typer.Option(False, "--load-in-4bit", help="bitsandbytes 4-bit (nf4), CPU or CUDA."),
    load_in_8bit: bool = typer.Option(False, "--load-in-8bit", help="bitsandbytes 8-bit, CPU or CUDA."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface; loopback unless you mean to share it."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    api_key: str | None = typer.Option(
        None, "--api-key", help="Require this Bearer key (default: $CADCODER_SERVER_API_KEY; none: open)."
    ),
    model_name: str | None = typer.Option(
        None, "--model-name", help="Name in /v1/models (default: the folder's)."
    ),
    max_concurrent: int = typer.Option(
        1, "--max-concurrent", min=1, help="Generations at once; more get 429."
    ),
) -> None:
    """Serve a model at http://HOST:PORT/v1 for `image2cad --endpoint`, the workbench or any OpenAI client."""
    if load_in_4bit and load_in_8bit:
        raise typer.BadParameter("choose one of --load-in-4bit and --load-in-8bit")
    directory = model or EMBEDDED_MODEL_DIR
    if not (directory / "config.json").is_file():
        typer.echo(f"error: no model at {directory} (config.json missing); pass --model DIR", err=True)
        raise typer.Exit(2)

    import uvicorn  # heavy imports (torch, FastAPI) only once the arguments are known to be usable

    from core.models.local import LocalLlavaBackend
    from core.server import ServerConfig, create_app

    quantization = "4bit" if load_in_4bit else "8bit" if load_in_8bit else None
    backend = LocalLlavaBackend(directory, quantization=quantization)
    try:
        backend.load()  # fail now, with the loader's message, rather than on the first request
    except BackendError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    key = api_key or os.environ.get("CADCODER_SERVER_API_KEY")
    if host not in ("127.0.0.1", "localhost", "::1") and not key:
        typer.echo(
            f"warning: serving on {host} without an API key: anyone who can reach it can use it", err=True
        )
    config = ServerConfig(model_name=model_name or directory.name, api_key=key, max_concurrent=max_concurrent)
    uvicorn.run(create_app(backend, config), host=host, port=port, log_level="info")
