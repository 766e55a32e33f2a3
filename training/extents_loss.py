"""The auxiliary extents loss: before it writes a line of code, the language model must know the
part's proportions.

Why: the v3 model answers many different boxes with a few remembered programs (depths off by up
to 8x) although a linear probe reads a part's proportions from its vision tower to about 0.2 in log
(``benchmarks/tower_extents_probe.py``). The information is in the image tokens; the language model
does not use it. Cross-entropy on digit tokens says nothing about *how far* a wrong number is
("14" for 16 costs what "140" does), so a small model learns to copy a familiar program instead.
A linear head on the language model's last hidden state at the answer's first position regresses
the part's centred log extents (scale is free in the benchmark's IoU: only proportions count), and
its smooth L1 loss is added to the language-model loss with ``optim.extents_loss_weight``.

The head is a training aid: checkpoints stay ordinary LLaVA folders without it, and inference is
unchanged.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from training.data.encode import IGNORE_INDEX

# Flat parts have a (near) zero extent; the generator's own limit is an aspect of 0.005.
_MIN_EXTENT = 1e-3


class ExtentsHead(torch.nn.Module):
    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.proj = torch.nn.Linear(hidden_size, 3)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.proj(hidden)


def centred_log_extents(extents: torch.Tensor) -> torch.Tensor:
    """log of each extent minus their mean: the part's proportions, free of its scale."""
    logs = torch.log(extents.clamp_min(_MIN_EXTENT))
    return logs - logs.mean(dim=-1, keepdim=True)


def answer_states(hidden: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row, the hidden state that predicts the answer's first token (the position before the
    first label), and which rows have an answer at all."""
    supervised = labels != IGNORE_INDEX
    has_answer = supervised.any(dim=1)
    first = supervised.int().argmax(dim=1)
    position = (first - 1).clamp_min(0)
    rows = torch.arange(hidden.shape[0], device=hidden.device)
    return hidden[rows, position], has_answer


def extents_loss(
    head: torch.nn.Module, hidden: torch.Tensor, labels: torch.Tensor, extents: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(smooth L1 loss, mean absolute error in log) over the rows whose extents are known.

    Rows without extents (NaN: a source that does not record them) or without an answer add
    nothing; a batch with none gives a zero loss that still touches the head, so every process of
    a distributed run reduces the same parameters."""
    states, has_answer = answer_states(hidden, labels)
    known = torch.isfinite(extents).all(dim=-1) & has_answer
    predicted = head(states.to(next(head.parameters()).dtype))  # head may be DDP-wrapped
    if not bool(known.any()):
        zero = predicted.sum() * 0.0
        return zero, zero.detach()
    target = centred_log_extents(extents[known].to(predicted.dtype))
    guess = predicted[known]
    guess = guess - guess.mean(dim=-1, keepdim=True)
    return F.smooth_l1_loss(guess, target, beta=0.1), (guess - target).abs().mean().detach()
