import cadquery as cq

outer_diameter = 2.14
inner_diameter = 1.15
thickness = 0.111

solid = cq.Workplane("XY").circle(outer_diameter / 2).circle(inner_diameter / 2).extrude(thickness)
solid = solid.rotate((0, 0, 0), (1, 0, 0), -90)
