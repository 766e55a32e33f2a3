"""The training loop: a plain ``accelerate`` loop, in the manner of nanoGPT and TRL's scripts.

Why not ``transformers.Trainer``: LLaVA's stages differ only in which modules learn, the data
position must survive a resume exactly (our map-style dataset + epoch-seeded sampler + skipped
batches), and every checkpoint must be a loadable HF LLaVA folder with its processor. A 200-line
loop states all of that openly, and ``accelerate launch`` with the YAML files in
``training/configs/accelerate/`` still gives DeepSpeed ZeRO-3, FSDP and multi-node unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from tqdm.auto import tqdm
from transformers import get_scheduler

from core.models.llava_hf import image_token_count
from training import model_setup
from training.checkpoint import (
    TrainerState,
    export_model,
    prune_checkpoints,
    resolve_resume,
    save_checkpoint,
)
from training.config import TrainConfig, config_to_dict
from training.data.dataset import Collator, model_inputs, open_sources, prepare
from training.extents_loss import ExtentsHead, extents_loss


class EpochSampler(torch.utils.data.Sampler[int]):
    """A permutation fixed by (seed, epoch): the same order again after a resume."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        g = torch.Generator().manual_seed(self.seed * 100_003 + self.epoch)
        return iter(torch.randperm(self.n, generator=g).tolist())

    def __len__(self) -> int:
        return self.n


@dataclass
class TrainHooks:
    """What a caller that outlives one run (``training.session``) needs from the loop.

    ``should_stop(step)`` is asked after every optimizer step: True saves a checkpoint there and ends
    the run (a session's time budget or a stop file). ``on_checkpoint(path, step, val_loss)`` is
    called after every checkpoint is saved (learning curves, committing weights)."""

    should_stop: Callable[[int], bool] | None = None
    on_checkpoint: Callable[[Path, int, float | None], None] | None = None


@dataclass
class TrainOutcome:
    final_dir: Path
    global_step: int
    losses: list[float] = field(default_factory=list)  # one per optimizer step, this run only
    data_summary: str = ""


