"""The CAD-Coder prompt, exactly as the model was trained on it (light: standard library only).

CAD-Coder is LLaVA-1.5 fine-tuned with LLaVA's ``conv_vicuna_v1`` template, so any other wording,
spacing or separator puts the model off its training distribution. The template (from
``llava/conversation.py``, ``SeparatorStyle.TWO``)::

    system + " " + "USER: " + "<image>\\n" + question + " " + "ASSISTANT: " + reply + "</s>" + ... + "ASSISTANT:"

Follow-up edits are later turns of the same conversation: the previous code as the assistant's turn,
the new instruction as the next user turn. The remote client imports this module from FreeCAD's
Python, which is why it stays free of PIL and torch (image pre-processing lives in ``images.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.models.base import ImageInput, Message

IMAGE_TOKEN = "<image>"
VICUNA_SYSTEM = (
    "A chat between a curious user and an artificial intelligence assistant. "
    "The assistant gives helpful, detailed, and polite answers to the user's questions."
)
USER_ROLE = "USER"
ASSISTANT_ROLE = "ASSISTANT"
SEP = " "
SEP2 = "</s>"

# The question used for every training and test sample of GenCAD-Code.
CADCODER_QUESTION = "Generate the CADQuery code needed to create the CAD for the provided image. Just the code, no other words."
# General-purpose models do not know the dataset's conventions; the paper's baselines got these two
# extra requirements (our wording: reference-facts.md records their content, not their text).
BASELINE_SOLID_SENTENCE = (
    "Assign the final solid to a variable named `solid` in the last line of the code, "
    "and do not export or visualize it."
)
BASELINE_IMPORTS_SENTENCE = "Include the necessary imports."

# The same template as a Jinja chat template, saved with converted and tiny checkpoints so that
# ``processor.apply_chat_template`` (and servers such as vLLM) render exactly what ``render_prompt`` does.
VICUNA_V1_CHAT_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' -%}"
    "{%- if messages[0]['content'] is string -%}{%- set system = messages[0]['content'] -%}"
    "{%- else -%}{%- set system = messages[0]['content'] | selectattr('type', 'equalto', 'text')"
    " | map(attribute='text') | join('') -%}{%- endif -%}"
    "{%- set loop_messages = messages[1:] -%}"
    "{%- else -%}"
    "{%- set system = '" + VICUNA_SYSTEM.replace("'", "\\'") + "' -%}"
    "{%- set loop_messages = messages -%}"
    "{%- endif -%}"
    "{{- system + ' ' -}}"
    "{%- for message in loop_messages -%}"
    "{%- if message['role'] == 'user' -%}{{- 'USER: ' -}}{%- else -%}{{- 'ASSISTANT: ' -}}{%- endif -%}"
    "{%- if message['content'] is string -%}{{- message['content'] -}}"
    "{%- else -%}"
    "{%- for part in message['content'] if part['type'] == 'image' -%}{{- '<image>\\n' -}}{%- endfor -%}"
    "{%- for part in message['content'] if part['type'] == 'text' -%}{{- part['text'] -}}{%- endfor -%}"
    "{%- endif -%}"
    "{%- if message['role'] == 'user' -%}{{- ' ' -}}{%- else -%}{{- '</s>' -}}{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- 'ASSISTANT:' -}}{%- endif -%}"
)


def question(*, general_model: bool = False, include_imports: bool = False) -> str:
    """The paper's question; ``general_model`` adds the baselines' output conventions."""
    parts = [CADCODER_QUESTION]
    if general_model:
        parts.append(BASELINE_SOLID_SENTENCE)
    if include_imports:
        parts.append(BASELINE_IMPORTS_SENTENCE)
    return " ".join(parts)


def image_question(image: ImageInput, text: str = CADCODER_QUESTION) -> tuple[Message, ...]:
    """The one-turn conversation CAD-Coder answers: a picture and the question."""
    return (Message("user", text, (image,)),)


def follow_up(messages: Sequence[Message], previous_reply: str, instruction: str) -> tuple[Message, ...]:
    """The conversation for an edit: the model's last code becomes its turn, the edit the next one."""
    return (*messages, Message("assistant", previous_reply), Message("user", instruction))


def user_text(message: Message) -> str:
    """LLaVA puts each image as ``<image>\\n`` in front of its turn's text (and nowhere else)."""
    if IMAGE_TOKEN in message.text:
        raise ValueError(f"message text must not contain {IMAGE_TOKEN!r}; pass images as ImageInput")
    return (IMAGE_TOKEN + "\n") * len(message.images) + message.text


def render_prompt(messages: Sequence[Message], *, add_generation_prompt: bool = True) -> str:
    """The Vicuna v1 text for a conversation: optional system message, then user/assistant turns."""
    if not messages:
        raise ValueError("a conversation needs at least one message")
    system = VICUNA_SYSTEM
    turns = list(messages)
    if turns[0].role == "system":
        system = turns.pop(0).text
    text = system + SEP
    for i, message in enumerate(turns):
        expected = "user" if i % 2 == 0 else "assistant"
        if message.role != expected:
            raise ValueError(f"turn {i} is from {message.role!r}; Vicuna v1 alternates user/assistant")
        if message.role == "user":
            text += f"{USER_ROLE}: {user_text(message)}{SEP}"
        else:
            if message.images:
                raise ValueError("assistant turns cannot carry images")
            text += f"{ASSISTANT_ROLE}: {message.text}{SEP2}"
    if add_generation_prompt:
        if not turns or turns[-1].role != "user":
            raise ValueError("the last turn must be the user's to ask for a reply")
        text += f"{ASSISTANT_ROLE}:"
    return text
