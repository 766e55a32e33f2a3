import cadquery as cq

span = 1.01
height = 0.824
depth = 0.297
thickness = 0.0135

solid = (
    cq.Workplane("XZ")
    .polyline(
        [
            (0, 0),
            (span, 0),
            (span, height),
            (span - thickness, height),
            (span - thickness, thickness),
            (thickness, thickness),
            (thickness, height),
            (0, height),
        ]
    )
    .close()
    .extrude(-depth)
)
