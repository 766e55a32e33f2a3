"""Command-line options that several commands share, declared once so that their flags and help
read the same everywhere (``image2cad``, ``edit``, ``eval``): which model answers, how hard the
pipeline searches."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

ModelDir = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="Local model folder (Hugging Face LLaVA layout), or a Hugging Face model id such as "
        "CADCODER/CAD-Coder[@revision]: fetched into the Hugging Face cache and converted once.",
    ),
]
Endpoint = Annotated[
    str | None, typer.Option("--endpoint", help="OpenAI-compatible base URL, e.g. http://host:8000/v1.")
]
ModelName = Annotated[
    str | None, typer.Option("--model-name", help="Model name at the endpoint (default: its first).")
]
Quantization = Annotated[
    str | None, typer.Option("--quantization", help="Local model: 8bit or 4bit (bitsandbytes).")
]


class EffortLevel(str, Enum):
    low = "low"
    default = "default"
    high = "high"


Effort = Annotated[
    EffortLevel,
    typer.Option(
        "--effort",
        help="How hard the pipeline searches: low, default (the workbench's: a few seconds a "
        "picture) or high (for evaluation: more grounded candidates, more starts for the structure "
        "search and longer dimension fitting).",
    ),
]
