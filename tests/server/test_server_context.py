"""A prompt longer than the model's context is the client's error: an OpenAI-shaped 400 with the
``context_length_exceeded`` code (as OpenAI and vLLM answer it), streamed or not, never a 500."""

from __future__ import annotations

import httpx
import openai
import pytest

from core.models.base import BackendInputError, GenerationConfig, GenerationRequest, Message
from core.models.local import LocalLlavaBackend

LONG = "Generate the code. " * 300  # > 512 tokens, the tiny model's context
HEADERS = {"Authorization": "Bearer k-123"}


def body(text: str, **extra) -> dict:
    return {"model": "tiny", "messages": [{"role": "user", "content": text}], "max_tokens": 4, **extra}


def test_the_local_backend_refuses_a_prompt_longer_than_its_context(tiny_model) -> None:
    request = GenerationRequest((Message("user", LONG),), GenerationConfig(max_new_tokens=4))
    with pytest.raises(BackendInputError, match="context is 512 tokens") as caught:
        LocalLlavaBackend(tiny_model).generate(request)
    assert caught.value.code == "context_length_exceeded"


@pytest.mark.parametrize("stream", [False, True])
def test_too_long_a_prompt_is_a_400_and_the_server_stays_usable(server, stream: bool) -> None:
    url = server.url + "/v1/chat/completions"
    response = httpx.post(url, json=body(LONG, stream=stream), headers=HEADERS, timeout=60)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "context_length_exceeded")
    assert "512" in error["message"]
    assert httpx.get(server.url + "/health").json()["busy"] is False
    fine = httpx.post(url, json=body("Generate.", stream=stream), headers=HEADERS, timeout=60)
    assert fine.status_code == 200


def test_the_openai_client_sees_a_bad_request(server) -> None:
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="k-123", max_retries=0)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="tiny", messages=body(LONG)["messages"], max_tokens=4)
    assert caught.value.code == "context_length_exceeded"
