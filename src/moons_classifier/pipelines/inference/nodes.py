"""Nodes that score new points with a persisted scaler and model, without retraining."""

from __future__ import annotations

from types import ModuleType

import torch
from sklearn.preprocessing import StandardScaler

from moons_classifier.contracts import Metrics
from moons_classifier.models import load_model
from moons_classifier.params import InferenceParams, ModelParams
from moons_classifier.partitions import is_dask
from moons_classifier.tabular import Table

from . import kernels


def _partitioned() -> ModuleType:
    """The Dask side of these nodes, imported only where Dask is used."""
    from moons_classifier.pipelines.inference import partitioned  # noqa: PLC0415

    return partitioned


def check_inference_input(points: Table, scaler: StandardScaler) -> Table:
    """The rows, their features as floats, once every feature the scaler knows is a column
    and passes ``schemas.points_schema``, as the served model checks its requests (the
    catalog's schema checks the shipped input as it is loaded; this checks any input).

    A Dask table's columns (and a parquet folder's files, by their footers) are checked
    before any partition is read, and each partition as it is read.
    """
    from moons_classifier import schemas  # noqa: PLC0415

    features = list(scaler.feature_names_in_)
    kernels.check_feature_columns(list(points.columns), features)
    return schemas.validated(points, schemas.points_schema(features))


def operating_threshold(metrics: Metrics, params: InferenceParams) -> float:
    """``inference.threshold``, or else the threshold the evaluation selected."""
    if params.threshold is not None:
        return params.threshold
    threshold = metrics.selected_threshold.threshold
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
    metrics: Metrics,
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
    return kernels.score(points, scaler, model, threshold)
