"""CAD-Coder training: synthetic data engine (``training.synth``), data loading (``training.data``),
the trainer and its recipes (``training.trainer``, ``training/configs``), and benchmark evaluation
(``training.evaluation``). Heavy: runs in the project's ``.venv`` only. See ``training/README.md``."""
