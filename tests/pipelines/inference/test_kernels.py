"""The inference work on one pandas table, as both backends call it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.preprocessing import StandardScaler

from moons_classifier.pipelines.inference.kernels import check_feature_columns, score
from moons_classifier.tabular import OUTPUT_COLUMNS

FEATURES = ["x1", "x2"]
POINTS = pd.DataFrame({"id": ["a", "b", "c"], "x1": [0.0, 2.0, 4.0], "x2": [1, 3, 5]})


def test_check_feature_columns_names_the_missing_ones():
    check_feature_columns(["id", "x2", "x1"], FEATURES)
    with pytest.raises(
        ValueError,
        match=re.escape("lacks the feature column(s) ['x2']; it has ['x1', 'x3']"),
    ):
        check_feature_columns(["x1", "x3"], FEATURES)


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
