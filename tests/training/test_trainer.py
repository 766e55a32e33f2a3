"""The trainer on CPU with tiny models: it learns, it resumes exactly, stage 1 trains only the
projector, and its checkpoints are ordinary Hugging Face LLaVA folders."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from training_helpers import tiny_recipe

from training.checkpoint import TrainerState, list_checkpoints
from training.trainer import train

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def first_run(drawn_shards: Path, tmp_path_factory):
    work = tmp_path_factory.mktemp("train")
    config = tiny_recipe(drawn_shards, work, max_steps=6)
    return config, train(config, log=lambda _line: None)


def test_a_few_steps_lower_the_loss_on_a_fixed_batch(first_run) -> None:
    from transformers import AutoProcessor, LlavaForConditionalGeneration

    from training.data.dataset import batch_of, prepare

    config, outcome = first_run
    # 8 samples, 4 per batch x 2 accumulated: every step sees the same fixed batch of all 8.
    assert outcome.global_step == 6 and len(outcome.losses) == 6
    assert outcome.losses[-1] < 0.85 * outcome.losses[0]
    model = LlavaForConditionalGeneration.from_pretrained(outcome.final_dir)
    processor = AutoProcessor.from_pretrained(outcome.final_dir)
    data = prepare(config.data, processor, image_tokens=16)
    batch = batch_of(data.train, list(range(8)), processor.tokenizer.pad_token_id)
    with torch.no_grad():
        final_loss = model(**batch).loss.item()
    assert final_loss < 0.85 * outcome.losses[0]


def test_checkpoints_hold_model_processor_and_trainer_state(first_run) -> None:
    config, outcome = first_run
    found = list_checkpoints(Path(config.output.dir))
    assert [p.name for p in found] == ["step-00000003", "step-00000006"]
    for path in (*found, outcome.final_dir):
        assert (path / "config.json").is_file() and (path / "model.safetensors").is_file()
        assert (path / "processor_config.json").is_file() and (path / "tokenizer.json").is_file()
    state = TrainerState.read(found[0])
    assert (state.global_step, state.epoch, state.batches_in_epoch) == (3, 3, 0)
    assert (found[0] / "state" / "optimizer.bin").is_file()


def test_resume_continues_from_the_saved_step_exactly(drawn_shards: Path, tmp_path: Path) -> None:
    # 6 training samples (2 held out), 2 per batch x 2 accumulated: two steps per epoch, so step 3 is
    # in the middle of epoch 1. Gradient checkpointing and the validation loss ride along.
    settings = {
        "max_steps": 5,
        "per_device_batch_size": 2,
        "gradient_checkpointing": True,
        "validation_fraction": 0.25,
    }
    lines: list[str] = []
    straight = train(tiny_recipe(drawn_shards, tmp_path / "a", **settings), log=lines.append)
    assert "training on 6 samples, 2 held out for validation" in "\n".join(lines)
    assert any(line.startswith("step 3: validation loss ") for line in lines)
    checkpoint = list_checkpoints(tmp_path / "a" / "run")[0]
    state = TrainerState.read(checkpoint)
    assert (state.global_step, state.epoch, state.batches_in_epoch) == (3, 1, 2)
    config = tiny_recipe(drawn_shards, tmp_path / "b", **settings)
    config.resume = str(checkpoint)
    resumed = train(config, log=lines.append)
    assert resumed.global_step == 5 and len(resumed.losses) == 2
    assert resumed.losses == pytest.approx(straight.losses[3:], rel=1e-6)


def test_stage_one_composition_trains_only_the_projector(tmp_path: Path) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        CLIPVisionConfig,
        CLIPVisionModel,
        LlamaConfig,
        LlamaForCausalLM,
        PreTrainedTokenizerFast,
    )
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    from training.config import ModelConfig
    from training.model_setup import compose, set_trainable

    vision = CLIPVisionModel(
        CLIPVisionConfig(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=32,
            patch_size=8,
        )
    )
    vision.save_pretrained(tmp_path / "clip")
    CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(
        tmp_path / "clip"
    )
    vocab = {
        "<unk>": 0,
        "<s>": 1,
        "</s>": 2,
        **{c: i + 3 for i, c in enumerate("abcdefghijklmnopqrstuvwxyz ")},
    }
    raw = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    PreTrainedTokenizerFast(
        tokenizer_object=raw, bos_token="<s>", eos_token="</s>", unk_token="<unk>"
    ).save_pretrained(tmp_path / "lm")
    lm = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=len(vocab),
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            num_key_value_heads=2,
        )
    )
    lm.save_pretrained(tmp_path / "lm")

    model, processor = compose(
        ModelConfig(init="compose", vision_model=str(tmp_path / "clip"), language_model=str(tmp_path / "lm"))
    )
    image_id, pad_id = processor.tokenizer.convert_tokens_to_ids("<image>"), processor.tokenizer.pad_token_id
    assert image_id == model.config.image_token_id and {image_id, pad_id} == {len(vocab), len(vocab) + 1}
    assert model.config.image_seq_length == 16  # (32 / 8) ** 2 patches, CLS dropped
    assert torch.equal(
        model.model.vision_tower.embeddings.patch_embedding.weight,
        vision.embeddings.patch_embedding.weight,
    )
    assert torch.equal(
        model.model.language_model.layers[0].mlp.up_proj.weight, lm.model.layers[0].mlp.up_proj.weight
    )
    assert model.get_input_embeddings().weight.shape[0] == 64  # 32 tokens, padded to a multiple of 64

    trainable = set_trainable(model, ["projector"])
    assert trainable == sum(p.numel() for p in model.model.multi_modal_projector.parameters())
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    image = torch.zeros(1, 3, 32, 32)
    inputs = processor(text="ab <image> cd", images=[image[0].permute(1, 2, 0).numpy()], return_tensors="pt")
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    model(**inputs, labels=inputs["input_ids"]).loss.backward()
    optimizer.step()
    changed = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    assert changed and all(n.startswith("model.multi_modal_projector.") for n in changed)


def test_the_checkpoint_generates_in_the_local_backend_from_the_training_inputs(first_run) -> None:
    """LocalLlavaBackend loads the checkpoint unchanged, and its greedy reply equals generating from
    the training pipeline's own prompt tokens and pixels: both sides feed the model the same thing."""
    from training_helpers import drawn_png
    from transformers import AutoProcessor, LlavaForConditionalGeneration

    from core.models.base import GenerationConfig, GenerationRequest, ImageInput
    from core.models.llava_hf import image_token_count
    from core.models.local import LocalLlavaBackend
    from core.models.prompt import image_question
    from training.data.dataset import prepare
    from training.data.encode import IGNORE_INDEX

    config, outcome = first_run
    backend = LocalLlavaBackend(outcome.final_dir, device="cpu", dtype="float32")
    request = GenerationRequest(image_question(ImageInput(drawn_png(3))), GenerationConfig(max_new_tokens=12))
    replies = backend.generate(request)
    assert len(replies) == 1 and replies[0]

    model = LlavaForConditionalGeneration.from_pretrained(outcome.final_dir).eval()
    processor = AutoProcessor.from_pretrained(outcome.final_dir)
    tokens = image_token_count(model.config.vision_config, model.config.vision_feature_select_strategy)
    item = prepare(config.data, processor, tokens).train[3]  # sample 3: drawn_png(3)
    prompt_len = next(i for i, label in enumerate(item["labels"].tolist()) if label != IGNORE_INDEX)
    with torch.no_grad():
        out = model.generate(
            input_ids=item["input_ids"][None, :prompt_len],
            pixel_values=item["pixel_values"][None],
            max_new_tokens=12,
            do_sample=False,
        )
    new = out[0, prompt_len:].tolist()
    eos = processor.tokenizer.eos_token_id
    new = new[: new.index(eos)] if eos in new else new
    assert processor.tokenizer.decode(new, skip_special_tokens=True) == replies[0]
