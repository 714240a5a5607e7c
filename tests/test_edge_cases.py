"""Edge cases found in review: sample bounds, strict JSON, marker styles, exact inference."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from moons_classifier.params import (
    DataParams,
    EvaluationParams,
    InferenceParams,
    ModelParams,
    ReportingParams,
    SplitParams,
)
from moons_classifier.pipelines.data_processing.nodes import (
    fit_scaler,
    generate_moons,
    select_source,
    split_data,
    standardize_test_split,
)
from moons_classifier.pipelines.evaluation.nodes import (
    compute_metrics,
    predict_probabilities,
)
from moons_classifier.pipelines.inference.nodes import score_points
from moons_classifier.pipelines.reporting.nodes import plot_tradeoffs
from moons_classifier.pipelines.reporting.plotting import stratified_sample
from tests.support.helpers import metrics_at
from tests.support.reference import REFERENCE

STATE_DICT = {
    "linear.weight": torch.tensor(REFERENCE["weight"]),
    "linear.bias": torch.tensor(REFERENCE["bias"]),
}


@pytest.mark.parametrize(
    ("labels", "size"), [([0, 0, 0, 1, 1, 1], 3), ([1] + [0] * 299, 100)]
)
def test_stratified_sample_never_exceeds_size(labels, size):
    data = pd.DataFrame(
        {"x1": np.arange(len(labels), dtype=float), "x2": 0.0, "y": labels}
    )
    assert len(stratified_sample(data, size, seed=0)) <= size


def test_metrics_of_a_validation_split_without_positives_are_strict_json():
    predictions = pd.DataFrame({"y": [0, 0, 0, 0], "probability": [0.1, 0.2, 0.7, 0.4]})
    train = pd.DataFrame({"y": [0, 1]})
    history = pd.DataFrame({"train_loss": [0.5], "val_loss": [0.4]})
    metrics = compute_metrics(
        predictions, train, history, EvaluationParams()
    ).document()
    json.dumps(metrics, allow_nan=False)
    assert (metrics["auroc"], metrics["aupr"]) == (None, None)
    assert metrics["random_baseline"] == {"auroc": None, "aupr": None}
    assert metrics["selected_threshold"] == {
        "criterion": "f1",
        "threshold": None,
        "metrics": None,
    }
    at_half = metrics["thresholds"]["0.5"]
    assert (at_half["tpr"], at_half["recall"], at_half["f1"]) == (None, None, None)
    assert at_half["fpr"] == 0.25  # noqa: PLR2004


def test_unjoined_threshold_points_are_markers_only():
    predictions = pd.DataFrame({"y": [0, 1, 0, 1], "probability": [0.2, 0.7, 0.4, 0.9]})
    metrics = metrics_at(predictions, EvaluationParams().thresholds)
    roc, pr, _, _ = plot_tradeoffs(
        predictions, metrics, EvaluationParams(), ReportingParams()
    ).axes
    assert roc.get_lines()[0].get_linestyle() == "None"
    assert pr.get_lines()[0].get_linestyle() == "None"


def test_inference_probabilities_are_bit_identical_to_the_evaluations():
    train, val = split_data(generate_moons(DataParams()), SplitParams())
    scaler = fit_scaler(train)
    scored = score_points(
        val.drop(columns="y"),
        scaler,
        STATE_DICT,
        metrics_at(),
        ModelParams(),
        InferenceParams(threshold=0.5),
    )
    evaluated = predict_probabilities(
        STATE_DICT, standardize_test_split(val, scaler), ModelParams()
    )
    np.testing.assert_array_equal(scored["probability"], evaluated["probability"])


def test_single_class_split_message_shows_plain_class_numbers():
    data = pd.DataFrame({"x1": np.arange(10.0), "x2": 0.0, "y": 0})
    with pytest.raises(ValueError, match=r"holds only class\(es\) \[0\];"):
        split_data(data, SplitParams())


def test_a_table_feature_named_like_the_label_is_not_silently_replaced():
    table = pd.DataFrame(
        {"y": [1.5, 2.5, 3.5, 4.5], "z": [0.5, 0.1, 0.2, 0.3], "target": [0, 1, 0, 1]}
    )
    with pytest.raises(ValueError, match="'y'"):
        select_source(pd.DataFrame(), lambda: table, DataParams(source="table"))
