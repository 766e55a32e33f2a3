"""Building our own generator's programs in-process: CadQuery in the datagen worker, no sandbox.

Why it is allowed: the code comes from ``training.synth``'s emitters, not from a user or a model, so
the sandbox's isolation buys nothing; its per-program process hop, BREP export and fine
tessellation cost ~4x the build itself. The engine still runs a random share of the emitted code
in the real sandbox and rejects any sample on which the two disagree (``verify_agrees``), so an
emitter bug cannot hide behind the fast path.

Why coarse: the training pictures are 96-224 px, where a deflection of 1 % of the part's diagonal
(vs the sandbox's 0.2 %) is invisible and tessellates several times faster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.sandbox import ExecutionResult
from core.sandbox.result import Status

# Of the bounding-box diagonal; the sandbox's previews use 0.002 (smooth at 448 px).
COARSE_RELATIVE_DEFLECTION = 0.01
COARSE_ANGULAR_DEFLECTION = 0.5
# Relative volume difference above which the sandbox and the in-process build disagree.
VOLUME_RTOL = 1e-6


@dataclass(frozen=True)
class TrustedBuild:
    """What the checks, the dedup keys and the renderer need, as the sandbox would report it."""

    result: ExecutionResult
    mesh: dict[str, Any] | None


def build_trusted(code: str, relative_deflection: float = COARSE_RELATIVE_DEFLECTION) -> TrustedBuild:
    """Run trusted generator ``code`` here and describe its solid like the sandbox does (status,
    volume, tight bbox, counts, validity verdict), plus a coarse mesh when the solid is valid."""
    from core.geometry.properties import solid_properties
    from core.geometry.tessellate import tessellate
    from core.sandbox.solid import NoSolid, pick_candidate, solid_verdict, to_shape

    namespace: dict[str, Any] = {"__name__": "__main__"}
    try:
        exec(compile(code, "<synth>", "exec"), namespace)
    except Exception as exc:  # an emitter bug: counted as a rejection, never raised
        return TrustedBuild(
            ExecutionResult(Status.RUNTIME_ERROR, message=f"{type(exc).__name__}: {exc}"), None
        )
    try:
        origin, obj = pick_candidate(namespace, [])
        shape = to_shape(origin, obj)
        props = solid_properties(shape.wrapped)
    except NoSolid as exc:
        return TrustedBuild(ExecutionResult(Status.NO_SOLID, message=str(exc)), None)
    except Exception as exc:  # OCCT refuses to measure some broken shapes
        return TrustedBuild(ExecutionResult(Status.INVALID_SOLID, message=str(exc)), None)
    verdict = solid_verdict(origin, shape.wrapped, props)
    result = ExecutionResult(
        Status.INVALID_SOLID if verdict else Status.OK,
        message=verdict,
        volume=props.volume,
        bbox=props.bbox,
        n_solids=props.n_solids,
        n_faces=props.n_faces,
        n_edges=props.n_edges,
    )
    if not result.ok or props.bbox is None:
        return TrustedBuild(result, None)
    x0, y0, z0, x1, y1, z1 = props.bbox
    diagonal = ((x1 - x0) ** 2 + (y1 - y0) ** 2 + (z1 - z0) ** 2) ** 0.5
    try:
        mesh = tessellate(
            shape.wrapped,
            linear_deflection=max(diagonal * relative_deflection, 1e-6),
            angular_deflection=COARSE_ANGULAR_DEFLECTION,
        )
    except Exception:  # tessellation failed: the engine rejects the sample as "no_mesh"
        mesh = None
    return TrustedBuild(result, mesh)


def build_shape(code: str) -> Any:
    """The OCCT shape of trusted generator ``code`` (for exporting ground truth); raises on failure."""
    from core.sandbox.solid import pick_candidate, to_shape

    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(code, "<synth>", "exec"), namespace)
    return to_shape(*pick_candidate(namespace, [])).wrapped


def verify_agrees(trusted: ExecutionResult, sandboxed: ExecutionResult) -> bool:
    """The sandbox's run of the emitted code made the same solid: same status, solids, faces, volume."""
    if trusted.status != sandboxed.status:
        return False
    if not trusted.ok:
        return True
    if trusted.volume is None or sandboxed.volume is None:
        return False
    scale = max(abs(trusted.volume), abs(sandboxed.volume), 1e-12)
    return (
        trusted.n_solids == sandboxed.n_solids
        and trusted.n_faces == sandboxed.n_faces
        and abs(trusted.volume - sandboxed.volume) / scale <= VOLUME_RTOL
    )
