"""The image -> CAD pipeline (heavy: Pillow, numpy for render-and-compare; the workbench runs it
in the project's environment through ``cadcoder image2cad --events``)."""

from core.pipeline.config import PipelineConfig
from core.pipeline.image_to_cad import ImageToCad, load_image
from core.pipeline.result import CadResult, Candidate

__all__ = ["CadResult", "Candidate", "ImageToCad", "PipelineConfig", "load_image"]
