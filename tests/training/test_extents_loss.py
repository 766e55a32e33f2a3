"""The auxiliary extents loss: its targets are a part's proportions, it reads the state that
writes the answer's first token, it ignores examples without extents, and the trainer learns it."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from training_helpers import tiny_recipe

from training.data.dataset import Collator, model_inputs, prepare
from training.data.encode import IGNORE_INDEX
from training.data.synthetic import ShardSource
from training.extents_loss import ExtentsHead, answer_states, centred_log_extents, extents_loss
from training.trainer import train

pytestmark = pytest.mark.timeout(300)


def test_targets_are_proportions_free_of_scale() -> None:
    a = centred_log_extents(torch.tensor([[2.0, 1.0, 0.5]]))
    b = centred_log_extents(torch.tensor([[200.0, 100.0, 50.0]]))
    assert torch.allclose(a, b, atol=1e-5)
    assert torch.allclose(a, torch.tensor([[math.log(2.0), 0.0, -math.log(2.0)]]), atol=1e-5)
    assert torch.allclose(centred_log_extents(torch.tensor([[3.0, 3.0, 3.0]])), torch.zeros(1, 3))


def test_the_state_before_the_first_answer_token_is_read() -> None:
    hidden = torch.arange(2 * 5 * 1, dtype=torch.float32).reshape(2, 5, 1)
    labels = torch.tensor([[IGNORE_INDEX, IGNORE_INDEX, 7, 8, 9], [IGNORE_INDEX] * 5])
    states, has_answer = answer_states(hidden, labels)
    assert states[0].item() == 1.0  # position 1 predicts the label at position 2
    assert has_answer.tolist() == [True, False]


def test_rows_without_extents_add_nothing() -> None:
    torch.manual_seed(0)
    head = ExtentsHead(4)
    hidden = torch.randn(2, 3, 4)
    labels = torch.tensor([[IGNORE_INDEX, 5, 6], [IGNORE_INDEX, 5, 6]])
    known = torch.tensor([[2.0, 1.0, 0.5], [math.nan] * 3])
    both, _ = extents_loss(head, hidden, labels, known)
    first, _ = extents_loss(head, hidden[:1], labels[:1], known[:1])
    assert torch.allclose(both, first) and both.item() > 0
    none, error = extents_loss(head, hidden, labels, torch.full((2, 3), math.nan))
    assert none.item() == 0.0 and error.item() == 0.0
    none.backward()  # touches the head (a distributed run reduces the same parameters everywhere)
    assert head.proj.weight.grad is not None


def test_shards_carry_the_parts_extents_into_batches(drawn_shards: Path, tmp_path: Path) -> None:
    source = ShardSource(drawn_shards, "q")
    assert source[0].extents == pytest.approx((0.5, 1.0, 0.25))
    assert source[3].extents == pytest.approx((0.8, 1.0, 0.25))
    from transformers import AutoProcessor

    outcome = train(tiny_recipe(drawn_shards, tmp_path, max_steps=1), log=lambda _l: None)
    processor = AutoProcessor.from_pretrained(outcome.final_dir)
    data = prepare(tiny_recipe(drawn_shards, tmp_path).data, processor, image_tokens=16)
    batch = Collator(processor.tokenizer.pad_token_id)([data.train[0], data.train[1]])
    inputs, extents = model_inputs(batch)
    assert "extents" not in inputs and extents is not None and extents.shape == (2, 3)
    assert torch.isfinite(extents).all()


def test_the_trainer_learns_the_extents_alongside_the_code(drawn_shards: Path, tmp_path: Path) -> None:
    lines: list[str] = []
    config = tiny_recipe(
        drawn_shards, tmp_path, max_steps=12, extents_loss_weight=1.0, gradient_accumulation_steps=1
    )
    config.output.logging_steps = 1
    outcome = train(config, log=lines.append)
    errors = [float(line.rsplit(" ", 1)[1]) for line in lines if "extents error" in line]
    assert any("auxiliary extents loss, weight 1.0" in line for line in lines)
    assert len(errors) == 12
    assert sum(errors[-3:]) / 3 < 0.7 * sum(errors[:3]) / 3
    assert outcome.losses[-1] < outcome.losses[0]
    from transformers import LlavaForConditionalGeneration

    LlavaForConditionalGeneration.from_pretrained(outcome.final_dir)  # still a plain LLaVA folder
