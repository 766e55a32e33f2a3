import cadquery as cq

shaft_diameter = 20.0
shaft_length = 80.0
key_width = 6.0
key_depth = 3.0
key_length = 30.0

shaft = cq.Workplane("YZ").circle(shaft_diameter / 2).extrude(shaft_length)
keyway = (
    cq.Workplane("XY")
    .workplane(offset=shaft_diameter / 2 - key_depth)
    .center(shaft_length - key_length / 2 - 5, 0)
    .slot2D(key_length, key_width)
    .extrude(key_depth + 1)
)
solid = shaft.cut(keyway)
