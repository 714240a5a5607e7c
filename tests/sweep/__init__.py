"""Unit tests of the sweep package, one module per module of ``moons_classifier.sweep``."""
