"""Conversation text for training, split into the parts that are learned and the parts that are not.

``vicuna_v1`` is LLaVA-1.5's chat format, which CAD-Coder was trained and is evaluated with. The text
comes from ``core.models.prompt.render_prompt`` — the very function inference uses — so training and
inference cannot drift apart: the context of answer *k* is the rendered conversation up to
``ASSISTANT:``, the learned part is what the next render adds (`` {answer}</s>``).
``plain`` is LLaVA's stage-1 format: the image, then the caption and a newline, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.models.base import ImageInput, Message
from core.models.prompt import IMAGE_TOKEN, render_prompt
from training.data.records import Turn

Template = Literal["vicuna_v1", "plain"]
# render_prompt only counts a message's images; the pixels travel separately.
_IMAGE = ImageInput(b"")


@dataclass(frozen=True)
class Segment:
    text: str
    learned: bool


def conversation(turns: tuple[Turn, ...]) -> list[Message]:
    messages: list[Message] = []
    for i, turn in enumerate(turns):
        messages.append(Message("user", turn.question, (_IMAGE,) if i == 0 else ()))
        messages.append(Message("assistant", turn.answer))
    return messages


def segments(turns: tuple[Turn, ...], template: Template) -> list[Segment]:
    if template == "plain":
        return [Segment(IMAGE_TOKEN, False), Segment(turns[0].answer + "\n", True)]
    messages = conversation(turns)
    out: list[Segment] = []
    done = ""
    for k in range(len(turns)):
        context = render_prompt(messages[: 2 * k + 1], add_generation_prompt=True)
        full = render_prompt(messages[: 2 * k + 2], add_generation_prompt=False)
        if not (context.startswith(done) and full.startswith(context)):
            raise ValueError("the prompt template is not prefix-stable; cannot separate answers")
        out.append(Segment(context[len(done) :], False))
        out.append(Segment(full[len(context) :], True))
        done = full
    return out
