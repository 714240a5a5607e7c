"""Dask partitions: their sizes and seeds, their parquet files, and tree reductions."""

from __future__ import annotations

import operator
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np


def is_dask(table: object) -> bool:
    """Whether ``table`` is a Dask DataFrame (telling without importing Dask)."""
    dataframe = sys.modules.get("dask.dataframe")
    return dataframe is not None and isinstance(table, dataframe.DataFrame)


def partition_sizes(n_rows: int, partition_rows: int) -> list[int]:
    """Rows per partition: as few partitions as ``partition_rows`` allows, sizes within one."""
    n_partitions = -(-n_rows // partition_rows)
    return [len(rows) for rows in np.array_split(np.arange(n_rows), n_partitions)]


def partition_seed(seed: int, index: int) -> int:
    """The seed of partition ``index``: ``seed`` itself for the first, so one partition
    draws what the whole table draws on the pandas backend."""
    return seed + index


def partition_number(partition_info: dict | None) -> int:
    """The partition's number, from what Dask passes a ``map_partitions`` function."""
    return 0 if partition_info is None else partition_info["number"]


def partition_files(table: Any) -> list[str] | None:
    """The parquet file each partition of ``table`` reads, where ``table`` is read straight
    from parquet files (as ``dask.ParquetDataset`` loads a folder); else None."""
    read = _parquet_read(table)
    if read is None:
        return None
    parts = read._plan["parts"]  # noqa: SLF001
    if len(parts) != table.npartitions:
        return None
    return [part["piece"][0] for part in parts]


def partition_names(table: Any) -> list[str]:
    """Each partition's number, and the file it reads where it is read from one."""
    files = partition_files(table) or [None] * table.npartitions
    return [
        f"partition {index}" + (f", file {file}" if file else "")
        for index, file in enumerate(files)
    ]


def check_parquet_files(table: Any, name: str) -> None:
    """Refuse a parquet folder with a file that is not parquet or whose columns differ from
    the first file's, naming that file (``name`` names the table: "The source table");
    reads footers only."""
    read = _parquet_read(table)
    if read is None:
        return
    info = read._dataset_info  # noqa: SLF001
    first, *others = info["ds"].files
    expected = _parquet_columns(info["fs"], first, name)
    for path in others:
        differences = _differences(expected, _parquet_columns(info["fs"], path, name))
        if differences:
            raise ValueError(
                f"{name}'s file {path} does not hold the columns of its first file "
                f"{first}: it {differences}. Every file of the folder is a partition of "
                "one table, with the same columns; fix or remove that file."
            )


def _differences(expected: list[str], columns: list[str]) -> str:
    """Which of ``expected`` ``columns`` lacks and which others it adds; empty if none."""
    missing = [column for column in expected if column not in columns]
    extra = [column for column in columns if column not in expected]
    return " and ".join(
        f"{what} the column(s) {names}"
        for what, names in (("lacks", missing), ("adds", extra))
        if names
    )


def _parquet_read(table: Any) -> Any | None:
    """Dask's expression reading ``table`` from parquet files through fsspec, if it is one."""
    from dask.dataframe.dask_expr.io.parquet import ReadParquetFSSpec  # noqa: PLC0415

    return table.expr if isinstance(table.expr, ReadParquetFSSpec) else None


def _parquet_columns(fs: Any, path: str, name: str) -> list[str]:
    """The column names in the footer of the parquet file ``path``."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    try:
        with fs.open(path, "rb") as file:
            return pq.read_schema(file).names
    except (OSError, pa.ArrowException) as error:
        reason = str(error).splitlines()[0]
        raise ValueError(
            f"{name}'s file {path} is not a readable parquet file "
            f"({type(error).__name__}: {reason}). Replace it with its partition's parquet "
            "file, or remove it from the folder."
        ) from error


def tree_sum(parts: Sequence[Any]) -> Any:
    """The sum of Dask delayed values, added pairwise, level by level, on the workers."""
    from dask import delayed  # noqa: PLC0415

    level = list(parts)
    while len(level) > 1:
        pairs = [
            delayed(operator.add)(level[i], level[i + 1])
            for i in range(0, len(level) - 1, 2)
        ]
        level = pairs + level[len(pairs) * 2 :]
    return level[0]
