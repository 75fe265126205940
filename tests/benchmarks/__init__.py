"""Benchmarks, run on demand with ``python -m tests.benchmarks`` (never in the default test run)."""
