"""Benchmark evaluation: answers in the authors' format, scores from core.metrics, reports."""
