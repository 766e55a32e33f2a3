"""Hooks into ``model.generate``: token streaming for several candidates at once, and cancellation.

transformers' ``TextIteratorStreamer`` handles batch size 1 only, and CAD-Coder candidates are
sampled as one batch (on a GPU n sequences cost about as much as one), so this streamer keeps one
decoding window per row and reports ``on_token(candidate, piece)`` from the generating thread.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection
from dataclasses import dataclass, field

import torch
from transformers import PreTrainedTokenizerBase, StoppingCriteria
from transformers.generation.streamers import BaseStreamer

from core.models.base import TokenCallback

REPLACEMENT_CHAR = "\ufffd"


BYTE_TOKEN = re.compile(r"<0x[0-9A-Fa-f]{2}>")


@dataclass
class _Row:
    window: list[int] = field(default_factory=list)  # tokens not yet reported, after one of context
    printed: int = 0  # characters of the window's text already reported
    finished: bool = False


class CandidateStreamer(BaseStreamer):
    """Decodes each row's new tokens into pieces whose concatenation is exactly the row's final text.

    Decoding is not prefix-stable token by token: Llama's byte-fallback decoder turns a whole run of
    byte tokens into one character (or into one U+FFFD per byte when the run is not valid UTF-8),
    and a byte-level BPE shows an incomplete character as U+FFFD. So a row's text is reported only
    when its last token is neither a byte token nor a special one (skipped special tokens let the
    runs on either side merge) and the text does not end in U+FFFD; then the window
    restarts from that token, kept as context (a Llama tokenizer drops the leading space of a text's
    first token otherwise), and the cost per token stays constant however long the reply.
    """

    def __init__(
        self,
        tokenizer: PreTrainedTokenizerBase,
        rows: int,
        on_token: TokenCallback,
        *,
        first_index: int = 0,
        stop_ids: Collection[int] = (),
    ) -> None:
        self.tokenizer = tokenizer
        self.on_token = on_token
        self.first_index = first_index
        self.stop_ids = frozenset(stop_ids)
        self.special_ids = frozenset(tokenizer.all_special_ids)
        self.rows = [_Row() for _ in range(rows)]
        self.prompt_seen = False

    def put(self, value: torch.Tensor) -> None:
        if not self.prompt_seen:  # generate() first hands over the prompt itself
            self.prompt_seen = True
            return
        for index, tokens in enumerate(value.reshape(len(self.rows), -1).tolist()):
            for token in tokens:
                self._feed(index, token)

    def end(self) -> None:
        for index in range(len(self.rows)):
            self._flush(index)

    def _feed(self, index: int, token: int) -> None:
        row = self.rows[index]
        if row.finished:
            return
        if token in self.stop_ids:
            self._flush(index)
            return
        row.window.append(token)
        if token in self.special_ids or BYTE_TOKEN.fullmatch(
            self.tokenizer.convert_ids_to_tokens(token) or ""
        ):
            return
        text = self._decode(row.window)
        if text.endswith(REPLACEMENT_CHAR):
            return
        self._report(index, text[row.printed :])
        row.window = [token]
        row.printed = len(self._decode(row.window))

    def _flush(self, index: int) -> None:
        row = self.rows[index]
        if not row.finished:
            row.finished = True
            self._report(index, self._decode(row.window)[row.printed :])

    def _decode(self, tokens: list[int]) -> str:
        return self.tokenizer.decode(tokens, skip_special_tokens=True)

    def _report(self, index: int, piece: str) -> None:
        if piece:
            self.on_token(self.first_index + index, piece)


class CancelCriteria(StoppingCriteria):
    """Stops every row as soon as the caller's event is set; the backend then raises."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(
        self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs: object
    ) -> torch.BoolTensor:
        return torch.full(
            (input_ids.shape[0],), self.event.is_set(), dtype=torch.bool, device=input_ids.device
        )
