"""``ObjectDataset``: objects handed from node to node in memory."""

from __future__ import annotations

from typing import Any

from kedro.io import SharedMemoryDataset
from kedro.io.core import DatasetError

_NOTHING = object()


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
