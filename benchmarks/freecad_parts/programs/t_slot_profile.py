import cadquery as cq

size = 20.0
slot_opening = 6.0
slot_depth = 6.0
core_diameter = 4.2
length = 60.0

body = cq.Workplane("XY").rect(size, size).extrude(length)
slot = cq.Workplane("XY").center(0, size / 2 - slot_depth / 2).rect(slot_opening, slot_depth).extrude(length)
solid = body
for angle in (0, 90, 180, 270):
    solid = solid.cut(slot.rotate((0, 0, 0), (0, 0, 1), angle))
solid = solid.faces(">Z").workplane().hole(core_diameter)
