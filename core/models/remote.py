"""Any OpenAI-compatible endpoint as a backend: our own `cadcoder serve`, vLLM, Ollama, LM Studio.

Standard library only (``urllib``), because FreeCAD's own Python runs this client and has neither
httpx nor the ``openai`` package. The image travels as a base64 ``data:`` URL in an ``image_url``
part. Failures become distinct :class:`BackendError` subclasses whose messages say what to do next;
the API key is sent only in the Authorization header and never appears in a message or a log.
429/5xx are retried with exponential back-off and jitter (``Retry-After`` wins when the server
sends one); a set cancel event aborts even a blocked read (see ``cancel_watch``).
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import os
import random
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from core.models.base import BackendError, GenerationCancelled, GenerationRequest, Message, TokenCallback
from core.models.cancel_watch import CancelWatch
from core.models.sse import sse_data

log = logging.getLogger(__name__)
API_KEY_VARIABLES = ("CADCODER_API_KEY", "OPENAI_API_KEY")
RETRY_STATUSES = {429, 500, 502, 503, 504}


class EndpointUnreachable(BackendError):
    """Nothing answers at the URL (refused, unknown host, timed out)."""


class EndpointTimedOut(EndpointUnreachable):
    """Connected (or tried to) but nothing arrived within the timeout."""


class AuthenticationFailed(BackendError):
    """401/403: the key is missing or wrong."""


class ModelNotFound(BackendError):
    """404 for the model name; the message lists the models the endpoint has."""


class EndpointBusy(BackendError):
    """429 or 5xx after every retry."""


class MalformedReply(BackendError):
    """The endpoint answered with something that is not an OpenAI chat completion."""


@dataclass(frozen=True)
class RemoteConfig:
    base_url: str = "http://127.0.0.1:8000/v1"
    model: str | None = None  # None: the endpoint's first model from /v1/models
    api_key: str | None = None  # None: $CADCODER_API_KEY, then $OPENAI_API_KEY
    connect_timeout: float = 10.0
    read_timeout: float = 600.0  # a 13B model writing 3450 tokens on a busy GPU takes minutes
    max_retries: int = 3
    backoff: float = 0.5  # seconds, doubled per retry, with jitter


class RemoteBackend:
    """:class:`core.models.base.Backend` over ``POST {base_url}/chat/completions``."""

    supports_chat = True

    def __init__(self, config: RemoteConfig | None = None, **overrides: Any) -> None:
        config = config or RemoteConfig()
        if overrides:
            config = RemoteConfig(**{**config.__dict__, **overrides})
        self.config = config
        self.base_url = _normalise_base(config.base_url)
        self._api_key = config.api_key or next(
            (os.environ[v] for v in API_KEY_VARIABLES if os.environ.get(v)), None
        )
        self._model = config.model
        self.name = f"remote:{self.base_url}"

    # -- public API -------------------------------------------------------------------------

    def list_models(self) -> list[str]:
        body = self._request("GET", "/models", None)
        try:
            return [m["id"] for m in body["data"]]
        except (KeyError, TypeError) as exc:
            raise MalformedReply(f"{self.base_url}/models: not an OpenAI model list") from exc

    @property
    def model(self) -> str:
        if self._model is None:
            models = self.list_models()
            if not models:
                raise ModelNotFound(f"{self.base_url} serves no models")
            self._model = models[0]
        return self._model

    def generate(
        self,
        request: GenerationRequest,
        *,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> list[str]:
        """``n`` replies; endpoints that ignore ``n`` (Ollama, LM Studio) are asked again for the rest."""
        cfg = request.config
        _check(cancel)
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [_message(m) for m in request.messages],
            "temperature": cfg.temperature,
            "top_p": cfg.top_p,
            "max_tokens": cfg.max_new_tokens,
        }
        texts: list[str] = []
        with CancelWatch(cancel) as watch:
            while len(texts) < cfg.n:
                wanted = cfg.n - len(texts)
                batch = payload | {"n": wanted}
                if cfg.seed is not None:
                    batch["seed"] = cfg.seed + len(texts)
                if on_token is None:
                    body = self._request("POST", "/chat/completions", batch, watch)
                    got = _choices(body, self.base_url)[:wanted]
                else:
                    got = self._streamed_choices(batch, wanted, len(texts), on_token, watch)
                if not got:
                    raise MalformedReply(f"{self.base_url}: the reply has no choices")
                if len(got) < wanted:
                    log.info(
                        "%s returned %d of %d candidates; asking for the rest",
                        self.base_url,
                        len(got),
                        wanted,
                    )
                texts += got
        return texts

    def _streamed_choices(
        self, payload: dict, wanted: int, first: int, on_token: TokenCallback, watch: CancelWatch
    ) -> list[str]:
        texts: dict[int, str] = {}
        for chunk in self._stream("/chat/completions", payload | {"stream": True}, watch):
            for choice in _stream_choices(chunk, self.base_url):
                index = choice.get("index", 0)
                if not isinstance(index, int) or not 0 <= index < wanted:
                    continue
                texts.setdefault(index, "")
                delta = choice.get("delta")
                piece = delta.get("content") if isinstance(delta, dict) else None
                if isinstance(piece, str) and piece:
                    texts[index] += piece
                    on_token(first + index, piece)
        return [texts[i] for i in sorted(texts)]

    # -- HTTP -------------------------------------------------------------------------------

    def _open(
        self, method: str, path: str, payload: dict | None, watch: CancelWatch
    ) -> http.client.HTTPResponse:
        """The response to a request, retried on 429/5xx; raises the matching BackendError."""
        url = urllib.parse.urlsplit(self.base_url + path)
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        target = url.path + (f"?{url.query}" if url.query else "")
        connection_type = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        for attempt in range(self.config.max_retries + 1):
            connection = connection_type(url.hostname, url.port, timeout=self.config.connect_timeout)
            connected = False
            try:
                connection.connect()
                connected = True
                watch.attach(connection)
                # From here on the timeout bounds each wait for bytes, not the whole reply.
                connection.sock.settimeout(self.config.read_timeout)
                connection.request(method, target, body=data, headers=headers)
                response = connection.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                raise self._transport_error(exc, watch, connected=connected) from None
            if response.status < 400:
                return response
            body = response.read()
            retry_after = response.getheader("Retry-After")
            connection.close()
            if response.status in RETRY_STATUSES and attempt < self.config.max_retries:
                delay = _retry_after(retry_after)
                if delay is None:
                    delay = self.config.backoff * 2**attempt * (1 + random.random() / 2)
                log.info(
                    "%s %s: HTTP %s, retrying in %.2f s", method, self.base_url + path, response.status, delay
                )
                watch.sleep(delay)
                _check(watch.cancel)
                continue
            raise self._http_error(response.status, body, payload)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _transport_error(self, exc: BaseException, watch: CancelWatch, *, connected: bool) -> BackendError:
        if watch.cancelled:
            return GenerationCancelled("generation cancelled")
        if isinstance(exc, TimeoutError):
            limit = self.config.read_timeout if connected else self.config.connect_timeout
            return EndpointTimedOut(
                f"{self.base_url} did not answer within {limit:g} s; the server may be overloaded "
                "(raise the timeout in the settings) or unreachable."
            )
        if connected:
            return EndpointUnreachable(
                f"{self.base_url}: the connection broke ({exc.__class__.__name__}: {exc})"
            )
        return EndpointUnreachable(
            f"cannot reach {self.base_url} ({exc.__class__.__name__}: {exc}); is the server running? "
            "Start one with `cadcoder serve --model DIR`, or check the URL in the settings."
        )

    def _request(
        self, method: str, path: str, payload: dict | None, watch: CancelWatch | None = None
    ) -> dict:
        watch = watch or CancelWatch(None)
        response = self._open(method, path, payload, watch)
        try:
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise self._transport_error(exc, watch, connected=True) from None
        finally:
            response.close()
        if watch.cancelled:
            raise GenerationCancelled("generation cancelled")
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise MalformedReply(f"{self.base_url}{path}: the reply is not JSON ({raw[:80]!r})") from exc
        if not isinstance(body, dict):
            raise MalformedReply(f"{self.base_url}{path}: the reply is not a JSON object")
        return body

    def _stream(self, path: str, payload: dict, watch: CancelWatch) -> Iterator[dict]:
        """Server-sent events: ``data: {json}`` events until ``data: [DONE]``."""
        response = self._open("POST", path, payload, watch)
        try:
            for data in sse_data(response):
                _check(watch.cancel)
                if data.strip() == b"[DONE]":
                    return
                try:
                    chunk = json.loads(data)
                except ValueError as exc:
                    raise MalformedReply(
                        f"{self.base_url}{path}: a stream event is not JSON ({data[:80]!r})"
                    ) from exc
                if not isinstance(chunk, dict):
                    raise MalformedReply(f"{self.base_url}{path}: a stream event is not a JSON object")
                if "error" in chunk:
                    raise BackendError(
                        f"{self.base_url}: the stream ended with an error: {_error_text(chunk)}"
                    )
                yield chunk
        except (OSError, http.client.HTTPException) as exc:
            raise self._transport_error(exc, watch, connected=True) from None
        finally:
            response.close()
        _check(watch.cancel)
        raise MalformedReply(f"{self.base_url}{path}: the stream ended without [DONE]")

    def _http_error(self, status: int, body: bytes, payload: dict | None) -> BackendError:
        try:
            detail = _error_text(json.loads(body or b"{}"))
        except ValueError:
            detail = body[:200].decode(errors="replace")
        if status in (401, 403):
            hint = "set CADCODER_API_KEY" if not self._api_key else "check the API key"
            return AuthenticationFailed(f"{self.base_url} refused the request (HTTP {status}): {hint}")
        if status == 404 and payload is not None and "model" in payload:
            try:
                available = ", ".join(self.list_models()) or "none"
            except BackendError:
                available = "unknown"
            return ModelNotFound(
                f"{self.base_url} has no model {payload['model']!r} (available: {available})"
            )
        if status in RETRY_STATUSES:
            return EndpointBusy(
                f"{self.base_url}: HTTP {status} after {self.config.max_retries} retries: {detail}"
            )
        return BackendError(f"{self.base_url}: HTTP {status}: {detail}")


def _normalise_base(url: str) -> str:
    url = url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise BackendError(f"{url!r} is not an http(s) URL")
    for suffix in ("/chat/completions", "/completions"):
        url = url.removesuffix(suffix)
    return url if url.endswith("/v1") else url + "/v1"


def _message(message: Message) -> dict[str, Any]:
    if not message.images:
        return {"role": message.role, "content": message.text}
    parts: list[dict[str, Any]] = [
        {
            "type": "image_url",
            "image_url": {"url": f"data:{img.mime};base64,{base64.b64encode(img.data).decode()}"},
        }
        for img in message.images
    ]
    parts.append({"type": "text", "text": message.text})
    return {"role": message.role, "content": parts}


def _choices(body: dict, where: str) -> list[str]:
    try:
        choices = sorted(body["choices"], key=lambda c: c.get("index", 0))
        texts = [c["message"]["content"] or "" for c in choices]
    except (KeyError, TypeError, AttributeError) as exc:
        raise MalformedReply(f"{where}: the reply has no choices[].message.content") from exc
    if not all(isinstance(t, str) for t in texts):
        raise MalformedReply(f"{where}: a choice's message.content is not text")
    return texts


def _stream_choices(chunk: dict, where: str) -> list[dict]:
    choices = chunk.get("choices") or []
    if not isinstance(choices, list) or not all(isinstance(c, dict) for c in choices):
        raise MalformedReply(f"{where}: a stream event has no choices[] list")
    return choices


def _error_text(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", body["error"]))
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])
    return str(body)[:200]


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped at a minute."""
    if not value:
        return None
    try:
        return min(float(value), 60.0)
    except ValueError:
        try:
            return max(0.0, min(parsedate_to_datetime(value).timestamp() - time.time(), 60.0))
        except (TypeError, ValueError):
            return None


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise GenerationCancelled("generation cancelled")
