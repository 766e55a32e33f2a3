"""Requests generated from the server's own OpenAPI schema (schemathesis): whatever arrives, the
answer is a documented status with a JSON body, never a 500 or a hang. The backend is a constant
one, as the fuzzing is about the HTTP layer (validation, limits, errors), not the model."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from core.server import ServerConfig, create_app


class Constant:
    name, supports_chat = "constant", False

    def generate(self, request, *, on_token=None, cancel=None):
        text = "solid = 1"
        if on_token:
            for i in range(request.config.n):
                on_token(i, text)
        return [text] * request.config.n


app = create_app(Constant(), ServerConfig(model_name="cadcoder-mini", max_concurrent=4))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    content_type = response.headers["content-type"]
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith(("application/json", "text/event-stream"))
