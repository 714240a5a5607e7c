"""The evaluation nodes called as plain functions, on the chapter's trained model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from sklearn.metrics import precision_recall_curve, roc_curve

from moons_classifier.params import EvaluationParams, MinPrecision, ModelParams
from moons_classifier.pipelines.evaluation.nodes import (
    compute_metrics,
    plot_best_worst_curves,
    plot_data,
    plot_decision_surface,
    plot_losses,
    plot_precision_quirk,
    plot_probability_lines,
    plot_roc_pr_curves,
    plot_tradeoffs,
    predict_probabilities,
)
from tests.book_reference import BookRun, book_aucs, book_metrics, run_book

CONFUSION = {
    "0.3": [[6, 3], [0, 11]],
    "0.5": [[7, 2], [1, 10]],
    "0.7": [[9, 0], [2, 9]],
}
AUROC, AUPR = 0.9797979797979798, 0.9854312354312356
RANDOM = {"auroc": 0.505050505050505, "aupr": 0.570559046216941}
RATIOS = ("tpr", "fpr", "precision", "recall", "accuracy", "f1")


def frame(features: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"x1": features[:, 0], "x2": features[:, 1], "y": labels})


@pytest.fixture(scope="module")
def book() -> BookRun:
    return run_book()


@pytest.fixture(scope="module")
def train(book) -> pd.DataFrame:
    return frame(book.x_train, book.y_train)


@pytest.fixture(scope="module")
def val(book) -> pd.DataFrame:
    return frame(book.x_val, book.y_val)


@pytest.fixture(scope="module")
def history(book) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "epoch": range(1, 101),
            "train_loss": book.train_losses,
            "val_loss": book.val_losses,
        }
    )


@pytest.fixture(scope="module")
def predictions(book) -> pd.DataFrame:
    """The reference implementation's validation predictions."""
    return pd.DataFrame({"y": book.y_val, "probability": book.probabilities})


@pytest.fixture(scope="module")
def metrics(predictions, train, history) -> dict:
    return compute_metrics(predictions, train, history, EvaluationParams())


def scatter_points(ax: Axes) -> list[np.ndarray]:
    """The offsets of each scatter layer on ``ax``."""
    return [c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)]


def titled(figure: Figure, title: str) -> Axes:
    (ax,) = [ax for ax in figure.axes if ax.get_title() == title]
    return ax


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


def test_plot_data_draws_both_splits(train, val):
    figure = plot_data(train, val, EvaluationParams())
    assert [ax.get_title() for ax in figure.axes] == [
        "training (80 points)",
        "validation (20 points)",
    ]
    for ax, data in zip(figure.axes, (train, val), strict=True):
        (points,) = scatter_points(ax)
        np.testing.assert_array_equal(points, data[["x1", "x2"]].to_numpy())


def test_plot_data_draws_a_bounded_sample(train, val):
    figure = plot_data(train, val, EvaluationParams(plot_sample_size=10))
    assert [len(scatter_points(ax)[0]) for ax in figure.axes] == [10, 10]
    assert figure.axes[0].get_title() == "training (80 points)"


def test_plot_losses(history):
    (ax,) = plot_losses(history).axes
    assert ax.get_yscale() == "log"
    train_line, val_line = ax.get_lines()
    np.testing.assert_array_equal(train_line.get_xdata(), np.arange(1, 101))
    np.testing.assert_array_equal(train_line.get_ydata(), history["train_loss"])
    np.testing.assert_array_equal(val_line.get_ydata(), history["val_loss"])


