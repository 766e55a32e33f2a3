"""Native conversion: a CadQuery program of the sketch-and-extrude family becomes a PartDesign Body.

``core.program.sketch_ir`` reads the program (without running it) into planes, loops, sketches,
extrusions, primitives and booleans; this package rebuilds that in FreeCAD 0.20:

- one ``Sketcher::SketchObject`` per extrusion, attached to its Body's XY plane with the CadQuery
  plane as attachment offset (survives recompute and stays editable), holding lines, arcs and
  circles with Coincident/Horizontal/Vertical constraints and dimensions named after the program's
  parameters (``core.program.sketch_constraints``); every sketch must solve without moving;
- ``PartDesign::Pad`` for an extrusion that adds material, ``PartDesign::Pocket`` for one that cuts
  (``Reversed``/``Midplane`` for CadQuery's direction and ``both``; ``ThroughAll`` for a ``hole``
  without depth), ``AdditiveBox``/``AdditiveCylinder`` (or subtractive) for ``box``/``cylinder``;
- Part booleans where PartDesign 0.20 cannot follow: every ``intersect`` (``Part::Common`` of two
  Bodies), and a union or cut whose result would not be one solid (0.20 refuses a Body with several
  solids: a disjoint union, a cut that splits the part, a sketch with separate faces) -- that step
  becomes ``Part::MultiFuse``/``Part::Cut`` of separate Bodies and everything after it stays on
  the Part level. The builder tries the PartDesign feature first and falls back when FreeCAD
  rejects it, so the choice follows FreeCAD's own verdict rather than a guess.

Only ``builder``, ``sketches`` and ``job`` import FreeCAD; they run inside FreeCAD's own Python
(the workbench, or ``freecadcmd`` started by ``cadcoder to-freecad``).
"""
