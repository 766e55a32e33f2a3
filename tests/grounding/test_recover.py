"""Profile recovery on synthetic pictures of known parts: the sketch read off the picture must
match the program that drew it (proportions, holes, arcs, axis), and the emitted program must run
in the sandbox and look like the picture."""

from __future__ import annotations

import math

import cadquery as cq
import numpy as np
import pytest

from core.grounding import grounded_programs, recover
from core.grounding.contour import curve_from_boundary, douglas_peucker, fit_circle
from core.grounding.emit import emit_prism, num
from core.grounding.sketch import Circle, Loop
from core.grounding.views import all_views
from core.pipeline.refine import score_of
from core.program import find_parameters
from core.render import render_shape
from core.sandbox import run_code


def _sizes(prism) -> tuple[float, float, float]:
    (x0, y0), (x1, y1) = prism.bounds()
    return x1 - x0, y1 - y0, prism.depth


def _close(actual: float, expected: float, rel: float = 0.05) -> bool:
    return abs(actual - expected) <= rel * expected


def test_axis_views_are_right_handed_and_face_the_eye() -> None:
    for view in all_views():
        assert np.allclose(np.cross(view.x_dir, view.y_dir), view.normal)
        # Moving away from the eye along the axis moves the image by the same amount for each axis
        # (an isometric view): sqrt(2/3) pixels per unit at one pixel per unit.
        assert np.linalg.norm(view.depth_shift) == pytest.approx(math.sqrt(2 / 3), rel=1e-6)


def test_a_plate_is_recovered_with_its_proportions() -> None:
    picture = render_shape(cq.Workplane("XY").rect(3.0, 1.2).extrude(0.4))
    prism = recover(picture)[0]
    assert prism.fit > 0.97
    # The top face or a side face both explain a box; either way the three sizes are the box's.
    w, h, d = _sizes(prism)
    scale = max(w, h, d) / 3.0
    assert sorted(v / scale for v in (w, h, d)) == pytest.approx([0.4, 1.2, 3.0], rel=0.05)


def test_an_l_profile_along_x_is_found_with_its_corners() -> None:
    pts = [(0, 0), (2.0, 0), (2.0, 0.5), (0.6, 0.5), (0.6, 1.4), (0, 1.4)]
    part = cq.Workplane("YZ").polyline(pts).close().extrude(2.5)
    prism = recover(render_shape(part))[0]
    assert prism.axis == "x" and prism.fit > 0.95
    assert isinstance(prism.outline, Loop) and len(prism.outline.segments) == 6
    w, h, d = _sizes(prism)
    assert _close(h / w, 1.4 / 2.0) and _close(d / w, 2.5 / 2.0)


def test_a_plate_with_holes_gets_circles_of_the_right_size() -> None:
    part = (
        cq.Workplane("XY")
        .rect(4.0, 2.0)
        .extrude(0.5)
        .faces(">Z")
        .workplane()
        .pushPoints([(-1.2, 0), (1.2, 0)])
        .hole(0.8)
    )
    prisms = recover(render_shape(part))
    prism = next(p for p in prisms if p.axis == "z")
    w, h, d = _sizes(prism)
    assert _close(h / w, 0.5) and _close(d / w, 0.125, rel=0.12)
    holes = [c for c in prism.holes if isinstance(c, Circle)]
    assert len(holes) == 2
    for c in holes:
        assert _close(2 * c.radius / w, 0.2, rel=0.1)
    xs = sorted(c.center[0] for c in holes)
    assert _close((xs[1] - xs[0]) / w, 0.6, rel=0.05)


def test_a_cylinder_reads_as_a_circle_extruded() -> None:
    prisms = recover(render_shape(cq.Workplane("XY").circle(1.0).extrude(0.6)))
    prism = prisms[0]
    assert prism.axis == "z" and isinstance(prism.outline, Circle)
    assert _close(prism.depth / (2 * prism.outline.radius), 0.3, rel=0.08)


def test_a_rounded_slot_profile_keeps_its_arcs() -> None:
    part = cq.Workplane("XY").slot2D(3.0, 1.0).extrude(0.3)
    prism = next(p for p in recover(render_shape(part)) if p.axis == "z")
    assert isinstance(prism.outline, Loop) and prism.outline.n_arcs >= 2
    w, h, _ = _sizes(prism)
    assert _close(h / w, 1.0 / 3.0)


