"""Kedro datasets for the project's artifacts: loading them never executes code."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

import fsspec
import numpy as np
import pandas as pd
import torch
from kedro.io import SharedMemoryDataset
from kedro.io.core import (
    AbstractDataset,
    AbstractVersionedDataset,
    DatasetError,
    Version,
    get_filepath_str,
    get_protocol_and_path,
)
from kedro_datasets._typing import JSONPreview, TablePreview
from kedro_datasets.pandas import ParquetDataset
from sklearn.preprocessing import StandardScaler


class _AtomicFileDataset(AbstractVersionedDataset[Any, Any]):
    """A versionable file dataset that writes through a temporary file and a rename."""

    def __init__(
        self,
        *,
        filepath: str,
        version: Version | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        protocol, path = get_protocol_and_path(filepath, version)
        self._protocol = protocol
        self._fs = fsspec.filesystem(protocol)
        self.metadata = metadata
        super().__init__(
            filepath=PurePosixPath(path),
            version=version,
            exists_function=self._fs.exists,
            glob_function=self._fs.glob,
        )

    def _describe(self) -> dict[str, Any]:
        return {
            "filepath": self._filepath,
            "protocol": self._protocol,
            "version": self._version,
        }

    def _exists(self) -> bool:
        try:
            path = get_filepath_str(self._get_load_path(), self._protocol)
        except DatasetError:
            return False
        return self._fs.exists(path)

    def versions(self) -> list[str]:
        """The versions that hold this dataset's file, newest first."""
        pattern = str(self._get_versioned_path("*"))
        return sorted(
            (PurePosixPath(path).parent.name for path in self._glob_function(pattern)),
            reverse=True,
        )

    def _read_bytes(self) -> bytes:
        path = get_filepath_str(self._get_load_path(), self._protocol)
        with self._fs.open(path, "rb") as file:
            return file.read()

    def _write_bytes(self, data: bytes) -> None:
        path = get_filepath_str(self._get_save_path(), self._protocol)
        self._fs.makedirs(str(PurePosixPath(path).parent), exist_ok=True)
        temporary = f"{path}.{uuid.uuid4().hex}.partial"
        try:
            with self._fs.open(temporary, "wb") as file:
                file.write(data)
            self._fs.mv(temporary, path)
        finally:
            if self._fs.exists(temporary):
                self._fs.rm(temporary)
        self._fs.invalidate_cache(path)


class TorchStateDictDataset(_AtomicFileDataset):
    """A model's ``state_dict``, saved with ``torch.save`` and loaded with ``weights_only=True``."""

    def load(self) -> dict[str, torch.Tensor]:
        """Load the tensors on the CPU; pickled code is refused, not run."""
        data = self._read_bytes()
        try:
            state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except Exception as error:
            raise DatasetError(
                f"{self._get_load_path()} is not a plain state_dict of tensors and was "
                f"not loaded ({type(error).__name__}: {str(error).splitlines()[0]}). "
                "Only files written by torch.save(model.state_dict()) are accepted."
            ) from error
        if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
        ):
            raise DatasetError(
                f"{self._get_load_path()} holds a {type(state).__name__}, not a "
                "state_dict mapping parameter names to tensors."
            )
        return dict(state)

    def save(self, data: dict[str, torch.Tensor]) -> None:
        """Save the tensors, moved to the CPU."""
        buffer = io.BytesIO()
        torch.save({name: t.detach().cpu() for name, t in data.items()}, buffer)
        self._write_bytes(buffer.getvalue())


class _JSONFileDataset(_AtomicFileDataset):
    """An atomic file dataset holding JSON text, which kedro-viz previews."""

    def preview(self) -> JSONPreview:
        """The stored JSON, for kedro-viz."""
        return JSONPreview(self._read_bytes().decode())


class StandardScalerDataset(_JSONFileDataset):
    """A fitted ``StandardScaler`` stored as JSON numbers, so loading it cannot run code."""

    _FIELDS = ("mean_", "var_", "scale_")

    def load(self) -> StandardScaler:
        """Rebuild a plain ``StandardScaler`` from the stored statistics, each checked."""
        try:
            stored = json.loads(self._read_bytes())
            scaler = StandardScaler()
            scaler.n_features_in_ = int(stored["n_features_in_"])
            scaler.n_samples_seen_ = int(stored["n_samples_seen_"])
            for name in self._FIELDS:
                setattr(scaler, name, np.asarray(stored[name], dtype=np.float64))
            if "feature_names_in_" in stored:
                scaler.feature_names_in_ = np.asarray(
                    stored["feature_names_in_"], dtype=object
                )
            _check_scaler(scaler)
        except (ValueError, KeyError, TypeError) as error:
            raise DatasetError(
                f"{self._get_load_path()} is not a scaler written by this project "
                f"({type(error).__name__}: {error}). Re-run the data_processing pipeline."
            ) from error
        return scaler

    def save(self, data: StandardScaler) -> None:
        """Write the scaler's fitted statistics."""
        stored: dict[str, Any] = {
            name: getattr(data, name).tolist() for name in self._FIELDS
        }
        stored["n_features_in_"] = int(data.n_features_in_)
        stored["n_samples_seen_"] = int(np.max(data.n_samples_seen_))
        if hasattr(data, "feature_names_in_"):
            stored["feature_names_in_"] = data.feature_names_in_.tolist()
        self._write_bytes(json.dumps(stored, indent=2).encode())


