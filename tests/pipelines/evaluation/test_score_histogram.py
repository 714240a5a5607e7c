"""The score histogram: exact where bins hold one value, bounded and mergeable always."""

from __future__ import annotations

import numpy as np
import pytest

from moons_classifier.metrics import (
    areas_under_curves,
    confusion_counts,
    select_threshold,
)
from moons_classifier.params import MinPrecision, MinRecall
from moons_classifier.pipelines.evaluation.score_histogram import (
    ScoreHistogram,
    bin_count,
    merge,
)

CRITERIA = [
    "f1",
    "youden",
    MinPrecision(min_precision=0.6),
    MinPrecision(min_precision=1.0),
    MinRecall(min_recall=0.8),
    MinRecall(min_recall=1.0),
]


def _overlapping(n: int, seed: int, separation: float) -> tuple[np.ndarray, np.ndarray]:
    """Labels and float32 sigmoid probabilities whose classes overlap."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    logits = separation * (labels - 0.5) + rng.normal(size=n)
    return labels, (1 / (1 + np.exp(-logits))).astype(np.float32)


def _one_value_per_bin(
    n: int, seed: int, bits: int, dtype: type
) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities rounded down to their bin's lowest float32, with ties."""
    labels, probabilities = _overlapping(n, seed, separation=1.0)
    shift = 30 - bits
    lowest = (probabilities.view(np.uint32) >> shift << shift).view(np.float32)
    return labels, lowest.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("n", "seed", "bits"), [(20, 0, 20), (60, 1, 12), (100, 2, 8)])
def test_one_value_per_bin_gives_the_exact_metrics_bit_for_bit(
    n: int, seed: int, bits: int, dtype: type
):
    labels, probabilities = _one_value_per_bin(n, seed, bits, dtype)
    histogram = ScoreHistogram.of(labels, probabilities, bits)
    assert histogram.areas() == areas_under_curves(labels, probabilities)
    assert histogram.error_bounds() == {"auroc": 0.0, "aupr": 0.0}
    for criterion in CRITERIA:
        assert histogram.select_threshold(criterion) == select_threshold(
            labels, probabilities, criterion
        )


def test_distinct_float32_probabilities_in_fine_bins_are_exact():
    labels, probabilities = _overlapping(50, 3, separation=2.0)
    histogram = ScoreHistogram.of(labels, probabilities)
    filled = np.isfinite(histogram.minimum)
    assert np.all(histogram.minimum[filled] == histogram.maximum[filled])
    assert histogram.areas() == areas_under_curves(labels, probabilities)
    for criterion in CRITERIA:
        assert histogram.select_threshold(criterion) == select_threshold(
            labels, probabilities, criterion
        )


def _assert_same(merged: ScoreHistogram, whole: ScoreHistogram) -> None:
    """Both histograms hold the same bits and arrays."""
    assert merged.bits == whole.bits
    for field in ("positives", "negatives", "minimum", "maximum"):
        np.testing.assert_array_equal(getattr(merged, field), getattr(whole, field))


def test_merging_parts_gives_the_histogram_of_the_whole():
    labels, probabilities = _overlapping(1000, 4, separation=2.0)
    whole = ScoreHistogram.of(labels, probabilities, 12)
    halves = [
        ScoreHistogram.of(labels[s], probabilities[s], 12)
        for s in (slice(None, 500), slice(500, None))
    ]
    _assert_same(halves[0] + halves[1], whole)
    cuts = [0, 0, 1, 300, 999, 1000]  # empty and one-row parts too
    parts = [
        ScoreHistogram.of(labels[a:b], probabilities[a:b], 12)
        for a, b in zip(cuts, cuts[1:], strict=False)
    ]
    _assert_same(merge(parts), whole)
    _assert_same(sum(parts[1:], parts[0]), whole)


@pytest.mark.parametrize("separation", [1.0, 3.0])
@pytest.mark.parametrize("bits", [8, 9, 10, 11, 12])
def test_coarse_histograms_stay_within_their_error_bounds(bits: int, separation: float):
    labels, probabilities = _overlapping(100_000, 5, separation)
    histogram = ScoreHistogram.of(labels, probabilities, bits)
    exact = areas_under_curves(labels, probabilities)
    approximate, bounds = histogram.areas(), histogram.error_bounds()
    for area in ("auroc", "aupr"):
        assert abs(approximate[area] - exact[area]) <= bounds[area]
        assert bounds[area] > 0
        if bits >= 11:  # noqa: PLR2004
            assert bounds[area] < 0.05  # noqa: PLR2004


