"""Server-sent-event framing as different OpenAI-compatible servers write it."""

from __future__ import annotations

from core.models.sse import sse_data


def test_events_are_split_on_blank_lines_and_comments_skipped() -> None:
    lines = [b": keep-alive\n", b'data: {"a": 1}\r\n', b"\r\n", b'data:{"b": 2}\n', b"\n", b"data: [DONE]\n"]
    assert list(sse_data(lines)) == [b'{"a": 1}', b'{"b": 2}', b"[DONE]"]


def test_multi_line_data_is_joined_and_other_fields_ignored() -> None:
    lines = [
        b"event: message\n",
        b"id: 7\n",
        b"data: first\n",
        b"data:  second\n",
        b"\n",
        b"retry: 10\n",
        b"\n",
    ]
    assert list(sse_data(lines)) == [b"first\n second"]
