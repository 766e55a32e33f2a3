"""Where a user's own data lives: kept training examples and fine-tuned models (light: stdlib only).

Never inside the checkout: the shipped model in ``resources/models/`` is read-only by rule, and a
user's examples must survive a fresh clone. ``$CADCODER_USER_DATA``, else
``$XDG_DATA_HOME/cadcoder``, else ``~/.local/share/cadcoder``. The workbench and the engine both
use these defaults, so "Keep as training example" and ``cadcoder train`` meet in the same folder.
"""

from __future__ import annotations

import os
from pathlib import Path


def user_data_dir() -> Path:
    env = os.environ.get("CADCODER_USER_DATA")
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "cadcoder"


def user_examples_dir() -> Path:
    """The dataset ``cadcoder keep-example`` appends to (the training shard format)."""
    return user_data_dir() / "examples"


def user_model_dir() -> Path:
    """Where ``training/configs/finetune_user.yaml`` puts the fine-tuned copy (``final/`` inside)."""
    return user_data_dir() / "models" / "cadcoder-mini-user"
