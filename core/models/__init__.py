"""Model backends: every way of getting CadQuery text from an image goes through :class:`Backend`."""
