"""The ``reporting`` pipeline: the chapter's figures and the model comparison figure."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]

__version__ = "0.1"
