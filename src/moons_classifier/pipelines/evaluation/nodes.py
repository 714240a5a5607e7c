"""Nodes that score the validation set, compute each model's metrics and compare the models."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import torch

from moons_classifier.metrics import (
    areas_under_curves,
    random_probabilities,
    select_threshold,
    threshold_metrics,
)
from moons_classifier.models import load_model, predict_logits
from moons_classifier.params import EvaluationParams, ModelParams
from moons_classifier.tabular import LABEL, feature_columns, features_tensor

logger = logging.getLogger(__name__)

COMPARED = ("auroc", "aupr", "final_train_loss", "final_val_loss")


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


def compare_metrics(**metrics: dict) -> dict[str, dict[str, object]]:
    """A table of each model's AUCs, final losses and selected threshold, keyed by model."""
    return {
        model: {
            **{key: values[key] for key in COMPARED},
            "selected_threshold": values["selected_threshold"]["threshold"],
        }
        for model, values in metrics.items()
    }
