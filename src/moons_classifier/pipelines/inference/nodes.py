"""Nodes that score new points with a persisted scaler and model, without retraining."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import StandardScaler

from moons_classifier.models import load_model, predict_logits
from moons_classifier.params import InferenceParams, ModelParams
from moons_classifier.partitions import check_parquet_files, is_dask
from moons_classifier.tabular import Table

# The columns score() adds to the input's, in order.
OUTPUT_COLUMNS = ("probability", "predicted_class", "threshold")


def _partitioned() -> ModuleType:
    """The Dask side of these nodes, imported only where Dask is used."""
    from moons_classifier.pipelines.inference import partitioned  # noqa: PLC0415

    return partitioned


def check_inference_input(points: Table, scaler: StandardScaler) -> Table:
    """The rows, unchanged, once every feature the scaler knows is present, numeric and
    finite, and no column is one the predictions write.

    A Dask table's columns (and a parquet folder's files, by their footers) are checked
    before any partition is read, then its values partition by partition on the workers.
    """
    features = list(scaler.feature_names_in_)
    check_feature_columns(list(points.columns), features)
    check_no_output_columns(list(points.columns))
    if is_dask(points):
        check_parquet_files(points, "inference input")
        _partitioned().check_values(points, features)
        return points
    check_not_empty(len(points))
    check_feature_values(points, features)
    return points


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


def operating_threshold(metrics: dict, params: InferenceParams) -> float:
    """``inference.threshold``, or else the threshold the evaluation selected."""
    if params.threshold is not None:
        return params.threshold
    threshold = metrics["selected_threshold"]["threshold"]
    if threshold is None:
        raise ValueError(
            "The evaluation selected no operating threshold (its criterion was not met), "
            "so inference has none to use. Set inference.threshold to a probability."
        )
    return threshold


def score_points(
    points: Table,
    scaler: StandardScaler,
    state_dict: dict[str, torch.Tensor],
    metrics: dict,
    model_params: ModelParams,
    params: InferenceParams,
) -> Table:
    """The input rows with the model's probability of class 1 and the predicted class.

    Dask partitions are scored on the workers.
    """
    threshold = operating_threshold(metrics, params)
    features = list(scaler.feature_names_in_)
    model = load_model(state_dict, len(features), model_params)
    if is_dask(points):
        return _partitioned().score(points, scaler, model, threshold)
    return score(points, scaler, model, threshold)


def score(
    points: pd.DataFrame,
    scaler: StandardScaler,
    model: torch.nn.Module,
    threshold: float,
) -> pd.DataFrame:
    """``points`` with ``model``'s probability of class 1 and the class at ``threshold``."""
    features = list(scaler.feature_names_in_)
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
