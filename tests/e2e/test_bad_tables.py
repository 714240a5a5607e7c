"""Bad source tables and inference inputs are refused naming the file, column and row at
fault, before any work is done: parquet folders on the Dask backend (a file that is not
parquet, files whose columns differ, a bad value in a later partition) and text in a
feature column, whatever the source table's catalog entry declares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from kedro.io.core import DatasetError
from sklearn.preprocessing import StandardScaler

from moons_classifier.params import DataParams, InferenceParams, ModelParams
from moons_classifier.pipelines.data_processing.nodes import select_source
from moons_classifier.pipelines.inference.nodes import (
    check_inference_input,
    score_points,
)
from moons_classifier.tabular import OUTPUT_COLUMNS
from tests.pipelines.inference.trained import SELECTED, STATE_DICT
from tests.support.helpers import snapshot
from tests.support.projects import run_kedro

ROWS_PER_FILE = 4
DASK_TABLE = DataParams(source="table", backend="dask")
BACKENDS = [DASK_TABLE, DataParams(source="table")]


def table(n_files: int = 3) -> pd.DataFrame:
    """A table of two features and a 0/1 ``target``, ``ROWS_PER_FILE`` rows a file."""
    n_rows = n_files * ROWS_PER_FILE
    return pd.DataFrame(
        {
            "a": np.arange(n_rows, dtype=float),
            "b": np.linspace(-1, 1, n_rows),
            "target": [0, 1] * (n_rows // 2),
        }
    )


def parquet_folder(folder: Path, data: pd.DataFrame) -> Path:
    """``data`` written as a folder of parquet files of ``ROWS_PER_FILE`` rows each."""
    dd.from_pandas(data, chunksize=ROWS_PER_FILE, sort=False).to_parquet(
        folder, write_index=False
    )
    return folder


def replace_file(folder: Path, index: int, change: Callable) -> Path:
    """Rewrite the folder's file ``index`` with ``change`` applied to its rows; its path."""
    path = folder / f"part.{index}.parquet"
    change(pd.read_parquet(path)).to_parquet(path, index=False)
    return path


def truncate(folder: Path, index: int) -> Path:
    """Cut the folder's file ``index`` in half, as an interrupted copy leaves it; its path."""
    path = folder / f"part.{index}.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def refused(params: DataParams, folder: Path) -> str:
    """The message with which ``select_source`` refuses the parquet folder: a
    ``ValueError`` for its files, a ``TableError`` (a ``DatasetError``) for its values."""
    with pytest.raises((ValueError, DatasetError)) as error:
        select_source(None, dd.read_parquet(folder), params)
    return str(error.value)


def assert_holds(message: str, fragments: list[str]) -> None:
    """Every fragment is in the message."""
    missing = [fragment for fragment in fragments if fragment not in message]
    assert not missing, f"{missing} not in: {message}"


@pytest.mark.parametrize("params", BACKENDS, ids=["dask", "pandas"])
def test_a_truncated_parquet_file_is_named(tmp_path, params):
    path = truncate(parquet_folder(tmp_path / "table", table()), 1)
    assert_holds(
        refused(params, tmp_path / "table"),
        [f"file {path} is not a readable parquet file", "Parquet magic bytes"],
    )


@pytest.mark.parametrize("params", BACKENDS, ids=["dask", "pandas"])
@pytest.mark.parametrize(
    ("change", "difference"),
    [
        (lambda rows: rows.drop(columns="b"), "lacks the column(s) ['b']"),
        (lambda rows: rows.assign(c=1.0), "adds the column(s) ['c']"),
    ],
    ids=["missing-column", "extra-column"],
)
def test_a_file_whose_columns_differ_is_named(tmp_path, params, change, difference):
    folder = parquet_folder(tmp_path / "table", table())
    path = replace_file(folder, 2, change)
    assert_holds(
        refused(params, folder),
        [
            f"file {path} does not hold the columns of its first file",
            str(folder / "part.0.parquet"),
            difference,
        ],
    )


def test_a_nan_in_a_later_partition_is_named_by_its_file_and_row(tmp_path):
    data = table()
    data.loc[ROWS_PER_FILE + 2, "b"] = np.nan  # row 3 of the second file
    folder = parquet_folder(tmp_path / "table", data)
    assert_holds(
        refused(DASK_TABLE, folder),
        [
            "Column 'b' holds nan (missing, NaN or infinite) in data row 3 of partition "
            f"1, file {folder / 'part.1.parquet'} (1 row in that partition)",
            "Fill or drop that row",
        ],
    )


def test_a_label_in_a_later_partition_is_named_by_its_file_and_row(tmp_path):
    data = table()
    data.loc[2 * ROWS_PER_FILE + 1, "target"] = 2
    folder = parquet_folder(tmp_path / "table", data)
    assert_holds(
        refused(DASK_TABLE, folder),
        [
            "Column 'target' must hold only 0 and 1; it holds 2 in data row 2 of "
            f"partition 2, file {folder / 'part.2.parquet'} (1 row in that partition)",
        ],
    )


