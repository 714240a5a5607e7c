"""The reporting work on one pandas table, as both backends call it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from moons_classifier.pipelines.reporting.kernels import (
    as_counts,
    partition_counts,
    probabilities,
    with_probability,
)
from tests.pipelines.evaluation.chapter import CONFUSION

ROWS = pd.DataFrame({"x1": [0.5, -1.0, 2.0], "y": [1, 0, 1]})
SCORED = pd.DataFrame({"y": [1, 0, 1], "probability": [0.7, 0.2, 0.4]})


def test_with_probability_joins_the_probabilities_row_by_row():
    joined = with_probability(ROWS, SCORED)
    pd.testing.assert_frame_equal(joined, ROWS.assign(probability=[0.7, 0.2, 0.4]))


def test_with_probability_ignores_the_predictions_index():
    shifted = SCORED.set_axis([10, 11, 12])
    np.testing.assert_array_equal(
        with_probability(ROWS, shifted)["probability"], [0.7, 0.2, 0.4]
    )


@pytest.mark.parametrize(
    "predictions",
    [SCORED.iloc[:2], SCORED.assign(y=[0, 1, 1])],
    ids=["fewer rows", "other labels"],
)
def test_with_probability_refuses_misaligned_predictions(predictions):
    with pytest.raises(ValueError, match=r"do not line up .* \(3 rows\) in part 2:"):
        with_probability(ROWS, predictions, " in part 2")


def test_partition_counts_are_the_chapters_confusion_matrices(predictions):
    counts = partition_counts(predictions, [0.3, 0.5, 0.7])
    assert counts.shape == (3, 4)
    for row, matrix in zip(counts, CONFUSION.values(), strict=True):
        np.testing.assert_array_equal(row, np.ravel(matrix))


def test_partition_counts_at_the_ends():
    counts = partition_counts(SCORED, [0.0, 1.0])
    np.testing.assert_array_equal(counts, [[0, 1, 0, 2], [1, 0, 2, 0]])


@pytest.mark.parametrize(
    "counts", [np.array([1, 2, 3, 4], dtype=np.int64), [[1, 2], [3, 4]]]
)
def test_as_counts_are_plain_integers(counts):
    tn_fp_fn_tp = as_counts(counts)
    assert tn_fp_fn_tp == (1, 2, 3, 4)
    assert all(type(c) is int for c in tn_fp_fn_tp)


def test_probabilities_are_the_sigmoid_of_the_logits():
    logits = np.array([[-np.log(3), 0.0], [np.log(3), 50.0]])
    np.testing.assert_allclose(probabilities(logits), [[0.25, 0.5], [0.75, 1.0]])
