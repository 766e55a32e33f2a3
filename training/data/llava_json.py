"""LLaVA-style conversation files: GenCAD-Code's training JSON and LLaVA-Pretrain (stage 1).

Format (a JSON list, or JSON lines)::

    {"id": "...", "image": "relative/or/absolute.png",
     "conversations": [{"from": "human", "value": "<image>\\n..."}, {"from": "gpt", "value": "..."}]}

The ``<image>`` marker is removed from the question (the prompt builder puts it back where the
template wants it). Samples without an image, with a missing image file or with unpaired turns are
dropped and counted.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from training.data.records import Example, ImageRef, LoadReport, Turn, resolve

IMAGE_MARKER = "<image>"
_USER = {"human", "user"}
_ASSISTANT = {"gpt", "assistant"}


def parse_turns(conversations: Any) -> tuple[Turn, ...] | None:
    """Pairs of (human, gpt) values; ``None`` when the list is not strictly alternating."""
    if not isinstance(conversations, list) or len(conversations) < 2 or len(conversations) % 2:
        return None
    turns = []
    for ask, reply in zip(conversations[::2], conversations[1::2], strict=True):
        if not isinstance(ask, dict) or not isinstance(reply, dict):
            return None
        if ask.get("from") not in _USER or reply.get("from") not in _ASSISTANT:
            return None
        question, answer = ask.get("value"), reply.get("value")
        if not isinstance(question, str) or not isinstance(answer, str):
            return None
        turns.append(Turn(strip_image_marker(question), answer))
    return tuple(turns)


def strip_image_marker(text: str) -> str:
    return (
        text.replace(IMAGE_MARKER + "\n", "")
        .replace("\n" + IMAGE_MARKER, "")
        .replace(IMAGE_MARKER, "")
        .strip()
    )


def read_records(path: Path) -> list[dict[str, Any]]:
    """A JSON list, or one JSON object per line."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        data = json.loads(text)
        if not isinstance(data, list):
            raise ValueError(f"{path}: expected a JSON list of samples")
        return data
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class LlavaJsonSource:
    """Examples of a LLaVA conversation file whose image names are relative to ``image_folder``."""

    def __init__(self, json_path: str | Path, image_folder: str | Path, check_images: bool = True) -> None:
        json_path, folder = Path(json_path), Path(image_folder)
        self.examples: list[Example] = []
        dropped: Counter[str] = Counter()
        for n, record in enumerate(read_records(json_path)):
            if not isinstance(record, dict):
                dropped["malformed"] += 1
                continue
            turns = parse_turns(record.get("conversations"))
            if turns is None:
                dropped["malformed"] += 1
                continue
            if not record.get("image"):
                dropped["no_image"] += 1
                continue
            image = resolve(folder, str(record["image"]))
            if check_images and not image.is_file():
                dropped["missing_image"] += 1
                continue
            self.examples.append(Example(str(record.get("id", n)), ImageRef(str(image)), turns))
        self.report = LoadReport(str(json_path), len(self.examples), dict(dropped))

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int) -> Example:
        return self.examples[index]

    def conversation(self, index: int) -> tuple[Turn, ...]:
        return self.examples[index].turns
