"""Vectorized classification metrics at thresholds, and the chapter's curves."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import auc, precision_recall_curve, roc_curve


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


def threshold_metrics(
    labels: np.ndarray, probabilities: np.ndarray, threshold: float
) -> dict[str, object]:
    """Confusion matrix (sklearn layout) and the ratios the chapter derives from it."""
    tn, fp, fn, tp = confusion_counts(labels, probabilities, threshold)
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
    labels: np.ndarray, probabilities: np.ndarray
) -> dict[str, np.ndarray]:
    """sklearn's ROC and precision-recall curves."""
    fpr, tpr, roc_thresholds = roc_curve(labels, probabilities)
    precision, recall, pr_thresholds = precision_recall_curve(labels, probabilities)
    return {
        "fpr": fpr,
        "tpr": tpr,
        "roc_thresholds": roc_thresholds,
        "precision": precision,
        "recall": recall,
        "pr_thresholds": pr_thresholds,
    }


def areas_under_curves(
    labels: np.ndarray, probabilities: np.ndarray
) -> dict[str, float | None]:
    """AUROC and AUPR as the chapter computes them (sklearn curves and ``auc``).

    Both are None when the labels hold a single class: neither curve is defined then.
    """
    if len(np.unique(labels)) < 2:  # noqa: PLR2004
        return {"auroc": None, "aupr": None}
    curves = roc_pr_curves(labels, probabilities)
    return {
        "auroc": float(auc(curves["fpr"], curves["tpr"])),
        "aupr": float(auc(curves["recall"], curves["precision"])),
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
    labels: np.ndarray, probabilities: np.ndarray
) -> dict[str, np.ndarray]:
    """Every distinct threshold, highest first, with its TPR, FPR, precision and F1."""
    order = np.argsort(-np.asarray(probabilities), kind="stable")
    ranked = np.asarray(probabilities)[order]
    actual = np.asarray(labels)[order].astype(bool)
    last_of_each = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]
    tp = np.cumsum(actual)[last_of_each]
    fp = np.cumsum(~actual)[last_of_each]
    n_pos, n_neg = int(actual.sum()), int((~actual).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        tpr = tp / n_pos if n_pos else np.full(len(tp), np.nan)
        fpr = fp / n_neg if n_neg else np.full(len(fp), np.nan)
        precision = tp / (tp + fp)
        f1 = np.where(tp > 0, 2 * precision * tpr / (precision + tpr), 0.0)
    if not n_pos:
        f1 = np.full(len(tp), np.nan)
    return {
        "threshold": ranked[last_of_each],
        "tpr": tpr,
        "fpr": fpr,
        "precision": precision,
        "f1": f1,
    }


def select_threshold(
    labels: np.ndarray, probabilities: np.ndarray, criterion: object
) -> float | None:
    """The threshold that best meets ``criterion`` on these labels; None if none meets it.

    ``criterion`` is ``"f1"``, ``"youden"`` (TPR - FPR), or an object with
    ``min_precision`` or ``min_recall``. Ties go to the highest threshold.
    """
    c = threshold_candidates(labels, probabilities)
    if criterion == "f1":
        score, allowed = c["f1"], np.ones(len(c["f1"]), dtype=bool)
    elif criterion == "youden":
        score, allowed = c["tpr"] - c["fpr"], np.ones(len(c["tpr"]), dtype=bool)
    elif hasattr(criterion, "min_precision"):
        score, allowed = c["tpr"], c["precision"] >= criterion.min_precision
    elif hasattr(criterion, "min_recall"):
        score, allowed = c["precision"], c["tpr"] >= criterion.min_recall
    else:
        raise ValueError(f"Unknown threshold criterion {criterion!r}")
    allowed &= ~np.isnan(score)
    if not allowed.any():
        return None
    best = np.flatnonzero(allowed)[np.argmax(score[allowed])]
    return float(c["threshold"][best])
