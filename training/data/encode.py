"""Examples as token ids and labels, tokenized exactly as inference tokenizes prompts.

LLaVA (and so CAD-Coder, and ``core.models.llava_inputs`` at inference) splits the text at each
``<image>``, tokenizes every chunk on its own (dropping the BOS of later chunks) and puts the image's
feature tokens in between. Training does the same with the whole conversation, so the prompt part
of every example is token for token what the model will be given, and the answer is tokenized
together with the text before it, as it is when the model continues a prompt. Character offsets say
which tokens came from an answer (its text ends with the template's ``</s>``, which the tokenizer
turns into its end-of-sequence token); everything else — system sentence, questions, image
tokens — gets label -100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from transformers import PreTrainedTokenizerBase

from core.models.prompt import IMAGE_TOKEN
from training.data.records import Turn
from training.data.template import Template, segments

IGNORE_INDEX = -100


@dataclass(frozen=True)
class Encoded:
    input_ids: list[int]
    labels: list[int]


class Encoder:
    def __init__(
        self, tokenizer: PreTrainedTokenizerBase, image_tokens: int, template: Template, max_length: int
    ) -> None:
        if not tokenizer.is_fast:
            raise ValueError("a fast tokenizer is needed (character offsets decide the labels)")
        self.tokenizer = tokenizer
        self.image_tokens = image_tokens
        self.image_token_id = tokenizer.convert_tokens_to_ids(IMAGE_TOKEN)
        self.template = template
        self.max_length = max_length

    def text(self, turns: tuple[Turn, ...]) -> tuple[str, list[tuple[int, int]]]:
        """The conversation (one ``<image>`` marker per image) and the character spans of learned text."""
        text, learned = "", []
        for seg in segments(turns, self.template):
            if seg.learned:
                learned.append((len(text), len(text) + len(seg.text)))
            text += seg.text
        return text, learned

    def encode(self, turns: tuple[Turn, ...]) -> Encoded:
        text, learned = self.text(turns)
        ids: list[int] = []
        labels: list[int] = []
        start = 0
        for i, chunk in enumerate(text.split(IMAGE_TOKEN)):
            if i:
                ids += [self.image_token_id] * self.image_tokens
                labels += [IGNORE_INDEX] * self.image_tokens
                start += len(IMAGE_TOKEN)
            enc = self.tokenizer(chunk, return_offsets_mapping=True)
            pairs = list(zip(enc["input_ids"], enc["offset_mapping"], strict=True))
            if i and pairs and pairs[0][0] == self.tokenizer.bos_token_id:
                pairs = pairs[1:]
            for token, (a, b) in pairs:
                ids.append(token)
                inside = b > a and any(lo <= start + a < hi for lo, hi in learned)
                labels.append(token if inside else IGNORE_INDEX)
            start += len(chunk)
        return Encoded(ids[: self.max_length], labels[: self.max_length])

    def lengths(self, conversations: Sequence[tuple[Turn, ...]], batch: int = 512) -> list[int]:
        """Token counts including image tokens, tokenized in batches (150k samples take seconds)."""
        out: list[int] = []
        bos = self.tokenizer.bos_token_id
        for i in range(0, len(conversations), batch):
            chunks: list[list[str]] = [
                self.text(turns)[0].split(IMAGE_TOKEN) for turns in conversations[i : i + batch]
            ]
            flat = [c for parts in chunks for c in parts]
            counts = iter(self.tokenizer(flat)["input_ids"])
            for parts in chunks:
                total = 0
                for k in range(len(parts)):
                    ids = next(counts)
                    total += len(ids) - (1 if k and ids and ids[0] == bos else 0)
                out.append(total + self.image_tokens * (len(parts) - 1))
        return out
