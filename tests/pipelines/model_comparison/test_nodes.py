"""The model-comparison nodes called as plain functions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_curve

from moons_classifier.params import EvaluationParams
from moons_classifier.pipelines.model_comparison.nodes import (
    compare_metrics,
    plot_model_comparison,
)


def metrics(auroc: float, threshold: float | None) -> dict:
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


PREDICTIONS = {
    "logistic": pd.DataFrame({"y": [0, 0, 1, 1], "probability": [0.1, 0.6, 0.4, 0.9]}),
    "mlp": pd.DataFrame({"y": [0, 0, 1, 1], "probability": [0.1, 0.2, 0.8, 0.9]}),
}


def test_compare_metrics_tabulates_each_model():
    table = compare_metrics(logistic=metrics(0.9, 0.5), mlp=metrics(0.95, None))
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


def test_plot_model_comparison_draws_one_line_per_model_per_axis():
    figure = plot_model_comparison(EvaluationParams(), **PREDICTIONS)
    roc, pr = figure.axes
    for ax in (roc, pr):
        assert [line.get_label() for line in ax.get_lines()] == ["logistic", "mlp"]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            "logistic",
            "mlp",
        ]
    for line, scored in zip(roc.get_lines(), PREDICTIONS.values(), strict=True):
        fpr, tpr, _ = roc_curve(scored["y"], scored["probability"])
        np.testing.assert_array_equal(line.get_xdata(), fpr)
        np.testing.assert_array_equal(line.get_ydata(), tpr)
    assert (roc.get_title(), pr.get_title()) == ("ROC curve", "precision-recall curve")
