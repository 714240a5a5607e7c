"""The inference work on one pandas table (or one partition of a Dask table)."""

from __future__ import annotations

import pandas as pd
import torch
from sklearn.preprocessing import StandardScaler

from moons_classifier.models import scaled_probabilities


def check_feature_columns(columns: list[str], features: list[str]) -> None:
    """Refuse an input that lacks a feature column."""
    missing = [column for column in features if column not in columns]
    if missing:
        raise ValueError(
            f"The inference input lacks the feature column(s) {missing}; it has "
            f"{columns}. The model needs the columns {features}."
        )


def score(
    points: pd.DataFrame,
    scaler: StandardScaler,
    model: torch.nn.Module,
    threshold: float,
) -> pd.DataFrame:
    """``points`` with ``model``'s probability of class 1 and the class at ``threshold``
    (``tabular.OUTPUT_COLUMNS``)."""
    probabilities = scaled_probabilities(scaler, model, points)
    scored = points.copy()
    scored["probability"] = probabilities
    scored["predicted_class"] = (probabilities >= threshold).astype(int)
    scored["threshold"] = threshold
    return scored
