"""Axes-level drawing helpers for the chapter's figures (matplotlib's object API only)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from mpl_toolkits.mplot3d import Axes3D

from moons_classifier.contracts import SelectedThreshold
from moons_classifier.metrics import roc_pr_curves, thin_curve
from moons_classifier.tabular import LABEL, feature_columns

CLASS_COLORS = ListedColormap(["#ff7f0e", "#1f77b4"])
SURFACE_CMAP = "RdBu"
SURFACE_FACES = 25  # a smooth sigmoid needs no more; matplotlib draws 50 by default
# A fixed layout, in inches: figure margins (left, right, bottom, top) and the gaps between
# columns and rows, room for tick labels, axis labels, titles and colorbars. Constrained
# layout measured every tick label at each save, and drew each figure twice: about half
# of the time spent saving the figures.
MARGINS = (0.75, 0.25, 0.6, 0.4)
GAPS = (0.95, 0.9)


def blank_figure(n_rows: int, n_cols: int, size: tuple[float, float]) -> Figure:
    """A figure not registered with pyplot whose subplot grid has the fixed margins and gaps."""
    width, height = size
    left, right, bottom, top = MARGINS
    column_gap, row_gap = GAPS
    cell_width = (width - left - right - (n_cols - 1) * column_gap) / n_cols
    cell_height = (height - bottom - top - (n_rows - 1) * row_gap) / n_rows
    figure = Figure(figsize=size)
    figure.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        bottom=bottom / height,
        top=1 - top / height,
        wspace=column_gap / cell_width,
        hspace=row_gap / cell_height,
    )
    return figure


def set_title(ax: Axes, title: str) -> None:
    """Title ``ax`` at its top edge, so that drawing it does not measure tick labels to clear."""
    ax.set_title(title, y=1.0)


def new_figure(
    n_rows: int, n_cols: int, size: tuple[float, float]
) -> tuple[Figure, np.ndarray]:
    """A figure not registered with pyplot, and its grid of axes."""
    figure = blank_figure(n_rows, n_cols, size)
    return figure, np.atleast_2d(figure.subplots(n_rows, n_cols, squeeze=False))


def message_figure(message: str) -> Figure:
    """A small figure that says ``message`` in place of a plot."""
    figure, axes = new_figure(1, 1, (6, 2))
    axes[0, 0].text(0.5, 0.5, message, ha="center", va="center")
    axes[0, 0].set_axis_off()
    return figure


def append_to_titles(axes: Iterable[Axes], note: str) -> None:
    """Append ``note`` (a sample's size, or nothing) to each of ``axes``' titles."""
    for ax in axes:
        set_title(ax, f"{ax.get_title()}{note}")


def stratified_sample(data: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    """At most ``size`` rows, each class keeping its share, drawn reproducibly."""
    if len(data) <= size:
        return data
    rng = np.random.default_rng(seed)
    labels = data[LABEL].to_numpy()
    values, counts = np.unique(labels, return_counts=True)
    shares = size * counts / len(labels)
    quotas = np.floor(shares).astype(int)
    # The rows left by rounding down go first to classes that would be missing, then to
    # the largest remainders, so the sample has exactly ``size`` rows.
    order = np.lexsort((quotas - shares, quotas > 0))
    quotas[order[: size - quotas.sum()]] += 1
    picks = [
        rng.choice(np.flatnonzero(labels == value), size=quota, replace=False)
        for value, quota in zip(values, quotas, strict=True)
    ]
    return data.iloc[np.sort(np.concatenate(picks))]


def scatter_classes(ax: Axes, data: pd.DataFrame, title: str) -> None:
    """Points colored by class: the first two features, or with one feature, the
    feature against the class."""
    x1, x2 = (feature_columns(data) + [LABEL])[:2]
    ax.scatter(
        data[x1],
        data[x2],
        c=data[LABEL],
        cmap=CLASS_COLORS,
        vmin=0,
        vmax=1,
        s=20,
        edgecolors="k",
        linewidths=0.3,
    )
    ax.set(xlabel=x1, ylabel=x2)
    set_title(ax, title)


def feature_grid(resolution: int, limit: float = 2.25) -> tuple[np.ndarray, np.ndarray]:
    """A square grid over the standardized feature plane."""
    axis = np.linspace(-limit, limit, resolution)
    return np.meshgrid(axis, axis)


def draw_contour(
    ax: Axes,
    grid: tuple[np.ndarray, np.ndarray],
    values: np.ndarray,
    title: str,
    levels: Sequence[float] | int = 20,
    boundary: float | None = None,
) -> None:
    """A filled contour of ``values`` over ``grid``, optionally with one level drawn as a line."""
    xx, yy = grid
    filled = ax.contourf(xx, yy, values, levels=levels, cmap=SURFACE_CMAP, alpha=0.8)
    ax.figure.colorbar(filled, ax=ax)
    if boundary is not None:
        ax.contour(xx, yy, values, levels=[boundary], colors="k", linewidths=1.5)
    ax.set(xlabel="x1", ylabel="x2")
    set_title(ax, title)


def draw_probability_line(
    ax: Axes,
    labels: np.ndarray,
    probabilities: np.ndarray,
    threshold: float,
    counts: tuple[int, int, int, int],
    shift: float = 0.04,
) -> None:
    """Points on a 0..1 probability axis (negatives above, positives below), the threshold
    dashed, and ``counts`` (TN, FP, FN, TP of every point, not only those drawn) in the corners."""
    labels = np.asarray(labels)
    negatives, positives = probabilities[labels == 0], probabilities[labels == 1]
    ax.scatter(
        negatives,
        np.full_like(negatives, shift),
        color=CLASS_COLORS(0),
        s=30,
        edgecolors="k",
        linewidths=0.3,
        label="actual negative",
    )
    ax.scatter(
        positives,
        np.full_like(positives, -shift),
        color=CLASS_COLORS(1),
        s=30,
        edgecolors="k",
        linewidths=0.3,
        label="actual positive",
    )
    ax.axhline(0, color="k", linewidth=1)
    ax.axvline(threshold, color="k", linestyle="--", linewidth=1)
    tn, fp, fn, tp = counts
    for x, y, text in (
        (0.0, 0.8, f"TN {tn}"),
        (1.0, 0.8, f"FP {fp}"),
        (0.0, 0.1, f"FN {fn}"),
        (1.0, 0.1, f"TP {tp}"),
    ):
        ax.text(x, y, text, transform=ax.transAxes, ha="left" if x == 0 else "right")
    ax.set(
        xlim=(-0.05, 1.05),
        ylim=(-3 * shift, 3 * shift),
        yticks=[],
        xlabel="predicted probability",
    )
    set_title(ax, f"threshold {threshold}")


def draw_roc_pr(
    roc_ax: Axes,
    pr_ax: Axes,
    fpr: np.ndarray,
    tpr: np.ndarray,
    recall: np.ndarray,
    precision: np.ndarray,
    label: str | None = None,
    style: str = "-",
    marker: str | None = None,
) -> None:
    """One ROC and one precision-recall line."""
    roc_ax.plot(fpr, tpr, linestyle=style, marker=marker, label=label)
    pr_ax.plot(recall, precision, linestyle=style, marker=marker, label=label)
    roc_ax.set(
        xlabel="false positive rate",
        ylabel="true positive rate",
        xlim=(-0.05, 1.05),
        ylim=(-0.05, 1.05),
    )
    pr_ax.set(
        xlabel="recall",
        ylabel="precision",
        xlim=(-0.05, 1.05),
        ylim=(-0.05, 1.05),
    )
    set_title(roc_ax, "ROC curve")
    set_title(pr_ax, "precision-recall curve")


def draw_curves(
    roc_ax: Axes,
    pr_ax: Axes,
    labels: np.ndarray,
    probabilities: np.ndarray,
    max_points: int,
    label: str | None = None,
    marker: str | None = None,
) -> None:
    """sklearn's ROC and precision-recall curves, each drawn from at most ``max_points``."""
    curves = roc_pr_curves(labels, probabilities)
    fpr, tpr = thin_curve(curves["fpr"], curves["tpr"], max_points)
    recall, precision = thin_curve(curves["recall"], curves["precision"], max_points)
    draw_roc_pr(roc_ax, pr_ax, fpr, tpr, recall, precision, label=label, marker=marker)


def draw_threshold_points(
    roc_ax: Axes,
    pr_ax: Axes,
    points: Sequence[dict],
    thresholds: Sequence[float],
    joined: bool,
    annotate: bool,
) -> None:
    """ROC and PR points of chosen thresholds (their ``counts_metrics``), optionally
    joined and annotated."""
    fpr = np.array([p["fpr"] for p in points], dtype=float)
    tpr = np.array([p["tpr"] for p in points], dtype=float)
    precision = np.array([p["precision"] for p in points], dtype=float)
    recall = np.array([p["recall"] for p in points], dtype=float)
    draw_roc_pr(
        roc_ax,
        pr_ax,
        fpr,
        tpr,
        recall,
        precision,
        style="-" if joined else "",
        marker="o",
    )
    if annotate:
        for threshold, x, y, r, p in zip(
            thresholds, fpr, tpr, recall, precision, strict=True
        ):
            roc_ax.annotate(
                f"{threshold:g}", (x, y), textcoords="offset points", xytext=(4, -10)
            )
            if not np.isnan(p):
                pr_ax.annotate(
                    f"{threshold:g}", (r, p), textcoords="offset points", xytext=(4, 4)
                )


def draw_selected_threshold(
    roc_ax: Axes, pr_ax: Axes, selected: SelectedThreshold
) -> None:
    """Star the selected operating threshold on ROC and PR axes, if one was selected."""
    if selected.threshold is None or selected.metrics is None:
        return
    chosen, label = selected.metrics, f"selected ({selected.threshold:.3f})"
    roc_ax.plot(chosen.fpr, chosen.tpr, "r*", markersize=14, label=label)
    if chosen.precision is not None:
        pr_ax.plot(chosen.recall, chosen.precision, "r*", markersize=14, label=label)
    for ax in (roc_ax, pr_ax):
        ax.legend(loc="lower right")


def grid_values(
    grid: pd.DataFrame,
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """The mesh (first feature along the columns, second along the rows) and the values
    of a grid table."""
    return np.meshgrid(grid.columns.to_numpy(), grid.index.to_numpy()), grid.to_numpy()


def draw_surface(
    ax: Axes3D, grid: tuple[np.ndarray, np.ndarray], values: np.ndarray
) -> None:
    """``values`` over ``grid`` as a 3-D surface of probabilities, from at most
    ``SURFACE_FACES`` faces a side."""
    ax.plot_surface(
        *grid,
        values,
        cmap=SURFACE_CMAP,
        alpha=0.8,
        rcount=SURFACE_FACES,
        ccount=SURFACE_FACES,
    )
    ax.set(xlabel="x1", ylabel="x2", zlabel="probability")
    set_title(ax, "sigmoid(z)")
