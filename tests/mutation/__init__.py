"""Mutation testing of the pure core; run on demand with ``python -m tests.mutation``, never collected by pytest."""
