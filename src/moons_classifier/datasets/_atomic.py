"""The file datasets' shared base: versioned, written through a temporary file and a rename."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

import fsspec
from kedro.io.core import (
    AbstractVersionedDataset,
    DatasetError,
    Version,
    get_filepath_str,
    get_protocol_and_path,
)
from kedro_datasets._typing import JSONPreview


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


class _JSONFileDataset(_AtomicFileDataset):
    """An atomic file dataset holding JSON text, which kedro-viz previews."""

    def preview(self) -> JSONPreview:
        """The stored JSON, for kedro-viz."""
        return JSONPreview(self._read_bytes().decode())
