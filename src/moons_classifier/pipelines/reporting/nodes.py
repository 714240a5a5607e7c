"""Nodes that draw the chapter's figures and the model comparison, on either backend."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import ModuleType

import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure

from moons_classifier.contracts import Metrics
from moons_classifier.metrics import counts_metrics, random_probabilities
from moons_classifier.models import load_model, predict_logits
from moons_classifier.params import EvaluationParams, ModelParams, ReportingParams
from moons_classifier.partitions import is_dask
from moons_classifier.tabular import LABEL, Table, feature_columns

from . import kernels, plotting

logger = logging.getLogger(__name__)

PROBABILITY_LEVELS = np.linspace(0, 1, 11)


def _partitioned() -> ModuleType:
    """The Dask side of these nodes, imported only where Dask is used."""
    from moons_classifier.pipelines.reporting import partitioned  # noqa: PLC0415

    return partitioned


def sample_rows(table: Table, n: int, seed: int) -> pd.DataFrame:
    """The rows to draw: a pandas table as it is, a seeded sample of at most ``n`` rows
    of a Dask one (computed, never the whole table)."""
    return _partitioned().sample_rows(table, n, seed) if is_dask(table) else table


def sample_note(table: Table, sample: pd.DataFrame) -> str:
    """A title's note that ``sample`` holds fewer rows than ``table``; none if it holds all."""
    n_rows = len(table)
    return "" if len(sample) == n_rows else f" (sample of {len(sample)} of {n_rows})"


def with_probability(val: Table, predictions: Table, where: str = "") -> Table:
    """The validation features beside their predicted probability, row by row, once the
    predictions are found to hold the features' labels in the features' order."""
    if is_dask(val):
        return _partitioned().with_probability(val, predictions)
    return kernels.with_probability(val, predictions, where)


def threshold_counts(
    predictions: Table, thresholds: Sequence[float]
) -> list[tuple[int, int, int, int]]:
    """TN, FP, FN, TP of every scored row at each threshold (one pass over Dask partitions)."""
    counts = (
        _partitioned().threshold_counts(predictions, thresholds)
        if is_dask(predictions)
        else kernels.partition_counts(predictions, thresholds)
    )
    return [kernels.as_counts(row) for row in counts]


def evaluated(metrics: Metrics, thresholds: Sequence[float]) -> list[dict]:
    """The evaluation's metrics at each of ``thresholds`` (confusion matrix and ratios,
    from ``metrics``), so reporting never counts them again."""
    missing = [t for t in thresholds if str(t) not in metrics.thresholds]
    if missing:
        raise ValueError(
            f"The metrics hold no counts at evaluation.thresholds {missing}: they were "
            f"computed at {list(metrics.thresholds)}. Re-run the evaluation pipeline "
            "with the same evaluation.thresholds as the reporting."
        )
    return [metrics.at(t).model_dump() for t in thresholds]


def drawn_points(table: Table, params: ReportingParams) -> pd.DataFrame:
    """The points a scatter draws: at most ``reporting.plot_sample_size``, class-stratified
    and seeded (from a seeded sample of a Dask table)."""
    size, seed = params.plot_sample_size, params.plot_seed
    return plotting.stratified_sample(sample_rows(table, size, seed), size, seed)


def predict_grid(
    state_dict: dict[str, torch.Tensor],
    data: Table,
    model_params: ModelParams,
    params: ReportingParams,
) -> pd.DataFrame:
    """The model's logit over a square grid of the standardized plane of two features
    (rows: second feature, columns: first); empty for any other number of features."""
    columns = feature_columns(data)
    if len(columns) != 2:  # noqa: PLR2004
        return pd.DataFrame()
    model = load_model(state_dict, 2, model_params)
    xx, yy = plotting.feature_grid(params.grid_resolution)
    points = torch.as_tensor(np.column_stack([xx.ravel(), yy.ravel()])).float()
    logits = predict_logits(model, points).numpy().reshape(xx.shape)
    return pd.DataFrame(
        logits,
        index=pd.Index(yy[:, 0], name=columns[1]),
        columns=pd.Index(xx[0], name=columns[0]),
    )


def plot_data(train: Table, val: Table, params: ReportingParams) -> Figure:
    """Training and validation points (standardized), colored by class, titled with the
    number of rows of each."""
    figure, axes = plotting.new_figure(1, 2, (10, 4.5))
    for ax, data, title in (
        (axes[0, 0], train, "training"),
        (axes[0, 1], val, "validation"),
    ):
        plotting.scatter_classes(
            ax, drawn_points(data, params), f"{title} ({len(data)} points)"
        )
    return figure