@pytest.mark.parametrize(
    ("params", "where"),
    [
        (DASK_TABLE, "data row 3 of partition 1, file {folder}/part.1.parquet"),
        (DataParams(source="table"), "data row 7 (1 row in all)"),
    ],
    ids=["dask", "pandas"],
)
def test_text_in_a_feature_column_of_a_parquet_folder_is_named(tmp_path, params, where):
    data = table().astype({"b": str})
    data.loc[ROWS_PER_FILE + 2, "b"] = "a"
    folder = parquet_folder(tmp_path / "table", data)
    assert_holds(
        refused(params, folder),
        [
            "Column 'b' holds the non-numeric value 'a' in "
            + where.format(folder=folder),
            "Every value of that column must be a number",
        ],
    )


def test_text_in_a_feature_column_of_a_csv_is_named_with_its_row(tmp_path):
    csv = tmp_path / "table.csv"
    csv.write_text("a,b,target\n1,0.5,0\n2,0.25,1\n3,x,0\n4,y,1\n")
    with pytest.raises(DatasetError) as error:
        select_source(None, pd.read_csv(csv), DataParams(source="table"))
    assert_holds(
        str(error.value),
        [
            "Column 'b' holds the non-numeric value 'x' in data row 3 (2 rows in all).",
            "leave a column that is no feature out of data.feature_columns",
        ],
    )


def test_numbers_written_as_text_are_read_as_numbers():
    data = table().astype({"b": str})
    selected = select_source(None, data, DataParams(source="table"))
    np.testing.assert_array_equal(selected["b"], table()["b"])


@pytest.fixture(scope="module")
def scaler() -> StandardScaler:
    """A scaler of the moons' two features."""
    fitted = StandardScaler().fit(np.array([[0.0, 0.0], [1.0, 2.0]]))
    fitted.feature_names_in_ = np.asarray(["x1", "x2"], dtype=object)
    return fitted


@pytest.fixture
def points() -> pd.DataFrame:
    return pd.DataFrame({"id": [1, 2, 3], "x1": [0.5, -1.0, 2.0], "x2": [0.2, 1, -0.5]})


def test_score_adds_exactly_the_output_columns(points, scaler):
    args = (scaler, STATE_DICT, SELECTED, ModelParams(), InferenceParams())
    scored = score_points(points, *args)
    assert list(scored.columns) == [*points.columns, *OUTPUT_COLUMNS]


def test_a_truncated_file_of_an_inference_folder_is_named(tmp_path, points, scaler):
    folder = tmp_path / "points"
    dd.from_pandas(points, npartitions=2).to_parquet(folder, write_index=False)
    path = truncate(folder, 1)
    with pytest.raises(ValueError) as error:
        check_inference_input(dd.read_parquet(folder), scaler)
    assert_holds(
        str(error.value), [f"inference input's file {path} is not a readable parquet"]
    )


def dask_table_run(project: Path, monkeypatch: pytest.MonkeyPatch, folder: Path) -> str:
    """The message refusing a Dask run of data_processing on the parquet ``folder``, once
    it is checked that the run wrote no file but the moons it generates first."""
    (project / "conf/local/catalog.yml").write_text(
        f"source_table:\n  type: dask.ParquetDataset\n  filepath: {folder.as_posix()}\n"
    )
    before = snapshot(project)
    with pytest.raises((ValueError, DatasetError)) as error:
        run_kedro(
            project,
            monkeypatch,
            pipeline_names=["data_processing"],
            runtime_params={
                "data": {"source": "table", "backend": "dask"},
                "dask": {"workers": 1},
            },
        )
    assert files_but_the_moons(snapshot(project)) == files_but_the_moons(before)
    return str(error.value)


def files_but_the_moons(snapshot: dict) -> dict:
    """A snapshot's files, without the moons that every run generates first."""
    return {
        path: file
        for path, file in snapshot.items()
        if file is not None and not path.startswith("data/01_raw/moons.parquet")
    }


@pytest.mark.parametrize(
    ("index", "change", "fragments"),
    [
        (
            1,
            lambda rows: rows.drop(columns="b"),
            ["file {folder}/part.1.parquet", "lacks the column(s) ['b']"],
        ),
        (
            2,
            lambda rows: rows.assign(b=rows["b"].mask(rows.index == 1)),
            [
                "Column 'b' holds nan (missing, NaN or infinite) in data row 2 of "
                "partition 2, file {folder}/part.2.parquet (1 row in that partition)"
            ],
        ),
    ],
    ids=["missing-column", "nan"],
)
def test_a_bad_parquet_folder_stops_a_dask_run_before_it_writes(
    project, monkeypatch, index, change, fragments
):
    folder = parquet_folder(project / "data/01_raw/features", table())
    replace_file(folder, index, change)
    message = dask_table_run(project, monkeypatch, folder)
    assert_holds(message, [f.format(folder=folder) for f in fragments])
    assert "raw_data" not in message
