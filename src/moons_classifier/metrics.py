"""Vectorized classification metrics at thresholds, and the chapter's curves."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.metrics import auc, precision_recall_curve, roc_curve

from moons_classifier.params import MinPrecision, MinRecall, ThresholdCriterion


def _ratio(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator``, or None where it is undefined."""
    return numerator / denominator if denominator else None


def confusion_counts(
    labels: np.ndarray, probabilities: np.ndarray, threshold: float
) -> tuple[int, int, int, int]:
    """TN, FP, FN, TP with class 1 predicted where probability >= threshold."""
    actual = np.asarray(labels).astype(bool)
    predicted = np.asarray(probabilities) >= threshold
    tp = int(np.count_nonzero(actual & predicted))
    fp = int(np.count_nonzero(~actual & predicted))
    fn = int(np.count_nonzero(actual & ~predicted))
    return len(actual) - tp - fp - fn, fp, fn, tp


def confusion_counts_at(
    labels: np.ndarray, probabilities: np.ndarray, thresholds: Sequence[float]
) -> np.ndarray:
    """TN, FP, FN, TP at each threshold, one int64 row each (counts add up across parts)."""
    return np.array(
        [confusion_counts(labels, probabilities, t) for t in thresholds],
        dtype=np.int64,
    ).reshape(len(thresholds), 4)


def threshold_metrics(
    labels: np.ndarray, probabilities: np.ndarray, threshold: float
) -> dict[str, object]:
    """Confusion matrix (sklearn layout) and the ratios the chapter derives from it."""
    return counts_metrics(*confusion_counts(labels, probabilities, threshold))


def counts_metrics(tn: int, fp: int, fn: int, tp: int) -> dict[str, object]:
    """The confusion matrix (sklearn layout) of these counts and the ratios derived from it."""
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall > 0
        else None
    )
    return {
        "confusion_matrix": [[tn, fp], [fn, tp]],
        "tpr": recall,
        "fpr": _ratio(fp, fp + tn),
        "precision": precision,
        "recall": recall,
        "accuracy": _ratio(tp + tn, tn + fp + fn + tp),
        "f1": f1,
    }


