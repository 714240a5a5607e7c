"""The ``model_comparison`` pipeline."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]

__version__ = "0.1"
