"""The inference work on one pandas table (or one partition of a Dask table)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import StandardScaler

from moons_classifier.models import scaled_probabilities

# The columns score() adds to the input's, in order.
OUTPUT_COLUMNS = ("probability", "predicted_class", "threshold")


def check_not_empty(n_rows: int) -> None:
    """Refuse an input without rows."""
    if n_rows == 0:
        raise ValueError(
            "The inference input has no rows. Give a CSV with a header line and at least "
            "one row of features."
        )


def check_feature_columns(columns: list[str], features: list[str]) -> None:
    """Refuse an input that lacks a feature column."""
    missing = [column for column in features if column not in columns]
    if missing:
        raise ValueError(
            f"The inference input lacks the feature column(s) {missing}; it has "
            f"{columns}. The model needs the columns {features}."
        )


def check_no_output_columns(columns: list[str]) -> None:
    """Refuse an input holding a column that the predictions write, which would be replaced."""
    taken = [column for column in OUTPUT_COLUMNS if column in columns]
    if taken:
        raise ValueError(
            f"The inference input already has the column(s) {taken}, which the predictions "
            f"write ({list(OUTPUT_COLUMNS)}) and would replace. Rename or drop them in the "
            "input."
        )


def check_feature_values(
    points: pd.DataFrame, features: list[str], where: str = ""
) -> None:
    """Refuse a non-numeric, missing or infinite feature value, naming its column and row
    (and ``where``, e.g. its partition)."""
    for column in features:
        values = pd.to_numeric(points[column], errors="coerce")
        bad = values.isna() & points[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                f"Column {column!r} holds the non-numeric value {points[column].iloc[row]!r} "
                f"in data row {row + 1}{where}. Every feature value must be a number."
            )
        finite = np.isfinite(values.to_numpy(dtype=np.float64))
        if not finite.all():
            row = int(np.flatnonzero(~finite)[0])
            raise ValueError(
                f"Column {column!r} holds {values.iloc[row]} (missing, NaN or infinite) "
                f"in data row {row + 1}{where}. Fill or drop that row."
            )


def score(
    points: pd.DataFrame,
    scaler: StandardScaler,
    model: torch.nn.Module,
    threshold: float,
) -> pd.DataFrame:
    """``points`` with ``model``'s probability of class 1 and the class at ``threshold``."""
    probabilities = scaled_probabilities(scaler, model, points)
    scored = points.copy()
    scored["probability"] = probabilities
    scored["predicted_class"] = (probabilities >= threshold).astype(int)
    scored["threshold"] = threshold
    return scored