def test_plot_decision_surface_spans_the_models_logits(book, train):
    params = EvaluationParams(grid_resolution=11)
    figure = plot_decision_surface(book.state_dict, train, ModelParams(), params)
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert titles == ["logit z", "sigmoid(z)", "probability, boundary at 0.5"]
    assert len(figure.axes) == 5  # noqa: PLR2004 (three panels, two colorbars)
    logit_ax = titled(figure, "logit z")
    weight, bias = (
        book.state_dict["linear.weight"][0],
        book.state_dict["linear.bias"][0],
    )
    corners = torch.tensor([[x, y] for x in (-2.25, 2.25) for y in (-2.25, 2.25)])
    corner_logits = corners @ weight + bias
    (contour,) = [c for c in logit_ax.collections if isinstance(c, ContourSet)]
    assert contour.zmin == pytest.approx(corner_logits.min().item(), rel=1e-6)
    assert contour.zmax == pytest.approx(corner_logits.max().item(), rel=1e-6)
    (points,) = scatter_points(logit_ax)
    assert len(points) == 80  # noqa: PLR2004
    probability_ax = titled(figure, "probability, boundary at 0.5")
    boundary = [
        c
        for c in probability_ax.collections
        if isinstance(c, ContourSet) and list(c.levels) == [0.5]
    ]
    assert len(boundary) == 1


def test_plot_decision_surface_needs_two_features(book, train):
    three = train.assign(x3=0.0)[["x1", "x2", "x3", "y"]]
    figure = plot_decision_surface(
        book.state_dict, three, ModelParams(), EvaluationParams()
    )
    (ax,) = figure.axes
    (text,) = ax.texts
    assert text.get_text() == "The decision surface needs 2 features; the data has 3."


def test_plot_probability_lines_places_every_validation_point(book, val, predictions):
    figure = plot_probability_lines(
        predictions,
        val,
        book.state_dict,
        ModelParams(),
        EvaluationParams(grid_resolution=11),
    )
    assert len(figure.axes) == 9  # noqa: PLR2004 (3 rows of contour and line, 3 colorbars)
    for threshold, ((tn, fp), (fn, tp)) in CONFUSION.items():
        line_ax = titled(figure, f"threshold {threshold}")
        negatives, positives = scatter_points(line_ax)
        assert (len(negatives), len(positives)) == (9, 11)
        assert sorted(negatives[:, 0]) == sorted(book.probabilities[book.y_val == 0])
        np.testing.assert_allclose(negatives[:, 1], 0.04)
        np.testing.assert_allclose(positives[:, 1], -0.04)
        assert [t.get_text() for t in line_ax.texts] == [
            f"TN {tn}",
            f"FP {fp}",
            f"FN {fn}",
            f"TP {tp}",
        ]
        assert line_ax.get_lines()[-1].get_xdata()[0] == float(threshold)
        (points,) = scatter_points(
            titled(figure, f"validation, boundary at {threshold}")
        )
        assert len(points) == 20  # noqa: PLR2004


def test_plot_probability_lines_without_two_features_draws_lines_only(
    book, val, predictions
):
    three = val.assign(x3=1.0)[["x1", "x2", "x3", "y"]]
    figure = plot_probability_lines(
        predictions, three, book.state_dict, ModelParams(), EvaluationParams()
    )
    assert [ax.get_title() for ax in figure.axes] == [
        "threshold 0.3",
        "threshold 0.5",
        "threshold 0.7",
    ]


def test_plot_tradeoffs_marks_the_thresholds(predictions, metrics):
    figure = plot_tradeoffs(predictions, metrics, EvaluationParams())
    roc, pr, roc_even, pr_even = figure.axes
    points, selected = roc.get_lines()
    np.testing.assert_allclose(points.get_xdata(), [3 / 9, 2 / 9, 0])
    np.testing.assert_allclose(points.get_ydata(), [1, 10 / 11, 9 / 11])
    assert (selected.get_xdata()[0], selected.get_ydata()[0]) == (
        0.0,
        pytest.approx(10 / 11),
    )
    assert [t.get_text() for t in roc.texts] == ["0.3", "0.5", "0.7"]
    np.testing.assert_allclose(pr.get_lines()[0].get_ydata(), [11 / 14, 10 / 12, 1])
    (even,) = roc_even.get_lines()
    assert len(even.get_xdata()) == 11  # noqa: PLR2004
    assert even.get_linestyle() == "-"
    assert (even.get_xdata()[0], even.get_ydata()[0]) == (1.0, 1.0)
    assert (even.get_xdata()[-1], even.get_ydata()[-1]) == (0.0, 0.0)
    assert len(pr_even.texts) == 10  # noqa: PLR2004 (precision is undefined at 1.0)


