"""moons-classifier"""

__version__ = "0.1"
