"""Normalised ground-truth targets kept on disk between scoring runs.

Evaluating checkpoint after checkpoint scores new candidates against the same 100 STEP files. Reading
a STEP file, its mass properties and both normalisations (the authors' and the robust one) never
change, so they are computed once: each normalised solid as BREP (OCCT writes 17 significant digits,
so doubles come back exact) and the frames as JSON, keyed by the STEP file's content and
``CACHE_VERSION``. A corrupt or partial entry is recomputed. The paper-side BREP is written before
any boolean has touched the shape, and every evaluation copies it (``PaperTarget.fresh``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
from OCP.BRepTools import BRepTools

from core.geometry.io import ShapeReadError, read_shape
from core.metrics.frames import PrincipalFrame
from core.metrics.iou import PreparedTarget, prepare_target_file
from core.metrics.paper_iou import PaperFrame, PaperTarget
from core.paths import cache_dir

CACHE_VERSION = "iou-target-2"  # change when normalisation or volume integration changes


def cached_target(path: str | os.PathLike[str], cache: Path | None = None) -> PreparedTarget:
    """The prepared target for a STEP/BREP file, from ``cache`` (default: core.paths.cache_dir())."""
    path = Path(path)
    root = (cache or cache_dir()) / "targets"
    entry = root / _key(path)
    try:
        return _load(entry)
    except (OSError, ValueError, KeyError, TypeError, ShapeReadError):
        shutil.rmtree(entry, ignore_errors=True)  # missing, or damaged: never trusted again
        target = prepare_target_file(path)
        _store(entry, target)
        return target


def _key(path: Path) -> str:
    digest = hashlib.sha256(CACHE_VERSION.encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _load(entry: Path) -> PreparedTarget:
    meta = json.loads((entry / "frame.json").read_text())
    frame = PrincipalFrame(
        meta["frame_volume"],
        np.array(meta["centre"]),
        np.array(meta["moments"]),
        np.array(meta["axes"]),
        meta["scale"],
    )
    paper = meta["paper"]
    paper_frame = PaperFrame(np.array(paper["centre"]), np.array(paper["axes"]), paper["scale"])
    return PreparedTarget(
        frame,
        read_shape(entry / "shape.brep"),
        meta["volume"],
        PaperTarget(paper_frame, read_shape(entry / "paper.brep")),
    )


def _store(entry: Path, target: PreparedTarget) -> None:
    """Write into a private directory, then rename it into place: readers never see half an entry,
    and of two processes storing the same target at once, one rename wins and both are right."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=entry.parent))
    frame = target.frame
    meta = {
        "frame_volume": frame.volume,
        "centre": frame.centre.tolist(),
        "moments": frame.moments.tolist(),
        "axes": frame.axes.tolist(),
        "scale": frame.scale,
        "volume": target.volume,
        "paper": {
            "centre": target.paper.frame.centre.tolist(),
            "axes": target.paper.frame.axes.tolist(),
            "scale": target.paper.frame.scale,
        },
    }
    (tmp / "frame.json").write_text(json.dumps(meta))
    for name, shape in (("shape.brep", target.shape), ("paper.brep", target.paper.shape)):
        if not BRepTools.Write_s(shape, str(tmp / name)):
            raise ShapeReadError("OCCT could not write the normalised target as BREP")
    try:
        os.rename(tmp, entry)
    except OSError:  # another process stored it first
        shutil.rmtree(tmp, ignore_errors=True)