def test_plot_roc_pr_curves_draws_sklearns_curves(predictions, metrics, book):
    roc, pr = plot_roc_pr_curves(predictions, metrics, EvaluationParams()).axes
    fpr, tpr, _ = roc_curve(book.y_val, book.probabilities)
    precision, recall, _ = precision_recall_curve(book.y_val, book.probabilities)
    np.testing.assert_array_equal(roc.get_lines()[0].get_xdata(), fpr)
    np.testing.assert_array_equal(roc.get_lines()[0].get_ydata(), tpr)
    np.testing.assert_array_equal(pr.get_lines()[0].get_xdata(), recall)
    np.testing.assert_array_equal(pr.get_lines()[0].get_ydata(), precision)


def test_plot_roc_pr_curves_stars_the_selected_threshold(predictions, metrics):
    roc, pr = plot_roc_pr_curves(predictions, metrics, EvaluationParams()).axes
    chosen = metrics["selected_threshold"]["metrics"]
    (star,) = [line for line in roc.get_lines() if line.get_marker() == "*"]
    assert (star.get_xdata()[0], star.get_ydata()[0]) == (chosen["fpr"], chosen["tpr"])
    (star,) = [line for line in pr.get_lines() if line.get_marker() == "*"]
    assert (star.get_xdata()[0], star.get_ydata()[0]) == (
        chosen["recall"],
        chosen["precision"],
    )


def test_plot_roc_pr_curves_thins_long_curves(predictions, metrics, book):
    roc, _ = plot_roc_pr_curves(
        predictions, metrics, EvaluationParams(max_curve_points=3)
    ).axes
    fpr, tpr, _ = roc_curve(book.y_val, book.probabilities)
    line = roc.get_lines()[0]
    assert len(line.get_xdata()) == 3  # noqa: PLR2004
    assert (line.get_xdata()[0], line.get_xdata()[-1]) == (fpr[0], fpr[-1])
    assert (line.get_ydata()[0], line.get_ydata()[-1]) == (tpr[0], tpr[-1])


def test_plot_precision_quirk_titles_show_the_precision(predictions):
    figure = plot_precision_quirk(predictions, EvaluationParams())
    # On the validation set (11 positives): TP/(TP+FP) first falls, then rises.
    assert [ax.get_title() for ax in figure.axes] == [
        "threshold 0.4: precision 11/13 = 0.8462",
        "threshold 0.5: precision 10/12 = 0.8333",
        "threshold 0.57: precision 10/11 = 0.9091",
    ]
    for ax in figure.axes:
        assert sum(len(points) for points in scatter_points(ax)) == 20  # noqa: PLR2004


def test_plot_precision_quirk_says_when_precision_is_undefined(predictions):
    (ax,) = plot_precision_quirk(
        predictions, EvaluationParams(quirk_thresholds=[1.0])
    ).axes
    assert ax.get_title() == "threshold 1.0: precision undefined"


def test_plot_best_worst_curves(predictions, book):
    figure = plot_best_worst_curves(predictions, EvaluationParams())
    assert [ax.get_title() for ax in figure.axes] == [
        "ROC curve: perfect classifier",
        "precision-recall curve: perfect classifier",
        "ROC curve: random classifier",
        "precision-recall curve: random classifier",
    ]
    perfect_roc, _, random_roc, random_pr = figure.axes
    curve = perfect_roc.get_lines()[0]
    assert set(zip(curve.get_xdata(), curve.get_ydata(), strict=True)) == {
        (0, 0),
        (0, 1),
        (1, 1),
    }
    fpr, tpr, _ = roc_curve(book.y_val, np.random.RandomState(39).uniform(size=20))
    np.testing.assert_array_equal(random_roc.get_lines()[0].get_xdata(), fpr)
    np.testing.assert_array_equal(random_roc.get_lines()[0].get_ydata(), tpr)
    assert list(random_roc.get_lines()[1].get_ydata()) == [0, 1]
    assert list(random_pr.get_lines()[1].get_ydata()) == [0.55, 0.55]
