"""Procedural CadQuery programs, executed in the sandbox, filtered, rendered and sharded."""
