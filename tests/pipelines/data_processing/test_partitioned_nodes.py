"""The data-processing nodes on Dask tables, called as plain functions."""

from __future__ import annotations

from collections.abc import Iterator

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from moons_classifier.params import DataParams, SplitParams
from moons_classifier.partitions import partition_sizes
from moons_classifier.pipelines.data_processing.nodes import (
    fit_scaler,
    generate_moons,
    hold_out_test_split,
    select_source,
    split_data,
    standardize_splits,
    subsample_positives,
)
from moons_classifier.schemas import TableError
from moons_classifier.tabular import LABEL

MANY = DataParams(backend="dask", n_samples=1000, partition_rows=300)
PARTITIONS = 4  # 1000 rows in partitions of at most 300
TRAIN_ROWS = 800


@pytest.fixture(autouse=True)
def synchronous() -> Iterator[None]:
    """Dask computes in this thread: no cluster for node tests."""
    with dask.config.set(scheduler="synchronous"):
        yield


def test_one_partition_generates_the_pandas_moons():
    moons = generate_moons(DataParams(backend="dask"))
    assert moons.npartitions == 1
    pd.testing.assert_frame_equal(moons.compute(), generate_moons(DataParams()))


def test_partitions_are_sized_by_partition_rows_and_seeded_by_index():
    moons = generate_moons(MANY)
    parts = [moons.get_partition(i).compute() for i in range(moons.npartitions)]
    assert [len(p) for p in parts] == [250, 250, 250, 250]
    first = generate_moons(DataParams(n_samples=250, random_state=0))
    second = generate_moons(DataParams(n_samples=250, random_state=1))
    pd.testing.assert_frame_equal(parts[0], first)
    pd.testing.assert_frame_equal(parts[1], second)
    assert not parts[0].equals(parts[2])


def test_one_partition_splits_scales_and_standardizes_as_pandas():
    results = {}
    for backend in ("pandas", "dask"):
        params = DataParams(backend=backend)
        raw = subsample_positives(generate_moons(params), params)
        development, test = hold_out_test_split(raw, SplitParams())
        train, val = split_data(development, SplitParams())
        scaler = fit_scaler(train)
        results[backend] = (scaler, *standardize_splits(train, val, scaler), test)
    pandas_scaler, pandas_train, pandas_val, pandas_test = results["pandas"]
    dask_scaler, dask_train, dask_val, dask_test = results["dask"]
    for field in ("mean_", "var_", "scale_", "n_samples_seen_", "feature_names_in_"):
        np.testing.assert_array_equal(
            getattr(dask_scaler, field), getattr(pandas_scaler, field)
        )
    pd.testing.assert_frame_equal(dask_train.compute(), pandas_train)
    pd.testing.assert_frame_equal(dask_val.compute(), pandas_val)
    assert isinstance(dask_test, pd.DataFrame)
    assert dask_test.empty
    assert list(dask_test.columns) == list(pandas_test.columns)


def test_each_partition_is_split_on_its_own():
    moons = generate_moons(MANY)
    train, val = split_data(moons, SplitParams())
    assert train.npartitions == val.npartitions == PARTITIONS
    for i in range(PARTITIONS):
        part = moons.get_partition(i).compute()
        part_train = train.get_partition(i).compute()
        part_val = val.get_partition(i).compute()
        assert (len(part_train), len(part_val)) == (200, 50)
        rows = pd.concat([part_train, part_val])
        pd.testing.assert_frame_equal(
            rows.sort_values(["x1", "x2"]).reset_index(drop=True),
            part.sort_values(["x1", "x2"]).reset_index(drop=True),
        )


def test_merged_scaler_matches_one_fitted_on_every_row():
    train, _ = split_data(generate_moons(MANY), SplitParams())
    merged = fit_scaler(train)
    whole = fit_scaler(train.compute())
    np.testing.assert_allclose(merged.mean_, whole.mean_, rtol=1e-12)
    np.testing.assert_allclose(merged.var_, whole.var_, rtol=1e-12)
    np.testing.assert_allclose(merged.scale_, whole.scale_, rtol=1e-12)
    assert merged.n_samples_seen_ == whole.n_samples_seen_ == TRAIN_ROWS
    assert list(merged.feature_names_in_) == ["x1", "x2"]


def test_subsampling_thins_each_partition_from_its_own_seed():
    params = MANY.model_copy(update={"positive_fraction": 0.2})
    thinned = subsample_positives(generate_moons(params), params).compute()
    assert thinned[LABEL].mean() == pytest.approx(0.2, abs=0.01)


def test_a_pandas_table_becomes_partitions_and_a_dask_table_is_checked_up_front():
    table = pd.DataFrame(
        {"a": np.arange(10.0), "b": np.arange(10.0) ** 2, "target": [0, 1] * 5}
    )
    params = DataParams(source="table", backend="dask", partition_rows=4)
    partitioned = select_source(None, table, params)
    assert partitioned.npartitions == len(partition_sizes(10, 4))
    assert list(partitioned.compute()[LABEL]) == [0, 1] * 5

    bad = table.assign(b=table["b"].mask(table.index == table.index[-3]))
    with pytest.raises(
        TableError,
        match=r"'b' holds nan .* data row 3 of partition 1 \(1 row in that partition\)",
    ):
        select_source(None, dd.from_pandas(bad, npartitions=2), params)


def test_a_dask_table_is_computed_for_the_pandas_backend():
    table = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "target": [0, 1, 0, 1]})
    source = select_source(
        None, dd.from_pandas(table, npartitions=2), DataParams(source="table")
    )
    assert isinstance(source, pd.DataFrame)
    assert list(source.columns) == ["a", LABEL]


def test_a_test_split_is_refused_on_dask_tables():
    with pytest.raises(ValueError, match="test_fraction=0.2.*data.backend=pandas"):
        hold_out_test_split(generate_moons(MANY), SplitParams(test_fraction=0.2))


def test_a_partition_too_small_to_split_is_refused():
    params = DataParams(backend="dask", n_samples=6, partition_rows=2)
    train, _ = split_data(generate_moons(params), SplitParams())
    with pytest.raises(ValueError, match="test_size=0.2 on 2 rows"):
        train.compute()
