"""Benchmarks whose figures are quoted in BENCHMARKS.md."""
