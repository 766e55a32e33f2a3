"""Programs as text: getting code out of model replies and its numbers out as parameters; and
programs as data: ``part_ir``, the one representation the data engine, native conversion and the
grounded search share.

Standard library only: FreeCAD's Python imports this to build property panels.
"""

from core.program.extract import add_missing_imports, extract_code
from core.program.parameters import (
    Parameter,
    apply_parameters,
    find_parameters,
    format_number,
    parameter_values,
)

__all__ = [
    "Edit",
    "EditNotUnderstood",
    "Parameter",
    "add_missing_imports",
    "apply_edit",
    "apply_parameters",
    "extract_code",
    "find_parameters",
    "format_number",
    "parameter_values",
    "parse_edit",
]
