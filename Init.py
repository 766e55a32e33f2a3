# FreeCAD runs this at start-up in console and GUI mode; kept empty of work on purpose: the
# workbench imports its modules lazily (see InitGui.py), and nothing heavy is ever imported here.
