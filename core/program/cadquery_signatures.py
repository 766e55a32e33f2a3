"""What the arguments of common CadQuery calls measure, so numbers get names and quantities.

A number's name comes from the call and the argument it fills (``box(10, 20, 5)`` -> ``box_length``,
``box_width``, ``box_height``), and its quantity from what that argument is in CadQuery's signature:
a length in mm, an angle in degrees, a count, a plain number (a ratio, a colour), a point (whose
coordinates are lengths), or something that is not a dimension at all -- a direction (``normal``,
the axis of ``rotate``), or construction (tolerances, colours). Directions and construction values
never become parameters (issue 15: ``rotate_axisEnd_x`` is noise), and a scale edit leaves them be.
"""

from __future__ import annotations

LENGTH, ANGLE, COUNT, NUMBER = "length", "angle", "count", "number"
POINT, DIRECTION, CONSTRUCTION = "point", "direction", "construction"
# Quantities a parameter can have (``Parameter.quantity``); points resolve to lengths coordinate-wise.
PARAMETER_QUANTITIES = (LENGTH, ANGLE, COUNT, NUMBER)
# Contexts whose numbers are never parameters.
NOT_DIMENSIONS = (DIRECTION, CONSTRUCTION)

L, A, C, N, P, D, X = LENGTH, ANGLE, COUNT, NUMBER, POINT, DIRECTION, CONSTRUCTION

