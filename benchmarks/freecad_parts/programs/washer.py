import cadquery as cq

outer_diameter = 30.0
inner_diameter = 13.0
thickness = 3.0

solid = cq.Workplane("XY").circle(outer_diameter / 2).circle(inner_diameter / 2).extrude(thickness)