def _optimizer(modules: list[torch.nn.Module], config: TrainConfig) -> torch.optim.Optimizer:
    """AdamW; biases and norms never decay (as in LLaVA's and HF's trainers)."""
    decay, no_decay = [], []
    for module in modules:
        for name, p in module.named_parameters():
            if not p.requires_grad:
                continue
            (no_decay if p.ndim < 2 or "norm" in name.lower() else decay).append(p)
    groups = [
        {"params": decay, "weight_decay": config.optim.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(
        [g for g in groups if g["params"]],
        lr=config.optim.learning_rate,
        betas=(config.optim.adam_beta1, config.optim.adam_beta2),
    )


def train(
    config: TrainConfig, log: Callable[[str], None] = print, hooks: TrainHooks | None = None
) -> TrainOutcome:
    output = Path(config.output.dir)
    hooks = hooks or TrainHooks()
    opt = config.optim
    accelerator = Accelerator(
        gradient_accumulation_steps=opt.gradient_accumulation_steps,
        mixed_precision=opt.mixed_precision,
        log_with="tensorboard" if config.output.tensorboard else None,
        project_dir=str(output),
    )

    def say(line: str) -> None:
        if accelerator.is_main_process:
            log(line)

    if opt.tf32 and torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if accelerator.num_processes != opt.world_size:
        say(
            f"note: the recipe assumes {opt.world_size} processes, running on {accelerator.num_processes}: "
            f"effective batch {opt.per_device_batch_size * opt.gradient_accumulation_steps * accelerator.num_processes}"
            f" instead of {opt.effective_batch_size}"
        )
    set_seed(config.seed)
    sources, _ = open_sources(config.data)
    with accelerator.main_process_first():
        model, processor = model_setup.build(
            config.model, lambda: _answers(sources, config.model.tokenizer.train_samples)
        )
    image_tokens = image_token_count(model.config.vision_config, model.config.vision_feature_select_strategy)
    data = prepare(config.data, processor, image_tokens, source=sources)
    say(data.summary())
    trainable = model_setup.set_trainable(model, opt.trainable)
    say(
        f"trainable parameters: {trainable:,} of {sum(p.numel() for p in model.parameters()):,} ({', '.join(opt.trainable)})"
    )
    if opt.gradient_checkpointing:
        model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})

    sampler = EpochSampler(len(data.train), config.seed)
    collate = Collator(processor.tokenizer.pad_token_id)
    loader = torch.utils.data.DataLoader(
        data.train,
        batch_size=opt.per_device_batch_size,
        sampler=sampler,
        collate_fn=collate,
        num_workers=config.data.num_workers,
        drop_last=False,
    )
    val_loader = (
        torch.utils.data.DataLoader(data.validation, batch_size=opt.per_device_batch_size, collate_fn=collate)
        if data.validation is not None
        else None
    )
    weight = opt.extents_loss_weight
    head = ExtentsHead(model.config.text_config.hidden_size) if weight > 0 else None
    if head is not None:
        say(f"auxiliary extents loss, weight {weight}")
    optimizer = _optimizer([model] if head is None else [model, head], config)
    micro_per_epoch = math.ceil(len(data.train) / (opt.per_device_batch_size * accelerator.num_processes))
    steps_per_epoch = max(1, math.ceil(micro_per_epoch / opt.gradient_accumulation_steps))
    total = opt.max_steps or math.ceil(opt.epochs * steps_per_epoch)
    scheduler = get_scheduler(
        opt.lr_scheduler,
        optimizer,
        num_warmup_steps=math.ceil(opt.warmup_ratio * total) * accelerator.num_processes,
        num_training_steps=total * accelerator.num_processes,
    )
    model, optimizer, loader, scheduler = accelerator.prepare(model, optimizer, loader, scheduler)
    if head is not None:
        head = accelerator.prepare(head)  # registered, so its weights are in every checkpoint's state
    if val_loader is not None:
        val_loader = accelerator.prepare(val_loader)

    state = TrainerState(total_steps=total)
    resume_from = resolve_resume(output, config.resume)
    if resume_from is not None:
        accelerator.load_state(str(resume_from / "state"))
        state = TrainerState.read(resume_from)
        state.total_steps = total
        say(
            f"resumed from {resume_from} at step {state.global_step} (epoch {state.epoch}, batch {state.batches_in_epoch})"
        )
    config_dict = config_to_dict(config)
    if config.output.tensorboard:
        accelerator.init_trackers("tensorboard", config={"lr": opt.learning_rate, "total_steps": total})

    bar = tqdm(
        total=total,
        initial=state.global_step,
        disable=not (config.output.progress and accelerator.is_main_process),
        desc="train",
    )
    losses: list[float] = []
    window: list[torch.Tensor] = []
    aux_window: list[torch.Tensor] = []
    params = [
        p for m in ([model] if head is None else [model, head]) for p in m.parameters() if p.requires_grad
    ]
    model.train()
    while state.global_step < total:
        batches = (
            accelerator.skip_first_batches(loader, state.batches_in_epoch)
            if state.batches_in_epoch
            else loader
        )
        # accelerate's loaders re-seed the sampler with their own epoch counter on every pass, and a
        # fresh (resumed or skipping) loader counts from 0: tell it which epoch this is.
        batches.set_epoch(state.epoch)
        for batch in batches:
            with accelerator.accumulate(model):
                inputs, extents = model_inputs(batch)
                out = model(**inputs, use_cache=False, output_hidden_states=head is not None)
                loss = out.loss
                total_loss = loss
                if head is not None and extents is not None:
                    aux, error = extents_loss(head, out.hidden_states[-1], inputs["labels"], extents)
                    total_loss = loss + weight * aux
                    if bool(torch.isfinite(extents).all(dim=-1).any()):
                        aux_window.append(error)
                accelerator.backward(total_loss)
                if accelerator.sync_gradients and opt.max_grad_norm > 0:
                    accelerator.clip_grad_norm_(params, opt.max_grad_norm)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
            state.batches_in_epoch += 1
            window.append(loss.detach())
            if not accelerator.sync_gradients:
                continue
            state.global_step += 1
            step_loss = accelerator.reduce(torch.stack(window).mean(), reduction="mean").item()
            window.clear()
            losses.append(step_loss)
            bar.update(1)
            bar.set_postfix(loss=f"{step_loss:.4f}")
            logged = {"train/loss": step_loss, "train/lr": scheduler.get_last_lr()[0]}
            if aux_window:
                logged["train/extents_error"] = torch.stack(aux_window).mean().item()
                aux_window.clear()
            if state.global_step % config.output.logging_steps == 0 or state.global_step == total:
                accelerator.log(logged, step=state.global_step)
                if "train/extents_error" in logged:
                    say(
                        f"step {state.global_step}: loss {step_loss:.4f}, extents error {logged['train/extents_error']:.3f}"
                    )
            stop = hooks.should_stop is not None and hooks.should_stop(state.global_step)
            if state.global_step % config.output.save_steps == 0 or state.global_step == total or stop:
                val = None
                if val_loader is not None:
                    val = _validation_loss(model, val_loader, accelerator)
                    accelerator.log({"val/loss": val}, step=state.global_step)
                    say(f"step {state.global_step}: validation loss {val:.4f}")
                    model.train()
                at_end = state.batches_in_epoch >= len(loader)
                saved_state = TrainerState(
                    state.global_step,
                    state.epoch + 1 if at_end else state.epoch,
                    0 if at_end else state.batches_in_epoch,
                    total,
                )
                path = save_checkpoint(accelerator, model, processor, output, saved_state, config_dict)
                if accelerator.is_main_process:
                    prune_checkpoints(output, config.output.save_total_limit)
                say(f"checkpoint {path}")
                if hooks.on_checkpoint is not None and accelerator.is_main_process:
                    hooks.on_checkpoint(path, state.global_step, val)
                    model.train()
            if state.global_step >= total or stop:
                total = state.global_step  # a stop ends the run here (the final export below)
                break
        else:
            state.epoch += 1
            state.batches_in_epoch = 0
    bar.close()
    final = output / "final"
    export_model(accelerator, model, processor, final, config_dict)
    accelerator.wait_for_everyone()
    accelerator.end_training()
    say(f"final model {final}")
    return TrainOutcome(final, state.global_step, losses, data.summary())


def _validation_loss(
    model: torch.nn.Module, loader: torch.utils.data.DataLoader, accelerator: Accelerator
) -> float:
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in loader:
            inputs, _ = model_inputs(batch)
            loss = accelerator.reduce(model(**inputs, use_cache=False).loss.detach(), reduction="mean")
            total += loss.item()
            count += 1
    return total / max(count, 1)


def _answers(source, limit: int) -> Iterator[str]:
    """Texts for training a scratch tokenizer: answers of the first ``limit`` examples plus the template."""
    from core.models.prompt import CADCODER_QUESTION
    from training.data.records import Turn
    from training.data.template import segments

    yield "".join(seg.text for seg in segments((Turn(CADCODER_QUESTION, ""),), "vicuna_v1"))
    for i in range(min(limit, len(source))):
        for turn in source.conversation(i):
            yield turn.question
            yield turn.answer
