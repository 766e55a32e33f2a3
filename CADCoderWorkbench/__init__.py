"""CAD-Coder's FreeCAD layer: the only package that imports FreeCAD, FreeCADGui or PySide.

It calls the light half of ``core`` (sandbox client, program utilities, remote client) from
FreeCAD's own Python; CadQuery, torch and the model run in the project's ``.venv`` processes.
"""

from CADCoderWorkbench import bootstrap

bootstrap.put_repository_first()
