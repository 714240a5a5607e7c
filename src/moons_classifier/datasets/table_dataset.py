"""``TableDataset``: a parquet table, one file for pandas or a folder of partitions for Dask."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

import fsspec
import pandas as pd
from kedro.io.core import (
    AbstractDataset,
    DatasetError,
    get_filepath_str,
    get_protocol_and_path,
)
from kedro_datasets._typing import TablePreview
from kedro_datasets.pandas import ParquetDataset

from moons_classifier.partitions import is_dask


class TableDataset(AbstractDataset[Any, Any]):
    """A parquet table: one file for a pandas DataFrame, a folder of one file per partition
    for a Dask DataFrame (kedro-datasets' ``dask.ParquetDataset``); loads what was saved.

    Saving replaces whatever the path held, file or folder. With ``persist_dask`` false, a
    Dask DataFrame is not written: its partitions are computed once and held in the
    cluster's memory (spilled to the workers' disks only when they run short), until no
    node needs them.
    """

    def __init__(
        self,
        *,
        filepath: str,
        persist_dask: bool = True,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        protocol, path = get_protocol_and_path(filepath)
        self._filepath = filepath
        self._path = get_filepath_str(PurePosixPath(path), protocol)
        self._fs = fsspec.filesystem(protocol)
        self._pandas = ParquetDataset(filepath=filepath)
        self._persist_dask = persist_dask
        self._lazy: Any = None
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self._filepath, "persist_dask": self._persist_dask}

    def _exists(self) -> bool:
        return self._lazy is not None or self._fs.exists(self._path)

    def _dask(self, filepath: str | None = None) -> AbstractDataset:
        """kedro-datasets' Dask dataset of this path (or ``filepath``): a folder of one
        file per partition."""
        from kedro_datasets.dask import ParquetDataset as DaskParquetDataset  # noqa: PLC0415

        return DaskParquetDataset(
            filepath=filepath or self._filepath, save_args={"write_index": False}
        )

    def load(self) -> Any:
        """The Dask DataFrame handed on in memory, else the pandas DataFrame of a file or
        the lazy Dask DataFrame of a folder."""
        if self._lazy is not None:
            return self._lazy
        if self._fs.isdir(self._path):
            return self._dask().load()
        return self._pandas.load()

    def save(self, data: Any) -> None:
        """Write a pandas DataFrame as one file, a Dask DataFrame as a partitioned folder
        (or keep it in memory); anything else is refused before the old table is removed.

        The table is written beside the old one and moved in place once whole: a save
        that fails (a partition refused by the table's schema, say) leaves the old table
        as it was and no part of the new one.
        """
        if not (isinstance(data, pd.DataFrame) or is_dask(data)):
            raise DatasetError(
                f"{self._filepath} holds tables: a pandas or Dask DataFrame, not a "
                f"{type(data).__name__}. Return a DataFrame from the node that saves it."
            )
        self._lazy = None
        if not (self._persist_dask or isinstance(data, pd.DataFrame)):
            self._remove(self._path)
            self._lazy = data.persist()
            return
        temporary = f"{self._path}.{uuid.uuid4().hex}.partial"
        try:
            if isinstance(data, pd.DataFrame):
                ParquetDataset(filepath=temporary).save(data)
            else:
                self._dask(temporary).save(data)
            self._remove(self._path)
            self._fs.mv(temporary, self._path, recursive=True)
        finally:
            self._remove(temporary)
        self._fs.invalidate_cache(self._path)

    def _remove(self, path: str) -> None:
        """Remove the file or folder at ``path``, if there is one."""
        if self._fs.exists(path):
            self._fs.rm(path, recursive=True)

    def _release(self) -> None:
        """Free a Dask DataFrame held in memory, once no node needs it."""
        self._lazy = None

    def preview(self, nrows: int = 5) -> TablePreview:
        """The first ``nrows`` rows (of the first partition, for a folder), for kedro-viz."""
        if self._fs.isdir(self._path):
            return self._dask().load().head(nrows).to_dict(orient="split")
        return self._pandas.preview(nrows)