# call name -> positional (argument name, quantity); keyword arguments are looked up by name too.
SIGNATURES: dict[str, tuple[tuple[str, str], ...]] = {
    "box": (("length", L), ("width", L), ("height", L)),
    "rect": (("xLen", L), ("yLen", L)),
    "circle": (("radius", L),),
    "ellipse": (("x_radius", L), ("y_radius", L), ("rotation_angle", A)),
    "ellipseArc": (("x_radius", L), ("y_radius", L), ("angle1", A), ("angle2", A), ("rotation_angle", A)),
    "polygon": (("nSides", C), ("diameter", L)),
    "regularPolygon": (("r", L), ("n", C), ("angle", A)),
    "trapezoid": (("w", L), ("h", L), ("a1", A), ("a2", A), ("angle", A)),
    "slot": (("w", L), ("h", L), ("angle", A)),
    "slot2D": (("length", L), ("diameter", L), ("angle", A)),
    "sphere": (("radius", L), ("direct", D), ("angle1", A), ("angle2", A), ("angle3", A)),
    "cylinder": (("height", L), ("radius", L), ("direct", D), ("angle", A)),
    "cone": (("height", L), ("radius1", L), ("radius2", L)),
    "torus": (("radius1", L), ("radius2", L)),
    "wedge": (("dx", L), ("dy", L), ("dz", L), ("xmin", L), ("zmin", L), ("xmax", L), ("zmax", L)),
    "extrude": (("distance", L),),
    "cutBlind": (("depth", L),),
    "twistExtrude": (("distance", L), ("angle", A)),
    "revolve": (("angle", A), ("axisStart", D), ("axisEnd", D)),
    "hole": (("diameter", L), ("depth", L)),
    "cboreHole": (("diameter", L), ("cboreDiameter", L), ("cboreDepth", L), ("depth", L)),
    "cskHole": (("diameter", L), ("cskDiameter", L), ("cskAngle", A), ("depth", L)),
    "fillet": (("radius", L),),
    "fillet2D": (("radius", L),),
    "chamfer": (("length", L), ("length2", L)),
    "chamfer2D": (("length", L),),
    "shell": (("thickness", L),),
    "offset2D": (("distance", L),),
    "workplane": (("offset", L),),
    "moveTo": (("x", L), ("y", L)),
    "move": (("x", L), ("y", L)),
    "lineTo": (("x", L), ("y", L)),
    "line": (("dx", L), ("dy", L)),
    "hLine": (("distance", L),),
    "vLine": (("distance", L),),
    "hLineTo": (("x", L),),
    "vLineTo": (("y", L),),
    "polarLine": (("distance", L), ("angle", A)),
    "polarLineTo": (("distance", L), ("angle", A)),
    "radiusArc": (("end", P), ("radius", L)),
    "sagittaArc": (("end", P), ("sag", L)),
    "tangentArcPoint": (("end", P),),
    "threePointArc": (("point1", P), ("point2", P)),
    "spline": (("points", P), ("tangents", D)),
    "polyline": (("points", P),),
    "pushPoints": (("points", P),),
    "push": (("points", P),),
    "segment": (("p1", P), ("p2", P)),
    "arc": (("p1", P), ("p2", P), ("p3", P)),
    "center": (("x", L), ("y", L)),
    "rarray": (("xSpacing", L), ("ySpacing", L), ("xCount", C), ("yCount", C)),
    "polarArray": (("radius", L), ("startAngle", A), ("angle", A), ("count", C)),
    "parray": (("r", L), ("a1", A), ("da", A), ("n", C)),
    "distribute": (("n", C),),
    "text": (("txt", X), ("fontsize", L), ("distance", L)),
    "Vector": (("x", L), ("y", L), ("z", L)),
    "translate": (("vec", L),),
    "rotate": (("axisStart", D), ("axisEnd", D), ("angle", A)),
    "rotateAboutCenter": (("axisEnd", D), ("angle", A)),
    "transformed": (("rotate", A), ("offset", L)),
    "mirror": (("mirrorPlane", X), ("basePointVector", P)),
    "Location": (("position", P), ("axis", D), ("angle", A)),
    "Plane": (("origin", P), ("xDir", D), ("normal", D)),
    "Color": (("r", X), ("g", X), ("b", X), ("a", X)),
    "makeBox": (("length", L), ("width", L), ("height", L), ("pnt", P), ("dir", D)),
    "makeCylinder": (("radius", L), ("height", L), ("pnt", P), ("dir", D), ("angle", A)),
    "makeCone": (("radius1", L), ("radius2", L), ("height", L), ("pnt", P), ("dir", D), ("angle", A)),
    "makeSphere": (("radius", L), ("pnt", P), ("dir", D), ("angle1", A), ("angle2", A), ("angle3", A)),
    "makeTorus": (("radius1", L), ("radius2", L), ("pnt", P), ("dir", D), ("angle1", A), ("angle2", A)),
    "makeCircle": (("radius", L), ("pnt", P), ("dir", D), ("angle1", A), ("angle2", A)),
    "makeHelix": (("pitch", L), ("height", L), ("radius", L), ("center", P), ("dir", D), ("angle", A)),
    "range": (("stop", C), ("stop", C), ("step", C)),
    "radians": (("degrees", A),),
    "sin": (("x", A),),
    "cos": (("x", A),),
    "tan": (("x", A),),
}

# Calls whose numbers are never geometry (display options, colours, logging).
CONSTRUCTION_CALLS = frozenset({"show_object", "debug", "log", "print", "Color", "export", "exportStep"})

# Keyword arguments whose meaning does not depend on the call.
KEYWORDS: dict[str, str] = {
    "taper": A,
    "angle": A,
    "angleDegrees": A,
    "rotate": A,
    "offset": L,
    "tol": X,
    "tolerance": X,
    "angularTolerance": X,
    "normal": D,
    "xDir": D,
    "dir": D,
    "direct": D,
    "axis": D,
    "axisStart": D,
    "axisEnd": D,
    "axisStartPoint": D,
    "axisEndPoint": D,
    "origin": P,
    "loc": P,
    "color": X,
}


def argument(call: str | None, index: int | None, keyword: str | None) -> tuple[str | None, str | None]:
    """(argument name, quantity) of a call's positional ``index`` or ``keyword``; Nones if unknown."""
    if call in CONSTRUCTION_CALLS:
        return keyword, CONSTRUCTION
    known = SIGNATURES.get(call or "", ())
    if keyword is not None:
        for name, quantity in known:
            if name == keyword:
                return name, quantity
        return keyword, KEYWORDS.get(keyword)
    if index is not None and index < len(known):
        return known[index]
    return None, None
