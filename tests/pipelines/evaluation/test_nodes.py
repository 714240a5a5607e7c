"""The evaluation nodes called as plain functions, on the chapter's trained model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from moons_classifier.contracts import Metrics
from moons_classifier.metrics import areas_under_curves, threshold_metrics
from moons_classifier.params import (
    BootstrapParams,
    EvaluationParams,
    MinPrecision,
    ModelParams,
)
from moons_classifier.pipelines.evaluation import nodes
from moons_classifier.pipelines.evaluation.nodes import (
    compare_metrics,
    compute_metrics,
    compute_test_metrics,
    predict_probabilities,
)
from tests.pipelines.evaluation.chapter import AUPR, AUROC, CONFUSION
from tests.support.book_reference import book_aucs, book_metrics
from tests.support.helpers import metrics_at

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
    metrics = metrics.document()
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
    metrics = metrics.document()
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
    metrics = compute_metrics(no_positive_above_top, train, history, params).document()
    at_one = metrics["thresholds"]["1.0"]
    assert at_one["confusion_matrix"] == [[9, 0], [11, 0]]
    assert (at_one["precision"], at_one["f1"]) == (None, None)
    assert (at_one["tpr"], at_one["fpr"], at_one["accuracy"]) == (0.0, 0.0, 0.45)
    json.dumps(metrics, allow_nan=False)


def test_an_unmet_criterion_selects_no_threshold(train, history):
    predictions = pd.DataFrame({"y": [0, 1, 0, 1], "probability": [0.9, 0.8, 0.3, 0.2]})
    params = EvaluationParams(threshold_selection=MinPrecision(min_precision=0.9))
    metrics = compute_metrics(predictions, train, history, params).document()
    assert metrics["selected_threshold"] == {
        "criterion": {"min_precision": 0.9},
        "threshold": None,
        "metrics": None,
    }
    json.dumps(metrics, allow_nan=False)


def summary(auroc: float, threshold: float | None) -> Metrics:
    return metrics_at(threshold=threshold).model_copy(
        update={
            "auroc": auroc,
            "aupr": auroc - 0.1,
            "final_train_loss": 0.3,
            "final_val_loss": 0.2,
        }
    )


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


def reference_test_metrics(
    labels: np.ndarray,
    probabilities: np.ndarray,
    threshold: float | None,
    params: BootstrapParams,
) -> dict[str, object]:
    """The test metrics as a plain loop of sklearn scores over the seeded resamples."""

    def scores(rows: np.ndarray) -> dict[str, float | None]:
        result = areas_under_curves(labels[rows], probabilities[rows])
        if threshold is not None:
            at = threshold_metrics(labels[rows], probabilities[rows], threshold)
            result |= {
                key: at[key] for key in ("precision", "recall", "f1", "accuracy")
            }
        return result

    rng = np.random.default_rng(params.seed)
    draws = rng.integers(0, len(labels), size=(params.n_resamples, len(labels)))
    resampled = [scores(rows) for rows in draws]
    tail = (1 - params.confidence) / 2
    intervals = {}
    for key, value in scores(np.arange(len(labels))).items():
        values = [s[key] for s in resampled if s[key] is not None]
        low, high = np.quantile(values, [tail, 1 - tail]) if values else (None, None)
        intervals[key] = {
            "value": value,
            "low": None if low is None else float(low),
            "high": None if high is None else float(high),
        }
    return {
        "n_test": len(labels),
        "selected_threshold": threshold,
        "confidence": params.confidence,
        "n_resamples": params.n_resamples,
        **intervals,
    }


def assert_same_test_metrics(actual: dict, expected: dict) -> None:
    """Equal structure and point estimates, interval ends within 1e-12."""
    assert list(actual) == list(expected)
    for key, value in expected.items():
        if not isinstance(value, dict):
            assert actual[key] == value, key
            continue
        assert actual[key]["value"] == value["value"], key
        for end in ("low", "high"):
            if value[end] is None:
                assert actual[key][end] is None, (key, end)
            else:
                assert actual[key][end] == pytest.approx(value[end], abs=1e-12)


def check_against_the_loop(
    labels: np.ndarray, probabilities: np.ndarray, threshold: float | None
) -> None:
    """compute_test_metrics equals the per-resample loop on these predictions."""
    params = EvaluationParams(bootstrap=BootstrapParams(n_resamples=300, seed=7))
    predictions = pd.DataFrame({"y": labels, "probability": probabilities})
    actual = compute_test_metrics(predictions, metrics_at(threshold=threshold), params)
    expected = reference_test_metrics(
        labels, probabilities, threshold, params.bootstrap
    )
    assert_same_test_metrics(actual, expected)
    json.dumps(actual, allow_nan=False)


def tied_predictions(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels and float32 probabilities on a coarse grid, so many of them tie."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    grid = np.clip(labels * 0.3 + rng.integers(0, 15, n) / 20, 0, 1)
    return labels, grid.astype(np.float32)


@pytest.mark.parametrize("threshold", [0.5, None])
@pytest.mark.parametrize("seed", range(2))
def test_test_metrics_equal_the_per_resample_loop_with_ties(
    seed: int, threshold: float | None
):
    check_against_the_loop(*tied_predictions(301, seed), threshold)


@pytest.mark.parametrize("threshold", [0.5, None])
def test_one_class_resamples_are_left_out_as_by_the_loop(threshold: float | None):
    labels = np.array([0, 0, 1, 0, 0])
    probabilities = np.array([0.2, 0.7, 0.6, 0.4, 0.6])
    check_against_the_loop(labels, probabilities, threshold)


@pytest.mark.parametrize("threshold", [0.85, 1.0])
def test_undefined_precision_is_left_out_as_by_the_loop(threshold: float):
    labels, probabilities = tied_predictions(40, 3)
    probabilities = np.minimum(probabilities, np.float32(0.8))
    probabilities[np.argmax(labels)] = 0.9  # the only one at or above 0.85
    check_against_the_loop(labels, probabilities, threshold)


@pytest.mark.parametrize("n", [7, 8, 301])
def test_resamples_drawn_in_chunks_are_the_loops(
    monkeypatch: pytest.MonkeyPatch, n: int
):
    monkeypatch.setattr(nodes, "BOOTSTRAP_CHUNK", 3 * n + 1)  # 3 resamples at a time
    check_against_the_loop(*tied_predictions(n, 1), 0.5)  # both classes
