"""The OpenAI-compatible HTTP server behind `cadcoder serve` (heavy: FastAPI)."""

from core.server.app import ServerConfig, create_app

__all__ = ["ServerConfig", "create_app"]
