"""TableDataset: pandas tables as one parquet file, Dask tables as a folder of partitions."""

from __future__ import annotations

from pathlib import Path

import dask.dataframe as dd
import pandas as pd
import pytest
from kedro.io.core import DatasetError

from moons_classifier.datasets import TableDataset

TABLE = pd.DataFrame(
    {"x1": [0.5, 1.5, 2.5, 3.5], "x2": [-1.0, 0.0, 1.0, 2.0], "label": [0, 1, 1, 0]}
)


def test_a_pandas_table_round_trips_through_one_file(tmp_path: Path):
    path = tmp_path / "tables" / "moons.parquet"
    dataset = TableDataset(filepath=str(path))
    assert not dataset.exists()
    dataset.save(TABLE)
    assert dataset.exists()
    assert path.is_file()
    loaded = dataset.load()
    assert type(loaded) is pd.DataFrame
    pd.testing.assert_frame_equal(loaded, TABLE)


def test_a_dask_table_round_trips_through_a_folder_of_partitions(tmp_path: Path):
    path = tmp_path / "moons.parquet"
    dataset = TableDataset(filepath=str(path))
    dataset.save(dd.from_pandas(TABLE, npartitions=2))
    assert dataset.exists()
    assert sorted(p.name for p in path.iterdir()) == [
        "part.0.parquet",
        "part.1.parquet",
    ]
    loaded = dataset.load()
    assert isinstance(loaded, dd.DataFrame)
    assert loaded.npartitions == 2  # noqa: PLR2004
    pd.testing.assert_frame_equal(loaded.compute().reset_index(drop=True), TABLE)


def test_a_pandas_save_on_a_dask_table_path_replaces_the_folder(tmp_path: Path):
    path = tmp_path / "moons.parquet"
    dataset = TableDataset(filepath=str(path))
    dataset.save(dd.from_pandas(TABLE, npartitions=2))
    dataset.save(TABLE.head(2))
    assert path.is_file()
    pd.testing.assert_frame_equal(dataset.load(), TABLE.head(2))


def test_a_dask_save_on_a_pandas_table_path_replaces_the_file(tmp_path: Path):
    path = tmp_path / "moons.parquet"
    dataset = TableDataset(filepath=str(path))
    dataset.save(TABLE)
    dataset.save(dd.from_pandas(TABLE.tail(2), npartitions=1))
    assert [p.name for p in path.iterdir()] == ["part.0.parquet"]
    pd.testing.assert_frame_equal(
        dataset.load().compute().reset_index(drop=True),
        TABLE.tail(2).reset_index(drop=True),
    )


@pytest.mark.parametrize("npartitions", [None, 2])
def test_the_preview_is_the_first_rows(tmp_path: Path, npartitions: int | None):
    dataset = TableDataset(filepath=str(tmp_path / "moons.parquet"))
    dataset.save(
        TABLE if npartitions is None else dd.from_pandas(TABLE, npartitions=npartitions)
    )
    assert dataset.preview(nrows=2) == {
        "index": [0, 1],
        "columns": ["x1", "x2", "label"],
        "data": [[0.5, -1.0, 0], [1.5, 0.0, 1]],
    }


@pytest.mark.parametrize(("data", "kind"), [([[0.5, 1]], "list"), ("x1,label", "str")])
def test_data_that_is_not_a_table_is_refused_and_the_old_table_kept(
    tmp_path: Path, data: object, kind: str
):
    dataset = TableDataset(filepath=str(tmp_path / "moons.parquet"))
    with pytest.raises(DatasetError, match=f"a pandas or Dask DataFrame, not a {kind}"):
        dataset.save(data)
    assert not dataset.exists()
    dataset.save(TABLE)
    with pytest.raises(DatasetError, match=f"not a {kind}"):
        dataset.save(data)
    pd.testing.assert_frame_equal(dataset.load(), TABLE)


def test_a_missing_table_is_refused(tmp_path: Path):
    dataset = TableDataset(filepath=str(tmp_path / "moons.parquet"))
    with pytest.raises(DatasetError, match="Failed while loading data from dataset"):
        dataset.load()


def test_a_dask_table_not_persisted_is_held_in_memory_not_written(tmp_path: Path):
    path = tmp_path / "features.parquet"
    TableDataset(filepath=str(path)).save(dd.from_pandas(TABLE, npartitions=2))
    assert path.is_dir()
    dataset = TableDataset(filepath=str(path), persist_dask=False)
    dataset.save(dd.from_pandas(TABLE, npartitions=2))
    assert not path.exists(), "the older table is replaced, not left to be read later"
    assert dataset.exists()
    loaded = dataset.load()
    assert loaded.npartitions == 2  # noqa: PLR2004
    pd.testing.assert_frame_equal(loaded.compute().reset_index(drop=True), TABLE)
    dataset.release()
    assert not dataset.exists()


def test_a_pandas_table_is_written_even_when_dask_tables_are_not(tmp_path: Path):
    dataset = TableDataset(filepath=str(tmp_path / "moons.parquet"), persist_dask=False)
    dataset.save(TABLE)
    assert (tmp_path / "moons.parquet").is_file()
    pd.testing.assert_frame_equal(dataset.load(), TABLE)


def _refuse_the_last(
    part: pd.DataFrame, partition_info: dict | None = None
) -> pd.DataFrame:
    """``part``, unless it is the last of the four partitions of ``TABLE``."""
    if partition_info["number"] == 3:  # noqa: PLR2004
        raise ValueError("partition 3 is refused")
    return part


@pytest.mark.parametrize("old", ["file", "folder"])
def test_a_failed_dask_save_keeps_the_old_table_and_writes_nothing(
    tmp_path: Path, old: str
):
    path = tmp_path / "features.parquet"
    dataset = TableDataset(filepath=str(path))
    dataset.save(TABLE if old == "file" else dd.from_pandas(TABLE, npartitions=2))
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    refused = dd.from_pandas(TABLE * 2, npartitions=4).map_partitions(
        _refuse_the_last, meta=TABLE.iloc[:0]
    )
    with pytest.raises(DatasetError, match="partition 3 is refused"):
        dataset.save(refused)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    pd.testing.assert_frame_equal(pd.read_parquet(path), TABLE)
