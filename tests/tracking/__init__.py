"""Unit tests of the tracking package, one module per module of ``moons_classifier.tracking``."""
