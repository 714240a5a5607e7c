"""LazyDataset: the wrapped dataset is read only when the node calls its load function."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from kedro.io import DataCatalog
from kedro.io.core import DatasetError

from moons_classifier.datasets import LazyDataset

TABLE = pd.DataFrame({"x1": [0.5, 1.5, 2.5], "label": [0, 1, 1]})


def csv_config(path: Path) -> dict:
    """A kedro-datasets CSV entry for ``path``."""
    return {"type": "pandas.CSVDataset", "filepath": str(path)}


def test_loading_gives_the_wrapped_load_which_reads_the_file_when_called(
    tmp_path: Path,
):
    path = tmp_path / "source.csv"
    load = LazyDataset(dataset=csv_config(path)).load()
    assert callable(load)
    TABLE.to_csv(path, index=False)  # written after load(): only calling reads it
    pd.testing.assert_frame_equal(load(), TABLE)


def test_a_load_function_that_is_never_called_reads_nothing(tmp_path: Path):
    LazyDataset(dataset=csv_config(tmp_path / "missing.csv")).load()
    assert list(tmp_path.iterdir()) == []


def test_calling_the_load_of_a_missing_file_is_refused(tmp_path: Path):
    load = LazyDataset(dataset=csv_config(tmp_path / "missing.csv")).load()
    with pytest.raises(DatasetError, match="No such file or directory"):
        load()


def test_the_catalog_entry_hands_the_node_a_load_function(tmp_path: Path):
    path = tmp_path / "source.csv"
    TABLE.to_csv(path, index=False)
    catalog = DataCatalog.from_config(
        {
            "source_table": {
                "type": "moons_classifier.datasets.LazyDataset",
                "dataset": csv_config(path),
            }
        }
    )
    pd.testing.assert_frame_equal(catalog.load("source_table")(), TABLE)


@pytest.mark.parametrize("data", [TABLE, "anything"])
def test_saving_is_refused(tmp_path: Path, data: object):
    dataset = LazyDataset(dataset=csv_config(tmp_path / "source.csv"))
    with pytest.raises(DatasetError, match="LazyDataset is read-only."):
        dataset.save(data)
    assert list(tmp_path.iterdir()) == []


def test_the_preview_and_description_are_the_wrapped_datasets(tmp_path: Path):
    path = tmp_path / "source.csv"
    TABLE.to_csv(path, index=False)
    dataset = LazyDataset(dataset=csv_config(path))
    assert dataset.preview(nrows=2) == {
        "index": [0, 1],
        "columns": ["x1", "label"],
        "data": [[0.5, 0], [1.5, 1]],
    }
    assert str(path) in str(dataset)
