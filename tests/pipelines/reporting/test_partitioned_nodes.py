"""The reporting nodes on Dask tables of several partitions: seeded samples, exact counts."""

from __future__ import annotations

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from moons_classifier.params import EvaluationParams, ModelParams, ReportingParams
from moons_classifier.pipelines.reporting.nodes import (
    plot_best_worst_curves,
    plot_data,
    plot_decision_surface,
    plot_model_comparison,
    plot_precision_quirk,
    plot_probability_lines,
    plot_roc_pr_curves,
    plot_tradeoffs,
    predict_grid,
    sample_rows,
    threshold_counts,
    with_probability,
)
from tests.pipelines.reporting.figures import scatter_points, titled
from tests.support.helpers import metrics_at

SMALL = ReportingParams(plot_sample_size=40, grid_resolution=11)


@pytest.fixture(autouse=True)
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


def partitioned(table: pd.DataFrame) -> dd.DataFrame:
    return dd.from_pandas(table, npartitions=3, sort=False)


@pytest.fixture(scope="module")
def scored() -> tuple[pd.DataFrame, pd.DataFrame]:
    """300 validation rows and predictions whose probability is sigmoid(x1)."""
    rng = np.random.default_rng(5)
    x1 = rng.normal(size=300)
    val = pd.DataFrame(
        {"x1": x1, "x2": rng.normal(size=300), "y": (x1 + rng.normal(size=300) > 0)}
    ).astype({"y": int})
    probability = 1 / (1 + np.exp(-val["x1"].to_numpy()))
    predictions = pd.DataFrame({"y": val["y"], "probability": probability})
    return val, predictions


@pytest.fixture(scope="module")
def grid(book, train) -> pd.DataFrame:
    return predict_grid(book.state_dict, partitioned(train), ModelParams(), SMALL)


def test_pandas_tables_are_drawn_whole(val):
    assert sample_rows(val, 5, 0) is val


def test_a_dask_sample_is_seeded_and_bounded(scored):
    val = partitioned(scored[0])
    first = sample_rows(val, 40, 0)
    assert len(first) == 40  # noqa: PLR2004
    pd.testing.assert_frame_equal(sample_rows(val, 40, 0), first)
    assert not sample_rows(val, 40, 1).equals(first)
    rows = scored[0].merge(first, how="inner")
    assert len(rows) == 40  # noqa: PLR2004 (every sampled row is a row of the table)
    assert len(sample_rows(val, 1000, 0)) == 300  # noqa: PLR2004


def test_the_probability_lines_sample_keeps_rows_aligned(scored, grid):
    metrics = metrics_at(scored[1], EvaluationParams().thresholds)
    val, predictions = (partitioned(t) for t in scored)
    sample = sample_rows(with_probability(val, predictions), 40, 3)
    np.testing.assert_allclose(sample["probability"], 1 / (1 + np.exp(-sample["x1"])))
    figure = plot_probability_lines(
        predictions, val, grid, metrics, EvaluationParams(), SMALL
    )
    for threshold in EvaluationParams().thresholds:
        (points,) = scatter_points(
            titled(figure, f"validation, boundary at {threshold}")
        )
        line = np.concatenate(scatter_points(titled(figure, f"threshold {threshold}")))
        assert len(points) == 40  # noqa: PLR2004
        np.testing.assert_allclose(
            np.sort(line[:, 0]), np.sort(1 / (1 + np.exp(-points[:, 0])))
        )


def test_misaligned_predictions_are_refused(scored):
    val, predictions = scored
    with pytest.raises(ValueError, match="do not line up"):
        with_probability(partitioned(val), dd.from_pandas(predictions, npartitions=2))
    shuffled = predictions.assign(y=predictions["y"].to_numpy()[::-1])
    with pytest.raises(ValueError, match="do not line up .* in partition"):
        sample_rows(with_probability(partitioned(val), partitioned(shuffled)), 40, 0)


def test_counts_are_of_every_row(scored):
    predictions = scored[1]
    thresholds = [0.0, 0.3, 0.5, 1.0]
    assert threshold_counts(partitioned(predictions), thresholds) == threshold_counts(
        predictions, thresholds
    )


def test_every_table_taking_node_draws_dask_tables(
    book, train, val, predictions, metrics, grid
):
    train, val, predictions = (partitioned(t) for t in (train, val, predictions))
    figures = [
        plot_data(train, val, SMALL),
        plot_decision_surface(grid, train, SMALL),
        plot_decision_surface(grid, val, SMALL),
        plot_probability_lines(
            predictions, val, grid, metrics, EvaluationParams(), SMALL
        ),
        plot_tradeoffs(predictions, metrics, EvaluationParams(), SMALL),
        plot_roc_pr_curves(predictions, metrics, SMALL),
        plot_precision_quirk(predictions, SMALL),
        plot_best_worst_curves(predictions, EvaluationParams(), SMALL),
        plot_model_comparison(SMALL, logistic=predictions, mlp=predictions),
    ]
    assert all(isinstance(figure, Figure) for figure in figures)


def test_dask_figures_state_the_true_size_and_the_sample(scored):
    val, predictions = scored
    figure = plot_data(partitioned(val), partitioned(val), SMALL)
    assert [ax.get_title() for ax in figure.axes] == [
        "training (300 points)",
        "validation (300 points)",
    ]
    assert [len(scatter_points(ax)[0]) for ax in figure.axes] == [40, 40]
    roc, pr = plot_roc_pr_curves(partitioned(predictions), metrics_at(), SMALL).axes
    assert roc.get_title() == "ROC curve (sample of 40 of 300)"
    assert pr.get_title() == "precision-recall curve (sample of 40 of 300)"


def test_whole_samples_draw_the_pandas_figures(predictions, metrics):
    """A sample as large as the table draws what the pandas table draws."""
    params = ReportingParams()
    for draw in (
        lambda table: plot_tradeoffs(table, metrics, EvaluationParams(), params),
        lambda table: plot_roc_pr_curves(table, metrics, params),
        lambda table: plot_precision_quirk(table, params),
    ):
        expected, drawn = draw(predictions), draw(partitioned(predictions))
        for ax, dask_ax in zip(expected.axes, drawn.axes, strict=True):
            assert dask_ax.get_title() == ax.get_title()
            for line, dask_line in zip(
                ax.get_lines(), dask_ax.get_lines(), strict=True
            ):
                np.testing.assert_array_equal(dask_line.get_xydata(), line.get_xydata())
            assert [t.get_text() for t in dask_ax.texts] == [
                t.get_text() for t in ax.texts
            ]
