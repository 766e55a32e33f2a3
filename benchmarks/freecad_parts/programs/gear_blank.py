import cadquery as cq

outer_diameter = 60.0
web_thickness = 6.0
rim_width = 6.0
rim_height = 12.0
hub_diameter = 20.0
bore_diameter = 8.0
window_diameter = 12.0
windows = 4

rim = cq.Workplane("XY").circle(outer_diameter / 2).circle(outer_diameter / 2 - rim_width).extrude(rim_height)
web = (
    cq.Workplane("XY")
    .workplane(offset=(rim_height - web_thickness) / 2)
    .circle(outer_diameter / 2 - 1)
    .extrude(web_thickness)
)
hub = cq.Workplane("XY").circle(hub_diameter / 2).extrude(rim_height)
solid = (
    rim.union(web)
    .union(hub)
    .faces(">Z")
    .workplane()
    .hole(bore_diameter)
    .faces(">Z")
    .workplane()
    .polarArray((outer_diameter / 2 - rim_width + hub_diameter / 2) / 2, 45, 360, windows)
    .hole(window_diameter)
)
