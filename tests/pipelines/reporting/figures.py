"""The figures the reporting pipeline draws, and helpers that read what a figure holds."""

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

PER_MODEL = (
    "losses",
    "train_decision_surface",
    "validation_decision_surface",
    "probability_lines",
    "tradeoffs",
    "roc_pr_curves",
    "precision_quirk",
    "best_worst_curves",
)
SHARED = ("data", "model_comparison")


def scatter_points(ax: Axes) -> list[np.ndarray]:
    """The offsets of each scatter layer on ``ax``."""
    return [c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)]


def titled(figure: Figure, title: str) -> Axes:
    """The one axes of ``figure`` titled ``title``."""
    (ax,) = [ax for ax in figure.axes if ax.get_title() == title]
    return ax