def test_emitted_programs_run_in_the_sandbox_and_match_the_picture() -> None:
    part = (
        cq.Workplane("XZ")
        .polyline([(0, 0), (2, 0), (2, 0.4), (1.2, 1.0), (0, 1.0)])
        .close()
        .extrude(-1.5)
        .faces("<Y")
        .workplane()
        .center(-0.3, 0)
        .hole(0.3)
    )
    picture = render_shape(part)
    programs = grounded_programs(picture)
    assert programs
    best = programs[0]
    names = {p.name for p in find_parameters(best.code)}
    assert {"width", "height", "depth"} <= names
    run = run_code(best.code, timeout=60, outputs=("mesh",))
    assert run.ok, run.message
    assert score_of(picture, run) > 0.9


def test_emitted_rectangle_and_circle_forms() -> None:
    prism = recover(render_shape(cq.Workplane("XY").rect(2.0, 1.0).extrude(0.5)))[0]
    code = emit_prism(prism)
    assert ".rect(width, height)" in code and ".extrude(-depth)" in code
    cylinder = recover(render_shape(cq.Workplane("XY").circle(1.0).extrude(0.6)))[0]
    assert ".circle(diameter / 2)" in emit_prism(cylinder)


def test_a_feature_s_holes_are_cut_from_its_own_plane_through_its_own_depth() -> None:
    """A sleeve with a bore standing on a thin disk: the bore belongs to the sleeve and is cut
    from the sleeve's plane through its depth (it was cut from the body's plane through the
    body's depth, so a sleeve on a thin flange came out solid on top)."""
    from core.grounding.emit import emit_part
    from core.grounding.sketch import Prism

    disk = Prism("z", Circle((0.0, 0.0), 100.0), (), depth=20.0, fit=0.5)
    sleeve = Prism("z", Circle((0.0, 0.0), 60.0), (Circle((0.0, 0.0), 40.0),), 80.0, 0.9, 80.0, "union")
    code = emit_part([disk, sleeve])
    assert (
        ".circle(boss_hole_d / 2).extrude(-boss_depth)" in code
        and "cq.Workplane(boss_plane).pushPoints" in code
    )
    run = run_code(code, timeout=60, outputs=("mesh",))
    assert run.ok and run.n_solids == 1
    # Disk 100 x 20 and a sleeve 60 / 40 x 80, in the emitted scale (the largest extent is 1.5).
    k = 1.5 / 200.0
    expected = math.pi * (100.0**2 * 20.0 + (60.0**2 - 40.0**2) * 80.0) * k**3
    assert run.volume == pytest.approx(expected, rel=0.02)


def test_fitting_helpers() -> None:
    t = np.linspace(0, 2 * math.pi, 200, endpoint=False)
    ring = np.column_stack([3 + 2 * np.cos(t), -1 + 2 * np.sin(t)])
    (cx, cy), r, rms = fit_circle(ring)
    assert (cx, cy, r) == pytest.approx((3, -1, 2), abs=1e-9) and rms < 1e-9
    assert isinstance(curve_from_boundary(ring * 50, 1.5), Circle)
    square = np.array([(0, 0), (5, 0), (10, 0), (10, 5), (10, 10), (5, 10), (0, 10), (0, 5)], float)
    assert len(douglas_peucker(square, 0.5)) == 4
    assert [num(v) for v in (0.30000000000000004, -0.0001234, 12.345, 0.0)] == [
        "0.3",
        "-0.000123",
        "12.3",
        "0",
    ]


def test_an_empty_picture_gives_no_programs() -> None:
    from PIL import Image

    assert grounded_programs(Image.new("RGB", (448, 448), "white")) == []


