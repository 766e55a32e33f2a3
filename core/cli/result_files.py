"""The files `cadcoder image2cad` leaves for the user besides the code on stdout: the program
(``--code``), a preview picture (``--preview``) and a FreeCAD document holding an editable
CadQuery feature (``--fcstd``), each only when asked for and only for a result that runs.

The preview renders the very solid the sandbox returned (BREP), in the benchmark's style, so it
can be laid beside the input picture; the document is built by ``freecadcmd`` through the same job
as ``cadcoder to-freecad``, with the source image and backend recorded on the feature.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from core.pipeline.result import CadResult


def write_code(result: CadResult, path: Path) -> None:
    path.write_text(result.code if result.code.endswith("\n") else result.code + "\n", encoding="utf-8")


def write_preview(result: CadResult, path: Path, size: int = 448) -> None:
    from dataclasses import replace

    from core.geometry.io import shape_from_bytes
    from core.render import STYLE_BENCHMARK, render_shape

    if not result.brep:
        raise OSError("the sandbox returned no solid to render")
    render_shape(shape_from_bytes(result.brep), style=replace(STYLE_BENCHMARK, size=size)).save(path)


def write_fcstd(
    result: CadResult, path: Path, *, image: Path | None, backend: str, timeout: float = 180.0
) -> dict:
    """The FreeCAD document; returns freecadcmd's summary (feature name, parameters, volume)."""
    from core.cli.to_freecad_cmd import VOLUME_TOLERANCE, run_freecad_job

    if not result.brep:
        raise OSError("the sandbox returned no solid")
    with tempfile.TemporaryDirectory(prefix="cadcoder-image2cad-") as tmp:
        brep = Path(tmp) / "solid.brep"
        brep.write_bytes(result.brep)
        item = {
            "code": result.code,
            "native": False,
            "output": str(path.resolve()),
            "brep": str(brep),
            "volume": result.volume,
            "tolerance": VOLUME_TOLERANCE,
            "name": "CadQueryPart",
            "image": str(image.resolve()) if image is not None else "",
            "backend": backend,
        }
        (built,) = run_freecad_job([item], timeout=timeout)
    return built
