"""Conventions for the project's tables: feature columns, the ``y`` label, the predictions' columns."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch

LABEL = "y"
# The columns the inference pipeline adds to a table of points, in order.
OUTPUT_COLUMNS = ("probability", "predicted_class", "threshold")

# A table between nodes: a pandas DataFrame, or a Dask DataFrame on the Dask backend
# (not named here, so that Kedro resolves the nodes' type hints without Dask installed).
Table = Any


def feature_columns(data: pd.DataFrame) -> list[str]:
    """Every column but the label, in table order."""
    return [column for column in data.columns if column != LABEL]


def feature_matrix(data: pd.DataFrame) -> np.ndarray:
    """The feature columns as a row-major float64 array, laid out as make_moons returns it.

    The layout matters: numpy sums rows and columns in a different order otherwise, and
    the scaler's statistics would differ from the chapter's in the last bit.
    """
    return np.ascontiguousarray(data[feature_columns(data)].to_numpy(dtype=np.float64))


def to_tensors(data: pd.DataFrame) -> tuple[torch.Tensor, torch.Tensor]:
    """Float32 features of shape (N, F) and labels of shape (N, 1)."""
    labels = data[LABEL].to_numpy().reshape(-1, 1).astype(np.float32)
    return features_tensor(data), torch.from_numpy(labels)


def features_tensor(data: pd.DataFrame) -> torch.Tensor:
    """Float32 features of shape (N, F), rounded from float64 as ``tensor.float()`` rounds."""
    return torch.from_numpy(feature_matrix(data).astype(np.float32))
