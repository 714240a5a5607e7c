"""Nodes that put the models' results side by side."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from moons_classifier import plotting
from moons_classifier.params import EvaluationParams
from moons_classifier.tabular import LABEL

COMPARED = ("auroc", "aupr", "final_train_loss", "final_val_loss")


def compare_metrics(**metrics: dict) -> dict[str, dict[str, object]]:
    """A table of each model's AUCs, final losses and selected threshold, keyed by model."""
    return {
        model: {
            **{key: values[key] for key in COMPARED},
            "selected_threshold": values["selected_threshold"]["threshold"],
        }
        for model, values in metrics.items()
    }


def plot_model_comparison(
    params: EvaluationParams, **predictions: pd.DataFrame
) -> Figure:
    """Every model's ROC and precision-recall curves on one pair of axes."""
    figure, axes = plotting.new_figure(1, 2, (10, 4.5))
    for model, scored in predictions.items():
        plotting.draw_curves(
            axes[0, 0],
            axes[0, 1],
            scored[LABEL].to_numpy(),
            scored["probability"].to_numpy(),
            params.max_curve_points,
            label=model,
        )
    for ax in axes[0]:
        ax.legend(loc="lower left")
    return figure
