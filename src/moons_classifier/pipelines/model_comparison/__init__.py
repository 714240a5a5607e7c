"""
This is a boilerplate pipeline 'model_comparison'
generated using Kedro 1.7.0
"""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]

__version__ = "0.1"
