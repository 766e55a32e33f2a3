import cadquery as cq

length = 40.0
width = 30.0
height = 20.0
slot_width = 10.0
slot_depth = 8.0
step_height = 6.0

solid = cq.Workplane("XY").box(length, width, height)
slot = cq.Workplane("XY").box(length, slot_width, slot_depth).translate((0, 0, height / 2 - slot_depth / 2))
solid = solid.cut(slot)
step = (
    cq.Workplane("XY")
    .box(length / 2, width, step_height)
    .translate((length / 4, 0, -height / 2 - step_height / 2))
)
solid = solid.union(step)
