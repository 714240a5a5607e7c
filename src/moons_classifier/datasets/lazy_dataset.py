"""``LazyDataset``: a wrapped dataset handed to the node as its ``load`` function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kedro.io.core import AbstractDataset, DatasetError


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
