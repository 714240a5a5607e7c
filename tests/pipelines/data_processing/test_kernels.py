"""The data-processing work on one pandas table, as both backends call it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from moons_classifier.params import DataParams, SplitParams
from moons_classifier.pipelines.data_processing.kernels import (
    check_split_sizes,
    fitted_scaler,
    moons,
    prepare_table,
    split_rows,
    standardize,
    thin_positives,
)
from moons_classifier.schemas import TableError

SOURCE = pd.DataFrame(
    {
        "b": ["0.5", "1", "-2", "3e1"],
        "a": [1, 2, 3, 4],
        "target": [0.0, 1.0, 1.0, 0.0],
    }
)


def test_moons_are_make_moons_as_a_table():
    data = moons(n_samples=31, noise=0.2, random_state=3)
    features, labels = make_moons(n_samples=31, noise=0.2, random_state=3)
    assert list(data.columns) == ["x1", "x2", "y"]
    np.testing.assert_array_equal(data[["x1", "x2"]].to_numpy(), features)
    np.testing.assert_array_equal(data["y"].to_numpy(), labels)


def test_prepare_table_gives_float_features_and_the_label_as_y():
    prepared = prepare_table(SOURCE, DataParams(source="table"))
    assert list(prepared.columns) == ["b", "a", "y"]
    assert prepared.dtypes.to_dict() == {
        "b": np.float64,
        "a": np.float64,
        "y": np.dtype(int),
    }
    np.testing.assert_array_equal(prepared["b"], [0.5, 1.0, -2.0, 30.0])
    np.testing.assert_array_equal(prepared["y"], [0, 1, 1, 0])
    chosen = prepare_table(SOURCE, DataParams(source="table", feature_columns=["a"]))
    assert list(chosen.columns) == ["a", "y"]


@pytest.mark.parametrize(
    ("params", "refused"),
    [
        (DataParams(label_column="label"), "data.label_column='label' is not a column"),
        (
            DataParams(feature_columns=["a", "c"]),
            "must name columns of the source table; missing: ['c']",
        ),
        (
            DataParams(feature_columns=["a", "a"]),
            "must name one or more distinct columns",
        ),
    ],
)
def test_prepare_table_refuses_columns_that_do_not_fit(params, refused):
    with pytest.raises(ValueError, match=re.escape(refused)):
        prepare_table(SOURCE, params)


@pytest.mark.parametrize(
    ("column", "value", "refused"),
    [
        (
            "b",
            "n/a",
            "Column 'b' holds the non-numeric value 'n/a' in data row 3 (1 row in all).",
        ),
        (
            "target",
            2,
            "Column 'target' must hold only 0 and 1; it holds 2 in data row 3",
        ),
        ("a", np.inf, "Column 'a' holds inf (missing, NaN or infinite) in data row 3"),
    ],
)
def test_prepare_table_names_a_bad_value_by_column_and_row(column, value, refused):
    table = SOURCE.astype({"a": float, "target": object})
    table.loc[2, column] = value
    with pytest.raises(TableError, match=re.escape(refused)):
        prepare_table(table, DataParams())


def test_prepare_table_checks_only_the_columns_the_parameters_pick():
    table = SOURCE.assign(note=["n/a", "x", "y", "z"])
    prepared = prepare_table(table, DataParams(feature_columns=["a", "b"]))
    assert list(prepared.columns) == ["a", "b", "y"]
    with pytest.raises(TableError, match="leave a column that is no feature out of"):
        prepare_table(table, DataParams())


def test_thin_positives_keeps_every_negative_and_the_wanted_share(table):
    data = table
    thinned = thin_positives(data, 0.25, random_state=1)
    negatives = data[data["y"] == 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        thinned[thinned["y"] == 0].reset_index(drop=True), negatives
    )
    assert (thinned["y"] == 1).sum() == round(0.25 * len(negatives) / 0.75)
    pd.testing.assert_frame_equal(thinned, thin_positives(data, 0.25, random_state=1))
    with pytest.raises(ValueError, match="data.positive_fraction=0.99 needs"):
        thin_positives(data, 0.99, random_state=1)


def test_check_split_sizes_refuses_a_split_without_rows_on_one_side():
    check_split_sizes(3, SplitParams(test_size=0.2))
    with pytest.raises(
        ValueError, match=re.escape("leaves 1 training and 1 validation rows")
    ):
        check_split_sizes(2, SplitParams(test_size=0.2))


def test_split_rows_splits_as_train_test_split(table):
    train, val = split_rows(table, 0.2, random_state=13)
    expected_train, expected_val = train_test_split(
        table, test_size=0.2, random_state=13
    )
    pd.testing.assert_frame_equal(train, expected_train.reset_index(drop=True))
    pd.testing.assert_frame_equal(val, expected_val.reset_index(drop=True))


def test_split_rows_refuses_one_class_naming_the_part(table):
    with pytest.raises(
        ValueError,
        match=re.escape("The training part of partition 4 split (82 rows) holds only"),
    ):
        split_rows(table.assign(y=1), 0.2, 13, where=" part of partition 4")


def test_fitted_scaler_and_standardize(table):
    scaler = fitted_scaler(table)
    features = table[["x1", "x2"]].to_numpy()
    assert list(scaler.feature_names_in_) == ["x1", "x2"]
    np.testing.assert_allclose(scaler.mean_, features.mean(axis=0))
    np.testing.assert_allclose(scaler.scale_, features.std(axis=0))
    before = table.copy()
    scaled = standardize(table, scaler)
    pd.testing.assert_frame_equal(table, before)  # the input is left as it was
    pd.testing.assert_series_equal(scaled["y"], table["y"])
    np.testing.assert_allclose(scaled[["x1", "x2"]].mean(), 0, atol=1e-12)
    np.testing.assert_allclose(scaled[["x1", "x2"]].std(ddof=0), 1)
