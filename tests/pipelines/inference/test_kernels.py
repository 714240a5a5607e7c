"""The inference work on one pandas table, as both backends call it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.preprocessing import StandardScaler

from moons_classifier.pipelines.inference.kernels import (
    OUTPUT_COLUMNS,
    check_feature_columns,
    check_feature_values,
    check_no_output_columns,
    check_not_empty,
    score,
)

FEATURES = ["x1", "x2"]
POINTS = pd.DataFrame({"id": ["a", "b", "c"], "x1": [0.0, 2.0, 4.0], "x2": [1, 3, 5]})


def test_check_not_empty_refuses_an_input_without_rows():
    check_not_empty(1)
    with pytest.raises(ValueError, match="The inference input has no rows"):
        check_not_empty(0)


def test_check_feature_columns_names_the_missing_ones():
    check_feature_columns(["id", "x2", "x1"], FEATURES)
    with pytest.raises(
        ValueError,
        match=re.escape("lacks the feature column(s) ['x2']; it has ['x1', 'x3']"),
    ):
        check_feature_columns(["x1", "x3"], FEATURES)


def test_check_no_output_columns_refuses_a_column_the_predictions_write():
    check_no_output_columns(["x1", "x2", "probabilities"])
    with pytest.raises(
        ValueError, match=re.escape("already has the column(s) ['threshold']")
    ):
        check_no_output_columns(["x1", "threshold"])


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        (
            "1,5",
            "Column 'x2' holds the non-numeric value '1,5' in data row 2 of part 7.",
        ),
        (
            None,
            "Column 'x2' holds nan (missing, NaN or infinite) in data row 2 of part 7.",
        ),
        (-np.inf, "Column 'x2' holds -inf (missing, NaN or infinite) in data row 2"),
    ],
)
def test_check_feature_values_names_the_bad_value_by_column_and_row(value, refused):
    check_feature_values(POINTS, FEATURES)
    points = POINTS.astype({"x2": object})
    points.loc[1, "x2"] = value
    with pytest.raises(ValueError, match=re.escape(refused)):
        check_feature_values(points, FEATURES, " of part 7")


def test_score_adds_exactly_the_output_columns():
    scaler = StandardScaler().fit(POINTS[FEATURES])
    model = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, 0.0]]))
        model[0].bias.zero_()
    before = POINTS.copy()
    scores = score(POINTS, scaler, model, 0.5)
    pd.testing.assert_frame_equal(POINTS, before)
    assert list(scores.columns) == [*POINTS.columns, *OUTPUT_COLUMNS]
    pd.testing.assert_frame_equal(scores[list(POINTS.columns)], POINTS)
    # x1 standardized is -1.22, 0, 1.22: the logits, whose sigmoid is the probability.
    scaled = (POINTS["x1"] - 2.0) / np.sqrt(8 / 3)
    np.testing.assert_allclose(
        scores["probability"], 1 / (1 + np.exp(-scaled)), rtol=1e-6
    )
    np.testing.assert_array_equal(scores["predicted_class"], [0, 1, 1])
    np.testing.assert_array_equal(scores["threshold"], [0.5, 0.5, 0.5])
