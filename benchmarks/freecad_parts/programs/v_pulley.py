import cadquery as cq

outer_diameter = 50.0
width = 16.0
groove_depth = 8.0
groove_top = 10.0
groove_bottom = 4.0
bore_diameter = 8.0

r = outer_diameter / 2
profile = [
    (bore_diameter / 2, 0),
    (r, 0),
    (r, (width - groove_top) / 2),
    (r - groove_depth, (width - groove_bottom) / 2),
    (r - groove_depth, (width + groove_bottom) / 2),
    (r, (width + groove_top) / 2),
    (r, width),
    (bore_diameter / 2, width),
]
solid = cq.Workplane("XZ").polyline(profile).close().revolve(360, (0, 0, 0), (0, 1, 0))
