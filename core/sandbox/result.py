"""The outcome of running one CadQuery script: a value object that never raises.

Like CadQuery's CQGI ``BuildResult``, building never raises to the caller; unlike CQGI, every way
a script can fail has its own status so callers (the pipeline's self-repair, VSR, the workbench's
error panel) can react differently to a syntax error, a forbidden construct or a crash.
"""

from __future__ import annotations

import base64
import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Status(str, enum.Enum):
    OK = "ok"
    SYNTAX_ERROR = "syntax_error"
    FORBIDDEN = "forbidden"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    NO_SOLID = "no_solid"
    INVALID_SOLID = "invalid_solid"
    CRASHED = "crashed"

    def __str__(self) -> str:
        return self.value


# Geometry outputs a caller may ask for; "brep" is always produced for a valid solid.
OUTPUT_FORMATS = ("brep", "step", "stl", "mesh")


@dataclass
class ExecutionResult:
    status: Status
    message: str = ""
    line: int | None = None
    volume: float | None = None
    bbox: tuple[float, float, float, float, float, float] | None = None  # xmin ymin zmin xmax ymax zmax
    n_solids: int = 0
    n_faces: int = 0
    n_edges: int = 0
    elapsed: float = 0.0
    stdout: str = ""
    brep: bytes | None = None
    step: bytes | None = None
    stl: bytes | None = None
    # Tessellation for rendering without OCCT: {"vertices": [[x,y,z]...], "triangles": [[i,j,k]...],
    # "edges": [[[x,y,z], ...], ...]} (edges are the BREP's edges as polylines).
    mesh: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Ran and made a valid solid: watertight, positive volume, and OCCT's checker accepts it."""
        return self.status is Status.OK

    @property
    def made_solid(self) -> bool:
        """Ran and made a watertight solid with volume, valid or not: what the paper's VSR counts.

        ``invalid_solid`` covers both a solid OCCT's checker rejects (``extra["usable"]`` true, the
        findings in ``extra["check_defects"]``) and a shape that is no solid at all (open shell, no
        volume); only the first made a solid. Never choose by this: it is for reporting.
        """
        return self.ok or (self.status is Status.INVALID_SOLID and self.extra.get("usable") is True)

    def to_json(self, *, include_geometry: bool = False) -> dict[str, Any]:
        """JSON-safe dict; geometry bytes are base64 only when asked for (they can be megabytes)."""
        d = asdict(self)
        d["status"] = self.status.value
        for key in ("brep", "step", "stl"):
            raw = d.pop(key)
            if include_geometry and raw is not None:
                d[key] = base64.b64encode(raw).decode("ascii")
        if not include_geometry:
            d.pop("mesh")
        if d["bbox"] is not None:
            d["bbox"] = list(d["bbox"])
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ExecutionResult:
        d = dict(d)
        d["status"] = Status(d["status"])
        for key in ("brep", "step", "stl"):
            if d.get(key) is not None:
                d[key] = base64.b64decode(d[key])
        if d.get("bbox") is not None:
            d["bbox"] = tuple(float(v) for v in d["bbox"])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})
