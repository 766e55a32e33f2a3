"""CAD-Coder settings in FreeCAD's parameter tree (``User parameter:BaseApp/Preferences/Mod/CADCoder``),
read into one plain object, so commands never parse parameters themselves."""

from __future__ import annotations

from dataclasses import dataclass

import FreeCAD as App

PARAM_PATH = "User parameter:BaseApp/Preferences/Mod/CADCoder"


@dataclass(frozen=True)
class Settings:
    backend: str = "embedded"  # embedded | local | remote
    model_dir: str = ""
    quantization: str = ""  # "", "8bit", "4bit"
    endpoint: str = ""
    model_name: str = ""
    candidates: int = 1
    timeout: float = 60.0

    def image2cad_flags(self) -> list[str]:
        """The `cadcoder image2cad` options for this backend (the key stays in the environment)."""
        flags = ["--n", str(self.candidates), "--timeout", str(self.timeout)]
        if self.backend == "remote" and self.endpoint:
            flags += ["--endpoint", self.endpoint] + (
                ["--model-name", self.model_name] if self.model_name else []
            )
        elif self.backend == "local" and self.model_dir:
            flags += ["--model", self.model_dir] + (
                ["--quantization", self.quantization] if self.quantization else []
            )
        return flags

    def describe(self) -> str:
        if self.backend == "remote":
            return f"remote endpoint {self.endpoint or '(not set)'}"
        if self.backend == "local":
            return f"local model {self.model_dir or '(not set)'}" + (
                f", {self.quantization}" if self.quantization else ""
            )
        return "embedded model (resources/models/cadcoder-mini)"


def load() -> Settings:
    p = App.ParamGet(PARAM_PATH)
    backends = ("embedded", "local", "remote")
    quantizations = ("", "8bit", "4bit")
    return Settings(
        backend=backends[min(max(p.GetInt("Backend", 0), 0), 2)],
        model_dir=p.GetString("ModelDir", ""),
        quantization=quantizations[min(max(p.GetInt("Quantization", 0), 0), 2)],
        endpoint=p.GetString("Endpoint", ""),
        model_name=p.GetString("ModelName", ""),
        candidates=max(1, p.GetInt("Candidates", 1)),
        timeout=float(max(1, p.GetInt("TimeoutSeconds", 60))),
    )
