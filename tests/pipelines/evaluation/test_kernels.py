"""The evaluation work on one pandas table, as both backends call it."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
import torch

from moons_classifier.contracts import AtThreshold, SelectedThreshold
from moons_classifier.metrics import threshold_metrics
from moons_classifier.params import EvaluationParams, MinPrecision, ModelParams
from moons_classifier.pipelines.evaluation.kernels import scored, selected_threshold

LABELS = np.array([1, 0, 1, 0])
PROBABILITIES = np.array([0.9, 0.6, 0.4, 0.2])
STATE = {
    "linear.weight": torch.tensor([[2.0, -1.0]]),
    "linear.bias": torch.tensor([0.5]),
}


def at(threshold: float) -> dict[str, object]:
    return threshold_metrics(LABELS, PROBABILITIES, threshold)


def test_scored_is_the_logit_of_the_weights_and_its_sigmoid():
    data = pd.DataFrame({"x1": [0.0, 1.0, -2.0], "x2": [0.0, 3.0, 0.5], "y": [1, 0, 1]})
    scores = scored(STATE, data, ModelParams(kind="logistic"))
    assert list(scores.columns) == ["y", "logit", "probability"]
    np.testing.assert_array_equal(scores["y"], [1, 0, 1])
    np.testing.assert_allclose(scores["logit"], [0.5, -0.5, -4.0])
    logits = torch.tensor(scores["logit"].to_numpy())
    np.testing.assert_array_equal(scores["probability"], torch.sigmoid(logits).numpy())


def test_scored_refuses_weights_of_another_model():
    data = pd.DataFrame({"x1": [0.0], "x2": [1.0], "y": [1]})
    with pytest.raises(ValueError, match="do not match the configured 'mlp' model"):
        scored(STATE, data, ModelParams(kind="mlp"))


def test_selected_threshold_holds_the_pick_and_its_metrics():
    asked = []

    def select(criterion):
        asked.append(criterion)
        return 0.5

    selected = selected_threshold(select, at, EvaluationParams())
    assert asked == ["f1"]
    assert selected == SelectedThreshold(
        criterion="f1", threshold=0.5, metrics=AtThreshold(**at(0.5))
    )


def test_selected_threshold_is_none_with_a_warning_where_none_qualifies(caplog):
    params = EvaluationParams(threshold_selection=MinPrecision(min_precision=0.99))
    with caplog.at_level(logging.WARNING):
        selected = selected_threshold(lambda criterion: None, at, params)
    assert selected == SelectedThreshold(
        criterion={"min_precision": 0.99}, threshold=None, metrics=None
    )
    assert (
        "No threshold meets {'min_precision': 0.99} on the validation set; none selected."
        in caplog.text
    )