def _check_scaler(scaler: StandardScaler) -> None:
    """Every statistic has one finite entry per named feature, and each scale is its variance's root."""
    n_features = scaler.n_features_in_
    if n_features < 1 or scaler.n_samples_seen_ < 1:
        raise ValueError(
            f"n_features_in_={n_features} and n_samples_seen_={scaler.n_samples_seen_} "
            "must be at least 1"
        )
    names = getattr(scaler, "feature_names_in_", np.arange(n_features))
    if names.shape != (n_features,) or len(set(names)) < n_features:
        raise ValueError(
            f"feature_names_in_ must name {n_features} distinct features; got {names.tolist()}"
        )
    for name in StandardScalerDataset._FIELDS:
        values = getattr(scaler, name)
        if values.shape != (n_features,) or not np.isfinite(values).all():
            raise ValueError(
                f"{name} must hold {n_features} finite numbers, one per feature; got "
                f"{values.tolist()}"
            )
    expected_scale = np.where(scaler.var_ > 0, np.sqrt(np.abs(scaler.var_)), 1.0)
    if (scaler.var_ < 0).any() or not np.allclose(
        scaler.scale_, expected_scale, rtol=1e-9, atol=0
    ):
        raise ValueError(
            f"scale_ {scaler.scale_.tolist()} must be the square root of var_ "
            f"{scaler.var_.tolist()} (1 where the variance is 0), every one positive"
        )


class JSONDataset(_JSONFileDataset):
    """A JSON document, serialized in full before it is written, so a failure leaves no file."""

    def __init__(
        self,
        *,
        filepath: str,
        save_args: dict[str, Any] | None = None,
        version: Version | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(filepath=filepath, version=version, metadata=metadata)
        self._save_args = {"indent": 2, **(save_args or {})}

    def load(self) -> Any:
        """The parsed document."""
        return json.loads(self._read_bytes())

    def save(self, data: Any) -> None:
        """Serialize ``data`` with ``json.dumps(**save_args)``, then write it atomically."""
        self._write_bytes(json.dumps(data, **self._save_args).encode())


class ObjectDataset(SharedMemoryDataset):
    """Objects (loaders, models) handed from node to node in memory, never copied.

    Under ParallelRunner, whose nodes run in separate processes, Kedro gives the dataset
    a shared-memory manager and the objects travel pickled through it instead.
    """

    def __init__(self, metadata: dict[str, Any] | None = None) -> None:
        super().__init__(manager=None)
        self.metadata = metadata
        self._data: Any = _NOTHING

    def load(self) -> Any:
        """The object saved last."""
        if self.shared_memory_dataset is not None:
            return super().load()
        if self._data is _NOTHING:
            raise DatasetError("Data for ObjectDataset has not been saved yet.")
        return self._data

    def save(self, data: Any) -> None:
        """Keep a reference to ``data``."""
        if self.shared_memory_dataset is not None:
            super().save(data)
        else:
            self._data = data

    def _exists(self) -> bool:
        if self.shared_memory_dataset is not None:
            return super()._exists()
        return self._data is not _NOTHING

    def _release(self) -> None:
        self._data = _NOTHING


class LazyDataset(AbstractDataset[None, Callable[[], Any]]):
    """Wraps a dataset so that loading gives its ``load`` function, for the node to call
    only if it needs the data (as PartitionedDataset hands out partitions)."""

    def __init__(
        self, *, dataset: dict[str, Any], metadata: dict[str, Any] | None = None
    ) -> None:
        self._dataset = AbstractDataset.from_config("wrapped", dataset)
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"dataset": self._dataset._describe()}

    def load(self) -> Callable[[], Any]:
        """The wrapped dataset's ``load``, not yet called."""
        return self._dataset.load

    def save(self, data: None) -> None:
        """Refuse: this dataset is read-only."""
        raise DatasetError("LazyDataset is read-only.")

    def preview(self, **kwargs: Any) -> Any:
        """The wrapped dataset's preview, for kedro-viz."""
        return self._dataset.preview(**kwargs)


class TableDataset(AbstractDataset[Any, Any]):
    """A parquet table: one file for a pandas DataFrame, a folder of one file per partition
    for a Dask DataFrame (kedro-datasets' ``dask.ParquetDataset``); loads what was saved.

    Saving replaces whatever the path held, file or folder.
    """

    def __init__(
        self, *, filepath: str, metadata: dict[str, Any] | None = None
    ) -> None:
        protocol, path = get_protocol_and_path(filepath)
        self._filepath = filepath
        self._path = get_filepath_str(PurePosixPath(path), protocol)
        self._fs = fsspec.filesystem(protocol)
        self._pandas = ParquetDataset(filepath=filepath)
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self._filepath}

    def _exists(self) -> bool:
        return self._fs.exists(self._path)

    def _dask(self) -> AbstractDataset:
        """kedro-datasets' Dask dataset of this path: a folder of one file per partition."""
        from kedro_datasets.dask import ParquetDataset as DaskParquetDataset  # noqa: PLC0415

        return DaskParquetDataset(
            filepath=self._filepath, save_args={"write_index": False}
        )

    def load(self) -> Any:
        """The pandas DataFrame of a file, or the lazy Dask DataFrame of a folder."""
        if self._fs.isdir(self._path):
            return self._dask().load()
        return self._pandas.load()

    def save(self, data: Any) -> None:
        """Write a pandas DataFrame as one file, a Dask DataFrame as a partitioned folder."""
        if self._fs.exists(self._path):
            self._fs.rm(self._path, recursive=True)
        if isinstance(data, pd.DataFrame):
            self._pandas.save(data)
        else:
            self._dask().save(data)
        self._fs.invalidate_cache(self._path)

    def preview(self, nrows: int = 5) -> TablePreview:
        """The first ``nrows`` rows (of the first partition, for a folder), for kedro-viz."""
        if self._fs.isdir(self._path):
            return self._dask().load().head(nrows).to_dict(orient="split")
        return self._pandas.preview(nrows)


_NOTHING = object()
