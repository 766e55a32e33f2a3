"""Where "add a 5 mm hole through the centre" puts the hole, as CadQuery the program keeps.

The user means the middle of the part, not the topmost face: on an L-bracket ``faces(">Z")`` is
the top of the upright wall, and a hole there splits the wall. So the hole goes through the centre
of mass of the *largest* planar face normal to the axis (``faces("|Z")``: the base of the bracket),
or of the largest face looking the named way ("the top" -> ``"+Z"``), or of the face the user
selected in the 3D view (``NearestToPointSelector`` at its centre). The choice is written as code
that runs in the sandbox with the rest of the program, so it follows when a parameter changes.
"""

from __future__ import annotations

# Face words -> which planar faces may take the hole (CadQuery selectors).
HOLE_FACES = {
    "top": "+Z",
    "upper": "+Z",
    "bottom": "-Z",
    "underside": "-Z",
    "front": "-Y",
    "back": "+Y",
    "left": "-X",
    "right": "+X",
}
AXIS_WORDS = {"x": "|X", "y": "|Y", "z": "|Z"}
DEFAULT_FACES = "|Z"  # "through the centre": either way along Z


def hole_faces(words: set[str]) -> str:
    """The selector of the faces a hole may start from, from the instruction's words."""
    for word, selector in HOLE_FACES.items():
        if word in words:
            return selector
    for word, selector in AXIS_WORDS.items():
        if word in words and ("axis" in words or "along" in words):
            return selector
    return DEFAULT_FACES


def hole_lines(
    final: str, param: str, faces: str, at: tuple[float, float, float] | None, face_var: str
) -> list[str]:
    """Lines that bore a through hole of diameter ``param`` into ``final``: from the centre of the
    face nearest ``at`` (a selected face's centre), else of the largest face of ``faces``."""
    if at is not None:
        point = ", ".join(f"{v:.6g}" for v in at)
        pick = f"{face_var} = {final}.faces(cq.selectors.NearestToPointSelector(({point}))).val()"
    else:
        pick = f'{face_var} = max({final}.faces("{faces}").vals(), key=lambda face: face.Area())'
    return [
        pick,
        f'{final} = {final}.newObject([{face_var}]).workplane(centerOption="CenterOfMass").hole({param})',
    ]


def describe_hole(value: float, faces: str | None, at: tuple[float, float, float] | None) -> str:
    if at is not None:
        return f"hole diameter {value:g} through the centre of the selected face"
    if faces and faces.startswith("|"):
        return f"hole diameter {value:g} through the centre of the largest face normal to {faces[1]}"
    return f"hole diameter {value:g} through the centre of the largest face facing {faces}"
