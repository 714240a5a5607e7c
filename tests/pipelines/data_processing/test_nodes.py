"""The data-processing nodes called as plain functions."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from moons_classifier.params import DataParams, SplitParams
from moons_classifier.pipelines.data_processing.nodes import (
    fit_scaler,
    generate_moons,
    select_source,
    split_data,
    standardize_splits,
    standardize_test_split,
    subsample_positives,
)
from moons_classifier.schemas import TableError

SCALER_MEAN = [0.4777135197972224, 0.2713435897181917]
SCALER_SCALE = [0.8935265007624204, 0.596897396969705]


@pytest.fixture(scope="module")
def chapter_split() -> tuple[pd.DataFrame, pd.DataFrame]:
    return split_data(generate_moons(DataParams()), SplitParams())


def test_generate_moons_equals_make_moons():
    params = DataParams(n_samples=37, noise=0.15, random_state=5)
    data = generate_moons(params)
    features, labels = make_moons(n_samples=37, noise=0.15, random_state=5)
    assert list(data.columns) == ["x1", "x2", "y"]
    np.testing.assert_array_equal(data[["x1", "x2"]].to_numpy(), features)
    np.testing.assert_array_equal(data["y"].to_numpy(), labels)


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "a": [1, 2, 3, 4],
            "b": [0.5, 0.25, 0.0, -1.0],
            "c": [9, 8, 7, 6],
            "target": [0, 1, 1, 0],
        }
    )


def unread() -> pd.DataFrame:
    raise AssertionError("the table was loaded although the moons are the source")


def test_select_source_passes_the_moons_through_without_loading_the_table():
    moons = generate_moons(DataParams())
    assert select_source(moons, unread, DataParams()) is moons


def test_select_source_takes_every_other_column_of_the_table(table):
    selected = select_source(pd.DataFrame(), lambda: table, DataParams(source="table"))
    assert list(selected.columns) == ["a", "b", "c", "y"]
    assert (selected[["a", "b", "c"]].dtypes == np.float64).all()
    np.testing.assert_array_equal(selected[["a", "b", "c"]], table[["a", "b", "c"]])
    assert selected["y"].tolist() == [0, 1, 1, 0]


def test_select_source_keeps_the_named_features_in_order(table):
    params = DataParams(source="table", feature_columns=["c", "a"])
    assert list(select_source(pd.DataFrame(), lambda: table, params).columns) == [
        "c",
        "a",
        "y",
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"label_column": "label"}, "data.label_column='label'"),
        ({"feature_columns": ["a", "zz"]}, "missing: ['zz']"),
        ({"feature_columns": ["a", "target"]}, "other than the label 'target'"),
        ({"feature_columns": ["a", "a"]}, "distinct columns"),
    ],
)
def test_select_source_refuses_parameters_that_do_not_fit_the_table(
    table, overrides, message
):
    params = DataParams(source="table", **overrides)
    with pytest.raises(ValueError, match=re.escape(message)):
        select_source(pd.DataFrame(), lambda: table, params)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"b": ["x", "y", "z", "w"]},
            "Column 'b' holds the non-numeric value 'x' in data row 1 (4 rows in all)",
        ),
        (
            {"target": [0, 1, 2, 0]},
            "Column 'target' must hold only 0 and 1; it holds 2 in data row 3",
        ),
        (
            {"target": [0, 1, np.nan, 0]},
            "Column 'target' holds nan (missing, NaN or infinite) in data row 3",
        ),
        (
            {"a": [1.0, np.nan, 3.0, 4.0]},
            "Column 'a' holds nan (missing, NaN or infinite) in data row 2",
        ),
        (
            {"c": [1.0, 2.0, 3.0, np.inf]},
            "Column 'c' holds inf (missing, NaN or infinite) in data row 4",
        ),
    ],
)
def test_select_source_refuses_a_bad_value_naming_its_column_and_row(
    table, change, message
):
    with pytest.raises(TableError, match=re.escape(message)):
        select_source(
            pd.DataFrame(), lambda: table.assign(**change), DataParams(source="table")
        )


def test_select_source_takes_a_plain_table_as_well_as_its_loader(table):
    params = DataParams(source="table")
    pd.testing.assert_frame_equal(
        select_source(pd.DataFrame(), table, params),
        select_source(pd.DataFrame(), lambda: table, params),
    )


def test_subsample_without_fraction_returns_the_data():
    data = generate_moons(DataParams())
    assert subsample_positives(data, DataParams()) is data


def test_subsample_reaches_the_positive_share_and_keeps_every_negative():
    params = DataParams(n_samples=200, positive_fraction=0.2)
    data = generate_moons(params)
    sampled = subsample_positives(data, params)
    assert len(sampled) == 125  # noqa: PLR2004 (100 negatives, 25 positives)
    assert sampled["y"].mean() == pytest.approx(0.2)
    pd.testing.assert_frame_equal(
        sampled[sampled["y"] == 0].reset_index(drop=True),
        data[data["y"] == 0].reset_index(drop=True),
    )
    positives = data[data["y"] == 1]
    kept = sampled[sampled["y"] == 1]
    assert kept.merge(positives, how="left", indicator=True)["_merge"].eq("both").all()
    pd.testing.assert_frame_equal(subsample_positives(data, params), sampled)


@pytest.mark.parametrize("fraction", [0.9, 0.001])
def test_subsample_refuses_an_impossible_fraction(fraction: float):
    params = DataParams(positive_fraction=fraction)
    with pytest.raises(ValueError, match="positive_fraction"):
        subsample_positives(generate_moons(params), params)


def test_split_matches_train_test_split_on_arrays(chapter_split):
    train, val = chapter_split
    features, labels = make_moons(n_samples=100, noise=0.3, random_state=0)
    x_train, x_val, y_train, y_val = train_test_split(
        features, labels, test_size=0.2, random_state=13
    )
    assert (len(train), len(val)) == (80, 20)
    np.testing.assert_array_equal(train[["x1", "x2"]].to_numpy(), x_train)
    np.testing.assert_array_equal(val[["x1", "x2"]].to_numpy(), x_val)
    np.testing.assert_array_equal(train["y"].to_numpy(), y_train)
    np.testing.assert_array_equal(val["y"].to_numpy(), y_val)
    assert list(train.index) == list(range(80))


def test_split_refuses_a_single_class_training_split():
    params = SplitParams()
    _, val_rows = train_test_split(np.arange(10), test_size=0.2, random_state=13)
    labels = np.zeros(10, dtype=int)
    labels[val_rows[0]] = 1  # the only positive lands in the validation split
    data = pd.DataFrame({"x1": np.arange(10.0), "x2": np.arange(10.0), "y": labels})
    with pytest.raises(
        ValueError, match=r"holds only class\(es\).*both classes 0 and 1"
    ):
        split_data(data, params)


@pytest.mark.parametrize("n_rows", [1, 2])
def test_split_refuses_too_few_rows(n_rows: int):
    data = pd.DataFrame(
        {"x1": [0.0] * n_rows, "x2": [0.0] * n_rows, "y": [0, 1][:n_rows]}
    )
    with pytest.raises(ValueError, match=f"on {n_rows} rows leaves"):
        split_data(data, SplitParams())


def test_fit_scaler_reproduces_the_chapter_statistics(chapter_split):
    scaler = fit_scaler(chapter_split[0])
    np.testing.assert_allclose(scaler.mean_, SCALER_MEAN, rtol=0, atol=1e-12)
    np.testing.assert_allclose(scaler.scale_, SCALER_SCALE, rtol=0, atol=1e-12)
    assert list(scaler.feature_names_in_) == ["x1", "x2"]
    assert scaler.n_samples_seen_ == 80  # noqa: PLR2004


def test_standardize_splits_transforms_features_only(chapter_split):
    train, val = chapter_split
    scaler = fit_scaler(train)
    train_scaled, val_scaled = standardize_splits(train, val, scaler)
    for raw, scaled in ((train, train_scaled), (val, val_scaled)):
        assert list(scaled.columns) == ["x1", "x2", "y"]
        np.testing.assert_array_equal(
            scaled[["x1", "x2"]].to_numpy(), scaler.transform(raw[["x1", "x2"]])
        )
        pd.testing.assert_series_equal(scaled["y"], raw["y"])
    assert train_scaled[["x1", "x2"]].mean().abs().max() < 1e-12  # noqa: PLR2004
    assert train["x1"].mean() == pytest.approx(
        SCALER_MEAN[0], abs=1e-12
    )  # input untouched


def test_standardize_test_split_uses_the_training_scaler(chapter_split):
    train, val = chapter_split
    scaler = fit_scaler(train)
    test_scaled = standardize_test_split(val, scaler)
    np.testing.assert_array_equal(
        test_scaled[["x1", "x2"]].to_numpy(), scaler.transform(val[["x1", "x2"]])
    )
    pd.testing.assert_series_equal(test_scaled["y"], val["y"])
    empty = val.iloc[:0]
    assert standardize_test_split(empty, scaler) is empty
