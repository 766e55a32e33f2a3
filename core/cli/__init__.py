"""The ``cadcoder`` command line: one module per command, wired together in :mod:`core.cli.main`."""
