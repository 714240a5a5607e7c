"""The evaluation nodes called as plain functions, on the chapter's trained model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from moons_classifier.params import EvaluationParams, MinPrecision, ModelParams
from moons_classifier.pipelines.evaluation.nodes import (
    compare_metrics,
    compute_metrics,
    predict_probabilities,
)
from tests.book_reference import book_aucs, book_metrics
from tests.pipelines.evaluation.chapter import AUPR, AUROC, CONFUSION

RANDOM = {"auroc": 0.505050505050505, "aupr": 0.570559046216941}
RATIOS = ("tpr", "fpr", "precision", "recall", "accuracy", "f1")


def best_f1_threshold(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """The highest of the probabilities whose F1 is largest, by brute force."""

    def f1(threshold: float) -> float:
        m = book_metrics(labels, probabilities, threshold)
        return 2 * m["precision"] * m["recall"] / (m["precision"] + m["recall"])

    return max(np.unique(probabilities), key=lambda t: (f1(t), t))


def test_predict_probabilities_is_the_sigmoid_of_the_models_logits(book, val):
    predicted = predict_probabilities(book.state_dict, val, ModelParams())
    model = torch.nn.Linear(2, 1)
    model.load_state_dict(
        {k.removeprefix("linear."): v for k, v in book.state_dict.items()}
    )
    with torch.no_grad():
        logits = model(torch.tensor(book.x_val).float()).squeeze(1)
    assert list(predicted.columns) == ["y", "logit", "probability"]
    np.testing.assert_array_equal(predicted["y"], book.y_val)
    np.testing.assert_array_equal(predicted["logit"], logits.numpy())
    np.testing.assert_array_equal(
        predicted["probability"], torch.sigmoid(logits).numpy()
    )
    np.testing.assert_allclose(predicted["probability"], book.probabilities, atol=1e-7)


def test_compute_metrics_reproduces_the_chapter(metrics, book):
    assert set(metrics) == {
        "n_train",
        "n_val",
        "class_balance",
        "pr_baseline",
        "final_train_loss",
        "final_val_loss",
        "auroc",
        "aupr",
        "random_baseline",
        "thresholds",
        "selected_threshold",
    }
    assert (metrics["n_train"], metrics["n_val"]) == (80, 20)
    assert metrics["final_train_loss"] == book.train_losses[-1]
    assert metrics["final_val_loss"] == book.val_losses[-1]
    assert metrics["auroc"] == pytest.approx(AUROC, abs=1e-12)
    assert metrics["aupr"] == pytest.approx(AUPR, abs=1e-12)
    assert (metrics["auroc"], metrics["aupr"]) == book_aucs(
        book.y_val, book.probabilities
    )
    assert metrics["random_baseline"] == pytest.approx(RANDOM, abs=1e-12)
    assert metrics["class_balance"] == {
        "train_positive_rate": book.y_train.mean(),
        "val_positive_rate": 0.55,
    }
    assert metrics["pr_baseline"] == 0.55  # noqa: PLR2004
    assert list(metrics["thresholds"]) == list(CONFUSION)
    for threshold, matrix in CONFUSION.items():
        at = metrics["thresholds"][threshold]
        assert set(at) == {"confusion_matrix", *RATIOS}
        assert at["confusion_matrix"] == matrix
        reference = book_metrics(book.y_val, book.probabilities, float(threshold))
        for key in ("tpr", "fpr", "precision", "recall"):
            assert at[key] == pytest.approx(reference[key], abs=1e-15)
    at_half = metrics["thresholds"]["0.5"]
    assert at_half["accuracy"] == 17 / 20
    assert at_half["f1"] == pytest.approx(
        2 * (10 / 12) * (10 / 11) / (10 / 12 + 10 / 11)
    )


def test_compute_metrics_selects_the_best_f1_threshold(metrics, book):
    selected = metrics["selected_threshold"]
    threshold = best_f1_threshold(book.y_val, book.probabilities)
    assert selected["criterion"] == "f1"
    assert selected["threshold"] == float(threshold)
    assert selected["metrics"]["confusion_matrix"] == [[9, 0], [1, 10]]
    assert selected["metrics"]["f1"] == pytest.approx(20 / 21)
    best_listed = max(m["f1"] for m in metrics["thresholds"].values())
    assert selected["metrics"]["f1"] > best_listed
    json.dumps(metrics, allow_nan=False)


def test_undefined_ratios_are_none_and_the_metrics_are_strict_json(
    predictions, train, history
):
    params = EvaluationParams(
        thresholds=[1.0], threshold_selection=MinPrecision(min_precision=1.0)
    )
    no_positive_above_top = predictions.assign(
        probability=predictions["probability"] * 0.5
    )
    metrics = compute_metrics(no_positive_above_top, train, history, params)
    at_one = metrics["thresholds"]["1.0"]
    assert at_one["confusion_matrix"] == [[9, 0], [11, 0]]
    assert (at_one["precision"], at_one["f1"]) == (None, None)
    assert (at_one["tpr"], at_one["fpr"], at_one["accuracy"]) == (0.0, 0.0, 0.45)
    json.dumps(metrics, allow_nan=False)


def test_an_unmet_criterion_selects_no_threshold(train, history):
    predictions = pd.DataFrame({"y": [0, 1, 0, 1], "probability": [0.9, 0.8, 0.3, 0.2]})
    params = EvaluationParams(threshold_selection=MinPrecision(min_precision=0.9))
    metrics = compute_metrics(predictions, train, history, params)
    assert metrics["selected_threshold"] == {
        "criterion": {"min_precision": 0.9},
        "threshold": None,
        "metrics": None,
    }
    json.dumps(metrics, allow_nan=False)


def summary(auroc: float, threshold: float | None) -> dict:
    return {
        "n_train": 80,
        "auroc": auroc,
        "aupr": auroc - 0.1,
        "final_train_loss": 0.3,
        "final_val_loss": 0.2,
        "thresholds": {},
        "selected_threshold": {
            "criterion": "f1",
            "threshold": threshold,
            "metrics": None,
        },
    }


def test_compare_metrics_tabulates_each_model():
    table = compare_metrics(logistic=summary(0.9, 0.5), mlp=summary(0.95, None))
    assert table == {
        "logistic": {
            "auroc": 0.9,
            "aupr": 0.8,
            "final_train_loss": 0.3,
            "final_val_loss": 0.2,
            "selected_threshold": 0.5,
        },
        "mlp": {
            "auroc": 0.95,
            "aupr": 0.85,
            "final_train_loss": 0.3,
            "final_val_loss": 0.2,
            "selected_threshold": None,
        },
    }
