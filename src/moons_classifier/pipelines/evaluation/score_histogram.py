"""A fixed-size, mergeable summary of labelled probabilities, and the metrics it gives.

A partition of predictions becomes a ``ScoreHistogram``; histograms add up, so the
rows never meet in one place. Bins follow float32 bit patterns, so each spans a fixed
relative width of probability: ``bits`` sets how fine they are.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

import numpy as np

from moons_classifier.metrics import areas_under_curves, select_threshold
from moons_classifier.params import ThresholdCriterion

DEFAULT_BITS = 20
_PATTERN_BITS = 30  # float32 bit patterns of [0, 1] lie below 2**30
_ONE = int(np.float32(1.0).view(np.uint32))


def bin_count(bits: int) -> int:
    """How many bins a histogram of ``bits`` bits has."""
    if not 0 < bits <= _PATTERN_BITS:
        raise ValueError(f"bits must lie in [1, {_PATTERN_BITS}]; got {bits}")
    return (_ONE >> (_PATTERN_BITS - bits)) + 1


def _bins(probabilities: np.ndarray, bits: int) -> np.ndarray:
    """The bin of each probability; a higher bin holds only higher probabilities."""
    patterns = np.abs(probabilities, dtype=np.float32).view(np.uint32)  # -0.0 is 0.0
    return patterns >> (_PATTERN_BITS - bits)


def _checked(labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """``probabilities`` as an array, if it matches ``labels`` and lies in [0, 1]."""
    probabilities = np.asarray(probabilities)
    if probabilities.shape != labels.shape:
        raise ValueError(
            f"{probabilities.shape} probabilities for {labels.shape} labels"
        )
    if not np.all((probabilities >= 0) & (probabilities <= 1)):
        raise ValueError("probabilities must lie in [0, 1]")
    return probabilities


def _extremes(probabilities: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """The smallest and largest probability in each bin; +inf and -inf where empty."""
    ordered = np.sort(probabilities)
    bins = _bins(ordered, bits)
    first = np.ones(len(bins), dtype=bool)
    first[1:] = bins[1:] != bins[:-1]
    last = np.roll(first, -1)
    minimum = np.full(bin_count(bits), np.inf)
    maximum = np.full(bin_count(bits), -np.inf)
    minimum[bins[first]] = ordered[first]
    maximum[bins[last]] = ordered[last]
    return minimum, maximum


def _rounding(rows: int) -> float:
    """Most that float64 rounding can part two trapezoid areas over ``rows`` rows.

    Each side sums at most one trapezoid per row; a rate's rounding (the counts are
    exact) shifts a trapezoid by under 1.5 eps, and pairwise summation adds less.
    """
    return 4 * float(np.finfo(np.float64).eps) * (rows + 8)


def _precision(tp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """TP / (TP + FP), and 1 where nothing is predicted (sklearn's first PR point)."""
    predicted = tp + fp
    return np.divide(
        tp, predicted, out=np.ones(len(tp)), where=predicted > 0, dtype=np.float64
    )


def _auroc_bound(
    positives: np.ndarray, negatives: np.ndarray, mixed: np.ndarray
) -> float:
    """Most that binning can move the AUROC.

    sklearn's trapezoids under the ROC curve are the Mann-Whitney statistic: the share
    of (positive, negative) pairs ranked right, a tie counting half. Binning keeps the
    order of pairs in different bins and ties the pairs sharing a bin, which the exact
    ranking counts 0, 1/2 or 1: each moves by at most 1/2, and none does in a bin of
    one distinct probability (``~mixed``).
    """
    shared = np.dot(positives[mixed].astype(float), negatives[mixed])
    return float(0.5 * shared / (positives.sum() * negatives.sum()))


def _aupr_bound(
    positives: np.ndarray, negatives: np.ndarray, mixed: np.ndarray
) -> float:
    """Most that binning can move the AUPR.

    Both curves pass through each bin's end point (the counts at and above it); in
    between, bin b's recall rises by P_b / P. Every precision the exact curve takes
    there, its left end included, has TP in [tp_lo, tp_hi] and FP in [fp_lo, fp_hi]
    (counted above the bin, and at and above it), so lies in [tp_lo / (tp_lo + fp_hi),
    tp_hi / (tp_hi + fp_lo)]: the exact trapezoids over that stretch average into
    that range, while the histogram's one trapezoid takes the mean of its two ends.
    sklearn's (recall 0, precision 1) start is the 0 / 0 case of the first bin.
    """
    tp_hi = np.cumsum(positives[::-1])[::-1]
    fp_hi = np.cumsum(negatives[::-1])[::-1]
    tp_lo, fp_lo = tp_hi - positives, fp_hi - negatives
    highest, lowest = _precision(tp_hi, fp_lo), _precision(tp_lo, fp_hi)
    taken = (_precision(tp_lo, fp_lo) + _precision(tp_hi, fp_hi)) / 2
    spread = np.maximum(highest - taken, taken - lowest)
    return float(np.dot(positives[mixed], spread[mixed]) / tp_hi[0])


@dataclass(frozen=True, eq=False)
class ScoreHistogram:
    """Counts of positives and negatives per probability bin, and each bin's extremes."""

    bits: int
    positives: np.ndarray
    negatives: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray

    def __post_init__(self) -> None:
        """Reject arrays that are not one entry per bin."""
        shape = (bin_count(self.bits),)
        arrays = (self.positives, self.negatives, self.minimum, self.maximum)
        if any(array.shape != shape for array in arrays):
            raise ValueError(f"a {self.bits}-bit histogram holds arrays of {shape}")

    @classmethod
    def of(
        cls,
        labels: np.ndarray,
        probabilities: np.ndarray,
        bits: int = DEFAULT_BITS,
    ) -> ScoreHistogram:
        """The histogram of these labels (1 positive) and probabilities in [0, 1]."""
        actual = np.asarray(labels).astype(bool)
        probabilities = _checked(actual, probabilities)
        count = bin_count(bits)
        bins = _bins(probabilities, bits)
        return cls(
            bits,
            np.bincount(bins[actual], minlength=count).astype(np.int64),
            np.bincount(bins[~actual], minlength=count).astype(np.int64),
            *_extremes(probabilities, bits),
        )

    def __add__(self, other: ScoreHistogram) -> ScoreHistogram:
        """The histogram of both histograms' rows."""
        if not isinstance(other, ScoreHistogram):
            return NotImplemented
        if other.bits != self.bits:
            raise ValueError(
                f"cannot add a {other.bits}-bit histogram to a {self.bits}-bit one"
            )
        return ScoreHistogram(
            self.bits,
            self.positives + other.positives,
            self.negatives + other.negatives,
            np.minimum(self.minimum, other.minimum),
            np.maximum(self.maximum, other.maximum),
        )

    def _samples(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Labels, scores and weights: each bin's positives and negatives at its minimum."""
        labels = np.repeat([1, 0], len(self.minimum))
        scores = np.concatenate((self.minimum, self.minimum))
        weights = np.concatenate((self.positives, self.negatives))
        kept = weights > 0
        return labels[kept], scores[kept], weights[kept]

    def areas(self) -> dict[str, float | None]:
        """AUROC and AUPR as ``metrics.areas_under_curves``, with bins for rows."""
        return areas_under_curves(*self._samples())

    def error_bounds(self) -> dict[str, float | None]:
        """How far ``areas()`` can lie from the areas of the rows themselves.

        Zero where every bin holds one distinct probability: the areas are then exact.
        """
        if not (self.positives.any() and self.negatives.any()):
            return {"auroc": None, "aupr": None}
        mixed = self.minimum < self.maximum
        if not mixed.any():  # the curves are the exact ones, bit for bit
            return {"auroc": 0.0, "aupr": 0.0}
        rounding = _rounding(int(self.positives.sum() + self.negatives.sum()))
        return {
            "auroc": _auroc_bound(self.positives, self.negatives, mixed) + rounding,
            "aupr": _aupr_bound(self.positives, self.negatives, mixed) + rounding,
        }

    def select_threshold(self, criterion: ThresholdCriterion) -> float | None:
        """The bin minimum that best meets ``criterion``, as ``metrics.select_threshold``."""
        labels, scores, weights = self._samples()
        return select_threshold(labels, scores, criterion, weights)

    def counts_at(self, threshold: float) -> tuple[int, int, int, int]:
        """TN, FP, FN, TP with class 1 predicted where probability >= threshold.

        Exact where no bin holds probabilities on both sides of ``threshold``, as at
        any bin minimum; a ValueError otherwise.
        """
        above = self.minimum >= threshold
        if np.any(~above & (self.maximum >= threshold)):
            raise ValueError(f"threshold {threshold} splits a bin")
        tp = int(self.positives[above].sum())
        fp = int(self.negatives[above].sum())
        return int(self.negatives.sum()) - fp, fp, int(self.positives.sum()) - tp, tp


def merge(histograms: Iterable[ScoreHistogram]) -> ScoreHistogram:
    """The histogram of all these histograms' rows (at least one histogram)."""
    return reduce(operator.add, histograms)