def roc_pr_curves(
    labels: np.ndarray,
    probabilities: np.ndarray,
    sample_weight: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """sklearn's ROC and precision-recall curves."""
    fpr, tpr, roc_thresholds = roc_curve(
        labels, probabilities, sample_weight=sample_weight
    )
    precision, recall, pr_thresholds = precision_recall_curve(
        labels, probabilities, sample_weight=sample_weight
    )
    return {
        "fpr": fpr,
        "tpr": tpr,
        "roc_thresholds": roc_thresholds,
        "precision": precision,
        "recall": recall,
        "pr_thresholds": pr_thresholds,
    }


def areas_under_curves(
    labels: np.ndarray,
    probabilities: np.ndarray,
    sample_weight: np.ndarray | None = None,
) -> dict[str, float | None]:
    """AUROC and AUPR as the chapter computes them (sklearn curves and ``auc``).

    Both are None when the labels hold a single class: neither curve is defined then.
    """
    if len(np.unique(labels)) < 2:  # noqa: PLR2004
        return {"auroc": None, "aupr": None}
    curves = roc_pr_curves(labels, probabilities, sample_weight)
    return {
        "auroc": float(auc(curves["fpr"], curves["tpr"])),
        "aupr": float(auc(curves["recall"], curves["precision"])),
    }


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Elementwise ``numerator / denominator``, nan where the denominator is 0."""
    shape = np.broadcast_shapes(np.shape(numerator), np.shape(denominator))
    return np.divide(
        numerator, denominator, out=np.full(shape, np.nan), where=denominator != 0
    )


def weighted_scores(
    labels: np.ndarray,
    probabilities: np.ndarray,
    weights: np.ndarray,
    threshold: float | None = None,
) -> dict[str, np.ndarray]:
    """AUROC, AUPR and, given a threshold, its precision, recall, F1 and accuracy under
    each row of ``weights`` as ``sample_weight``, nan where a score is undefined.

    The AUCs are those of ``areas_under_curves``: nan unless both classes have weight.
    """
    distinct, group = np.unique(probabilities, return_inverse=True)
    n, g = len(group), len(distinct)
    weights = np.asarray(weights)
    positive = np.asarray(labels).astype(bool)
    # Column k sums the negatives at the k-th highest distinct score, g + k its positives.
    by_score = sparse.csc_array(
        (np.ones(n, weights.dtype), (np.arange(n), g - 1 - group + g * positive)),
        shape=(n, 2 * g),
    )
    # Weighted false and true positives with each distinct score as the threshold,
    # highest first, after a leading 0 (nothing predicted: the ROC curve's origin).
    counts = np.zeros((len(weights), 2, g + 1), weights.dtype)
    np.cumsum((weights @ by_score).reshape(-1, 2, g), axis=2, out=counts[:, :, 1:])
    fps, tps = counts[:, 0], counts[:, 1]
    n_negative, n_positive = fps[:, -1], tps[:, -1]
    recall = _divide(tps, n_positive[:, None])
    # Nothing predicted is the PR curve's end (recall 0, precision 1): so top scores
    # without weight add no point of their own.
    predicted = tps + fps
    precision = np.divide(tps, predicted, out=np.ones(tps.shape), where=predicted > 0)
    both_classes = (n_positive > 0) & (n_negative > 0)
    fpr = _divide(fps, n_negative[:, None])
    scores = {
        "auroc": np.where(both_classes, np.trapezoid(recall, fpr, axis=1), np.nan),
        "aupr": np.where(both_classes, np.trapezoid(precision, recall, axis=1), np.nan),
    }
    if threshold is None:
        return scores
    above = np.count_nonzero(distinct >= threshold)
    tp, fp = tps[:, above], fps[:, above]
    precision_at, recall_at = _divide(tp, tp + fp), _divide(tp, n_positive)
    return scores | {
        "precision": precision_at,
        "recall": recall_at,
        "f1": _divide(2 * precision_at * recall_at, precision_at + recall_at),
        "accuracy": _divide(tp + n_negative - fp, n_positive + n_negative),
    }


def random_probabilities(n: int, seed: int) -> np.ndarray:
    """The chapter's random model: uniform probabilities, ``np.random.seed(seed)`` style."""
    return np.random.RandomState(seed).uniform(size=n)


def thin_curve(
    x: np.ndarray, y: np.ndarray, max_points: int
) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` evenly spaced vertices of a curve, keeping both ends."""
    if len(x) <= max_points:
        return x, y
    keep = np.unique(np.linspace(0, len(x) - 1, max_points).round().astype(int))
    return x[keep], y[keep]


def threshold_candidates(
    labels: np.ndarray,
    probabilities: np.ndarray,
    sample_weight: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Every distinct threshold, highest first, with its TPR, FPR, precision and F1.

    A rate that is undefined because the labels hold one class only is nan.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns of the one-class case
        fpr, tpr, thresholds = roc_curve(
            labels,
            probabilities,
            sample_weight=sample_weight,
            drop_intermediate=False,
        )
        precision = precision_recall_curve(
            labels, probabilities, sample_weight=sample_weight
        )[0]
    # roc_curve starts at an infinite threshold; precision_recall_curve runs the other
    # way and ends with a point of no threshold.
    tpr, fpr, thresholds, precision = (
        tpr[1:],
        fpr[1:],
        thresholds[1:],
        precision[-2::-1],
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(tpr == 0, 0.0, 2 * precision * tpr / (precision + tpr))
    return {
        "threshold": thresholds,
        "tpr": tpr,
        "fpr": fpr,
        "precision": precision,
        "f1": f1,
    }


def _scores(
    candidates: dict[str, np.ndarray], criterion: ThresholdCriterion
) -> tuple[np.ndarray, np.ndarray]:
    """What ``criterion`` maximizes at each candidate, and which candidates it allows."""
    everything = np.ones(len(candidates["threshold"]), dtype=bool)
    if isinstance(criterion, MinPrecision):
        return candidates["tpr"], candidates["precision"] >= criterion.min_precision
    if isinstance(criterion, MinRecall):
        return candidates["precision"], candidates["tpr"] >= criterion.min_recall
    match criterion:
        case "f1":
            return candidates["f1"], everything
        case "youden":
            return candidates["tpr"] - candidates["fpr"], everything
    raise ValueError(f"Unknown threshold criterion {criterion!r}")


def select_threshold(
    labels: np.ndarray,
    probabilities: np.ndarray,
    criterion: ThresholdCriterion,
    sample_weight: np.ndarray | None = None,
) -> float | None:
    """The threshold that best meets ``criterion`` on these labels; None if none meets it.

    ``criterion`` is ``"f1"``, ``"youden"`` (TPR - FPR), a ``MinPrecision`` (best recall
    among those reaching it) or a ``MinRecall`` (best precision). Ties go to the highest
    threshold. ``sample_weight`` counts each row that many times.
    """
    candidates = threshold_candidates(labels, probabilities, sample_weight)
    score, allowed = _scores(candidates, criterion)
    allowed = allowed & ~np.isnan(score)
    if not allowed.any():
        return None
    best = np.flatnonzero(allowed)[np.argmax(score[allowed])]
    return float(candidates["threshold"][best])
