# FreeCAD runs this at start-up in console and GUI mode. It stays empty on purpose: documents with
# CadQuery features import CADCoderWorkbench.cadquery_feature themselves when they are opened, and
# nothing heavy may load at start-up.
