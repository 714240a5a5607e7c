"""The evaluation work on one pandas table (or one partition of a Dask table)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd
import torch

from moons_classifier.contracts import AtThreshold, SelectedThreshold
from moons_classifier.models import load_model, predict_logits
from moons_classifier.params import EvaluationParams, ModelParams, ThresholdCriterion
from moons_classifier.tabular import LABEL, feature_columns, features_tensor

logger = logging.getLogger(__name__)


def scored(
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


def selected_threshold(
    select: Callable[[ThresholdCriterion], float | None],
    metrics_at: Callable[[float], dict[str, object]],
    params: EvaluationParams,
) -> SelectedThreshold:
    """The criterion, the threshold ``select`` picks by it and that threshold's metrics."""
    criterion = params.threshold_selection
    described = criterion if isinstance(criterion, str) else criterion.model_dump()
    threshold = select(criterion)
    if threshold is None:
        logger.warning(
            "No threshold meets %s on the validation set; none selected.", described
        )
        return SelectedThreshold(criterion=described, threshold=None, metrics=None)
    return SelectedThreshold(
        criterion=described,
        threshold=threshold,
        metrics=AtThreshold(**metrics_at(threshold)),
    )
