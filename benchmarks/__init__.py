"""Benchmarks: the trainer against the book's loop, and ``kedro run`` against a plain script."""
