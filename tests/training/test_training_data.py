"""Loading the published formats and our shards, dropping over-long samples, and label masking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from training_helpers import drawn_png, write_drawn_shards

from core.models.base import ImageInput, Message
from core.models.prompt import CADCODER_QUESTION, VICUNA_SYSTEM, render_prompt
from training.config import DataConfig, SourceConfig
from training.data.dataset import Collator, prepare
from training.data.encode import IGNORE_INDEX, Encoder
from training.data.hf_disk import HfDiskSource
from training.data.llava_json import LlavaJsonSource
from training.data.records import Turn
from training.data.synthetic import ShardSource
from training.tokenizer import train_bpe


def _conv(question: str, answer: str) -> list[dict]:
    return [{"from": "human", "value": question}, {"from": "gpt", "value": answer}]


@pytest.fixture(scope="module")
def llava_folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("llava")
    (root / "images").mkdir()
    for i in range(3):
        (root / "images" / f"{i}.png").write_bytes(drawn_png(i))
    records = [
        {"id": "a", "image": "0.png", "conversations": _conv("<image>\n" + CADCODER_QUESTION, "solid = 1")},
        {"id": "b", "image": "1.png", "conversations": _conv("Describe.\n<image>", "a grey part")},
        {"id": "c", "conversations": _conv("text only", "no image")},
        {"id": "d", "image": "missing.png", "conversations": _conv("<image>\nq", "a")},
        {"id": "e", "image": "2.png", "conversations": [{"from": "gpt", "value": "x"}]},
        {"id": "f", "image": "2.png", "conversations": _conv("<image>\nq1", "a1") + _conv("q2", "a2")},
    ]
    (root / "train.json").write_text(json.dumps(records))
    (root / "train.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return root


@pytest.mark.parametrize("name", ["train.json", "train.jsonl"])
def test_llava_json_keeps_valid_pairs_and_counts_the_rest(llava_folder: Path, name: str) -> None:
    source = LlavaJsonSource(llava_folder / name, llava_folder / "images")
    assert [source[i].id for i in range(len(source))] == ["a", "b", "f"]
    assert source.report.dropped == {"no_image": 1, "missing_image": 1, "malformed": 1}
    assert source[0].turns == (Turn(CADCODER_QUESTION, "solid = 1"),)
    assert source[1].turns[0].question == "Describe."
    assert source.conversation(2) == (Turn("q1", "a1"), Turn("q2", "a2"))
    assert source[0].image.open().size == (96, 96)


def test_hf_disk_with_a_code_column_and_with_conversations(tmp_path: Path) -> None:
    import datasets

    features = datasets.Features({"image": datasets.Image(), "code": datasets.Value("string")})
    rows = {"image": [{"bytes": drawn_png(1), "path": None}, None], "code": ["solid = 2", "solid = 3"]}
    datasets.Dataset.from_dict(rows, features=features).save_to_disk(str(tmp_path / "code"))
    source = HfDiskSource(tmp_path / "code", answer_column="code", question="Q?")
    assert len(source) == 1 and source.report.dropped == {"no_image": 1}
    assert source[0].turns == (Turn("Q?", "solid = 2"),)
    assert source[0].image.open().size == (96, 96)

    (tmp_path / "img.png").write_bytes(drawn_png(2))
    conv = {"image": ["img.png"], "conversations": [_conv("<image>\nq", "a")]}
    datasets.DatasetDict({"train": datasets.Dataset.from_dict(conv)}).save_to_disk(str(tmp_path / "conv"))
    with pytest.raises(ValueError, match="splits"):
        HfDiskSource(tmp_path / "conv")
    source = HfDiskSource(tmp_path / "conv", split="train", image_folder=tmp_path)
    assert source[0].turns == (Turn("q", "a"),) and source[0].image.open().size == (96, 96)


def test_shard_source_reads_images_in_place(tmp_path: Path) -> None:
    write_drawn_shards(tmp_path, 6, per_shard=4, augmented={1})
    clean = ShardSource(tmp_path, "Q", use_augmented=False)
    both = ShardSource(tmp_path, "Q")
    assert len(clean) == 6 and len(both) == 7
    assert both[2].id == "000000001.aug" and both[2].turns == both[1].turns
    assert clean[5].image.read_bytes() == drawn_png(5)
    assert "length = 1.00" in clean[5].turns[0].answer


@pytest.fixture(scope="module")
def tokenizer():
    texts = [f"{VICUNA_SYSTEM} USER: {CADCODER_QUESTION} ASSISTANT:"] + [
        f"import cadquery as cq\nsolid = cq.Workplane('XY').box({i / 10}, 1, 2)\n" for i in range(40)
    ]
    return train_bpe(texts, vocab_size=300)


def test_tokenizer_splits_digits_and_has_llava_specials(tokenizer, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    tokens = tokenizer.tokenize("box(12.375)")
    assert [t for t in tokens if t.isdigit()] == ["1", "2", "3", "7", "5"]
    assert tokenizer.image_token == "<image>"
    for special in ("<s>", "</s>", "<pad>", "<unk>", "<image>"):
        assert tokenizer.convert_tokens_to_ids(special) != tokenizer.unk_token_id or special == "<unk>"
    ids = tokenizer("solid = 1")["input_ids"]
    assert ids[0] == tokenizer.bos_token_id
    assert tokenizer.decode(ids, skip_special_tokens=True) == "solid = 1"
    tokenizer.save_pretrained(tmp_path)
    again = AutoTokenizer.from_pretrained(tmp_path)
    assert again("solid = 1")["input_ids"] == ids and again.image_token == "<image>"


@pytest.fixture(scope="module")
def llama_tokenizer():
    """A Llama-layout (Metaspace, byte fallback) tokenizer with ``<image>`` and ``<pad>``, as Vicuna's."""
    from core.models.tiny import tiny_tokenizer

    return tiny_tokenizer(llava_tokens=True)


