"""A byte-level BPE tokenizer for CadQuery, trained on our own synthetic code (for from-scratch models).

Why not reuse Llama's: a 32k vocabulary costs a small model most of its parameters in embeddings,
and merges learned on prose split CadQuery oddly. Why digits one by one: numbers are the part of a
CAD program that must be exact, and per-digit tokens make ``0.375`` and ``0.376`` differ in one
token and let a small model learn place value instead of memorising thousands of number tokens.
The result is a fast tokenizer with the special tokens LLaVA needs (``<s>``, ``</s>``, ``<unk>``,
``<pad>``, ``<image>``), adds ``<s>`` in front like Llama's, and saves in Hugging Face format.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

UNK, BOS, EOS, PAD, IMAGE = "<unk>", "<s>", "</s>", "<pad>", "<image>"
SPECIAL_TOKENS = (UNK, BOS, EOS, PAD, IMAGE)


def train_bpe(
    texts: Iterable[str], vocab_size: int = 4096, min_frequency: int = 2
) -> PreTrainedTokenizerFast:
    """Train on ``texts`` (code, plus the prompt template so its words get merges too)."""
    tok = Tokenizer(models.BPE(unk_token=UNK))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    bos_id = tok.token_to_id(BOS)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, bos_id)]
    )
    return wrap(tok)


def wrap(tok: Tokenizer) -> PreTrainedTokenizerFast:
    """The ``tokenizers`` object as a transformers fast tokenizer; ``image_token`` is what LlavaProcessor reads."""
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=EOS,
        unk_token=UNK,
        pad_token=PAD,
        extra_special_tokens={"image_token": IMAGE},
        padding_side="right",
    )


def train_and_save(
    texts: Iterable[str], out_dir: str | Path, vocab_size: int = 4096
) -> PreTrainedTokenizerFast:
    tokenizer = train_bpe(texts, vocab_size)
    tokenizer.save_pretrained(str(out_dir))
    return tokenizer