@pytest.mark.parametrize("white", [False, True])
def test_freecad_snapshots_are_read_like_benchmark_pictures(white: bool) -> None:
    """FreeCAD's look: anti-aliased dark-grey lines, faces lit differently, gradient or white."""
    from dataclasses import replace

    from core.render import STYLE_FREECAD

    style = (
        replace(STYLE_FREECAD, background=(255, 255, 255), background_bottom=None) if white else STYLE_FREECAD
    )
    pts = [(0, 0), (2.0, 0), (2.0, 0.5), (0.6, 0.5), (0.6, 1.4), (0, 1.4)]
    part = cq.Workplane("YZ").polyline(pts).close().extrude(2.5)
    prism = recover(render_shape(part, style=style))[0]
    assert prism.axis == "x" and prism.fit > 0.93
    w, h, d = _sizes(prism)
    assert _close(h / w, 1.4 / 2.0, rel=0.06) and _close(d / w, 2.5 / 2.0, rel=0.06)


def test_a_plate_body_read_from_its_top_face_carries_the_upright() -> None:
    """An L-bracket whose plate has rounded corners (no one prism draws it): its upright's side face
    swept across the part explains more of the silhouette alone than the base plate's top face
    does, but the plate (with its holes) plus the upright as a second extrusion explain it best. The picture cannot say whether the upright stands on the
    plate or is flush with its underside (its foot is hidden): both readings are offered, each
    runs to one solid, and one of them comes closer to the bracket than any one prism does."""
    from core.geometry.io import shape_from_bytes
    from core.metrics.iou import iou_best

    plate = cq.Workplane("XY").box(60, 40, 6).translate((0, 0, 3)).edges("|Z and >X").fillet(5)
    plate = plate.faces(">Z").workplane().pushPoints([(10, -10), (10, 10)]).hole(6.5)
    upright = cq.Workplane("XY").box(6, 40, 35).translate((-27, 0, 17.5))
    bracket = plate.union(upright)
    picture = render_shape(bracket)
    programs = grounded_programs(picture)
    pairs = [g for g in programs if len(g.prisms) == 2 and g.prism.axis == "z" and len(g.prism.holes) == 2]
    assert len(pairs) >= 2, [(len(g.prisms), g.prism.axis, len(g.prism.holes)) for g in programs]
    runs = [run_code(g.code, timeout=60, outputs=("brep", "mesh")) for g in pairs]
    # on the plate and flush with its underside; the further placements (slid until the upright
    # meets the plate across another axis) may only touch it
    assert all(r.ok and r.n_solids == 1 for r in runs[:2])
    runs = [r for r in runs if r.ok and r.n_solids == 1]
    truth = bracket.val().wrapped
    best_pair = max(iou_best(shape_from_bytes(r.brep), truth) for r in runs)
    singles = [run_code(g.code, timeout=60, outputs=("brep",)) for g in programs if len(g.prisms) == 1]
    best_single = max(iou_best(shape_from_bytes(r.brep), truth) for r in singles if r.ok)
    assert best_pair > 0.8 and best_pair > best_single + 0.03, (best_pair, best_single)


def test_a_cylinder_standing_on_a_plate_is_not_read_into_the_plate_face() -> None:
    """The benchmark draws only the solid's edges, so a cylinder's side runs into the face of the
    plate it stands on with no line between them; read as one region, its outline copies the
    cylinder's silhouette and the best reading was a plate of that outline (0.14 IoU on a part of
    our validation set, 0.65 once told apart). The side is shaded, the plate's face has the flat
    grey of every face on an axis plane: no face region mixes the two."""
    from core.grounding.recover import segment
    from core.render.compare import foreground_mask

    plate = cq.Workplane("YZ").polygon(6, 50).extrude(5)
    part = plate.union(cq.Workplane("YZ").workplane(offset=5).center(4, -3).circle(13).extrude(40))
    picture = render_shape(part)
    seg = segment(picture)
    part_px = foreground_mask(picture)
    rows, cols = np.flatnonzero(part_px.any(axis=1)), np.flatnonzero(part_px.any(axis=0))
    top, left = max(int(rows[0]) - 4, 0), max(int(cols[0]) - 4, 0)
    grey = np.asarray(picture.convert("L"), dtype=int)[
        top : top + seg.part.shape[0], left : left + seg.part.shape[1]
    ]
    flat_grey = np.bincount(grey[seg.labels > 0]).argmax()
    shaded_faces = 0
    for label in seg.faces:
        flat = np.abs(grey[seg.labels == label] - flat_grey) <= 2
        assert flat.mean() > 0.95 or flat.mean() < 0.05, (label, flat.mean())
        shaded_faces += flat.mean() < 0.05
    assert shaded_faces >= 1  # the cylinder's side is a face of its own


