"""OCCT helpers shared by the sandbox workers, the metrics and the renderer (heavy: imports OCP)."""
