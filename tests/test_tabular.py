"""The table conventions: the ``y`` label, feature columns in order, float arrays and tensors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from moons_classifier.tabular import (
    LABEL,
    feature_columns,
    feature_matrix,
    features_tensor,
    to_tensors,
)

DATA = pd.DataFrame({"b": [1, 2, 3], "y": [0, 1, 1], "a": [0.1, 0.2, 1 / 3]})


def test_every_column_but_the_label_is_a_feature_in_table_order():
    assert LABEL == "y"
    assert feature_columns(DATA) == ["b", "a"]
    assert feature_columns(DATA[["y"]]) == []


def test_feature_matrix_is_row_major_float64():
    matrix = feature_matrix(DATA)
    assert matrix.dtype == np.float64
    assert matrix.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(matrix, [[1.0, 0.1], [2.0, 0.2], [3.0, 1 / 3]])


def test_tensors_are_float32_features_and_a_label_column():
    features, labels = to_tensors(DATA)
    assert (features.dtype, labels.dtype) == (torch.float32, torch.float32)
    assert (features.shape, labels.shape) == ((3, 2), (3, 1))
    assert torch.equal(labels, torch.tensor([[0.0], [1.0], [1.0]]))
    assert torch.equal(features, features_tensor(DATA))


def test_features_are_rounded_as_tensor_float_rounds():
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"x1": rng.normal(size=50), "x2": rng.normal(size=50), "y": 0})
    expected = torch.tensor(data[["x1", "x2"]].to_numpy(), dtype=torch.float64).float()
    assert torch.equal(features_tensor(data), expected)