@pytest.mark.parametrize("which", ["bpe", "llama"])
def test_prompt_tokens_are_the_inference_tokens_and_only_answers_are_learned(
    which: str, tokenizer, llama_tokenizer
) -> None:
    from core.models.llava_inputs import llava_input_ids

    tok = tokenizer if which == "bpe" else llama_tokenizer
    encoder = Encoder(tok, image_tokens=5, template="vicuna_v1", max_length=4096)
    answer = "import cadquery as cq\nsolid = cq.Workplane().box(1, 2, 3)"
    enc = encoder.encode((Turn(CADCODER_QUESTION, answer),))
    image_id = tok.convert_tokens_to_ids("<image>")
    prompt = render_prompt([Message("user", CADCODER_QUESTION, (ImageInput(b""),))])
    expected = llava_input_ids(prompt, tok, image_id, 5)
    assert enc.input_ids[: len(expected)] == expected  # what LocalLlavaBackend feeds the model
    assert set(enc.labels[: len(expected)]) == {IGNORE_INDEX}
    assert enc.input_ids.count(image_id) == 5
    learned = [t for t, label in zip(enc.input_ids, enc.labels, strict=True) if label != IGNORE_INDEX]
    assert learned == enc.input_ids[len(expected) :]
    assert learned[-1] == tok.eos_token_id
    assert tok.decode(learned[:-1]).strip() == answer
    assert encoder.lengths([(Turn(CADCODER_QUESTION, answer),)]) == [len(enc.input_ids)]


