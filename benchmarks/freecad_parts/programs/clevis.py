import cadquery as cq

width = 30.0
depth = 20.0
height = 40.0
gap = 12.0
base_height = 12.0
pin_diameter = 8.0
pin_height = 28.0
thread_diameter = 10.0

body = cq.Workplane("XY").box(width, depth, height, centered=(True, True, False))
slot = (
    cq.Workplane("XY").workplane(offset=base_height).box(gap, depth + 2, height, centered=(True, True, False))
)
pin = cq.Workplane("YZ").center(0, pin_height).circle(pin_diameter / 2).extrude(width, both=True)
solid = body.cut(slot).cut(pin).faces("<Z").workplane().hole(thread_diameter, base_height - 2)
