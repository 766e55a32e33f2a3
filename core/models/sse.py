"""Server-sent events as OpenAI-compatible servers stream them (light: standard library only).

Kept apart from the HTTP client so the framing rules (blank line ends an event, several ``data:``
lines join with a newline, ``:`` lines are keep-alive comments) are one pure function that tests
can feed bytes to, whatever server produced them (vLLM, Ollama and llama.cpp differ in spacing).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def sse_data(lines: Iterable[bytes]) -> Iterator[bytes]:
    """The ``data`` payload of each event, in order; events without data are skipped."""
    data: list[bytes] = []
    for raw in lines:
        line = raw.rstrip(b"\r\n")
        if not line:
            if data:
                yield b"\n".join(data)
                data = []
            continue
        if line.startswith(b":"):
            continue
        field, _, value = line.partition(b":")
        if field == b"data":
            data.append(value[1:] if value.startswith(b" ") else value)
    if data:  # a server that closes without the final blank line still meant the event
        yield b"\n".join(data)
