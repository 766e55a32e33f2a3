"""``convert-llava`` end to end: a tiny checkpoint in the original LLaVA layout, converted, must give
the same logits (fp32) as a forward pass written here directly over the original weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from transformers import AutoProcessor, AutoTokenizer, CLIPVisionModel, LlamaConfig, LlamaModel
from typer.testing import CliRunner

from core.models.base import ImageInput
from core.models.convert_llava import ConversionError, convert_llava
from core.models.images import prepare_image
from core.models.llava_inputs import llava_input_ids
from core.models.prompt import IMAGE_TOKEN, image_question, render_prompt
from core.models.tiny import build_tiny_clip_tower, build_tiny_original_llava

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def tower(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_clip_tower(tmp_path_factory.mktemp("clip") / "tower")


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory, tower: Path) -> Path:
    return build_tiny_original_llava(tmp_path_factory.mktemp("orig") / "llava", tower, shards=2)


def original_state(src: Path) -> dict[str, torch.Tensor]:
    index = json.loads((src / "model.safetensors.index.json").read_text())
    state: dict[str, torch.Tensor] = {}
    for name in sorted(set(index["weight_map"].values())):
        state.update(load_file(str(src / name)))
    return state


def reference_logits(
    src: Path, tower_dir: Path, before: list[int], after: list[int], pixels: torch.Tensor
) -> torch.Tensor:
    """LLaVA-1.5's forward from the original keys: CLIP layer -2 without CLS, Linear-GELU-Linear
    from model.mm_projector.0/2, features spliced at the <image> position, Llama, lm_head."""
    state = original_state(src)
    config = json.loads((src / "config.json").read_text())
    if any(k.startswith("model.vision_tower.vision_tower.vision_model.") for k in state):
        tower = CLIPVisionModel.from_pretrained(tower_dir).eval()
        prefix = "model.vision_tower.vision_tower.vision_model."
        tower.load_state_dict({k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)})
    else:
        tower = CLIPVisionModel.from_pretrained(tower_dir).eval()
    with torch.no_grad():
        hidden = tower(pixels, output_hidden_states=True).hidden_states[config["mm_vision_select_layer"]]
        features = hidden[:, 1:]
        x = F.linear(features, state["model.mm_projector.0.weight"], state["model.mm_projector.0.bias"])
        x = F.linear(F.gelu(x), state["model.mm_projector.2.weight"], state["model.mm_projector.2.bias"])
        embed = state["model.embed_tokens.weight"]
        embeds = torch.cat([embed[before], x[0], embed[after]])[None]
        text = LlamaConfig(**{k: v for k, v in config.items() if not k.startswith("mm_")})
        llama = LlamaModel(text).eval()
        llama_state = {
            k[len("model.") :]: v
            for k, v in state.items()
            if k.startswith("model.") and not k.startswith(("model.mm_projector.", "model.vision_tower."))
        }
        llama.load_state_dict(llama_state)
        out = llama(inputs_embeds=embeds).last_hidden_state
        return out @ state["lm_head.weight"].T


def converted_logits(
    dst: Path, image: ImageInput
) -> tuple[torch.Tensor, list[int], list[int], torch.Tensor, int]:
    from transformers import LlavaForConditionalGeneration

    model, info = LlavaForConditionalGeneration.from_pretrained(
        dst, dtype=torch.float32, output_loading_info=True
    )
    assert not info["missing_keys"] and not info["unexpected_keys"], info
    processor = AutoProcessor.from_pretrained(dst)
    prompt = render_prompt(image_question(image))
    tokens = (model.config.vision_config.image_size // model.config.vision_config.patch_size) ** 2
    ids = llava_input_ids(prompt, processor.tokenizer, model.config.image_token_id, tokens)
    first = ids.index(model.config.image_token_id)
    before, after = ids[:first], ids[first + tokens :]
    pixels = processor.image_processor(
        images=[prepare_image(image, processor.image_processor.image_mean)], return_tensors="pt"
    )["pixel_values"]
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids]), pixel_values=pixels).logits
    return logits, before, after, pixels, tokens


@pytest.mark.parametrize(("tower_in_checkpoint", "full_clip"), [(False, True), (False, False), (True, True)])
def test_converted_logits_equal_the_original_forward(
    tmp_path: Path, tower: Path, part_image: ImageInput, tower_in_checkpoint: bool, full_clip: bool
) -> None:
    """Tower weights from an OpenAI-style CLIP folder, a bare vision-model folder, or the checkpoint."""
    if not full_clip:
        tower = build_tiny_clip_tower(tmp_path / "vision-only", full_clip=False)
    src = build_tiny_original_llava(
        tmp_path / "orig", tower, include_vision_tower=tower_in_checkpoint, seed=7
    )
    # With the tower in the checkpoint, the folder passed must not be where its weights come from.
    tower_dir = build_tiny_clip_tower(tmp_path / "other", seed=99) if tower_in_checkpoint else tower
    report = convert_llava(src, tmp_path / "hf", tower_dir)
    assert report.vision_weights == ("checkpoint" if tower_in_checkpoint else str(tower_dir))
    logits, before, after, pixels, _ = converted_logits(tmp_path / "hf", part_image)

    # The original tokenizer gives the same ids for the text around the image.
    original_tok = AutoTokenizer.from_pretrained(src)
    head, tail = render_prompt(image_question(part_image)).split(IMAGE_TOKEN)
    assert before == original_tok(head).input_ids
    assert after == original_tok(tail).input_ids[1:]

    expected = reference_logits(src, tower if tower_in_checkpoint else tower_dir, before, after, pixels)
    vocab = expected.shape[-1]
    assert logits.shape[1] == expected.shape[1]
    torch.testing.assert_close(logits[..., :vocab], expected, rtol=1e-5, atol=1e-5)


def test_vocabulary_gets_image_and_pad_tokens_with_mean_rows(
    tmp_path: Path, original: Path, tower: Path
) -> None:
    report = convert_llava(original, tmp_path / "hf", tower)
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "hf")
    old = report.original_vocab_size
    assert (report.image_token_id, report.pad_token_id) == (old, old + 1)
    assert tokenizer.convert_tokens_to_ids(["<image>", "<pad>"]) == [old, old + 1]
    assert report.vocab_size % 64 == 0 and report.vocab_size >= old + 2
    config = json.loads((tmp_path / "hf" / "config.json").read_text())
    assert config["model_type"] == "llava"
    assert config["image_token_index"] == old
    assert config["vision_feature_layer"] == -2
    assert config["vision_feature_select_strategy"] == "default"
    assert config["text_config"]["vocab_size"] == report.vocab_size
    state = original_state(original)
    index = json.loads((tmp_path / "hf" / "model.safetensors.index.json").read_text())
    converted = {}
    for name in set(index["weight_map"].values()):
        converted.update(load_file(str(tmp_path / "hf" / name)))
    for old_key, new_key in [
        ("model.embed_tokens.weight", "model.language_model.embed_tokens.weight"),
        ("lm_head.weight", "lm_head.weight"),
    ]:
        grown = converted[new_key]
        assert torch.equal(grown[:old], state[old_key])
        torch.testing.assert_close(grown[old:], state[old_key].mean(0).expand(report.vocab_size - old, -1))
    processor = AutoProcessor.from_pretrained(tmp_path / "hf")
    assert processor.image_processor.do_pad
    assert processor.chat_template is not None


def test_refuses_non_original_and_non_empty_destination(tmp_path: Path, original: Path, tower: Path) -> None:
    convert_llava(original, tmp_path / "hf", tower)
    with pytest.raises(ConversionError, match="not empty"):
        convert_llava(original, tmp_path / "hf", tower)
    with pytest.raises(ConversionError, match="original"):
        convert_llava(tmp_path / "hf", tmp_path / "again", tower)
    with pytest.raises(ConversionError, match=r"config\.json"):
        convert_llava(tmp_path / "nowhere", tmp_path / "x", tower)


def test_cli_command_converts_and_reports(tmp_path: Path, original: Path, tower: Path) -> None:
    import typer

    from core.cli.convert_cmd import convert_llava as command

    app = typer.Typer()
    app.command()(command)
    result = CliRunner().invoke(app, [str(original), str(tmp_path / "hf"), "--vision-tower", str(tower)])
    assert result.exit_code == 0, result.output
    assert "<image> = 384" in result.output
    assert (tmp_path / "hf" / "model.safetensors.index.json").is_file()
    failed = CliRunner().invoke(app, [str(original), str(tmp_path / "hf"), "--vision-tower", str(tower)])
    assert failed.exit_code == 2
    assert "not empty" in failed.output


def test_sentencepiece_tokenizer_as_llava_saved_it(tmp_path: Path, original: Path, tower: Path) -> None:
    """The release ships LLaVA's slow tokenizer (tokenizer.model only); token ids must survive."""
    spm = pytest.importorskip("sentencepiece")
    import shutil

    from core.models.tiny import TOKENIZER_CORPUS

    src = tmp_path / "orig"
    shutil.copytree(original, src)
    (src / "tokenizer.json").unlink()
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(TOKENIZER_CORPUS * 10))
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(src / "tokenizer"),
        vocab_size=384,
        model_type="bpe",
        byte_fallback=True,
        character_coverage=1.0,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        # Llama's normaliser settings: no NFKC, whitespace kept, digits split.
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        split_digits=True,
        minloglevel=2,
    )
    (src / "tokenizer.vocab").unlink()
    config = {
        "tokenizer_class": "LlamaTokenizer",
        "pad_token": "<unk>",
        "legacy": False,
        "add_bos_token": True,
    }
    (src / "tokenizer_config.json").write_text(json.dumps(config))
    report = convert_llava(src, tmp_path / "hf", tower)
    assert report.image_token_id == 384
    processor = spm.SentencePieceProcessor(model_file=str(src / "tokenizer.model"))
    converted = AutoTokenizer.from_pretrained(tmp_path / "hf")
    text = "\nGenerate the CADQuery code: solid=cq.Workplane(0.375)"
    assert converted(text).input_ids == [1, *processor.encode(text)]