def test_error_bounds_hold_where_they_are_attained():
    # Bin [0.75, 1) ranks both of its positives above its negative; the histogram ties them.
    labels = np.array([0, 1, 1, 0])
    probabilities = np.array([0.1, 0.99, 0.97, 0.8])
    histogram = ScoreHistogram.of(labels, probabilities, 8)
    exact = areas_under_curves(labels, probabilities)
    approximate, bounds = histogram.areas(), histogram.error_bounds()
    assert exact["auroc"] - approximate["auroc"] == pytest.approx(bounds["auroc"])
    assert bounds["auroc"] == pytest.approx(0.5 * 2 / 4)
    for area in ("auroc", "aupr"):
        assert abs(approximate[area] - exact[area]) <= bounds[area]


@pytest.mark.parametrize(
    "criterion",
    ["f1", "youden", MinPrecision(min_precision=0.6), MinRecall(min_recall=1.0)],
)
def test_counts_at_the_selected_threshold_are_exact(criterion: object):
    labels, probabilities = _overlapping(20_000, 6, separation=1.5)
    histogram = ScoreHistogram.of(labels, probabilities, 10)
    threshold = histogram.select_threshold(criterion)
    assert threshold in histogram.minimum
    assert histogram.counts_at(threshold) == confusion_counts(
        labels, probabilities, threshold
    )


def test_counts_at_every_bin_minimum_are_exact():
    labels, probabilities = _overlapping(5000, 7, separation=1.0)
    histogram = ScoreHistogram.of(labels, probabilities, 9)
    minima = histogram.minimum[np.isfinite(histogram.minimum)]
    for threshold in [*minima, 0.0, 1.0, 1.5]:
        assert histogram.counts_at(threshold) == confusion_counts(
            labels, probabilities, threshold
        )


def test_counts_at_a_threshold_inside_a_bin_is_refused():
    histogram = ScoreHistogram.of(np.array([0, 1]), np.array([0.6, 0.7]), 8)
    with pytest.raises(ValueError, match="splits a bin"):
        histogram.counts_at(0.65)


def test_histograms_of_different_bits_do_not_add():
    labels, probabilities = np.array([0, 1]), np.array([0.2, 0.8])
    with pytest.raises(ValueError, match="12-bit"):
        ScoreHistogram.of(labels, probabilities, 10) + ScoreHistogram.of(
            labels, probabilities, 12
        )
    with pytest.raises(TypeError):
        ScoreHistogram.of(labels, probabilities) + 1


@pytest.mark.parametrize("label", [0, 1])
def test_one_class_gives_no_areas(label: int):
    histogram = ScoreHistogram.of(np.full(5, label), np.linspace(0, 1, 5))
    assert histogram.areas() == {"auroc": None, "aupr": None}
    assert histogram.error_bounds() == {"auroc": None, "aupr": None}


def test_memory_depends_on_bits_not_rows():
    rng = np.random.default_rng(8)
    sizes = set()
    for rows in (1000, 1_000_000):
        histogram = ScoreHistogram.of(
            rng.integers(0, 2, rows), rng.uniform(size=rows).astype(np.float32)
        )
        arrays = (
            histogram.positives,
            histogram.negatives,
            histogram.minimum,
            histogram.maximum,
        )
        sizes.add(sum(array.nbytes for array in arrays))
    assert sizes == {4 * 8 * bin_count(20)}
    assert bin_count(20) <= 2**20 + 1


def test_bins_cover_zero_to_one_in_order():
    probabilities = np.array([0.0, -0.0, 1e-30, 0.25, 0.5, 0.999, 1.0])
    histogram = ScoreHistogram.of(np.zeros(7), probabilities, 8)
    filled = np.flatnonzero(histogram.negatives)
    assert filled[0] == 0 and filled[-1] == bin_count(8) - 1
    np.testing.assert_array_equal(histogram.negatives[filled], [2, 1, 1, 1, 1, 1])


@pytest.mark.parametrize("bad", [np.nan, -0.1, 1.5])
def test_probabilities_outside_zero_to_one_are_refused(bad: float):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ScoreHistogram.of(np.array([0, 1]), np.array([0.5, bad]))


def test_mismatched_inputs_are_refused():
    with pytest.raises(ValueError, match="labels"):
        ScoreHistogram.of(np.array([0, 1]), np.array([0.5]))
    with pytest.raises(ValueError, match="bits"):
        ScoreHistogram.of(np.array([0]), np.array([0.5]), 31)
    with pytest.raises(ValueError, match="arrays"):
        ScoreHistogram(8, np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3))
