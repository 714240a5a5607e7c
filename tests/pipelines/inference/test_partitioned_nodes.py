"""The inference nodes on a Dask input of several partitions: its columns checked, and
scored on the workers."""

from __future__ import annotations

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from kedro.validation.exceptions import DataValidationError
from kedro_datasets.pandas import CSVDataset
from sklearn.preprocessing import StandardScaler

from moons_classifier.checks import check_saves_dask
from moons_classifier.datasets import TableDataset
from moons_classifier.params import (
    DataParams,
    InferenceParams,
    ModelParams,
    SplitParams,
)
from moons_classifier.partitions import is_dask
from moons_classifier.pipelines.data_processing.nodes import (
    fit_scaler,
    generate_moons,
    split_data,
)
from moons_classifier.pipelines.inference.nodes import (
    check_inference_input,
    score_points,
)
from tests.pipelines.inference.trained import SELECTED, STATE_DICT


@pytest.fixture(autouse=True)
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


@pytest.fixture(scope="module")
def scaler() -> StandardScaler:
    return fit_scaler(split_data(generate_moons(DataParams()), SplitParams())[0])


@pytest.fixture
def points() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "id": [f"p{i}" for i in range(30)],
            "x1": rng.normal(size=30),
            "x2": rng.normal(size=30),
        }
    )


def partitioned(table: pd.DataFrame) -> dd.DataFrame:
    return dd.from_pandas(table, npartitions=3, sort=False)


def test_a_dask_input_scores_as_the_pandas_input(points, scaler):
    args = (scaler, STATE_DICT, SELECTED, ModelParams(), InferenceParams())
    dask_points = check_inference_input(partitioned(points), scaler)
    scored = score_points(dask_points, *args)
    assert is_dask(scored)
    assert scored.npartitions == 3  # noqa: PLR2004
    result, expected = (
        scored.compute().reset_index(drop=True),
        score_points(points, *args),
    )
    # Dask holds the strings as Arrow strings; every other column is exactly the same.
    assert result["id"].tolist() == expected["id"].tolist()
    pd.testing.assert_frame_equal(
        result.drop(columns="id"), expected.drop(columns="id")
    )


def test_a_bad_partition_is_refused_as_it_is_read(points, scaler):
    bad = points.copy()
    bad.loc[bad.index[-1], "x1"] = np.inf
    checked = check_inference_input(partitioned(bad), scaler)  # nothing read yet
    with pytest.raises(
        DataValidationError, match=r"Column 'x1' holds inf .* partition 2"
    ):
        checked.compute()


def _unreadable(index: int) -> pd.DataFrame:
    raise AssertionError(f"partition {index} was read")


def test_missing_columns_are_refused_before_any_partition_is_read(scaler):
    meta = pd.DataFrame({"x1": pd.Series(dtype=float)})
    unread = dd.from_map(_unreadable, range(3), meta=meta, enforce_metadata=False)
    with pytest.raises(ValueError, match=r"lacks the feature column\(s\) \['x2'\]"):
        check_inference_input(unread, scaler)


def test_a_dask_result_is_refused_by_a_csv_dataset(tmp_path):
    csv = CSVDataset(filepath=str(tmp_path / "predictions.csv"))
    with pytest.raises(ValueError, match="CSVDataset cannot write. Point logistic"):
        check_saves_dask("logistic.inference_predictions", csv)
    check_saves_dask("x", TableDataset(filepath=str(tmp_path / "predictions.parquet")))
