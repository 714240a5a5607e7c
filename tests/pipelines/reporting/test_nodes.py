"""The reporting nodes called as plain functions, on the chapter's trained model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from matplotlib.contour import ContourSet
from sklearn.metrics import precision_recall_curve, roc_curve

from moons_classifier.params import EvaluationParams, ModelParams, ReportingParams
from moons_classifier.pipelines.reporting.nodes import (
    drawn_points,
    evaluated,
    plot_best_worst_curves,
    plot_data,
    plot_decision_surface,
    plot_losses,
    plot_model_comparison,
    plot_precision_quirk,
    plot_probability_lines,
    plot_roc_pr_curves,
    plot_tradeoffs,
    predict_grid,
    sample_note,
    sample_rows,
    threshold_counts,
    with_probability,
)
from moons_classifier.pipelines.reporting.plotting import stratified_sample
from tests.pipelines.evaluation.chapter import CONFUSION
from tests.pipelines.reporting.figures import scatter_points, titled
from tests.support.helpers import metrics_at

COMPARED = {
    "logistic": pd.DataFrame({"y": [0, 0, 1, 1], "probability": [0.1, 0.6, 0.4, 0.9]}),
    "mlp": pd.DataFrame({"y": [0, 0, 1, 1], "probability": [0.1, 0.2, 0.8, 0.9]}),
}


@pytest.fixture(scope="module")
def small_grid(run) -> pd.DataFrame:
    return predict_grid(
        run.state_dict, run.train, ModelParams(), ReportingParams(grid_resolution=11)
    )


def test_predict_grid_holds_the_models_logits_over_the_plane(book, train):
    grid = predict_grid(
        book.state_dict, train, ModelParams(), ReportingParams(grid_resolution=5)
    )
    axis = np.linspace(-2.25, 2.25, 5)
    np.testing.assert_array_equal(grid.columns, axis)
    np.testing.assert_array_equal(grid.index, axis)
    assert (grid.columns.name, grid.index.name) == ("x1", "x2")
    weight, bias = book.state_dict["linear.weight"][0], book.state_dict["linear.bias"]
    x1, x2 = axis[1], axis[3]
    expected = torch.tensor([x1, x2], dtype=torch.float32) @ weight + bias
    assert grid.loc[x2, x1] == pytest.approx(expected.item(), abs=1e-6)


@pytest.mark.parametrize("n_features", [1, 3])
def test_predict_grid_is_empty_without_two_features(book, n_features):
    data = pd.DataFrame(
        {f"f{i}": [0.0, 1.0] for i in range(n_features)} | {"y": [0, 1]}
    )
    grid = predict_grid(book.state_dict, data, ModelParams(), ReportingParams())
    assert grid.empty


def test_a_pandas_tables_rows_are_drawn_as_they_are(val):
    assert sample_rows(val, 5, 0) is val


def test_sample_note_says_only_when_rows_were_left_out(val):
    assert sample_note(val, val) == ""
    assert sample_note(val, val.iloc[:5]) == " (sample of 5 of 20)"


def test_with_probability_puts_each_probability_beside_its_row(val, predictions):
    joined = with_probability(val, predictions)
    pd.testing.assert_frame_equal(joined.drop(columns="probability"), val)
    np.testing.assert_array_equal(joined["probability"], predictions["probability"])


def test_with_probability_refuses_predictions_of_other_rows(val, predictions):
    with pytest.raises(ValueError, match=r"do not line up .* \(20 rows\) here:"):
        with_probability(val, predictions.iloc[::-1], " here")


def test_threshold_counts_are_the_chapters_confusion_matrices(predictions):
    counts = threshold_counts(predictions, [0.3, 0.5, 0.7])
    assert counts == [tuple(np.ravel(matrix)) for matrix in CONFUSION.values()]
    assert all(type(c) is int for row in counts for c in row)


def test_evaluated_reads_the_evaluations_metrics_in_the_thresholds_order(predictions):
    metrics = metrics_at(predictions, [0.3, 0.5, 0.7])
    at = evaluated(metrics, [0.7, 0.3])
    assert at == [metrics.at(0.7).model_dump(), metrics.at(0.3).model_dump()]
    assert [m["confusion_matrix"] for m in at] == [CONFUSION["0.7"], CONFUSION["0.3"]]


def test_evaluated_refuses_thresholds_the_evaluation_did_not_count(predictions):
    metrics = metrics_at(predictions, [0.3, 0.5, 0.7])
    with pytest.raises(ValueError, match=r"evaluation.thresholds \[0.4, 0.6\]"):
        evaluated(metrics, [0.4, 0.5, 0.6])


def test_drawn_points_are_a_seeded_stratified_sample(train):
    params = ReportingParams(plot_sample_size=10, plot_seed=3)
    drawn = drawn_points(train, params)
    pd.testing.assert_frame_equal(drawn, stratified_sample(train, 10, 3))
    pd.testing.assert_frame_equal(drawn, train.loc[drawn.index])
    assert len(drawn) == 10  # noqa: PLR2004
    assert drawn["y"].sum() == round(10 * train["y"].mean())
    assert drawn_points(train, ReportingParams()) is train


def test_plot_data_draws_one_feature_against_the_class():
    data = pd.DataFrame({"radius": [0.5, -1.0, 2.0], "y": [1, 0, 1]})
    figure = plot_data(data, data, ReportingParams())
    for ax in figure.axes:
        (points,) = scatter_points(ax)
        np.testing.assert_array_equal(points, data[["radius", "y"]].to_numpy())
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("radius", "y")


def test_plot_model_comparison_draws_one_line_per_model_per_axis():
    figure = plot_model_comparison(ReportingParams(), **COMPARED)
    roc, pr = figure.axes
    for ax in (roc, pr):
        assert [line.get_label() for line in ax.get_lines()] == ["logistic", "mlp"]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            "logistic",
            "mlp",
        ]
    for line, scored in zip(roc.get_lines(), COMPARED.values(), strict=True):
        fpr, tpr, _ = roc_curve(scored["y"], scored["probability"])
        np.testing.assert_array_equal(line.get_xdata(), fpr)
        np.testing.assert_array_equal(line.get_ydata(), tpr)
    assert (roc.get_title(), pr.get_title()) == ("ROC curve", "precision-recall curve")


def test_plot_data_draws_both_splits(train, val):
    figure = plot_data(train, val, ReportingParams())
    assert [ax.get_title() for ax in figure.axes] == [
        "training (80 points)",
        "validation (20 points)",
    ]
    for ax, data in zip(figure.axes, (train, val), strict=True):
        (points,) = scatter_points(ax)
        np.testing.assert_array_equal(points, data[["x1", "x2"]].to_numpy())


def test_plot_data_draws_a_bounded_sample(train, val):
    figure = plot_data(train, val, ReportingParams(plot_sample_size=10))
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
    params = ReportingParams(grid_resolution=11)
    grid = predict_grid(book.state_dict, train, ModelParams(), params)
    figure = plot_decision_surface(grid, train, params)
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
    figure = plot_decision_surface(pd.DataFrame(), three, ReportingParams())
    (ax,) = figure.axes
    (text,) = ax.texts
    assert text.get_text() == "The decision surface needs 2 features; the data has 3."


def test_plot_probability_lines_places_every_validation_point(
    book, val, predictions, metrics, small_grid
):
    figure = plot_probability_lines(
        predictions, val, small_grid, metrics, EvaluationParams(), ReportingParams()
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
    book, val, predictions, metrics
):
    three = val.assign(x3=1.0)[["x1", "x2", "x3", "y"]]
    figure = plot_probability_lines(
        predictions,
        three,
        pd.DataFrame(),
        metrics,
        EvaluationParams(),
        ReportingParams(),
    )
    assert [ax.get_title() for ax in figure.axes] == [
        "threshold 0.3",
        "threshold 0.5",
        "threshold 0.7",
    ]


def test_probability_lines_print_the_evaluations_counts(
    val, predictions, metrics, small_grid
):
    changed = metrics.at(0.5).model_copy(update={"confusion_matrix": [[1, 2], [3, 4]]})
    evaluated = metrics.model_copy(
        update={"thresholds": {**metrics.thresholds, "0.5": changed}}
    )
    figure = plot_probability_lines(
        predictions, val, small_grid, evaluated, EvaluationParams(), ReportingParams()
    )
    texts = [t.get_text() for t in titled(figure, "threshold 0.5").texts]
    assert texts == ["TN 1", "FP 2", "FN 3", "TP 4"]


def test_metrics_of_other_thresholds_are_refused(val, predictions, metrics):
    evaluation = EvaluationParams(thresholds=[0.4, 0.5])
    with pytest.raises(ValueError, match=r"no counts at evaluation.thresholds \[0.4\]"):
        plot_probability_lines(
            predictions, val, pd.DataFrame(), metrics, evaluation, ReportingParams()
        )
    with pytest.raises(ValueError, match="Re-run the evaluation pipeline"):
        plot_tradeoffs(predictions, metrics, evaluation, ReportingParams())


def test_plot_tradeoffs_marks_the_thresholds(predictions, metrics):
    figure = plot_tradeoffs(predictions, metrics, EvaluationParams(), ReportingParams())
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
    roc, pr = plot_roc_pr_curves(predictions, metrics, ReportingParams()).axes
    fpr, tpr, _ = roc_curve(book.y_val, book.probabilities)
    precision, recall, _ = precision_recall_curve(book.y_val, book.probabilities)
    np.testing.assert_array_equal(roc.get_lines()[0].get_xdata(), fpr)
    np.testing.assert_array_equal(roc.get_lines()[0].get_ydata(), tpr)
    np.testing.assert_array_equal(pr.get_lines()[0].get_xdata(), recall)
    np.testing.assert_array_equal(pr.get_lines()[0].get_ydata(), precision)


def test_plot_roc_pr_curves_stars_the_selected_threshold(predictions, metrics):
    roc, pr = plot_roc_pr_curves(predictions, metrics, ReportingParams()).axes
    chosen = metrics.selected_threshold.metrics.model_dump()
    (star,) = [line for line in roc.get_lines() if line.get_marker() == "*"]
    assert (star.get_xdata()[0], star.get_ydata()[0]) == (chosen["fpr"], chosen["tpr"])
    (star,) = [line for line in pr.get_lines() if line.get_marker() == "*"]
    assert (star.get_xdata()[0], star.get_ydata()[0]) == (
        chosen["recall"],
        chosen["precision"],
    )


def test_plot_roc_pr_curves_thins_long_curves(predictions, metrics, book):
    roc, _ = plot_roc_pr_curves(
        predictions, metrics, ReportingParams(max_curve_points=3)
    ).axes
    fpr, tpr, _ = roc_curve(book.y_val, book.probabilities)
    line = roc.get_lines()[0]
    assert len(line.get_xdata()) == 3  # noqa: PLR2004
    assert (line.get_xdata()[0], line.get_xdata()[-1]) == (fpr[0], fpr[-1])
    assert (line.get_ydata()[0], line.get_ydata()[-1]) == (tpr[0], tpr[-1])


def test_plot_precision_quirk_titles_show_the_precision(predictions):
    figure = plot_precision_quirk(predictions, ReportingParams())
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
        predictions, ReportingParams(quirk_thresholds=[1.0])
    ).axes
    assert ax.get_title() == "threshold 1.0: precision undefined"


def test_plot_best_worst_curves(predictions, book):
    figure = plot_best_worst_curves(predictions, EvaluationParams(), ReportingParams())
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
