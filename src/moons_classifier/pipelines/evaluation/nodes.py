"""Nodes that score the validation set, compute metrics and draw the chapter's figures."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure

from moons_classifier import plotting
from moons_classifier.metrics import (
    areas_under_curves,
    confusion_counts,
    random_probabilities,
    select_threshold,
    threshold_metrics,
)
from moons_classifier.models import load_model, predict_logits
from moons_classifier.params import EvaluationParams, ModelParams
from moons_classifier.tabular import LABEL, feature_columns, features_tensor

logger = logging.getLogger(__name__)


def _surface_predictor(
    state_dict: dict[str, torch.Tensor], params: ModelParams
) -> Callable[[np.ndarray], np.ndarray]:
    """A function from a (N, 2) array of standardized features to logits."""
    model = load_model(state_dict, 2, params)
    return lambda points: predict_logits(model, torch.as_tensor(points).float()).numpy()


def predict_probabilities(
    state_dict: dict[str, torch.Tensor], data: pd.DataFrame, params: ModelParams
) -> pd.DataFrame:
    """Each row's label, the model's logit and its probability of class 1."""
    model = load_model(state_dict, len(feature_columns(data)), params)
    logits = predict_logits(model, features_tensor(data)).squeeze(1)
    return pd.DataFrame(
        {
            LABEL: data[LABEL].to_numpy(),
            "logit": logits.numpy(),
            "probability": torch.sigmoid(logits).numpy(),
        }
    )


def compute_metrics(
    predictions: pd.DataFrame,
    train: pd.DataFrame,
    loss_history: pd.DataFrame,
    params: EvaluationParams,
) -> dict[str, object]:
    """Sizes, class balance, final losses, AUCs, a random baseline, per-threshold metrics
    and the operating threshold the configured criterion selects."""
    labels = predictions[LABEL].to_numpy()
    probabilities = predictions["probability"].to_numpy()
    random_baseline = random_probabilities(len(labels), params.random_baseline_seed)
    return {
        "n_train": len(train),
        "n_val": len(predictions),
        "class_balance": {
            "train_positive_rate": float(train[LABEL].mean()),
            "val_positive_rate": float(labels.mean()),
        },
        "pr_baseline": float(labels.mean()),
        "final_train_loss": float(loss_history["train_loss"].iloc[-1]),
        "final_val_loss": float(loss_history["val_loss"].iloc[-1]),
        **areas_under_curves(labels, probabilities),
        "random_baseline": areas_under_curves(labels, random_baseline),
        "thresholds": {
            str(t): threshold_metrics(labels, probabilities, t)
            for t in params.thresholds
        },
        "selected_threshold": _selected_threshold(labels, probabilities, params),
    }


def _selected_threshold(
    labels: np.ndarray, probabilities: np.ndarray, params: EvaluationParams
) -> dict[str, object]:
    """The criterion, the threshold it picks on the validation set and its metrics."""
    criterion = params.threshold_selection
    described = criterion if isinstance(criterion, str) else criterion.model_dump()
    threshold = select_threshold(labels, probabilities, criterion)
    if threshold is None:
        logger.warning(
            "No threshold meets %s on the validation set; none selected.", described
        )
        return {"criterion": described, "threshold": None, "metrics": None}
    return {
        "criterion": described,
        "threshold": threshold,
        "metrics": threshold_metrics(labels, probabilities, threshold),
    }


def plot_data(
    train: pd.DataFrame, val: pd.DataFrame, params: EvaluationParams
) -> Figure:
    """Training and validation points (standardized), colored by class."""
    figure, axes = plotting.new_figure(1, 2, (10, 4.5))
    for ax, data, title in (
        (axes[0, 0], train, "training"),
        (axes[0, 1], val, "validation"),
    ):
        sample = plotting.stratified_sample(
            data, params.plot_sample_size, params.plot_seed
        )
        plotting.scatter_classes(ax, sample, f"{title} ({len(data)} points)")
    return figure


def plot_losses(loss_history: pd.DataFrame) -> Figure:
    """Training and validation loss per epoch on a log scale."""
    figure, axes = plotting.new_figure(1, 1, (8, 4.5))
    ax = axes[0, 0]
    ax.plot(loss_history["epoch"], loss_history["train_loss"], label="training loss")
    ax.plot(loss_history["epoch"], loss_history["val_loss"], label="validation loss")
    ax.set(yscale="log", xlabel="epoch", ylabel="loss", title="losses")
    ax.legend()
    return figure


def _needs_two_features(data: pd.DataFrame, what: str) -> Figure | None:
    """A placeholder figure, and a log line, when ``data`` does not have two features."""
    n_features = len(feature_columns(data))
    if n_features == 2:  # noqa: PLR2004
        return None
    logger.info(
        "Skipping the %s: it needs 2 features, the data has %d.", what, n_features
    )
    figure, axes = plotting.new_figure(1, 1, (6, 2))
    axes[0, 0].text(
        0.5,
        0.5,
        f"The {what} needs 2 features; the data has {n_features}.",
        ha="center",
        va="center",
    )
    axes[0, 0].set_axis_off()
    return figure


def plot_decision_surface(
    state_dict: dict[str, torch.Tensor],
    data: pd.DataFrame,
    model_params: ModelParams,
    params: EvaluationParams,
) -> Figure:
    """Logit contour, sigmoid surface in 3-D, and probability contour with the boundary."""
    placeholder = _needs_two_features(data, "decision surface")
    if placeholder is not None:
        return placeholder
    grid, logits = plotting.model_surface(
        _surface_predictor(state_dict, model_params), params.grid_resolution
    )
    probabilities = 1 / (1 + np.exp(-logits))
    sample = plotting.stratified_sample(data, params.plot_sample_size, params.plot_seed)
    figure = Figure(figsize=(16, 4.8), layout="constrained")
    logit_ax = figure.add_subplot(1, 3, 1)
    surface_ax = figure.add_subplot(1, 3, 2, projection="3d")
    probability_ax = figure.add_subplot(1, 3, 3)
    plotting.draw_contour(logit_ax, grid, logits, "logit z")
    surface_ax.plot_surface(*grid, probabilities, cmap=plotting.SURFACE_CMAP, alpha=0.8)
    surface_ax.set(xlabel="x1", ylabel="x2", zlabel="probability", title="sigmoid(z)")
    plotting.draw_contour(
        probability_ax,
        grid,
        probabilities,
        "probability, boundary at 0.5",
        levels=np.linspace(0, 1, 11),
        boundary=0.5,
    )
    for ax in (logit_ax, probability_ax):
        plotting.scatter_classes(ax, sample, ax.get_title())
    return figure


def plot_probability_lines(
    predictions: pd.DataFrame,
    val: pd.DataFrame,
    state_dict: dict[str, torch.Tensor],
    model_params: ModelParams,
    params: EvaluationParams,
) -> Figure:
    """For each threshold: the validation probability contour beside the probability line."""
    two_features = len(feature_columns(val)) == 2  # noqa: PLR2004
    n_cols, n_rows = (2 if two_features else 1), len(params.thresholds)
    figure, axes = plotting.new_figure(n_rows, n_cols, (6 * n_cols, 3.2 * n_rows))
    sample = plotting.stratified_sample(
        pd.concat([val, predictions[["probability"]]], axis=1),
        params.plot_sample_size,
        params.plot_seed,
    )
    labels = predictions[LABEL].to_numpy()
    probabilities = predictions["probability"].to_numpy()
    if two_features:
        grid, logits = plotting.model_surface(
            _surface_predictor(state_dict, model_params), params.grid_resolution
        )
        surface = 1 / (1 + np.exp(-logits))
    else:
        logger.info(
            "Drawing the probability lines without the probability contours: "
            "they need 2 features, the data has %d.",
            len(feature_columns(val)),
        )
    for row, threshold in enumerate(params.thresholds):
        if two_features:
            plotting.draw_contour(
                axes[row, 0],
                grid,
                surface,
                "",
                levels=np.linspace(0, 1, 11),
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
            confusion_counts(labels, probabilities, threshold),
        )
    return figure


def plot_tradeoffs(
    predictions: pd.DataFrame, metrics: dict, params: EvaluationParams
) -> Figure:
    """ROC and PR points at the chosen thresholds and the selected one, then at evenly
    spaced thresholds, joined."""
    labels = predictions[LABEL].to_numpy()
    probabilities = predictions["probability"].to_numpy()
    figure, axes = plotting.new_figure(2, 2, (10, 9))
    plotting.draw_threshold_points(
        axes[0, 0],
        axes[0, 1],
        labels,
        probabilities,
        params.thresholds,
        joined=False,
        annotate=True,
    )
    plotting.draw_selected_threshold(
        axes[0, 0], axes[0, 1], metrics["selected_threshold"]
    )
    evenly = np.linspace(0, 1, params.curve_thresholds).round(6).tolist()
    plotting.draw_threshold_points(
        axes[1, 0],
        axes[1, 1],
        labels,
        probabilities,
        evenly,
        joined=True,
        annotate=True,
    )
    return figure


def plot_roc_pr_curves(
    predictions: pd.DataFrame, metrics: dict, params: EvaluationParams
) -> Figure:
    """sklearn's full ROC and precision-recall curves, drawn from a bounded number of
    vertices, with the selected operating threshold starred."""
    figure, axes = plotting.new_figure(1, 2, (10, 4.5))
    plotting.draw_curves(
        axes[0, 0],
        axes[0, 1],
        predictions[LABEL].to_numpy(),
        predictions["probability"].to_numpy(),
        params.max_curve_points,
        marker=".",
    )
    plotting.draw_selected_threshold(
        axes[0, 0], axes[0, 1], metrics["selected_threshold"]
    )
    return figure


def plot_precision_quirk(predictions: pd.DataFrame, params: EvaluationParams) -> Figure:
    """Probability lines at thresholds where precision first falls, then rises."""
    labels = predictions[LABEL].to_numpy()
    probabilities = predictions["probability"].to_numpy()
    sample = plotting.stratified_sample(
        predictions, params.plot_sample_size, params.plot_seed
    )
    n_rows = len(params.quirk_thresholds)
    figure, axes = plotting.new_figure(n_rows, 1, (7, 2.6 * n_rows))
    for ax, threshold in zip(axes[:, 0], params.quirk_thresholds, strict=True):
        counts = confusion_counts(labels, probabilities, threshold)
        plotting.draw_probability_line(
            ax,
            sample[LABEL].to_numpy(),
            sample["probability"].to_numpy(),
            threshold,
            counts,
        )
        _, fp, _, tp = counts
        precision = f"{tp}/{tp + fp} = {tp / (tp + fp):.4f}" if tp + fp else "undefined"
        ax.set_title(f"threshold {threshold}: precision {precision}")
    return figure


def plot_best_worst_curves(
    predictions: pd.DataFrame, params: EvaluationParams
) -> Figure:
    """A perfect classifier's ROC and PR curves, and a random one's against its baselines."""
    labels = predictions[LABEL].to_numpy()
    figure, axes = plotting.new_figure(2, 2, (10, 9))
    for row, (name, probabilities) in enumerate(
        (
            ("perfect", labels.astype(float)),
            ("random", random_probabilities(len(labels), params.random_baseline_seed)),
        )
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
            ax.set_title(f"{ax.get_title()}: {name} classifier")
            ax.legend(loc="lower left")
    return figure
