"""Nodes that score new points with a persisted scaler and model, without retraining."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import StandardScaler

from moons_classifier.models import load_model, predict_logits
from moons_classifier.params import InferenceParams, ModelParams


def check_inference_input(points: pd.DataFrame, scaler: StandardScaler) -> pd.DataFrame:
    """The rows, unchanged, once every feature the scaler knows is present, numeric and finite."""
    if points.empty:
        raise ValueError(
            "The inference input has no rows. Give a CSV with a header line and at least "
            "one row of features."
        )
    features = list(scaler.feature_names_in_)
    missing = [column for column in features if column not in points.columns]
    if missing:
        raise ValueError(
            f"The inference input lacks the feature column(s) {missing}; it has "
            f"{list(points.columns)}. The model needs the columns {features}."
        )
    for column in features:
        values = pd.to_numeric(points[column], errors="coerce")
        bad = values.isna() & points[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                f"Column {column!r} holds the non-numeric value {points[column].iloc[row]!r} "
                f"in data row {row + 1}. Every feature value must be a number."
            )
        finite = np.isfinite(values.to_numpy(dtype=np.float64))
        if not finite.all():
            row = int(np.flatnonzero(~finite)[0])
            raise ValueError(
                f"Column {column!r} holds {values.iloc[row]} (missing, NaN or infinite) "
                f"in data row {row + 1}. Fill or drop that row."
            )
    return points


def score_points(
    points: pd.DataFrame,
    scaler: StandardScaler,
    state_dict: dict[str, torch.Tensor],
    metrics: dict,
    model_params: ModelParams,
    params: InferenceParams,
) -> pd.DataFrame:
    """The input rows with the model's probability of class 1 and the predicted class."""
    threshold = params.threshold
    if threshold is None:
        threshold = metrics["selected_threshold"]["threshold"]
        if threshold is None:
            raise ValueError(
                "The evaluation selected no operating threshold (its criterion was not met), "
                "so inference has none to use. Set inference.threshold to a probability."
            )
    features = list(scaler.feature_names_in_)
    model = load_model(state_dict, len(features), model_params)
    # Row-major, as the evaluation's features: the matrix product then rounds the same way.
    standardized = np.ascontiguousarray(
        scaler.transform(points[features].astype(np.float64))
    )
    logits = predict_logits(model, torch.as_tensor(standardized).float()).squeeze(1)
    probabilities = torch.sigmoid(logits).numpy()
    scored = points.copy()
    scored["probability"] = probabilities
    scored["predicted_class"] = (probabilities >= threshold).astype(int)
    scored["threshold"] = threshold
    return scored
