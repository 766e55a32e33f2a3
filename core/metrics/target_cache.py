"""Normalised ground-truth targets kept on disk between scoring runs.

Evaluating checkpoint after checkpoint scores new candidates against the same 100 STEP files. Reading
a STEP file and computing its principal frame is a tenth of IOU_best's cost per sample, and the answer
never changes, so it is computed once: the normalised solid as BREP (exact doubles) and the frame as
JSON, keyed by the STEP file's content and ``CACHE_VERSION``. A corrupt or partial entry is recomputed.
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
from core.metrics.iou import PreparedTarget, prepare_target
from core.paths import cache_dir

CACHE_VERSION = "iou-target-1"  # change when normalisation or volume integration changes


def cached_target(path: str | os.PathLike[str], cache: Path | None = None) -> PreparedTarget:
    """The prepared target for a STEP/BREP file, from ``cache`` (default: core.paths.cache_dir())."""
    path = Path(path)
    root = (cache or cache_dir()) / "targets"
    entry = root / _key(path)
    try:
        return _load(entry)
    except (OSError, ValueError, KeyError, ShapeReadError):
        shutil.rmtree(entry, ignore_errors=True)  # missing, or damaged: never trusted again
        target = prepare_target(read_shape(path))
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
    return PreparedTarget(frame, read_shape(entry / "shape.brep"), meta["volume"])


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
    }
    (tmp / "frame.json").write_text(json.dumps(meta))
    if not BRepTools.Write_s(target.shape, str(tmp / "shape.brep")):
        raise ShapeReadError("OCCT could not write the normalised target as BREP")
    try:
        os.rename(tmp, entry)
    except OSError:  # another process stored it first
        shutil.rmtree(tmp, ignore_errors=True)