def plot_losses(loss_history: pd.DataFrame) -> Figure:
    """Training and validation loss per epoch on a log scale."""
    figure, axes = plotting.new_figure(1, 1, (8, 4.5))
    ax = axes[0, 0]
    ax.plot(loss_history["epoch"], loss_history["train_loss"], label="training loss")
    ax.plot(loss_history["epoch"], loss_history["val_loss"], label="validation loss")
    ax.set(yscale="log", xlabel="epoch", ylabel="loss")
    plotting.set_title(ax, "losses")
    ax.legend()
    return figure


def _needs_two_features(data: Table, what: str) -> Figure | None:
    """A placeholder figure, and a log line, when ``data`` does not have two features."""
    n_features = len(feature_columns(data))
    if n_features == 2:  # noqa: PLR2004
        return None
    logger.info(
        "Skipping the %s: it needs 2 features, the data has %d.", what, n_features
    )
    return plotting.message_figure(
        f"The {what} needs 2 features; the data has {n_features}."
    )


def plot_decision_surface(
    grid: pd.DataFrame, data: Table, params: ReportingParams
) -> Figure:
    """Logit contour, sigmoid surface in 3-D, and probability contour with the boundary."""
    placeholder = _needs_two_features(data, "decision surface")
    if placeholder is not None:
        return placeholder
    mesh, logits = plotting.grid_values(grid)
    probabilities = kernels.probabilities(logits)
    sample = drawn_points(data, params)
    figure = plotting.blank_figure(1, 3, (16, 4.8))
    logit_ax = figure.add_subplot(1, 3, 1)
    surface_ax = figure.add_subplot(1, 3, 2, projection="3d")
    probability_ax = figure.add_subplot(1, 3, 3)
    plotting.draw_contour(logit_ax, mesh, logits, "logit z")
    plotting.draw_surface(surface_ax, mesh, probabilities)
    plotting.draw_contour(
        probability_ax,
        mesh,
        probabilities,
        "probability, boundary at 0.5",
        levels=PROBABILITY_LEVELS,
        boundary=0.5,
    )
    for ax in (logit_ax, probability_ax):
        plotting.scatter_classes(ax, sample, ax.get_title())
    return figure


def plot_probability_lines(
    predictions: Table,
    val: Table,
    grid: pd.DataFrame,
    metrics: Metrics,
    evaluation: EvaluationParams,
    params: ReportingParams,
) -> Figure:
    """For each threshold: the validation probability contour beside the probability line
    (the same sampled rows in both; the evaluation's counts of every row)."""
    two_features = len(feature_columns(val)) == 2  # noqa: PLR2004
    n_cols, n_rows = (2 if two_features else 1), len(evaluation.thresholds)
    figure, axes = plotting.new_figure(n_rows, n_cols, (6 * n_cols, 3.2 * n_rows))
    sample = drawn_points(with_probability(val, predictions), params)
    counts = [
        kernels.as_counts(at["confusion_matrix"])
        for at in evaluated(metrics, evaluation.thresholds)
    ]
    if two_features:
        mesh, logits = plotting.grid_values(grid)
        surface = kernels.probabilities(logits)
    else:
        logger.info(
            "Drawing the probability lines without the probability contours: "
            "they need 2 features, the data has %d.",
            len(feature_columns(val)),
        )
    for row, threshold in enumerate(evaluation.thresholds):
        if two_features:
            plotting.draw_contour(
                axes[row, 0],
                mesh,
                surface,
                "",
                levels=PROBABILITY_LEVELS,
                boundary=threshold,
            )
            plotting.scatter_classes(
                axes[row, 0],
                sample.drop(columns="probability"),
                f"validation, boundary at {threshold}",
            )
        plotting.draw_probability_line(
            axes[row, -1],
            sample[LABEL].to_numpy(),
            sample["probability"].to_numpy(),
            threshold,
            counts[row],
        )
    return figure


