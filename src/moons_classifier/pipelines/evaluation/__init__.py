"""The ``evaluation`` pipeline: predictions, metrics and the model comparison table."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]

__version__ = "0.1"
