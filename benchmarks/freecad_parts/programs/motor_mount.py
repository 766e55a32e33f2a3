import cadquery as cq

face_size = 60.0
face_thickness = 5.0
pilot_diameter = 22.0
screw_spacing = 31.0
screw_diameter = 3.4
base_depth = 40.0
slot_length = 12.0
slot_width = 5.5

face = cq.Workplane("XZ").center(0, face_size / 2).rect(face_size, face_size).extrude(-face_thickness)
face = (
    face.faces("<Y")
    .workplane(centerOption="CenterOfBoundBox")
    .hole(pilot_diameter)
    .faces("<Y")
    .workplane(centerOption="CenterOfBoundBox")
    .rect(screw_spacing, screw_spacing, forConstruction=True)
    .vertices()
    .hole(screw_diameter)
)
base = cq.Workplane("XY").center(0, base_depth / 2).rect(face_size, base_depth).extrude(face_thickness)
base = base.faces(">Z").workplane().pushPoints([(-18, base_depth / 2 + 4), (18, base_depth / 2 + 4)])
base = base.slot2D(slot_length, slot_width, 90).cutThruAll()
solid = face.union(base)
