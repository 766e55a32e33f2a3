"""The workbench's settings as one plain, immutable object (standard library only).

``preferences.py`` fills it from FreeCAD's parameter tree; everything else receives a ``Settings``
and never reads parameters itself, so the mapping (combo-box indexes, clamping, defaults) lives in
one place and is testable without FreeCAD. ``ENTRIES`` is the contract with ``preferences.ui``: a
test checks that every ``Gui::Pref*`` widget there writes exactly one of these entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

BACKENDS = ("embedded", "local", "remote")
QUANTIZATIONS = ("", "8bit", "4bit")

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
}


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

    def problem(self) -> str | None:
        """Why Image to CAD cannot start with these settings, or None."""
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
    )