def test_a_bar_across_the_body_s_face_leaves_the_body_s_outline_whole() -> None:
    """A slab with rounded edges (read from its front face) and a bar standing on that face at its
    lower edge: the bar hides part of the face, so the face the picture shows is notched, and the
    body read from it came back notched (a validation part at 0.30 IoU). The hidden part is the
    outline continued under the bar: the body of the two-extrusion reading is the whole slab."""
    from core.geometry.io import shape_from_bytes
    from core.grounding.emit import emit_part
    from core.metrics.iou import iou_best

    slab = cq.Workplane("XZ").rect(60, 20).extrude(-50).edges("|Y").fillet(6)
    bar = cq.Workplane("XZ").center(-8, -7).rect(36, 6).extrude(8)  # on the front face, low
    part = slab.union(bar)
    programs = grounded_programs(render_shape(part))
    pairs = [g for g in programs if len(g.prisms) == 2 and g.prism.axis == "y"]
    assert pairs, [(len(g.prisms), g.prism.axis) for g in programs]
    body = run_code(emit_part([pairs[0].prism]), timeout=60, outputs=("brep",))
    whole = run_code(pairs[0].code, timeout=60, outputs=("brep",))
    assert body.ok and whole.ok and whole.n_solids == 1
    # notched, the body scored 0.75 against the slab and the pair 0.73 against the part
    assert iou_best(shape_from_bytes(body.brep), slab.val().wrapped) > 0.88
    assert iou_best(shape_from_bytes(whole.brep), part.val().wrapped) > 0.86


def test_a_curved_face_is_not_read_as_a_sheet() -> None:
    """A FreeCAD screenshot of a keyed shaft (our hand-modelled set): the shaft's side, read flat,
    reaches one pixel beyond itself, and that "prism" 0.2 % thick matched the picture better than
    the shaft (IoU 0.006 against 0.96). No end face is that thin in an isometric picture: the best
    picture reading is the shaft."""
    from pathlib import Path

    from PIL import Image

    from core.geometry.io import read_shape, shape_from_bytes
    from core.metrics.iou import iou_best
    from core.pipeline.config import PipelineConfig
    from core.render.compare import outline

    parts = Path(__file__).resolve().parents[2] / "benchmarks" / "freecad_parts"
    picture = Image.open(parts / "gradient" / "images" / "00900018_0.png").convert("RGB")
    target = outline(picture, side=PipelineConfig().compare_side)  # as the pipeline ranks
    runs = [run_code(g.code, timeout=60, outputs=("brep", "mesh")) for g in grounded_programs(picture)]
    best = max((r for r in runs if r.ok), key=lambda r: score_of(target, r) or 0.0)
    assert iou_best(shape_from_bytes(best.brep), read_shape(parts / "steps" / "00900018.step")) > 0.9


def test_a_block_on_a_tube_s_side_fuses_with_the_tube() -> None:
    """A block standing on a tube's side: the block's far side, placed on the tube's furthest
    reach along the block's normal, meets the tube in a tangent line, so every two-extrusion
    reading ran to two solids and was rejected (a validation part at 0.17 IoU, read as a bar).
    Slid along the line of sight until it meets the tube face to face (its picture unchanged),
    the pair is one solid, and the best-matching reading is the pair."""
    from core.geometry.io import shape_from_bytes
    from core.metrics.iou import iou_best

    tube = cq.Workplane("XY").circle(15).circle(9).extrude(90)
    part = tube.union(cq.Workplane("XY").box(20, 16, 40).translate((20, 0, 45)))
    picture = render_shape(part)
    runs = [(g, run_code(g.code, timeout=60, outputs=("brep", "mesh"))) for g in grounded_programs(picture)]
    solid = [(score_of(picture, r), g, r) for g, r in runs if r.ok and r.n_solids == 1]
    _, best, run = max(solid, key=lambda c: c[0])
    assert len(best.prisms) == 2 and isinstance(best.prism.outline, Circle)
    # read as one prism (all that ran before), the part scored 0.35
    assert iou_best(shape_from_bytes(run.brep), part.val().wrapped) > 0.6
