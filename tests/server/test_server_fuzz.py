"""Requests generated from the server's own OpenAPI schema (schemathesis): whatever arrives, the
answer is a documented status and content type whose body matches the schema, never a 500 or a
hang. The backend is a constant one: the fuzzing is about the HTTP layer (validation, limits,
errors), not the model."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.server import ServerConfig, create_app

MODEL = "cadcoder-mini"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class Constant:
    name, supports_chat = "constant", False

    def generate(self, request, *, on_token=None, cancel=None):
        text = "solid = 1"
        if on_token:
            for i in range(request.config.n):
                on_token(i, text)
        return [text] * request.config.n


app = create_app(Constant(), ServerConfig(model_name=MODEL, max_concurrent=4))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_answers_are_documented_and_never_server_errors(case) -> None:
    if isinstance(case.body, dict) and "model" in case.body:
        case.body["model"] = MODEL  # else nearly every case stops at the 404 for an unknown model
    case.validate_response(case.call(), checks=CHECKS)
