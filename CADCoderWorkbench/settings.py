"""The workbench's settings as one plain, immutable object (standard library only).

``preferences.py`` fills it from FreeCAD's parameter tree; everything else receives a ``Settings``
and never reads parameters itself, so the mapping (combo-box indexes, clamping, defaults) lives in
one place and is testable without FreeCAD. ``ENTRIES`` is the contract with ``preferences.ui``: a
test checks that every ``Gui::Pref*`` widget there writes exactly one of these entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.user_paths import user_model_dir

BACKENDS = ("embedded", "local", "remote")
QUANTIZATIONS = ("", "8bit", "4bit")
# The known dimension's axis, in the order of the combo boxes (panel and preferences page); the
# names are those of ``core.program.real_size.AXES`` (``image2cad --size AXIS=MM``).
SIZE_AXES = ("longest", "x", "y", "z")

# Parameter entry -> (parameter type, Settings field). Int entries of combo boxes hold an index.
ENTRIES: dict[str, tuple[str, str]] = {
    "Backend": ("Int", "backend"),
    "ModelDir": ("String", "model_dir"),
    "Quantization": ("Int", "quantization"),
    "Endpoint": ("String", "endpoint"),
    "ApiKey": ("String", "api_key"),
    "ModelName": ("String", "model_name"),
    "Candidates": ("Int", "candidates"),
    "ReadPicture": ("Bool", "grounded"),
    "SandboxTimeoutSeconds": ("Int", "sandbox_timeout"),
    "GenerationTimeoutSeconds": ("Int", "generation_timeout"),
    "EnginePython": ("String", "engine_python"),
    "SizeAxis": ("Int", "size_axis"),
    "SizeMm": ("String", "size_mm"),
    "UseFineTuned": ("Bool", "use_finetuned"),
}


def finetuned_model_dir() -> Path:
    """The fine-tuned copy ``cadcoder train training/configs/finetune_user.yaml`` writes (the
    trainer's ``final/`` inside ``core.user_paths.user_model_dir()``); the shipped model in
    ``resources/models`` is never written."""
    return user_model_dir() / "final"


def finetuned_model_present(directory: Path | None = None) -> bool:
    return ((directory or finetuned_model_dir()) / "config.json").is_file()


@dataclass(frozen=True)
class Settings:
    backend: str = "embedded"  # one of BACKENDS
    model_dir: str = ""
    quantization: str = ""  # one of QUANTIZATIONS ("" = full precision)
    endpoint: str = ""
    # Stored in FreeCAD's user.cfg when typed into the preferences page; handed to the engine through
    # the environment ($CADCODER_API_KEY), never on a command line that `ps` would show.
    api_key: str = ""
    model_name: str = ""
    candidates: int = 1
    # Programs read off the picture itself compete with the model's (core/grounding): on, as in the CLI.
    grounded: bool = True
    sandbox_timeout: float = 30.0  # seconds one run of the code may take
    generation_timeout: float = 900.0  # seconds a whole Image to CAD job may take
    engine_python: str = ""  # "" = the repository's .venv/bin/python
    # The default known dimension of Image to CAD's size field: an axis of SIZE_AXES and a length
    # in mm, 0 = no scaling (the part keeps the model's proportions-only units).
    size_axis: str = "longest"
    size_mm: float = 0.0
    # The embedded backend uses the user's fine-tuned copy (finetuned_model_dir()) instead of the
    # shipped model; the other backends name their model themselves.
    use_finetuned: bool = False

    @property
    def finetuned(self) -> bool:
        """Whether runs use the fine-tuned copy (the embedded backend with the preference on)."""
        return self.backend == "embedded" and self.use_finetuned

    def problem(self) -> str | None:
        """Why Image to CAD cannot start with these settings, or None."""
        if self.finetuned and not finetuned_model_present():
            return (
                f"There is no fine-tuned model at {finetuned_model_dir()}: keep a few examples "
                "(Keep as training example), then run `cadcoder train training/configs/finetune_user.yaml`, "
                "or turn off 'Use my fine-tuned model' in Edit > Preferences > CAD-Coder."
            )
        if self.backend == "local" and not self.model_dir:
            return (
                "The local backend needs a model directory or a Hugging Face model id "
                "(Edit > Preferences > CAD-Coder)."
            )
        if self.backend == "remote" and not self.endpoint:
            return "The remote backend needs an endpoint URL (Edit > Preferences > CAD-Coder)."
        return None

    def describe(self) -> str:
        if self.backend == "remote":
            name = f", model {self.model_name}" if self.model_name else ""
            return f"remote endpoint {self.endpoint or '(not set)'}{name}"
        if self.backend == "local":
            bits = f", {self.quantization}" if self.quantization else ""
            return f"local model {self.model_dir or '(not set)'}{bits}"
        if self.finetuned:
            return f"fine-tuned model ({finetuned_model_dir()})"
        return "embedded model (resources/models/cadcoder-mini)"


def settings_from_parameters(values: Mapping[str, int | str | bool]) -> Settings:
    """A ``Settings`` from raw parameter values keyed by entry name; missing entries keep defaults,
    out-of-range indexes and non-positive numbers are clamped rather than trusted."""
    default = Settings()

    def number(entry: str, fallback: float, lowest: int) -> int:
        raw = values.get(entry)
        return max(lowest, int(raw)) if isinstance(raw, int) else int(fallback)

    def index(entry: str, choices: tuple[str, ...]) -> str:
        raw = values.get(entry, 0)
        return choices[min(max(int(raw), 0), len(choices) - 1)] if isinstance(raw, int) else choices[0]

    def text(entry: str) -> str:
        raw = values.get(entry, "")
        return raw.strip() if isinstance(raw, str) else ""

    def millimetres(entry: str) -> float:
        return parse_mm(text(entry)) or 0.0

    return Settings(
        backend=index("Backend", BACKENDS),
        model_dir=text("ModelDir"),
        quantization=index("Quantization", QUANTIZATIONS),
        endpoint=text("Endpoint"),
        api_key=text("ApiKey"),
        model_name=text("ModelName"),
        candidates=number("Candidates", default.candidates, 1),
        grounded=bool(values.get("ReadPicture", default.grounded)),
        sandbox_timeout=float(number("SandboxTimeoutSeconds", default.sandbox_timeout, 1)),
        generation_timeout=float(number("GenerationTimeoutSeconds", default.generation_timeout, 10)),
        engine_python=text("EnginePython"),
        size_axis=index("SizeAxis", SIZE_AXES),
        size_mm=millimetres("SizeMm"),
        use_finetuned=bool(values.get("UseFineTuned", default.use_finetuned)),
    )


def parse_mm(text: str) -> float | None:
    """A typed length ("60", "12,5", "60 mm") in mm; 0.0 for an empty field (no scaling), None
    for text that is not a positive length."""
    raw = text.strip().lower().removesuffix("mm").strip().replace(",", ".")
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if 0 < value < float("inf") else None


def size_spec(axis: str, mm: float) -> str:
    """The ``image2cad --size`` text for a known dimension (``core.program.real_size`` grammar),
    "" for none."""
    if axis not in SIZE_AXES:
        raise ValueError(f"unknown axis {axis!r}: one of {', '.join(SIZE_AXES)}")
    return f"{axis}={mm:g}" if mm > 0 else ""
