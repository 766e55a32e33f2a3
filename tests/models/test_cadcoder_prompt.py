"""The CAD-Coder prompt, character for character (LLaVA's conv_vicuna_v1, SeparatorStyle.TWO)."""

from __future__ import annotations

import pytest

from core.models.base import ImageInput, Message
from core.models.prompt import (
    CADCODER_QUESTION,
    follow_up,
    image_question,
    question,
    render_prompt,
)

IMAGE = ImageInput(b"\x89PNG...")
SYSTEM = (
    "A chat between a curious user and an artificial intelligence assistant. "
    "The assistant gives helpful, detailed, and polite answers to the user's questions."
)
QUESTION = "Generate the CADQuery code needed to create the CAD for the provided image. Just the code, no other words."


def test_single_turn_prompt_is_llava_vicuna_v1() -> None:
    expected = SYSTEM + " USER: <image>\n" + QUESTION + " ASSISTANT:"
    assert render_prompt(image_question(IMAGE)) == expected


def test_question_matches_the_benchmark_file(benchmark_samples: list[dict]) -> None:
    assert CADCODER_QUESTION == QUESTION
    assert {s["text"] for s in benchmark_samples} == {QUESTION}


def test_follow_up_turns_use_sep2_after_the_assistant() -> None:
    code = "import cadquery as cq\nsolid = cq.Workplane().box(1, 2, 3)"
    conversation = follow_up(image_question(IMAGE), code, "Make the box twice as tall.")
    expected = (
        SYSTEM
        + " USER: <image>\n"
        + QUESTION
        + " ASSISTANT: "
        + code
        + "</s>USER: Make the box twice as tall. ASSISTANT:"
    )
    assert render_prompt(conversation) == expected


def test_system_message_replaces_the_default_sentence() -> None:
    messages = (Message("system", "Be terse."), Message("user", "Hi"))
    assert render_prompt(messages) == "Be terse. USER: Hi ASSISTANT:"


def test_baseline_question_adds_the_output_conventions() -> None:
    assert question() == QUESTION
    general = question(general_model=True)
    assert general.startswith(QUESTION + " ")
    assert "`solid`" in general and "export" in general
    assert question(general_model=True, include_imports=True).endswith("Include the necessary imports.")


@pytest.mark.parametrize(
    "messages",
    [
        (),
        (Message("assistant", "x"),),
        (Message("user", "a"), Message("user", "b")),
        (Message("user", "look at <image> here"),),
        (Message("user", "a"), Message("assistant", "b")),
        (Message("system", "only a system sentence"),),
    ],
)
def test_malformed_conversations_are_rejected(messages: tuple[Message, ...]) -> None:
    with pytest.raises(ValueError):
        render_prompt(messages)


def test_saved_chat_template_renders_the_same_text(tiny_llava) -> None:
    """vLLM and plain transformers users get the prompt from the checkpoint's chat template."""
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(tiny_llava)
    code = "solid = cq.Workplane().box(1, 1, 1)"
    hf_messages = [
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": QUESTION}]},
        {"role": "assistant", "content": [{"type": "text", "text": code}]},
        {"role": "user", "content": [{"type": "text", "text": "Add a hole."}]},
    ]
    ours = follow_up(image_question(IMAGE), code, "Add a hole.")
    assert processor.apply_chat_template(hf_messages, add_generation_prompt=True) == render_prompt(ours)
    assert processor.apply_chat_template(hf_messages[:1], add_generation_prompt=True) == render_prompt(
        ours[:1]
    )
