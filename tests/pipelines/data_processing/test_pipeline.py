"""The data-processing pipeline run over in-memory datasets, and over a catalog whose
source table and model inputs carry the shipped validators."""

from __future__ import annotations

from pathlib import Path

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
from moons_classifier.pipelines.data_processing.nodes import (
    fit_scaler,
    generate_moons,
    split_data,
)
from moons_classifier.schemas import TableError
from tests.support.projects import shipped_validator


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


def validated_catalog(folder: Path, source: Path) -> DataCatalog:
    """The shipped entries of ``source_table`` (reading ``source``) and of the model inputs
    (written under ``folder``), validators included; the rest in memory."""
    return DataCatalog.from_config(
        {
            "source_table": {
                "type": "moons_classifier.datasets.LazyDataset",
                "dataset": {"type": "pandas.CSVDataset", "filepath": str(source)},
                "validator": shipped_validator("source_table"),
            },
            "{split}_features": {
                "type": "moons_classifier.datasets.TableDataset",
                "filepath": f"{folder}/{{split}}_features.parquet",
                "validator": shipped_validator("{split}_features"),
            },
            "scaler": {
                "type": "moons_classifier.datasets.StandardScalerDataset",
                "filepath": str(folder / "scaler.json"),
            },
        }
    )


def source_csv(folder: Path, third_row: str, header: str = "f1,f2,target") -> Path:
    """A CSV of 20 rows of two features and a 0/1 label whose third row is ``third_row``."""
    rows = [f"{i / 10},{1 - i / 10},{i % 2}" for i in range(20)]
    rows[2] = third_row
    path = folder / "source.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_pipeline_reads_and_writes_tables_that_pass_the_shipped_schemas(tmp_path):
    catalog = validated_catalog(tmp_path / "out", source_csv(tmp_path, "0.2,0.8,0"))
    catalog["params:data"] = DataParams(source="table")
    catalog["params:split"] = SplitParams()
    SequentialRunner().run(create_pipeline(), catalog)
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "scaler.json",
        "test_features.parquet",  # empty: no split.test_fraction
        "train_features.parquet",
        "validation_features.parquet",
    ]


@pytest.mark.parametrize(
    ("third_row", "header", "fragments"),
    [
        pytest.param(
            "0.2,,0",
            "f1,f2,target",
            ["Column 'f2' holds nan (missing, NaN or infinite) in data row 3"],
            id="NaN",
        ),
        pytest.param(
            "0.2,inf,0",
            "f1,f2,target",
            ["Column 'f2' holds inf (missing, NaN or infinite) in data row 3"],
            id="inf",
        ),
        pytest.param(
            "0.2,abc,0",
            "f1,f2,target",
            ["Column 'f2' holds the non-numeric value 'abc' in data row 3"],
            id="string",
        ),
        pytest.param(
            "0.2,0.8,2",
            "f1,f2,target",
            ["Column 'target' must hold only 0 and 1; it holds 2 in data row 3"],
            id="label-2",
        ),
        pytest.param(
            "0.2,0.8,0",
            "f1,f2,label",
            [
                "The source table lacks the column(s) ['target']; it has ['f1', 'f2', "
                "'label']",
                "for a table of your own, declare its schema",
            ],
            id="missing-column",
        ),
    ],
)
def test_the_source_tables_validator_refuses_a_bad_table_before_anything_is_written(
    tmp_path, third_row, header, fragments
):
    catalog = validated_catalog(
        tmp_path / "out", source_csv(tmp_path, third_row, header)
    )
    catalog["params:data"] = DataParams(source="table")
    catalog["params:split"] = SplitParams()
    with pytest.raises(TableError) as refused:
        SequentialRunner().run(create_pipeline(), catalog)
    missing = [f for f in fragments if f not in str(refused.value)]
    assert not missing, f"{missing} not in: {refused.value}"
    assert not (tmp_path / "out").exists()


def with_value(
    split: pd.DataFrame, column: str, row: int, value: float
) -> pd.DataFrame:
    """A copy of ``split`` holding ``value`` in ``column`` at position ``row``."""
    return split.assign(**{column: split[column].mask(split.index == row, value)})


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        pytest.param(
            lambda split: with_value(split, "x1", 4, np.nan),
            ["Column 'x1' holds nan (missing, NaN or infinite) in data row 5"],
            id="NaN",
        ),
        pytest.param(
            lambda split: with_value(split, "y", 2, 2),
            ["Column 'y' must hold only 0 and 1; it holds 2 in data row 3"],
            id="label-2",
        ),
        pytest.param(
            lambda split: split.drop(columns="y"),
            ["The model input lacks the column(s) ['y']; it has ['x1', 'x2']"],
            id="missing-column",
        ),
    ],
)
def test_a_bad_model_input_is_refused_as_it_is_saved_and_not_written(
    tmp_path, change, fragments
):
    train, val = split_data(generate_moons(DataParams()), SplitParams())
    catalog = validated_catalog(tmp_path / "out", tmp_path / "unread.csv")
    catalog["train_split"] = MemoryDataset(change(train))
    catalog["validation_split"] = MemoryDataset(val)
    catalog["scaler"] = MemoryDataset(fit_scaler(train))
    with pytest.raises(TableError) as refused:
        SequentialRunner().run(
            create_pipeline().only_nodes("standardize_splits"), catalog
        )
    message = str(refused.value)
    assert message.startswith(
        "Validation failed for dataset 'train_features' on save\n"
        "(validator: moons_classifier.schemas.TableValidator)"
    )
    missing = [f for f in fragments if f not in message]
    assert not missing, f"{missing} not in: {message}"
    assert not list(tmp_path.rglob("*_features*"))
