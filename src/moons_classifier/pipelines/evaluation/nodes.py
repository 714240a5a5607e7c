"""Nodes that score the validation set, compute each model's metrics and compare the models."""

from __future__ import annotations

from functools import partial
from types import ModuleType

import numpy as np
import pandas as pd
import torch

from moons_classifier.contracts import Areas, AtThreshold, ClassBalance, Metrics
from moons_classifier.metrics import (
    areas_under_curves,
    random_probabilities,
    select_threshold,
    threshold_metrics,
    weighted_scores,
)
from moons_classifier.params import (
    BootstrapParams,
    EvaluationParams,
    ModelParams,
)
from moons_classifier.partitions import is_dask
from moons_classifier.tabular import LABEL, Table

from . import kernels


def _partitioned() -> ModuleType:
    """The Dask side of these nodes, imported only where Dask is used."""
    from moons_classifier.pipelines.evaluation import partitioned  # noqa: PLC0415

    return partitioned


COMPARED = ("auroc", "aupr", "final_train_loss", "final_val_loss")
AT_THRESHOLD = ("precision", "recall", "f1", "accuracy")
# Resampled rows the bootstrap scores at once (resamples x test rows): bounds its memory.
BOOTSTRAP_CHUNK = 4_000_000


def predict_probabilities(
    state_dict: dict[str, torch.Tensor], data: Table, params: ModelParams
) -> Table:
    """Each row's label, the model's logit and its probability of class 1.

    Dask partitions are scored on the workers.
    """
    if is_dask(data):
        return _partitioned().predict_probabilities(state_dict, data, params)
    return kernels.scored(state_dict, data, params)


def compute_metrics(
    predictions: Table,
    train: Table,
    loss_history: pd.DataFrame,
    params: EvaluationParams,
) -> Metrics:
    """Sizes, class balance, final losses, AUCs, a random baseline, per-threshold metrics
    and the operating threshold the configured criterion selects.

    From Dask partitions in one pass: the same counts, and AUCs within a stated bound.
    """
    if is_dask(predictions):
        return _partitioned().compute_metrics(predictions, train, loss_history, params)
    labels = predictions[LABEL].to_numpy()
    probabilities = predictions["probability"].to_numpy()
    random_baseline = random_probabilities(len(labels), params.random_baseline_seed)
    return Metrics(
        n_train=len(train),
        n_val=len(predictions),
        class_balance=ClassBalance(
            train_positive_rate=float(train[LABEL].mean()),
            val_positive_rate=float(labels.mean()),
        ),
        pr_baseline=float(labels.mean()),
        final_train_loss=float(loss_history["train_loss"].iloc[-1]),
        final_val_loss=float(loss_history["val_loss"].iloc[-1]),
        **areas_under_curves(labels, probabilities),
        random_baseline=Areas(**areas_under_curves(labels, random_baseline)),
        thresholds={
            str(t): AtThreshold(**threshold_metrics(labels, probabilities, t))
            for t in params.thresholds
        },
        selected_threshold=kernels.selected_threshold(
            partial(select_threshold, labels, probabilities),
            partial(threshold_metrics, labels, probabilities),
            params,
        ),
    )


def compute_test_metrics(
    predictions: pd.DataFrame, metrics: Metrics, params: EvaluationParams
) -> dict[str, object]:
    """AUCs on the test split, and its metrics at the validation's selected threshold,
    each with a seeded bootstrap confidence interval; only ``n_test: 0`` without one."""
    if predictions.empty:
        return {"n_test": 0}
    labels = predictions[LABEL].to_numpy()
    probabilities = predictions["probability"].to_numpy()
    threshold = metrics.selected_threshold.threshold
    return {
        "n_test": len(labels),
        "selected_threshold": threshold,
        "confidence": params.bootstrap.confidence,
        "n_resamples": params.bootstrap.n_resamples,
        **bootstrap_intervals(labels, probabilities, threshold, params.bootstrap),
    }


def _test_scores(
    labels: np.ndarray, probabilities: np.ndarray, threshold: float | None
) -> dict[str, float | None]:
    """AUROC, AUPR and, given a threshold, its precision, recall, F1 and accuracy."""
    scores = areas_under_curves(labels, probabilities)
    if threshold is not None:
        at_threshold = threshold_metrics(labels, probabilities, threshold)
        scores |= {key: at_threshold[key] for key in AT_THRESHOLD}
    return scores


def _draw_counts(rows: np.ndarray) -> np.ndarray:
    """How often each resample (a row of ``rows``) draws each data row."""
    resamples, n = rows.shape
    keys = rows + n * np.arange(resamples)[:, None]
    return np.bincount(keys.ravel(), minlength=resamples * n).reshape(resamples, n)


def _resampled_scores(
    labels: np.ndarray,
    probabilities: np.ndarray,
    threshold: float | None,
    params: BootstrapParams,
) -> dict[str, np.ndarray]:
    """Each test score on each seeded bootstrap resample, nan where it is undefined."""
    rng = np.random.default_rng(params.seed)
    n = len(labels)
    per_chunk = max(1, BOOTSTRAP_CHUNK // n)
    chunks = []
    for start in range(0, params.n_resamples, per_chunk):
        # Drawn chunk by chunk, the generator yields the same rows as in one draw.
        rows = rng.integers(0, n, size=(min(per_chunk, params.n_resamples - start), n))
        chunks.append(
            weighted_scores(labels, probabilities, _draw_counts(rows), threshold)
        )
    return {key: np.concatenate([chunk[key] for chunk in chunks]) for key in chunks[0]}


def bootstrap_intervals(
    labels: np.ndarray,
    probabilities: np.ndarray,
    threshold: float | None,
    params: BootstrapParams,
) -> dict[str, dict[str, float | None]]:
    """Each test score with the percentile interval of its seeded bootstrap resamples.

    A resample on which a score is undefined (one class only) is left out of its interval.
    """
    resampled = _resampled_scores(labels, probabilities, threshold, params)
    tail = (1 - params.confidence) / 2
    intervals = {}
    for key, value in _test_scores(labels, probabilities, threshold).items():
        values = resampled[key][~np.isnan(resampled[key])]
        low, high = (
            np.quantile(values, [tail, 1 - tail]) if values.size else (None, None)
        )
        intervals[key] = {
            "value": value,
            "low": None if low is None else float(low),
            "high": None if high is None else float(high),
        }
    return intervals


def compare_metrics(**metrics: Metrics) -> dict[str, dict[str, object]]:
    """A table of each model's AUCs, final losses and selected threshold, keyed by model."""
    return {
        model: {
            **{key: getattr(values, key) for key in COMPARED},
            "selected_threshold": values.selected_threshold.threshold,
        }
        for model, values in metrics.items()
    }
