"""The evaluation nodes' Dask side: scoring on the workers, metrics from mergeable summaries."""

from __future__ import annotations

from dataclasses import dataclass

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import torch

from moons_classifier.contracts import (
    Areas,
    AtThreshold,
    AucErrorBounds,
    ClassBalance,
    Metrics,
)
from moons_classifier.metrics import (
    confusion_counts_at,
    counts_metrics,
    random_probabilities,
)
from moons_classifier.params import EvaluationParams, ModelParams
from moons_classifier.partitions import partition_seed, tree_sum
from moons_classifier.tabular import LABEL

from . import kernels
from .score_histogram import ScoreHistogram


def predict_probabilities(
    state_dict: dict[str, torch.Tensor], data: dd.DataFrame, params: ModelParams
) -> dd.DataFrame:
    """Each row's label, logit and probability of class 1, scored partition by partition."""
    meta = kernels.scored(state_dict, data._meta, params)  # noqa: SLF001
    return data.map_partitions(
        _predict_partition, state_dict, params, meta=meta, enforce_metadata=False
    )


def _predict_partition(
    part: pd.DataFrame, state_dict: dict[str, torch.Tensor], params: ModelParams
) -> pd.DataFrame:
    """The scores of one partition."""
    return kernels.scored(state_dict, part, params)


@dataclass(frozen=True)
class Summary:
    """What the metrics need of a set of scored rows; the sum of two is their union's."""

    n_rows: int
    n_positive: int
    scores: ScoreHistogram
    random_baseline: ScoreHistogram
    counts: np.ndarray  # TN, FP, FN, TP at each configured threshold, one row each

    def __add__(self, other: Summary) -> Summary:
        return Summary(
            self.n_rows + other.n_rows,
            self.n_positive + other.n_positive,
            self.scores + other.scores,
            self.random_baseline + other.random_baseline,
            self.counts + other.counts,
        )


def summarize(
    predictions: pd.DataFrame, index: int, params: EvaluationParams
) -> Summary:
    """The summary of partition ``index`` of the predictions."""
    labels = predictions[LABEL].to_numpy()
    probabilities = predictions["probability"].to_numpy()
    random_baseline = random_probabilities(
        len(labels), partition_seed(params.random_baseline_seed, index)
    )
    return Summary(
        n_rows=len(labels),
        n_positive=int(np.count_nonzero(labels == 1)),
        scores=ScoreHistogram.of(labels, probabilities, params.histogram_bits),
        random_baseline=ScoreHistogram.of(
            labels, random_baseline, params.histogram_bits
        ),
        counts=confusion_counts_at(labels, probabilities, params.thresholds),
    )


def compute_metrics(
    predictions: dd.DataFrame,
    train: dd.DataFrame,
    loss_history: pd.DataFrame,
    params: EvaluationParams,
) -> Metrics:
    """The pandas backend's metrics from one pass over the partitions: counts exact, the
    AUCs from probability histograms, with a bound on their error."""
    parts = predictions.to_delayed()
    summary = tree_sum(
        [dask.delayed(summarize)(part, i, params) for i, part in enumerate(parts)]
    ).compute()
    n_train, n_train_positive = dask.compute(train[LABEL].size, train[LABEL].sum())
    positive_rate = summary.n_positive / summary.n_rows
    return Metrics(
        n_train=int(n_train),
        n_val=summary.n_rows,
        class_balance=ClassBalance(
            train_positive_rate=int(n_train_positive) / int(n_train),
            val_positive_rate=positive_rate,
        ),
        pr_baseline=positive_rate,
        final_train_loss=float(loss_history["train_loss"].iloc[-1]),
        final_val_loss=float(loss_history["val_loss"].iloc[-1]),
        **summary.scores.areas(),
        random_baseline=Areas(**summary.random_baseline.areas()),
        thresholds={
            str(t): AtThreshold(**counts_metrics(*(int(c) for c in counts)))
            for t, counts in zip(params.thresholds, summary.counts, strict=True)
        },
        selected_threshold=kernels.selected_threshold(
            summary.scores.select_threshold,
            lambda threshold: counts_metrics(*summary.scores.counts_at(threshold)),
            params,
        ),
        auc_error_bounds=AucErrorBounds(
            model=Areas(**summary.scores.error_bounds()),
            random_baseline=Areas(**summary.random_baseline.error_bounds()),
        ),
    )
