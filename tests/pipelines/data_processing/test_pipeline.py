"""The data-processing pipeline run over in-memory datasets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline
from kedro.runner import SequentialRunner
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from moons_classifier.params import DataParams, SplitParams
from moons_classifier.pipelines.data_processing import create_pipeline


def run(
    data: DataParams,
    split: SplitParams,
    table: pd.DataFrame | None = None,
    pipeline: Pipeline | None = None,
) -> DataCatalog:
    """Run ``pipeline`` (default: the whole one); its free outputs stay in the catalog."""
    catalog = DataCatalog(
        {
            "params:data": MemoryDataset(data),
            "params:split": MemoryDataset(split),
            "source_table": MemoryDataset(
                lambda: pd.DataFrame() if table is None else table
            ),
        }
    )
    SequentialRunner().run(pipeline or create_pipeline(), catalog)
    return catalog


def test_pipeline_standardizes_the_chapter_split():
    catalog = run(DataParams(), SplitParams())
    features, labels = make_moons(n_samples=100, noise=0.3, random_state=0)
    x_train, x_val, y_train, y_val = train_test_split(
        features, labels, test_size=0.2, random_state=13
    )
    reference = StandardScaler().fit(x_train)

    train, val = catalog.load("train_features"), catalog.load("validation_features")
    np.testing.assert_array_equal(
        train[["x1", "x2"]].to_numpy(), reference.transform(x_train)
    )
    np.testing.assert_array_equal(
        val[["x1", "x2"]].to_numpy(), reference.transform(x_val)
    )
    np.testing.assert_array_equal(train["y"].to_numpy(), y_train)
    np.testing.assert_array_equal(val["y"].to_numpy(), y_val)


def test_pipeline_fits_the_scaler_on_the_training_split():
    pipeline = create_pipeline().to_outputs("scaler")
    scaler = run(DataParams(), SplitParams(), pipeline=pipeline).load("scaler")
    features, labels = make_moons(n_samples=100, noise=0.3, random_state=0)
    x_train, *_ = train_test_split(features, labels, test_size=0.2, random_state=13)
    reference = StandardScaler().fit(x_train)
    np.testing.assert_array_equal(scaler.mean_, reference.mean_)
    np.testing.assert_array_equal(scaler.scale_, reference.scale_)
    assert list(scaler.feature_names_in_) == ["x1", "x2"]


def test_pipeline_applies_the_positive_fraction_before_splitting():
    catalog = run(
        DataParams(n_samples=200, positive_fraction=0.2), SplitParams(test_size=0.4)
    )
    train, val = catalog.load("train_features"), catalog.load("validation_features")
    assert (len(train), len(val)) == (75, 50)
    assert train["y"].sum() + val["y"].sum() == 25  # noqa: PLR2004


def test_pipeline_reads_a_table_source():
    rng = np.random.default_rng(0)
    table = pd.DataFrame(rng.normal(size=(50, 3)), columns=["f1", "f2", "f3"])
    table["target"] = np.arange(50) % 2
    catalog = run(DataParams(source="table"), SplitParams(), table)
    train, val = catalog.load("train_features"), catalog.load("validation_features")
    assert list(train.columns) == ["f1", "f2", "f3", "y"]
    assert (len(train), len(val)) == (40, 10)
    np.testing.assert_allclose(train[["f1", "f2", "f3"]].mean(), 0, atol=1e-12)


def test_pipeline_stops_on_an_impossible_split():
    with pytest.raises(ValueError, match="test_size"):
        run(DataParams(n_samples=2), SplitParams())
