"""``cadcoder convert-llava SRC DST --vision-tower DIR``: original LLaVA checkpoint -> HF layout.

The CAD-Coder release (``CADCODER/CAD-Coder``) is in the LLaVA repository's layout, which neither
transformers nor vLLM loads; the converted folder is what ``LocalLlavaBackend`` (and vLLM) use.
Where a machine has internet access::

    hf download CADCODER/CAD-Coder --local-dir cad-coder-original
    hf download openai/clip-vit-large-patch14-336 --local-dir clip-vit-large-patch14-336
    cadcoder convert-llava cad-coder-original cad-coder --vision-tower clip-vit-large-patch14-336
"""

from __future__ import annotations

from pathlib import Path

import typer


def convert_llava(
    src: Path = typer.Argument(..., help="Original LLaVA checkpoint folder (llava_llama config)."),
    dst: Path = typer.Argument(..., help="Output folder for the Hugging Face LLaVA checkpoint."),
    vision_tower: Path = typer.Option(
        ...,
        "--vision-tower",
        help="CLIP folder named by mm_vision_tower (openai/clip-vit-large-patch14-336).",
    ),
    dtype: str | None = typer.Option(
        None, "--dtype", help="Cast all weights: float16, bfloat16 or float32 (default: keep the LM's)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace DST if it is not empty."),
) -> None:
    """Convert an original-layout LLaVA-1.5 checkpoint (CAD-Coder) into LlavaForConditionalGeneration."""
    from core.models.convert_llava import ConversionError
    from core.models.convert_llava import convert_llava as convert

    if dtype not in (None, "float16", "bfloat16", "float32"):
        raise typer.BadParameter(f"{dtype!r} is not float16, bfloat16 or float32", param_hint="--dtype")
    try:
        report = convert(
            src,
            dst,
            vision_tower,
            dtype=dtype,
            overwrite=overwrite,
            log=lambda line: typer.echo(line, err=True),
        )
    except ConversionError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(
        f"{report.dst}: {report.tensors} tensors in {report.shards} shards ({report.dtype}), "
        f"vocabulary {report.original_vocab_size} -> {report.vocab_size}, "
        f"<image> = {report.image_token_id}, <pad> = {report.pad_token_id}, "
        f"vision tower from {report.vision_weights}"
    )