def test_later_turns_and_the_plain_template(tokenizer) -> None:
    encoder = Encoder(tokenizer, image_tokens=5, template="vicuna_v1", max_length=4096)
    two = encoder.encode((Turn("q1", "first"), Turn("q2", "second")))
    learned_text = tokenizer.decode(
        [t for t, lab in zip(two.input_ids, two.labels, strict=True) if lab != IGNORE_INDEX]
    )
    assert "first" in learned_text and "second" in learned_text and "q2" not in learned_text
    assert learned_text.count("</s>") == 2
    plain = Encoder(tokenizer, 5, "plain", 4096).encode((Turn("ignored", "a caption"),))
    learned = [t for t, lab in zip(plain.input_ids, plain.labels, strict=True) if lab != IGNORE_INDEX]
    assert tokenizer.decode(learned) == "a caption\n"
    assert len(Encoder(tokenizer, 5, "plain", 8).encode((Turn("", "a long caption " * 20),)).input_ids) == 8


def test_over_long_samples_are_dropped_and_counted(tokenizer, drawn_shards: Path, tmp_path: Path) -> None:
    from transformers import CLIPVisionConfig

    from core.models.llava_hf import clip_image_processor, llava_processor

    processor = llava_processor(
        tokenizer, CLIPVisionConfig(image_size=32, patch_size=8), clip_image_processor(32), pad=True
    )
    lengths = Encoder(tokenizer, 16, "vicuna_v1", 4096).lengths(
        [ShardSource(drawn_shards, CADCODER_QUESTION).conversation(i) for i in range(8)]
    )
    cut = sorted(lengths)[4]  # keeps the shorter half
    config = DataConfig(sources=[SourceConfig(kind="shards", path=str(drawn_shards))], max_length=cut)
    data = prepare(config, processor, image_tokens=16)
    assert data.too_long == sum(n > cut for n in lengths) > 0
    assert len(data.train) == 8 - data.too_long
    assert f"dropped {data.too_long} samples longer than {cut} tokens" in data.summary()
    item = data.train[0]
    assert item["pixel_values"].shape == (3, 32, 32) and len(item["input_ids"]) <= cut
    batch = Collator(tokenizer.pad_token_id)([data.train[0], data.train[1]])
    assert batch["input_ids"].shape == batch["labels"].shape == batch["attention_mask"].shape


def test_the_held_out_split_follows_the_programs_not_a_seed(tokenizer, tmp_path: Path) -> None:
    """A program's augmented picture falls on the same side as its clean one (no near-copy of a
    held-out sample is trained on), and the split depends on the programs alone: a larger share
    holds out a superset, so sessions with different seeds and settings agree on what was seen."""
    from transformers import CLIPVisionConfig

    from core.models.llava_hf import clip_image_processor, llava_processor

    processor = llava_processor(
        tokenizer, CLIPVisionConfig(image_size=32, patch_size=8), clip_image_processor(32), pad=True
    )
    write_drawn_shards(tmp_path, 10, per_shard=4, augmented=set(range(10)))

    def held_out(fraction: float) -> tuple[set[str], set[str]]:
        config = DataConfig(
            sources=[SourceConfig(kind="shards", path=str(tmp_path))], validation_fraction=fraction
        )
        data = prepare(config, processor, image_tokens=16)
        source = data.train.source
        answers = [source.conversation(i)[0].answer for i in data.validation.indices]
        assert len(answers) == round(20 * fraction)
        return set(answers), {source.conversation(i)[0].answer for i in data.train.indices}

    small, small_train = held_out(0.2)  # 20 samples: both pictures of 2 programs
    assert len(small) == 2 and not small & small_train
    large, large_train = held_out(0.4)
    assert len(large) == 4 and small < large and not large & large_train


def test_scratch_tokenizer_learns_the_prompt_words() -> None:
    import itertools

    from training.model_setup import prompt_texts

    code = "import cadquery as cq\nwidth = 1.25\nsolid = cq.Workplane('XY').box(width, 2, 3)\n"
    prompt = next(iter(prompt_texts(1)))
    with_prompt = train_bpe(itertools.chain([code] * 50, prompt_texts()), vocab_size=600)
    code_only = train_bpe([code] * 50, vocab_size=600)
    # About one token per word of the 40-word template, instead of one per few characters.
    assert len(with_prompt(prompt)["input_ids"]) < 70 < len(code_only(prompt)["input_ids"])