def plot_tradeoffs(
    predictions: Table,
    metrics: Metrics,
    evaluation: EvaluationParams,
    params: ReportingParams,
) -> Figure:
    """ROC and PR points at the chosen thresholds (the evaluation's metrics) and the
    selected one, then at evenly spaced thresholds, joined (every row counted, in one pass
    over Dask partitions)."""
    evenly = np.linspace(0, 1, params.curve_thresholds).round(6).tolist()
    chosen = evaluated(metrics, evaluation.thresholds)
    spaced = [counts_metrics(*c) for c in threshold_counts(predictions, evenly)]
    figure, axes = plotting.new_figure(2, 2, (10, 9))
    plotting.draw_threshold_points(
        axes[0, 0],
        axes[0, 1],
        chosen,
        evaluation.thresholds,
        joined=False,
        annotate=True,
    )
    plotting.draw_selected_threshold(axes[0, 0], axes[0, 1], metrics.selected_threshold)
    plotting.draw_threshold_points(
        axes[1, 0],
        axes[1, 1],
        spaced,
        evenly,
        joined=True,
        annotate=True,
    )
    return figure


def plot_roc_pr_curves(
    predictions: Table, metrics: Metrics, params: ReportingParams
) -> Figure:
    """sklearn's full ROC and precision-recall curves (of a seeded sample of a Dask
    table's rows), drawn from a bounded number of vertices, with the selected operating
    threshold starred."""
    scored = sample_rows(predictions, params.plot_sample_size, params.plot_seed)
    figure, axes = plotting.new_figure(1, 2, (10, 4.5))
    plotting.draw_curves(
        axes[0, 0],
        axes[0, 1],
        scored[LABEL].to_numpy(),
        scored["probability"].to_numpy(),
        params.max_curve_points,
        marker=".",
    )
    plotting.append_to_titles(axes[0], sample_note(predictions, scored))
    plotting.draw_selected_threshold(axes[0, 0], axes[0, 1], metrics.selected_threshold)
    return figure


def plot_precision_quirk(predictions: Table, params: ReportingParams) -> Figure:
    """Probability lines at thresholds where precision first falls, then rises."""
    sample = drawn_points(predictions, params)
    n_rows = len(params.quirk_thresholds)
    figure, axes = plotting.new_figure(n_rows, 1, (7, 2.6 * n_rows))
    all_counts = threshold_counts(predictions, params.quirk_thresholds)
    for ax, threshold, counts in zip(
        axes[:, 0], params.quirk_thresholds, all_counts, strict=True
    ):
        plotting.draw_probability_line(
            ax,
            sample[LABEL].to_numpy(),
            sample["probability"].to_numpy(),
            threshold,
            counts,
        )
        _, fp, _, tp = counts
        precision = f"{tp}/{tp + fp} = {tp / (tp + fp):.4f}" if tp + fp else "undefined"
        plotting.set_title(ax, f"threshold {threshold}: precision {precision}")
    return figure


def plot_best_worst_curves(
    predictions: Table, evaluation: EvaluationParams, params: ReportingParams
) -> Figure:
    """A perfect classifier's ROC and PR curves, and a random one's against its baselines
    (on a seeded sample of a Dask table's rows)."""
    scored = sample_rows(predictions, params.plot_sample_size, params.plot_seed)
    note = sample_note(predictions, scored)
    labels = scored[LABEL].to_numpy()
    random_baseline = random_probabilities(len(labels), evaluation.random_baseline_seed)
    figure, axes = plotting.new_figure(2, 2, (10, 9))
    for row, (name, probabilities) in enumerate(
        (("perfect", labels.astype(float)), ("random", random_baseline))
    ):
        plotting.draw_curves(
            axes[row, 0],
            axes[row, 1],
            labels,
            probabilities,
            params.max_curve_points,
            label=f"{name} classifier",
            marker=".",
        )
        axes[row, 0].plot([0, 1], [0, 1], "k--", label="random guess")
        axes[row, 1].axhline(
            labels.mean(), color="k", linestyle="--", label="positive rate"
        )
        for ax in axes[row]:
            plotting.set_title(ax, f"{ax.get_title()}: {name} classifier{note}")
            ax.legend(loc="lower left")
    return figure


def plot_model_comparison(params: ReportingParams, **predictions: Table) -> Figure:
    """Every model's ROC and precision-recall curves on one pair of axes (each from a
    seeded sample of a Dask table's rows, said in its label)."""
    figure, axes = plotting.new_figure(1, 2, (10, 4.5))
    for model, table in predictions.items():
        scored = sample_rows(table, params.plot_sample_size, params.plot_seed)
        plotting.draw_curves(
            axes[0, 0],
            axes[0, 1],
            scored[LABEL].to_numpy(),
            scored["probability"].to_numpy(),
            params.max_curve_points,
            label=f"{model}{sample_note(table, scored)}",
        )
    for ax in axes[0]:
        ax.legend(loc="lower left")
    return figure
